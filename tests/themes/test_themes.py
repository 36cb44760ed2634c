"""Themes from what customers wrote (here, their emails, received as the email webhook receives
them): grouped, named by a lead (the name survives a re-run), and a case whose words match a theme
says how many other customers reported it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, RequestFactory

from tests.inbox.mails import mail
from tests.support.factories import CustomerFactory, StaffFactory
from tests.text.test_themes import generated
from touchpoint.cases.actors import SYSTEM
from touchpoint.console.views.themes import theme_panel
from touchpoint.core.clock import now
from touchpoint.flows.advance import case_open
from touchpoint.inbox.models import InboundMessage
from touchpoint.inbox.services import inbound_receive
from touchpoint.staff.models import Role
from touchpoint.text.themes import find_themes
from touchpoint.themes.models import Theme, ThemeRun
from touchpoint.themes.selectors import case_themes, run_matcher
from touchpoint.themes.services import customer_texts, theme_name, themes_rebuild

pytestmark = pytest.mark.django_db


def writes(text: str) -> InboundMessage:
    """A new customer's repair, and their email about it (as the email webhook receives it)."""
    customer = CustomerFactory()
    case = case_open(journey="mini-repair", customer=customer, actor=SYSTEM, data={"model": "nano-4g"}).case
    raw = mail(sender=f"{customer.name} <{customer.email}>", subject=f"Re: {case.reference}", body=text)
    message = inbound_receive(raw=raw, source="webhook").message
    assert (message.case, message.customer, message.reply_text) == (case, customer, text)
    return message


@pytest.fixture
def comments(mini_journey: Any) -> dict[str, list[InboundMessage]]:
    """30 customers' own words about their repairs, by email, in three planted themes of 10."""
    texts, truth = generated(7)
    by_theme: dict[str, list[InboundMessage]] = {}
    for text, label in zip(texts, truth, strict=True):
        by_theme.setdefault(label, []).append(writes(text))
    return by_theme


def theme_of(run: ThemeRun, word: str) -> Theme:
    return next(theme for theme in run.themes.all() if word in theme.terms)


def test_a_rebuild_stores_each_theme_with_its_size_customers_and_trend(comments: Any) -> None:
    run = themes_rebuild(seed=0)
    assert (run.texts, run.themes.count()) == (30, 3)
    for word in ("battery", "courier", "screen"):
        theme = theme_of(run, word)
        assert (theme.size, theme.customers, theme.weekly) == (10, 10, [0, 0, 0, 0, 0, 0, 0, 10])
        assert len(theme.examples) == 3


def test_a_case_whose_words_match_a_theme_counts_the_other_customers(comments: Any) -> None:
    run = themes_rebuild(seed=0)
    case = comments["battery"][0].case
    found = case_themes(case=case)
    assert [(match.theme, match.others) for match in found] == [(theme_of(run, "battery"), 9)]
    panel = theme_panel(RequestFactory().get("/"), case)
    assert panel == {"matches": found}


def test_a_case_with_nothing_said_has_no_panel(comments: Any, customer: Any) -> None:
    themes_rebuild(seed=0)
    quiet = case_open(journey="mini-repair", customer=customer, actor=SYSTEM, data={"model": "nano-4g"}).case
    assert theme_panel(RequestFactory().get("/"), quiet) is None


def test_a_lead_names_a_theme_and_the_name_survives_the_next_run(comments: Any) -> None:
    lead = StaffFactory(role=Role.LEAD)
    run = themes_rebuild(seed=0)
    theme_name(theme=theme_of(run, "courier"), user=lead, name="Couriers lose parcels", fix_note="Switching carrier")
    with pytest.raises(PermissionError):
        theme_name(theme=theme_of(run, "screen"), user=StaffFactory(role=Role.AGENT), name="x", fix_note="")
    again = themes_rebuild(seed=0)
    courier = theme_of(again, "courier")
    assert (courier.name, courier.fix_note, courier.named_by) == ("Couriers lose parcels", "Switching carrier", lead)
    assert theme_of(again, "screen").name == ""


