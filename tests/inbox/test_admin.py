"""The admin shows inbound mail read-only: a record, not something to edit."""

from __future__ import annotations

from typing import Any

import pytest

from tests.inbox.mails import mail
from touchpoint.inbox.models import InboundMessage
from touchpoint.inbox.services import inbound_receive

pytestmark = pytest.mark.django_db


def test_the_list_and_the_message_page_render_and_offer_no_edits(admin_client: Any) -> None:
    raw = mail(sender="Dana <dana@example.net>", subject="Hello there")
    message = inbound_receive(raw=raw, source="webhook").message
    listing = admin_client.get("/admin/inbox/inboundmessage/")
    page = admin_client.get(f"/admin/inbox/inboundmessage/{message.pk}/change/")
    assert (listing.status_code, page.status_code) == (200, 200)
    assert b"dana@example.net" in listing.content and b"Hello there" in page.content
    assert b'name="_save"' not in page.content
    assert admin_client.post(f"/admin/inbox/inboundmessage/{message.pk}/delete/").status_code == 403
    assert InboundMessage.objects.count() == 1
