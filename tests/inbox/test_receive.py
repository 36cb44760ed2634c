"""inbound_receive: mail joins its case by each route, and a person or the journey acts on it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.inbox.conftest import sent_message_id
from tests.inbox.mails import bounce, mail
from tests.support.factories import CustomerFactory
from touchpoint.cases.actors import SYSTEM
from touchpoint.cases.models import Case, Task, TaskKind, TimelineEntry
from touchpoint.core.clock import at, now
from touchpoint.customers.models import Customer
from touchpoint.flows.advance import case_advance, case_open
from touchpoint.inbox.models import InboundAttachment, InboundMessage, Kind, MatchedBy
from touchpoint.inbox.services import inbound_receive
from touchpoint.outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db


def receive(raw: bytes) -> InboundMessage:
    return inbound_receive(raw=raw, source="webhook").message


def to_case(case: Case) -> str:
    """The case's reply address, as our mail's Reply-To gives it: proof the sender holds the case's mail."""
    return f"Norm <reply+{case.reply_token}@touchpoint.localhost>"


def notices() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(idempotency_key__startswith="inbound-reply:"))


# -- matching -----------------------------------------------------------------------------------


def test_a_reply_to_the_case_reply_address_joins_the_case_by_token(paid_case: Case) -> None:
    # given a reply sent to the case's reply address, from another address and with no reference
    raw = mail(sender="Ian <ian.work@example.org>", to=f"reply+{paid_case.reply_token}@touchpoint.localhost")
    # when it arrives
    message = receive(raw)
    # then it is on that case, matched by the token
    assert (message.case_id, message.matched_by, message.kind) == (paid_case.pk, MatchedBy.TOKEN, Kind.REPLY)


def test_the_token_is_also_read_from_delivered_to(paid_case: Case) -> None:
    raw = mail(headers={"Delivered-To": f"reply+{paid_case.reply_token}@touchpoint.localhost"})
    message = receive(raw)
    assert (message.case_id, message.matched_by) == (paid_case.pk, MatchedBy.TOKEN)


def test_a_reply_in_the_thread_joins_the_case_by_in_reply_to(paid_case: Case) -> None:
    raw = mail(subject="Re: hello", in_reply_to=sent_message_id(paid_case))
    message = receive(raw)
    assert (message.case_id, message.matched_by, message.kind) == (paid_case.pk, MatchedBy.THREAD, Kind.REPLY)


def test_a_reference_in_the_subject_from_the_cases_customer_joins_the_case(paid_case: Case) -> None:
    raw = mail(subject=f"Question about {paid_case.reference.lower()}")
    message = receive(raw)
    assert (message.case_id, message.matched_by, message.kind) == (paid_case.pk, MatchedBy.SUBJECT, Kind.REPLY)
    assert message.customer == paid_case.customer


def test_a_reference_in_the_subject_from_a_stranger_does_not_join_the_case(paid_case: Case) -> None:
    # given someone who is not the case's customer quoting its reference
    raw = mail(sender="Mallory <mallory@evil.example>", subject=f"{paid_case.reference}: send it to me instead")
    # when it arrives
    message = receive(raw)
    # then it is a new conversation for a person, and the case has heard nothing
    assert (message.case_id, message.matched_by, message.kind, message.customer_id) == (None, "", Kind.NEW, None)
    assert TimelineEntry.objects.filter(case=paid_case, event="customer_message").count() == 0
    task = Task.objects.get(pk=message.task_id)
    assert (task.kind, task.case_id, task.owner) == (TaskKind.NEW_CONVERSATION, None, "team:care")


def test_the_reply_is_recorded_on_the_timeline_with_its_sentiment(paid_case: Case) -> None:
    raw = mail(to=to_case(paid_case), subject=f"{paid_case.reference}", body="Thank you, that is great news!\n")
    message = receive(raw)
    entry = TimelineEntry.objects.get(case=paid_case, event="customer_message")
    assert (entry.actor_kind, entry.kind) == ("customer", "note")
    assert entry.detail == {
        "inbound": message.pk,
        "matched_by": "token",
        "proof": "token",
        "subject": paid_case.reference,
        "sentiment": message.sentiment,
    }
    paid_case.refresh_from_db()
    assert message.sentiment is not None and message.sentiment > 0.5
    assert paid_case.customer_sentiment == message.sentiment
    assert paid_case.customer_sentiment_at == message.received_at


