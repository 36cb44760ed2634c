"""An email acts for the customer only with proof (issue 13, item 2).

A `From:` line is the sender's claim. A message acts (approves a quote, switches the tone, sets the
case's mood) only when it proves where it comes from: the case's reply address (its token), a reply
to one of our own Message-IDs, or an authenticated sender (DMARC pass, or a DKIM signature aligned
with the From domain) recorded by a receiving relay the shop trusts. Without proof it joins the case
and a person decides. Everything here goes through the signed email webhook, as a mail provider
posts it, or through the IMAP poller against a real dovecot."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from tests.inbox.mails import mail, webhook_post
from tests.quotes.repair import diagnose, repair_case
from tests.support.factories import StaffFactory
from tests.support.imap import Dovecot, dovecot
from touchpoint.cases.models import Case, Task, TaskKind, TimelineEntry
from touchpoint.customers.models import Customer
from touchpoint.inbox.models import InboundMessage
from touchpoint.outbox.models import OutboxMessage
from touchpoint.quotes.models import Quote

__all__ = ["dovecot"]  # the fixture
pytestmark = pytest.mark.django_db
SECRET = "whsec-test-proof-0123456789"
RELAY = "mx.shop.example"  # the authserv-id of the shop's own receiving relay


@pytest.fixture(autouse=True)
def webhook(settings: Any) -> None:
    settings.TOUCHPOINT_INBOUND_WEBHOOK_SECRET = SECRET
    settings.TOUCHPOINT_TRUSTED_AUTHSERV_IDS = [RELAY]


@pytest.fixture
def asked(customer: Customer) -> Case:
    """A mail-in repair whose diagnosis found extra work: the customer is asked to approve £25."""
    case = diagnose(repair_case(customer, "in_surgery"), [("New battery", "25.00")])
    assert case.state == "awaiting_approval"
    return case


def post(raw: bytes) -> dict[str, Any]:
    """The mail provider's inbound webhook: the raw message, signed."""
    response = webhook_post(raw, secret=SECRET)
    assert response.status_code == 200, response.content
    result: dict[str, Any] = response.json()
    return result


def relayed(raw: bytes, *results: str) -> bytes:
    """``raw`` as a receiving relay hands it on: each ``Authentication-Results`` value prepended on top,
    the first given ending up topmost (as each hop adds its own above the ones before)."""
    return b"".join(f"Authentication-Results: {value}\r\n".encode() for value in results) + raw


def from_customer(case: Case, *, body: str = "Yes, go ahead.\n", **kwargs: Any) -> bytes:
    """A mail with the customer's address in From and the case's reference in the subject: anyone can
    write this (the reference is printed on the parcel label)."""
    return mail(
        sender=f"{case.customer.name} <{case.customer.email}>",
        subject=f"Re: {case.reference} extra work",
        body=body,
        **kwargs,
    )


def quote_status(case: Case) -> str:
    return Quote.objects.filter(case=case).latest("pk").status


def state(case: Case) -> str:
    return Case.objects.get(pk=case.pk).state


def assert_joined_for_a_person(case: Case, message: InboundMessage) -> None:
    """The message is on the case's timeline and a person has a task for it; nothing else moved."""
    assert (state(case), quote_status(case), message.action, message.proof) == (
        "awaiting_approval",
        "proposed",
        "",
        "",
    )
    assert TimelineEntry.objects.filter(case=case, event="customer_message", detail__inbound=message.pk).exists()
    task = Task.objects.get(pk=message.task_id)
    assert (task.kind, task.case_id) == (TaskKind.CUSTOMER_MESSAGE, case.pk)
    assert not TimelineEntry.objects.filter(case=case, event__in=["quote_approved", "quote_declined"]).exists()


def assert_approved(case: Case, message: InboundMessage, proof: str) -> None:
    """The quote was approved through the quote service, as the page's button does."""
    assert (state(case), quote_status(case), message.action, message.proof) == (
        "repairing",
        "approved",
        "event:quote_approved",
        proof,
    )
    entry = TimelineEntry.objects.get(case=case, event="quote_approved")
    assert entry.actor_kind == "customer"


