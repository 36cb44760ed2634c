"""Magic links: issued, resolved, revoked; fresh links by email on request and when staff replace them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.support.factories import CustomerFactory
from tests.support.orders import place_repair_order
from touchpoint.cases.actors import SYSTEM
from touchpoint.cases.journeys import journey_register
from touchpoint.cases.models import Case
from touchpoint.core.clock import at, now
from touchpoint.customers.models import Customer
from touchpoint.flows.advance import case_advance
from touchpoint.journeys.library import library_file
from touchpoint.links.models import CaseLink
from touchpoint.links.paths import case_page_url
from touchpoint.links.services import link_issue, link_resolve, link_revoke, link_token, links_revoke
from touchpoint.links.tokens import token_hash
from touchpoint.outbox.link_mail import link_replace, link_request_send
from touchpoint.outbox.models import OutboxMessage


@pytest.fixture
def repair(db: Any) -> None:
    path = library_file("mail-in-repair")
    assert path is not None
    journey_register(source=path.read_text(), filename=str(path))


def open_case(customer: Customer) -> Case:
    """``customer`` orders a repair on the order page: the case its links open."""
    return place_repair_order(customer)


def notices() -> list[OutboxMessage]:
    """Messages that aren't journey touch points (the link emails)."""
    return list(OutboxMessage.objects.filter(touchpoint="").order_by("id"))


def test_a_token_resolves_to_its_case_and_only_its_hash_is_stored(repair: None, customer: Customer) -> None:
    case = open_case(customer)
    token = link_issue(case=case)

    resolved = link_resolve(token)

    assert resolved.link is not None and resolved.link.case == case and resolved.problem is None
    assert len(token) == 43
    assert not CaseLink.objects.filter(token_hash=token).exists()
    assert CaseLink.objects.filter(token_hash=token_hash(token), case=case).count() == 1


@pytest.mark.parametrize("token", ["", "TP-ABCDE", "x" * 43, "a" * 42 + "!", "../" * 15])
def test_a_malformed_or_unknown_token_opens_nothing(repair: None, customer: Customer, token: str) -> None:
    link_issue(case=open_case(customer))

    assert link_resolve(token) == link_resolve("y" * 43)
    assert (link_resolve(token).link, link_resolve(token).problem) == (None, "unknown")


def test_revoking_a_cases_links_stops_them_and_link_token_issues_a_new_one(repair: None, customer: Customer) -> None:
    case = open_case(customer)
    old = link_token(case=case)

    assert link_revoke(case=case, reason="forwarded to a stranger") == 1

    assert (link_resolve(old).link, link_resolve(old).problem) == (None, "revoked")
    new = link_token(case=case)
    assert new != old
    assert link_resolve(new).link is not None


def test_revoking_chosen_links_leaves_the_others_working(repair: None, customer: Customer) -> None:
    case = open_case(customer)
    first, second = link_issue(case=case), link_issue(case=case)
    chosen = CaseLink.objects.get(token_hash=token_hash(first))

    assert links_revoke(link_ids=[chosen.pk], reason="leaked") == 1
    assert links_revoke(link_ids=[chosen.pk], reason="again") == 0  # already revoked: nothing to do

    assert link_resolve(first).problem == "revoked"
    assert link_resolve(second).link is not None
    chosen.refresh_from_db()
    assert chosen.revoked_reason == "leaked"


def test_a_link_expires_after_its_lifetime(repair: None, customer: Customer, settings: Any) -> None:
    settings.TOUCHPOINT_LINK_DAYS = 30
    case = open_case(customer)
    token = link_issue(case=case)

    with at(now() + timedelta(days=29, hours=23)):
        assert link_resolve(token).link is not None
    with at(now() + timedelta(days=30, minutes=1)):
        assert (link_resolve(token).link, link_resolve(token).problem) == (None, "expired")


def test_a_request_emails_one_fresh_link_per_open_or_recent_case(repair: None, customer: Customer) -> None:
    older, newer = open_case(customer), open_case(customer)
    with at(now() - timedelta(days=90)):
        finished_long_ago = open_case(customer)
        failed = case_advance(case=finished_long_ago, event="payment_overdue", actor=SYSTEM).case
        closed = case_advance(case=failed, event="payment_given_up", actor=SYSTEM).case
    assert closed.closed_at is not None
    other = open_case(CustomerFactory(email="someone.else@example.com"))

    listed = link_request_send(email="  IAN@example.com ")

    assert listed == 2
    [message] = notices()
    assert (message.recipient, message.subject) == ("ian@example.com", "Your links to follow your repair")
    body = message.body_text
    assert body.startswith("Hi Ian,\n\nYou asked for a fresh link to your repair. Here it is:\n\n")
    assert body.index(newer.reference) < body.index(older.reference)  # newest first
    assert finished_long_ago.reference not in body and other.reference not in body
    tokens = [line.rsplit("/", 2)[-2] for line in body.splitlines() if line.startswith("http")]
    opened = [link_resolve(t).link for t in tokens]
    assert [link.case if link else None for link in opened] == [newer, older]
    assert case_page_url(tokens[0]) in body


def test_asking_again_within_the_window_sends_nothing_more(repair: None, customer: Customer) -> None:
    open_case(customer)
    before = CaseLink.objects.count()

    assert link_request_send(email="ian@example.com") == 1
    assert link_request_send(email="ian@example.com") == 0

    assert len(notices()) == 1
    assert CaseLink.objects.count() == before + 1


def test_an_unknown_address_or_a_customer_with_nothing_open_gets_no_email(repair: None, customer: Customer) -> None:
    assert link_request_send(email="nobody@example.com") == 0
    assert link_request_send(email="ian@example.com") == 0  # a customer, but no case
    assert notices() == []


def test_replacing_a_cases_links_revokes_them_all_and_emails_the_new_one(repair: None, customer: Customer) -> None:
    case = open_case(customer)
    old = link_token(case=case)
    other_case = open_case(customer)
    untouched = link_token(case=other_case)

    new = link_replace(case=case, reason="replaced by admin")

    assert link_resolve(old).problem == "revoked"
    assert link_resolve(untouched).link is not None
    resolved = link_resolve(new)
    assert resolved.link is not None and resolved.link.case == case
    [message] = notices()
    assert (message.recipient, message.case_id) == ("ian@example.com", case.pk)
    assert message.subject == f"{case.reference}: a new link to follow your repair"
    assert case_page_url(new) in message.body_text
    assert old not in message.body_text
