"""What the case view and its panels cost in queries: an exact number, the same for a case with three
times the history. The cases are made the way people make them: the order through the order page's
service, the payment on the payments panel, the diagnosis on the quote panel, notes, replies and
remedies posted on the case view, the customer's emails through the inbox."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests.inbox.mails import mail
from tests.insights.test_people import register_survey
from tests.quotes.repair import crew, diagnose, repair_case
from tests.support.factories import CustomerFactory
from tests.text.test_themes import generated
from tests.themes.test_themes import writes
from touchpoint.cases.actors import SYSTEM
from touchpoint.cases.models import Case
from touchpoint.customers.models import Customer
from touchpoint.feedback.services import feedback_give
from touchpoint.flows.advance import case_open
from touchpoint.inbox.services import inbound_receive
from touchpoint.outbox.models import OutboxMessage
from touchpoint.themes.services import themes_rebuild

pytestmark = pytest.mark.django_db

# The case view, for a member of every team: the session and the user; the case (with journey,
# customer and assignee) and its marks; the user's teams and every team's name; the outgoing messages, the
# customer's messages, the files they sent (they wrote), the open tasks and the timeline; who the case
# can be given to; the catalog's names for the device and problem; the customer card (their cases,
# their complaint tasks, their sentiments); then the panels: quotes (quotes, their lines), payments
# (the payments, and — money having moved — the refunds, the taken payments' sums, the approved
# extra work), remedies (the policy in force, the case's remedies and requests), themes (1) and parcels (1: a parcel
# may have left by now). That is the first page after a change (or in a process that hasn't drawn it);
# the next ones find the timeline and the customer card kept under the case's marks (console/reads/kept.py)
# and skip their reads (the timeline's three, the card's three). The marks are one statement more.
CASE_VIEW_COLD = 26
CASE_VIEW = CASE_VIEW_COLD - 6


def timeline_of(page: str) -> str:
    start = page.index('<section class="card timeline"')
    return page[start : page.index("</section>", start)]


def signed_in() -> Client:
    client = Client()
    client.force_login(crew())
    return client


def history(client: Client, case: Case, ian: Customer, round_: int) -> Case:
    """One round of what happens around a case: an earlier order of Ian's, an email from him, a note
    and a reply on the case view, a goodwill credit from the remedies panel."""
    repair_case(ian, "awaiting_device")
    ours = OutboxMessage.objects.filter(case=case).latest("created_at")  # he answers our latest email
    raw = mail(sender=f"Ian Kearns <{ian.email}>", body=f"Any news? ({round_})", in_reply_to=ours.headers["Message-ID"])
    inbound_receive(raw=raw, source="webhook")
    url = reverse("console:case", args=[case.reference])
    for action, form in [
        ("note", {"text": f"Rang him back ({round_})"}),
        ("reply", {"mode": "own", "text": f"On the bench now ({round_})", "send": "1"}),
    ]:
        fresh = Case.objects.get(pk=case.pk)
        data = {**form, "version": fresh.version, "nonce": f"{action}-{round_}"}
        assert client.post(reverse(f"console:case_{action}", args=[case.reference]), data).status_code == 302
    fresh = Case.objects.get(pk=case.pk)
    give = {
        "kind": "goodwill_credit",
        "goodwill_credit-version": fresh.version,
        "goodwill_credit-nonce": f"credit-{round_}",
        "goodwill_credit-amount": "1.00",
        "goodwill_credit-reason": "Sorry for the wait",
        "action": "apply",
    }
    assert client.post(reverse("console:remedy_give", args=[case.reference]), give).status_code == 302
    assert client.get(url).status_code == 200
    return Case.objects.get(pk=case.pk)


def test_the_case_view_costs_the_same_queries_with_three_times_the_history(django_assert_num_queries: Any) -> None:
    ian = CustomerFactory(name="Ian Kearns", email="ian@example.com")
    case = diagnose(repair_case(ian, "in_surgery"), [("New battery", "25.00")])  # paid, a quote waiting
    client = signed_in()
    case = history(client, case, ian, 1)
    url = reverse("console:case", args=[case.reference])
    cache.clear()  # a process that hasn't drawn this case yet
    with django_assert_num_queries(CASE_VIEW_COLD):
        cold = client.get(url).content.decode()
    with django_assert_num_queries(CASE_VIEW):
        first = client.get(url).content.decode()
    assert timeline_of(first) == timeline_of(cold)  # the kept timeline is the one drawn
    for round_ in (2, 3):
        case = history(client, case, ian, round_)
    with django_assert_num_queries(CASE_VIEW):
        again = client.get(url).content.decode()
    # three times the history is on the page: notes, replies, credits, emails, earlier cases
    for shown in ("Rang him back ({})", "On the bench now ({})", "Any news? ({})"):
        assert shown.format(1) in first and all(shown.format(n) in again for n in (1, 2, 3))
    assert first.count("Goodwill credit £1.00 by") == 1 and again.count("Goodwill credit £1.00 by") == 3
    assert "<small>1 in all" in first and "<small>3 in all" in again


# The remedies panel's own page: the session and the user, the case (with customer and journey), the
# policy in force, the case's remedies and requests.
REMEDIES_PAGE = 5


def test_the_remedies_page_costs_the_same_queries_with_three_times_the_history(django_assert_num_queries: Any) -> None:
    ian = CustomerFactory(name="Ian Kearns", email="ian@example.com")
    case = repair_case(ian, "awaiting_device")
    client = signed_in()
    url = reverse("console:case_remedies", args=[case.reference])
    case = history(client, case, ian, 1)
    with django_assert_num_queries(REMEDIES_PAGE):
        assert client.get(url).status_code == 200
    for round_ in (2, 3):
        case = history(client, case, ian, round_)
    with django_assert_num_queries(REMEDIES_PAGE):
        assert client.get(url).content.decode().count("Goodwill credit £1.00 by") == 3


# A case with no quote and nothing the customer said in their own words: the quote and theme panels
# are not asked at all (console/panels.py GATES): CASE_VIEW less the quotes and their lines, the theme
# run, and the files (the customer never wrote). The page again: its timeline kept.
QUIET_CASE_VIEW = CASE_VIEW - 4


def test_a_case_without_a_quote_or_words_skips_those_panels_and_a_quote_still_shows(
    django_assert_num_queries: Any,
) -> None:
    case = repair_case(CustomerFactory(), "in_surgery")  # paid, on the bench: the quote form is offered
    client = signed_in()
    url = reverse("console:case", args=[case.reference])
    assert 'class="panel panel-quotes"' in client.get(url).content.decode()
    case = diagnose(case, [("New battery", "25.00")])  # the quote waits for the customer's answer
    page = client.get(url).content.decode()
    assert 'class="panel panel-quotes"' in page and "New battery" in page  # shown from its move in the timeline
    quiet = repair_case(CustomerFactory(), "awaiting_device")
    quiet_url = reverse("console:case", args=[quiet.reference])
    client.get(quiet_url)
    with django_assert_num_queries(QUIET_CASE_VIEW):
        page = client.get(quiet_url).content.decode()
    assert 'class="panel panel-payments"' in page and 'class="panel panel-remedies"' in page
    assert "panel-quotes" not in page and "panel-themes" not in page


def test_a_case_shows_its_themes_from_an_email_and_from_a_feedback_comment_alone(mini_journey: Any) -> None:
    """The themes panel is asked only when the customer said something on the case: an email, or a
    feedback comment (which comes with the feedback's move in the timeline)."""
    register_survey()
    texts, labels = generated(7)
    emailed = [writes(text).case for text in texts]
    rated = case_open(journey="after-care-survey", customer=CustomerFactory(), actor=SYSTEM).case
    battery = next(text for text, label in zip(texts, labels, strict=True) if label == "battery")
    feedback_give(case=rated, version=rated.version, csat=2, comment=battery)
    themes_rebuild(seed=0)
    client = signed_in()
    for case in (emailed[labels.index("battery")], rated):
        page = client.get(reverse("console:case", args=[case.reference])).content.decode()
        assert 'class="panel panel-themes"' in page, case.reference