def received(result: dict[str, Any]) -> InboundMessage:
    return InboundMessage.objects.get(pk=result["id"])


# -- without proof: joins the case, a person decides --------------------------------------------


def test_a_forged_from_with_the_reference_in_the_subject_does_not_approve_the_quote(asked: Case) -> None:
    # given the customer is asked to approve extra work
    # when a mail arrives with the customer's address in From, the reference in the subject, "Yes"
    result = post(from_customer(asked))
    # then it is on the case, matched by the subject, and a person decides: no move, quote still open
    message = received(result)
    assert (result["case"], result["matched_by"]) == (asked.reference, "subject")
    assert_joined_for_a_person(asked, message)


def test_a_forged_reply_to_a_forged_message_is_not_proof(asked: Case) -> None:
    # given a forged mail joined the case by its subject (a person will read it)
    first = received(post(from_customer(asked, body="Hello, a question.\n", message_id="<forged-1@evil.example>")))
    assert first.case_id == asked.pk
    # when a second forged mail answers the first one's Message-ID (which its sender chose) with "Yes"
    second = received(post(from_customer(asked, in_reply_to="<forged-1@evil.example>")))
    # then being in a thread the sender started proves nothing: it joins the case, no move
    assert (second.case_id, second.matched_by) == (asked.pk, "thread")
    assert_joined_for_a_person(asked, second)


def test_our_answer_to_a_stranger_gives_them_neither_the_reply_address_nor_our_thread(asked: Case) -> None:
    # given a forged mail joined the case by its subject
    post(from_customer(asked, body="Hello, a question.\n", message_id="<forged-2@evil.example>"))
    # when a stranger answers it with a file we refuse, so that we write back to them
    raw = mail(
        sender="Mallory <mallory@evil.example>",
        subject="Re: a question",
        body="See the file.\n",
        in_reply_to="<forged-2@evil.example>",
        attachments=[("run.exe", "application/octet-stream", b"MZ\x90\x00")],
    )
    stranger = received(post(raw))
    notice = OutboxMessage.objects.get(pk=stranger.reply_id)
    # then our answer to them holds no key to the case: not its reply address, not its Message-IDs
    ours = {str(m.headers["Message-ID"]) for m in OutboxMessage.objects.filter(case=asked).exclude(pk=notice.pk)}
    assert notice.recipient == "mallory@evil.example"
    assert asked.reply_token not in str(notice.headers)
    assert not any(message_id in str(notice.headers) for message_id in ours)
    # and what they did get, used in a forged "Yes", doesn't act
    reply_to = str(notice.headers.get("Reply-To", "Norm <norm@touchpoint.localhost>"))
    forged = received(post(from_customer(asked, to=reply_to, in_reply_to=str(notice.headers["Message-ID"]))))
    assert_joined_for_a_person(asked, forged)


def test_our_message_ids_cannot_be_worked_out_from_pythons_random_module(asked: Case) -> None:
    # A reply to one of our Message-IDs is proof, so they must be unguessable. Python's `random`
    # (a Mersenne Twister) can be rebuilt from its outputs: one who knows its state must learn nothing.
    import random

    generator = random.Random(13)
    words = [generator.getrandbits(32) for _ in range(20000)]
    # Every 64-bit draw the module could make next, whatever else drew from it first.
    predicted = {str(words[i] | words[i + 1] << 32) for i in range(len(words) - 1)}
    random.seed(13)
    # when the customer asks for plain messages at the case's reply address, and we answer
    raw = from_customer(asked, body="Plain please.\n", to=f"reply+{asked.reply_token}@touchpoint.localhost")
    notice = OutboxMessage.objects.get(pk=received(post(raw)).reply_id)
    # then our answer's Message-ID holds nothing the generator's state gives away
    assert notice.recipient == asked.customer.email
    assert not any(number in predicted for number in re.findall(r"\d+", str(notice.headers["Message-ID"])))


