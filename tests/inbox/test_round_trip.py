"""Out and back in: the customer answers the mail they really received, as their mail app would."""

from __future__ import annotations

from email.message import EmailMessage

import pytest
from django.test import override_settings

from tests.support.smtp import smtp_mailers, smtp_sink
from touchpoint.cases.actors import SYSTEM
from touchpoint.cases.models import Case, Task, TaskKind
from touchpoint.flows.advance import case_advance
from touchpoint.inbox.models import MatchedBy
from touchpoint.inbox.services import inbound_receive
from touchpoint.worker.loop import Worker

pytestmark = pytest.mark.django_db


def answer(received: EmailMessage, body: str) -> bytes:
    """What a mail app sends on "Reply": to the Reply-To, in the thread, the old text quoted."""
    reply = EmailMessage()
    reply["From"] = "Ian Kearns <ian@example.com>"
    reply["To"] = received["Reply-To"] or received["From"]
    reply["Subject"] = f"Re: {received['Subject']}"
    reply["Message-ID"] = "<answer-1@mail.example.com>"
    reply["In-Reply-To"] = received["Message-ID"]
    reply["References"] = received["Message-ID"]
    reply.set_content(f"{body}\n\nOn Monday, Norm wrote:\n> something cheerful\n")
    return reply.as_bytes()


def test_a_reply_to_a_touchpoint_received_over_smtp_joins_its_case(new_case: Case) -> None:
    # given a touch point sent through a real SMTP server
    with smtp_sink() as (sink, port), override_settings(MAILERS=smtp_mailers(port)):
        case = case_advance(case=new_case, event="payment_received", actor=SYSTEM).case
        Worker(worker_id="w1").run(until_idle=True)
    [got] = sink.received
    # when the customer hits Reply and asks something
    message = inbound_receive(raw=answer(got.message, "Where do I post it?"), source="webhook").message
    # then it joins the case (by the reply address, the strongest route) and a person has it
    assert got.message["Reply-To"].addresses[0].addr_spec == f"reply+{case.reply_token}@touchpoint.localhost"
    assert (message.case_id, message.matched_by) == (case.pk, MatchedBy.TOKEN)
    assert message.reply_text.strip() == "Where do I post it?"
    assert Task.objects.get(kind=TaskKind.CUSTOMER_MESSAGE).case_id == case.pk
