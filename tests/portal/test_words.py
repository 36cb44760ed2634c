"""The customer's pages speak words, never internal keys: no event, state or field names, no team
or role codes, in the text a customer reads or the labels a screen reader speaks."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from tests.portal.story import Customer, beyond_repair, problem_at, repair_at
from tests.portal.test_actions import text_of

pytestmark = pytest.mark.django_db

KEY = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b|\b(?:team|role):[a-z]+")
SPOKEN = re.compile(r'\b(?:aria-label|title|alt|placeholder)="([^"]*)"')


def keys_in(html: str) -> list[str]:
    """Internal keys a customer could read or hear on the page."""
    main = html[html.find("<body") :]
    heard = " ".join(SPOKEN.findall(main))
    return sorted(set(KEY.findall(text_of(main) + " " + heard)))


STATES = [
    pytest.param(lambda: repair_at("awaiting_payment"), id="awaiting payment"),
    pytest.param(lambda: repair_at("box_in_post"), id="kit in the post"),
    pytest.param(lambda: repair_at("awaiting_device"), id="awaiting the device"),
    pytest.param(lambda: repair_at("resting"), id="resting"),
    pytest.param(beyond_repair, id="beyond repair"),
    pytest.param(lambda: repair_at("return_in_post"), id="on its way home"),
    pytest.param(lambda: repair_at("feedback_asked"), id="home, feedback asked"),
    pytest.param(lambda: problem_at("reported"), id="problem reported"),
    pytest.param(lambda: problem_at("confirming"), id="is it right?"),
    pytest.param(lambda: problem_at("awaiting_return"), id="old item to send back"),
]


@pytest.mark.parametrize("reach", STATES)
def test_the_case_page_has_no_internal_keys(reach: Any) -> None:
    customer: Customer = reach()
    assert keys_in(customer.page()) == []


def test_the_confirmation_and_refusal_pages_have_no_internal_keys() -> None:
    customer = beyond_repair()
    confirm = customer.act("recycle_chosen")
    assert confirm.status_code == 200
    assert keys_in(confirm.content.decode()) == []
    stale = {**customer.form_of("return_chosen"), "version": "1"}
    refused = customer.client.post(reverse("portal:action_take", args=[customer.token]), stale)
    assert refused.status_code == 409
    assert keys_in(refused.content.decode()) == []


def test_the_report_form_has_no_internal_keys(client: Any) -> None:
    assert keys_in(client.get("/report/").content.decode()) == []