def test_a_forged_tone_switch_does_not_change_the_customers_setting(asked: Case) -> None:
    # when a mail claiming to be the customer asks for plain messages, by the reference alone
    message = received(post(from_customer(asked, body="Plain please.\n")))
    # then the customer's setting is theirs to change: a person reads it
    assert (Customer.objects.get(pk=asked.customer_id).plain_messages, message.action) == (False, "")
    assert Task.objects.get(pk=message.task_id).kind == TaskKind.CUSTOMER_MESSAGE
    assert not OutboxMessage.objects.filter(idempotency_key__startswith="inbound-reply:").exists()


def test_a_forged_tone_switch_from_a_known_customer_without_a_case_changes_nothing(customer: Customer) -> None:
    message = received(post(mail(sender=customer.email, subject="Hi", body="Plain please.\n")))
    assert (Customer.objects.get(pk=customer.pk).plain_messages, message.action, message.proof) == (False, "", "")
    assert Task.objects.get(pk=message.task_id).kind == TaskKind.NEW_CONVERSATION


def test_a_forged_cheerful_message_does_not_set_the_cases_mood(asked: Case) -> None:
    post(from_customer(asked, body="Thank you, that is wonderful news, I love it!\n"))
    assert Case.objects.get(pk=asked.pk).customer_sentiment is None


# -- the case's own proofs: reply token, our Message-ID --------------------------------------------


def test_a_yes_to_the_reply_address_approves_the_quote_through_the_quote_service(asked: Case) -> None:
    # when the customer answers at the case's reply address (the token is in our mail's Reply-To)
    raw = from_customer(asked, to=f"reply+{asked.reply_token}@touchpoint.localhost")
    message = received(post(raw))
    # then the quote record is approved and the case moves, as the page's button does
    assert_approved(asked, message, "token")


def test_a_yes_in_reply_to_our_message_approves_the_quote(asked: Case) -> None:
    ours = OutboxMessage.objects.filter(case=asked, touchpoint="needs_your_ok").get()
    message = received(post(from_customer(asked, in_reply_to=ours.headers["Message-ID"])))
    assert_approved(asked, message, "thread")


# -- an authenticated sender, recorded by a trusted relay -------------------------------------------


def test_dmarc_pass_recorded_by_the_trusted_relay_approves(asked: Case) -> None:
    raw = relayed(
        from_customer(asked), f"{RELAY}; spf=pass smtp.mailfrom=example.com; dmarc=pass header.from=example.com"
    )
    message = received(post(raw))
    assert_approved(asked, message, "dmarc")


def test_an_aligned_dkim_pass_recorded_by_the_trusted_relay_approves(asked: Case) -> None:
    raw = relayed(from_customer(asked), f"{RELAY}; dkim=pass (2048-bit key) header.d=example.com header.s=s1")
    message = received(post(raw))
    assert_approved(asked, message, "dkim")


def test_an_authenticated_tone_switch_is_done(asked: Case) -> None:
    raw = relayed(from_customer(asked, body="Plain please.\n"), f"{RELAY}; dmarc=pass header.from=example.com")
    message = received(post(raw))
    assert (Customer.objects.get(pk=asked.customer_id).plain_messages, message.action) == (True, "tone:plain")