def test_the_themes_page_is_for_leads(comments: Any) -> None:
    themes_rebuild(seed=0)
    assert Client().get("/console/themes/").status_code == 302
    agent = Client()
    agent.force_login(StaffFactory(role=Role.AGENT))
    assert agent.get("/console/themes/").status_code == 403
    lead = Client()
    lead.force_login(StaffFactory(role=Role.LEAD))
    page = lead.get("/console/themes/").content.decode()
    assert page.count('class="sparkline"') == 3
    first = Theme.objects.order_by("pk").first()
    assert first is not None
    response = lead.post(f"/console/themes/{first.pk}/", {"name": "", "fix_note": ""}, follow=True)
    assert "Give the theme a short name" in response.content.decode()


def test_the_worker_regroups_once_a_day_and_only_when_customers_wrote_something_new(comments: Any) -> None:
    from datetime import timedelta

    from touchpoint.core.clock import at
    from touchpoint.themes.services import themes_refresh

    first = themes_refresh()
    assert first is not None and ThemeRun.objects.count() == 1
    assert themes_refresh() is None  # less than a day old
    with at(now() + timedelta(days=2)):
        assert themes_refresh() is None  # a day later, but nothing new was written
        writes("screen glass cracked")
        again = themes_refresh()
    assert again is not None and again.texts == 31


def test_the_agent_sees_it_on_the_case_view(comments: Any) -> None:
    themes_rebuild(seed=0)
    case = comments["courier"][0].case
    agent = Client()
    agent.force_login(StaffFactory(role=Role.AGENT))
    page = agent.get(f"/console/cases/{case.reference}/").content.decode()
    assert "9 other customers reported this" in page


def test_the_stored_run_matches_texts_as_the_fitted_model_does(comments: dict[str, list[InboundMessage]]) -> None:
    # The case view matches against what the run stored (vocabulary, IDF, centroids to 6 places):
    # the same answers as the model find_themes fitted on the same texts
    run = themes_rebuild(seed=0)
    texts = [message.reply_text for group in comments.values() for message in group]
    fitted = find_themes([said.text for said in customer_texts()], seed=0).matcher()
    stored = run_matcher(run)
    texts += ["", "the and of it", "12345", "Battery BATTERY battery drains!", "courier lost my parcel, it flickers"]
    assert [stored.match(text) for text in texts] == [fitted.match(text) for text in texts]
    # Each customer's text falls in its own theme; of the others, only those with a theme's words
    planted = [word for group in comments for word in [group] * len(comments[group])]
    names = [
        next(word for word in ("battery", "courier", "screen") if word in theme.terms) for theme in run.themes.all()
    ]
    found = [None if (index := stored.match(text)) is None else names[index] for text in texts]
    assert found == [*planted, None, None, None, "battery", "courier"]


def test_the_themes_page_costs_the_same_queries_however_many_texts(
    comments: Any, django_assert_num_queries: Any
) -> None:
    lead = Client()
    lead.force_login(StaffFactory(role=Role.LEAD))
    # Given a lead grouped 30 texts into 3 themes (through the page's own button)
    assert lead.post("/console/themes/rebuild/").status_code == 302
    # 5: the session, the lead, their two-factor device; the latest run; its themes
    with django_assert_num_queries(5):
        page = lead.get("/console/themes/").content.decode()
    assert "Grouped 30 feedback comments" in page and page.count('class="sparkline"') == 3
    # When 30 more customers write and the lead groups again, the page reads the same
    for text in generated(8)[0]:
        writes(text)
    assert lead.post("/console/themes/rebuild/").status_code == 302
    with django_assert_num_queries(5):
        page = lead.get("/console/themes/").content.decode()
    assert "Grouped 60 feedback comments" in page and page.count('class="sparkline"') == 3