# -- duplicates ---------------------------------------------------------------------------------


def test_the_same_mail_delivered_twice_is_stored_once(paid_case: Case) -> None:
    raw = mail(subject=paid_case.reference, message_id="<same-1@mail.example.com>")
    first = inbound_receive(raw=raw, source="webhook")
    second = inbound_receive(raw=raw, source="imap")
    assert (first.duplicate, second.duplicate) == (False, True)
    assert second.message.pk == first.message.pk
    assert InboundMessage.objects.count() == 1
    assert Task.objects.filter(kind=TaskKind.CUSTOMER_MESSAGE).count() == 1


def test_mail_without_a_message_id_is_deduplicated_by_its_bytes(paid_case: Case) -> None:
    raw = mail(subject=paid_case.reference).replace(b"Message-ID:", b"X-Old-Id:")
    first = inbound_receive(raw=raw, source="webhook")
    second = inbound_receive(raw=raw, source="webhook")
    assert (first.message.message_id, first.duplicate, second.duplicate) == ("", False, True)
    assert InboundMessage.objects.count() == 1
    assert bytes(first.message.raw) == raw


# -- bounces and auto-replies -------------------------------------------------------------------


def test_a_bounce_marks_the_address_failing_and_opens_a_task(paid_case: Case) -> None:
    # given a delivery failure report for the customer's address, returning the mail we sent them
    before = OutboxMessage.objects.count()
    # when it arrives
    message = receive(bounce(failed="ian@example.com", returned_id=sent_message_id(paid_case)))
    # then the address is failing, a person must reach them another way, and nothing is sent back
    assert message.kind == Kind.BOUNCE
    assert Customer.objects.get(pk=paid_case.customer_id).email_failing is True
    task = Task.objects.get(kind=TaskKind.EMAIL_BOUNCED)
    assert (task.case_id, task.owner, task.priority, task.pk) == (paid_case.pk, "team:care", 1, message.task_id)
    assert task.title == f"{paid_case.reference}: mail to ian@example.com bounced — reach Ian Kearns another way"
    assert OutboxMessage.objects.count() == before
    assert message.no_reply_reason == "never answered: a bounce"
    assert TimelineEntry.objects.filter(case=paid_case, event="email_bounced").count() == 1


@pytest.mark.parametrize(
    "returned",
    ["", "<20131115125507.4636.975502@mx.example.com>", "ours, to someone else"],
    ids=["no copy", "not our mail", "our mail to another address"],
)
def test_a_bounce_that_names_no_mail_we_sent_marks_nothing(paid_case: Case, returned: str) -> None:
    """Anyone can write a bounce naming a customer's address; only our own Message-ID, returned by the
    server that refused it, proves our mail failed. A person is asked to check, once a day at most."""
    if returned == "ours, to someone else":
        other = CustomerFactory(name="Ola Berg", email="ola@example.com")
        opened = case_open(journey="mini-repair", customer=other, actor=SYSTEM, data={"model": "nano-4g"}).case
        returned = sent_message_id(case_advance(case=opened, event="payment_received", actor=SYSTEM).case)
    before = OutboxMessage.objects.count()
    first = receive(bounce(failed="ian@example.com", returned_id=returned))
    second = receive(bounce(failed="ian@example.com", returned_id=returned))
    assert (first.kind, second.kind) == (Kind.BOUNCE, Kind.BOUNCE)
    assert Customer.objects.get(pk=paid_case.customer_id).email_failing is False
    task = Task.objects.get(kind=TaskKind.EMAIL_BOUNCED)  # one, however many arrive that day
    assert (task.case_id, task.priority, first.task_id, second.task_id) == (paid_case.pk, 3, task.pk, task.pk)
    assert task.title == f"{paid_case.reference}: a bounce names ian@example.com — check it is real"
    assert first.no_reply_reason == "never answered: a bounce that names no mail we sent"
    assert not TimelineEntry.objects.filter(case=paid_case, event="email_bounced").exists()
    assert OutboxMessage.objects.count() == before