@pytest.mark.parametrize(
    ("headers", "why"),
    [
        (["relay.elsewhere.example; dmarc=pass header.from=example.com"], "an authserv-id the shop doesn't trust"),
        (
            ["relay.elsewhere.example; none", f"{RELAY}; dmarc=pass header.from=example.com"],
            "the trusted header sits below one the shop doesn't trust (anyone could have written it)",
        ),
        ([f"{RELAY}; dkim=pass header.d=evil.example"], "a DKIM signature of another domain"),
        ([f"{RELAY}; dkim=pass header.d=mple.com"], "a domain that only ends like the From domain"),
        ([f"{RELAY}; dmarc=pass header.from=evil.example"], "DMARC for another domain"),
        ([f"{RELAY}; dmarc=fail header.from=example.com; dkim=pass header.d=example.com"], "DMARC failed"),
        ([f"{RELAY}; dmarc=fail header.from=example.com", f"{RELAY}; dmarc=pass header.from=example.com"], "conflict"),
        ([f"{RELAY}; spf=pass smtp.mailfrom=example.com"], "SPF alone (the envelope, not the From)"),
        ([f"{RELAY}; dkim=fail header.d=example.com"], "a DKIM signature that failed"),
        ([f"{RELAY} dmarc=pass header.from=example.com"], "a header that can't be read"),
    ],
)
def test_sender_proof_that_does_not_hold_does_not_act(asked: Case, headers: list[str], why: str) -> None:
    message = received(post(relayed(from_customer(asked), *headers)))
    assert_joined_for_a_person(asked, message)


def test_no_relay_is_trusted_by_default(asked: Case, settings: Any) -> None:
    settings.TOUCHPOINT_TRUSTED_AUTHSERV_IDS = []
    message = received(post(relayed(from_customer(asked), f"{RELAY}; dmarc=pass header.from=example.com")))
    assert_joined_for_a_person(asked, message)


def test_two_from_headers_are_no_proof(asked: Case) -> None:
    # The relay may have checked one From and we read the other: the ambiguity proves nothing.
    raw = from_customer(asked).replace(b"From: ", b"From: mallory@evil.example\r\nFrom: ", 1)
    message = received(post(relayed(raw, f"{RELAY}; dmarc=pass header.from=evil.example")))
    assert message.proof == ""
    assert (state(asked), quote_status(asked)) == ("awaiting_approval", "proposed")


# -- the same rules through the IMAP mailbox ---------------------------------------------------------


def test_through_the_imap_mailbox_only_the_trusted_relays_pass_acts(
    asked: Case, dovecot: Dovecot, settings: Any
) -> None:
    from django.core.management import call_command

    settings.TOUCHPOINT_IMAP_HOST = "127.0.0.1"
    settings.TOUCHPOINT_IMAP_PORT = dovecot.port
    settings.TOUCHPOINT_IMAP_USER = dovecot.user
    settings.TOUCHPOINT_IMAP_PASSWORD = dovecot.password
    settings.TOUCHPOINT_IMAP_SSL = False
    # given a forged "Yes" in the mailbox: no proof
    dovecot.deliver(from_customer(asked, message_id="<forged-imap@evil.example>"))
    call_command("mail_fetch", "--once", stdout=None)
    forged = InboundMessage.objects.get(message_id="<forged-imap@evil.example>")
    assert_joined_for_a_person(asked, forged)
    # when the customer's real "Yes" arrives with the relay's DMARC pass on top
    real = relayed(
        from_customer(asked, message_id="<real-imap@example.com>"), f"{RELAY}; dmarc=pass header.from=example.com"
    )
    dovecot.deliver(real)
    call_command("mail_fetch", "--once", stdout=None)
    # then that one approves the quote
    assert_approved(asked, InboundMessage.objects.get(message_id="<real-imap@example.com>"), "dmarc")


# -- staff see what a message proved ------------------------------------------------------------------


def test_the_case_view_shows_staff_what_each_message_proved(asked: Case) -> None:
    post(from_customer(asked, body="Yes, go ahead.\n"))
    ours = OutboxMessage.objects.filter(case=asked, touchpoint="needs_your_ok").get()
    post(from_customer(asked, body="Yes please.\n", in_reply_to=ours.headers["Message-ID"]))
    staff = StaffFactory(username="carer", teams=["care"])
    client = Client()
    client.force_login(staff)
    page = client.get(f"/console/cases/{asked.reference}/").content.decode()
    assert "No proof it comes from the customer: a person decides" in page
    assert "Proof: a reply to our own message" in page
