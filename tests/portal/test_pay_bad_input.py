"""The "Pay by card" form's version is a whole number in plain digits: ``int()`` alone took "+1",
"١" (Arabic-Indic one) and "0_1" as the version the page was drawn with, and went on to Stripe."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.payments.conftest import RecordedStripe, install_recorded_stripe, open_repair
from tests.portal.test_pay import mail_in_repair, pay_section  # noqa: F401 - the fixture
from touchpoint.cases.models import Case
from touchpoint.links.services import link_token

pytestmark = pytest.mark.usefixtures("mail_in_repair")


@pytest.fixture
def stripe_wire(settings: Any, monkeypatch: pytest.MonkeyPatch) -> RecordedStripe:
    return install_recorded_stripe(settings, monkeypatch)


@pytest.mark.parametrize("version", ["+1", "١", "0_1", " 1_ ", "9" * 5000, "1.0"])
def test_a_version_that_isnt_plain_digits_is_a_clear_message(
    client: Client, stripe_wire: RecordedStripe, version: str
) -> None:
    case = open_repair()
    response = client.post(f"/c/{link_token(case=case)}/pay/card", {"version": version})
    assert response.status_code == 400
    assert "That form was incomplete. Please press “Pay by card” again." in pay_section(response)
    assert (stripe_wire.requests, Case.objects.get(pk=case.pk).version) == ([], 1)