def test_a_bounce_naming_a_stranger_opens_nothing(paid_case: Case) -> None:
    message = receive(bounce(failed="nobody@example.net"))
    assert (message.kind, message.task_id) == (Kind.BOUNCE, None)
    assert not Task.objects.filter(kind=TaskKind.EMAIL_BOUNCED).exists()


def test_an_auto_reply_is_recorded_and_gets_nothing_back(paid_case: Case) -> None:
    before = OutboxMessage.objects.count()
    raw = mail(
        subject=f"Out of office: {paid_case.reference}",
        body="I am away until Monday.\n",
        headers={"Auto-Submitted": "auto-replied"},
        attachments=[("virus.exe", "application/octet-stream", b"MZ" + b"\0" * 100)],
    )
    message = receive(raw)
    assert (message.kind, message.case_id, message.task_id, message.reply_id) == (
        Kind.AUTO_REPLY,
        paid_case.pk,
        None,
        None,
    )
    assert OutboxMessage.objects.count() == before
    assert Task.objects.count() == 0
    assert message.no_reply_reason == "never answered: an automatic reply (RFC 3834)"


def test_mail_from_our_own_address_is_never_answered(db: Any) -> None:
    raw = mail(
        sender="Norm <norm@touchpoint.localhost>",
        attachments=[("huge.png", "image/png", b"\x89PNG" + b"0" * 100)],
        headers={},
    )
    message = receive(raw)
    assert (message.kind, message.reply_id, message.no_reply_reason) == (
        Kind.AUTO_REPLY,
        None,
        "never answered: mail from our own address",
    )
    assert OutboxMessage.objects.count() == 0


# -- people and actions -------------------------------------------------------------------------


def test_an_unknown_sender_starts_a_new_conversation_for_a_person(db: Any) -> None:
    raw = mail(sender="Dana Fox <dana@example.net>", subject="Do you fix tablets?", body="Do you fix tablets?\n")
    message = receive(raw)
    assert (message.kind, message.case_id, message.customer_id) == (Kind.NEW, None, None)
    task = Task.objects.get()
    assert (task.kind, task.owner, task.priority, task.case_id) == (TaskKind.NEW_CONVERSATION, "team:care", 2, None)
    assert task.title == "New conversation from Dana Fox, not yet a customer: “Do you fix tablets?”"
    assert task.due_at == message.received_at + timedelta(hours=4)
    assert Case.objects.count() == 0


def test_a_message_we_cannot_act_on_reaches_a_person_within_the_wait_limit(paid_case: Case) -> None:
    message = receive(mail(subject=paid_case.reference, body="Can you also look at the headphone jack?\n"))
    task = Task.objects.get(kind=TaskKind.CUSTOMER_MESSAGE)
    assert (task.case_id, task.owner, task.priority, task.pk) == (paid_case.pk, "team:care", 2, message.task_id)
    assert task.due_at == message.received_at + timedelta(hours=4)
    assert task.title == f"{paid_case.reference}: Ian Kearns wrote “{paid_case.reference}”"
    assert notices() == []


def test_a_negative_message_raises_the_tasks_priority(paid_case: Case) -> None:
    body = "This is terrible. Three weeks and nothing. I am furious, the worst service ever.\n"
    message = receive(mail(subject=paid_case.reference, body=body))
    assert message.sentiment is not None and message.sentiment <= -0.3
    assert Task.objects.get(kind=TaskKind.CUSTOMER_MESSAGE).priority == 1


def test_the_wait_limit_comes_from_the_setting(paid_case: Case, settings: Any) -> None:
    settings.TOUCHPOINT_CUSTOMER_MESSAGE_WAIT = 900
    message = receive(mail(subject=paid_case.reference, body="Any news?\n"))
    assert Task.objects.get().due_at == message.received_at + timedelta(minutes=15)


def test_plain_please_switches_the_tone_and_is_acknowledged_once(paid_case: Case) -> None:
    # given the customer asks for plain messages
    raw = mail(to=to_case(paid_case), subject=f"Re: {paid_case.reference}", body="Plain please.\n\n> earlier jokes\n")
    message = receive(raw)
    # then they get plain messages, one acknowledgement, and no task (it was a recognised action)
    assert Customer.objects.get(pk=paid_case.customer_id).plain_messages is True
    assert message.action == "tone:plain"
    [notice] = notices()
    assert (notice.recipient, notice.case_id, notice.pk) == ("ian@example.com", paid_case.pk, message.reply_id)
    assert "plain and to the point" in notice.body_text
    assert notice.headers["Auto-Submitted"] == "auto-replied"
    assert notice.headers["In-Reply-To"] == message.message_id
    assert Task.objects.count() == 0


def test_jokes_are_fine_turns_the_playful_tone_back_on(paid_case: Case) -> None:
    to = to_case(paid_case)
    receive(mail(to=to, subject=paid_case.reference, body="plain please\n", message_id="<plain@example.com>"))
    assert Customer.objects.get(pk=paid_case.customer_id).plain_messages is True
    message = receive(mail(to=to, subject=paid_case.reference, body="Jokes are fine!\n"))
    assert (Customer.objects.get(pk=paid_case.customer_id).plain_messages, message.action) == (False, "tone:playful")


def test_a_clear_yes_approves_the_extra_work(awaiting_ok: Case) -> None:
    # given a case waiting for the customer's OK
    assert awaiting_ok.state == "awaiting_ok"
    # when the customer answers "Yes, go ahead" in the thread
    raw = mail(subject="Re: extra work", body="Yes, go ahead!\n", in_reply_to=sent_message_id(awaiting_ok))
    message = receive(raw)
    # then the case moves on as if they had clicked approve, once, keyed by the message
    case = Case.objects.get(pk=awaiting_ok.pk)
    assert (case.state, message.action) == ("shipped", "event:approved")
    entry = TimelineEntry.objects.get(case=case, event="approved")
    assert (entry.actor_kind, entry.idempotency_key) == ("customer", f"inbound:{message.message_id}")
    assert Task.objects.filter(kind=TaskKind.CUSTOMER_MESSAGE).count() == 0


def test_an_ambiguous_answer_goes_to_a_person_not_to_another_question(awaiting_ok: Case) -> None:
    raw = mail(subject="Re: extra work", body="How much would that cost?\n", in_reply_to=sent_message_id(awaiting_ok))
    message = receive(raw)
    assert Case.objects.get(pk=awaiting_ok.pk).state == "awaiting_ok"
    assert (message.action, Task.objects.get(kind=TaskKind.CUSTOMER_MESSAGE).pk) == ("", message.task_id)
    assert notices() == []


def test_a_yes_with_more_to_say_approves_and_a_person_reads_the_rest(awaiting_ok: Case) -> None:
    raw = mail(body="Yes please\nAnd could you check the screen too?\n", in_reply_to=sent_message_id(awaiting_ok))
    message = receive(raw)
    assert (Case.objects.get(pk=awaiting_ok.pk).state, message.action) == ("shipped", "event:approved")
    assert Task.objects.get(kind=TaskKind.CUSTOMER_MESSAGE).pk == message.task_id


def test_a_yes_when_nothing_is_asked_goes_to_a_person(paid_case: Case) -> None:
    message = receive(mail(subject=paid_case.reference, body="Yes\n"))
    assert (Case.objects.get(pk=paid_case.pk).state, message.action) == ("awaiting_device", "")
    assert Task.objects.get(kind=TaskKind.CUSTOMER_MESSAGE).pk == message.task_id


def test_someone_else_with_the_token_cannot_approve(awaiting_ok: Case) -> None:
    raw = mail(sender="other@example.org", to=f"reply+{awaiting_ok.reply_token}@touchpoint.localhost", body="Yes\n")
    message = receive(raw)
    assert (Case.objects.get(pk=awaiting_ok.pk).state, message.action) == ("awaiting_ok", "")
    assert Task.objects.get(kind=TaskKind.CUSTOMER_MESSAGE).pk == message.task_id


# -- attachments and no loops -------------------------------------------------------------------


def test_attachments_are_stored_and_one_over_the_limit_is_refused_with_exactly_one_message(
    paid_case: Case, settings: Any, media: Any
) -> None:
    # given a limit of 1 KB, a small photo and one too large
    settings.TOUCHPOINT_ATTACHMENT_MAX_BYTES = 1024
    raw = mail(
        subject=paid_case.reference,
        body="Photos of the damage attached.\n",
        attachments=[("small.jpg", "image/jpeg", b"\xff\xd8" + b"a" * 500), ("big.jpg", "image/jpeg", b"b" * 5000)],
    )
    # when it arrives
    message = receive(raw)
    # then the small one is kept, the big one is named in one message back, and the text still reaches a person
    [kept] = InboundAttachment.objects.filter(message=message)
    assert (kept.filename, kept.content_type, kept.size) == ("small.jpg", "image/jpeg", 502)
    assert kept.file.read() == b"\xff\xd8" + b"a" * 500
    assert message.rejected[0]["filename"] == "big.jpg"
    [notice] = notices()
    assert notice.recipient == "ian@example.com"
    assert notice.body_text == (
        "Hello Ian,\n\nbig.jpg is 5 KB, more than our limit of 1 KB; please send a smaller file. "
        "If it can't be made smaller, a link to it works too.\n\n"
        "To talk to a person, just reply to this email: a person reads every reply we can't act on."
    )
    assert notice.subject == f"Re: {paid_case.reference}"
    assert message.task_id is not None


def test_at_most_one_automated_reply_per_inbound_message(paid_case: Case, settings: Any) -> None:
    # given a tone switch with two refused attachments: three reasons to answer
    settings.TOUCHPOINT_ATTACHMENT_MAX_BYTES = 10
    raw = mail(
        to=to_case(paid_case),
        subject=paid_case.reference,
        body="No more jokes please\n",
        attachments=[("a.jpg", "image/jpeg", b"x" * 100), ("b.zip", "application/zip", b"y" * 5)],
    )
    # when it arrives (and again, delivered twice)
    receive(raw)
    receive(raw)
    # then exactly one message went back, saying all of it
    [notice] = notices()
    assert "plain and to the point" in notice.body_text
    assert "a.jpg" in notice.body_text and "b.zip" in notice.body_text


def test_a_sender_gets_at_most_three_automated_notices_an_hour(paid_case: Case) -> None:
    for n in range(5):
        receive(mail(to=to_case(paid_case), body="plain please\n", message_id=f"<loop-{n}@example.com>"))
    assert len(notices()) == 3
    last = InboundMessage.objects.get(message_id="<loop-4@example.com>")
    assert last.no_reply_reason == "not answered: 3 automated answers to this sender in the last hour"


def test_notices_older_than_an_hour_do_not_count_towards_the_cap(paid_case: Case) -> None:
    with at(now() - timedelta(hours=2)):
        for n in range(3):
            receive(mail(to=to_case(paid_case), body="plain please\n", message_id=f"<old-{n}@example.com>"))
    receive(mail(to=to_case(paid_case), body="plain please\n", message_id="<new@example.com>"))
    assert len(notices()) == 4


def test_a_known_customer_without_a_case_match_is_a_new_conversation(db: Any) -> None:
    CustomerFactory(name="Ruth Mills", email="ruth@example.com")
    message = receive(mail(sender="ruth@example.com", subject="My other phone", body="Can you fix it?\n"))
    task = Task.objects.get()
    assert (message.kind, message.customer.name, task.kind) == (Kind.NEW, "Ruth Mills", TaskKind.NEW_CONVERSATION)
    assert task.title == "New conversation from Ruth Mills (a customer, no case matched): “My other phone”"


def test_a_clear_no_declines_when_the_journey_offers_the_customer_a_decline(
    mini_journey: Any, customer: Customer, bench_tech: Any
) -> None:
    # given mini-repair version 2, where the customer may also decline the extra work
    from tests.conftest import SUPPORT
    from touchpoint.cases.actors import CARRIER, SYSTEM, staff_actor
    from touchpoint.cases.journeys import journey_register
    from touchpoint.flows.advance import case_advance, case_open

    source = (
        (SUPPORT / "mini-repair.yaml")
        .read_text()
        .replace("version: 1", "version: 2")
        .replace("  delivered: Delivered home\n", "  delivered: Delivered home\n  declined: Extra work declined\n")
    )
    # (the repair itself is done; only the extra work is declined, so the device goes home fixed)
    source += (
        "  - {from: awaiting_ok, on: declined, to: shipped, by: [customer], sets: {fixed: true}, touchpoint: fixed}\n"
    )
    journey_register(source=source, filename="mini-repair-v2.yaml")
    case = case_open(journey="mini-repair", customer=customer, actor=SYSTEM, data={"model": "nano-4g"}).case
    case = case_advance(case=case, event="payment_received", actor=SYSTEM).case
    case = case_advance(case=case, event="device_arrived", actor=CARRIER).case
    case = case_advance(case=case, event="repaired", actor=staff_actor(bench_tech), given={"needs_ok": True}).case
    # when the customer answers "No thanks" in the thread of our message
    message = receive(mail(subject=f"Re: {case.reference}", body="No thanks.\n", in_reply_to=sent_message_id(case)))
    # then the decline is applied as theirs, and nobody is asked again
    assert (Case.objects.get(pk=case.pk).state, message.action) == ("shipped", "event:declined")
    assert (Task.objects.filter(kind=TaskKind.CUSTOMER_MESSAGE).count(), notices()) == (0, [])


def test_a_second_delivery_that_races_the_first_is_a_duplicate_and_leaves_no_files(
    paid_case: Case, media: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given the mail is already stored, but the second delivery's first look missed it (a race)
    raw = mail(subject=paid_case.reference, attachments=[("photo.jpg", "image/jpeg", b"\xff\xd8photo")])
    first = inbound_receive(raw=raw, source="webhook")
    import touchpoint.inbox.services as services

    real, calls = services._existing, []

    def missed_once(message_id: str, digest: str) -> InboundMessage | None:
        calls.append(message_id)
        return None if len(calls) == 1 else real(message_id, digest)

    monkeypatch.setattr(services, "_existing", missed_once)
    # when it is received again
    second = inbound_receive(raw=raw, source="imap")
    # then the unique constraint makes it a duplicate, nothing more was written, and its file was removed
    assert (second.duplicate, second.message.pk) == (True, first.message.pk)
    assert (InboundMessage.objects.count(), InboundAttachment.objects.count(), Task.objects.count()) == (1, 1, 1)
    assert len([p for p in media.rglob("*") if p.is_file()]) == 1


def test_a_reply_to_one_of_our_notices_joins_the_case_by_thread(paid_case: Case) -> None:
    # given we acknowledged a tone switch on the case
    first = receive(mail(to=to_case(paid_case), subject=paid_case.reference, body="plain please\n"))
    notice = OutboxMessage.objects.get(pk=first.reply_id)
    # when the customer answers that acknowledgement, with no reference in the subject
    message = receive(mail(subject="Re: thanks", body="Thanks!\n", in_reply_to=notice.headers["Message-ID"]))
    # then it is on the case, matched by the thread, which proves it (the notice went to the customer)
    assert (message.case_id, message.matched_by, message.proof) == (paid_case.pk, MatchedBy.THREAD, "thread")


def test_a_made_up_message_id_with_a_cases_reference_does_not_join_it(paid_case: Case) -> None:
    forged = f"<{paid_case.reference}.1.0000000000000000@touchpoint.localhost>"
    message = receive(mail(sender="mallory@evil.example", subject="Re: hi", in_reply_to=forged))
    assert (message.case_id, message.kind) == (None, Kind.NEW)


@pytest.mark.parametrize(
    ("sender", "headers", "reason"),
    [
        ("no-reply@shop.example", {}, "not answered: no-reply@shop.example is an address robots send from"),
        ("MAILER-DAEMON@mx.example", {}, "not answered: mailer-daemon@mx.example is an address robots send from"),
        ("ian@example.com", {"List-Id": "<fans.example.com>"}, "not answered: sent through a mailing list"),
        ("ian@example.com", {"Precedence": "list"}, "not answered: bulk mail (Precedence)"),
    ],
)
def test_robots_and_mailing_lists_get_no_automated_answer_but_a_person_sees_them(
    db: Any, settings: Any, sender: str, headers: dict[str, str], reason: str
) -> None:
    settings.TOUCHPOINT_ATTACHMENT_MAX_BYTES = 10
    raw = mail(sender=sender, headers=headers, attachments=[("big.jpg", "image/jpeg", b"z" * 100)])
    message = receive(raw)
    assert (message.reply_id, message.no_reply_reason, notices()) == (None, reason, [])
    assert message.task_id is not None


def test_mail_from_an_address_written_in_capitals_is_its_customers(paid_case: Case) -> None:
    message = receive(mail(sender="Ian Kearns <Ian@EXAMPLE.com>", subject="About my player"))
    assert message.customer_id == paid_case.customer_id
