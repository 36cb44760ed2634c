"""Talk to us on the case page: the reply form, photos, asking for a person, and who may see a photo."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from PIL import Image

from tests.support.factories import CustomerFactory, StaffFactory
from touchpoint.cases.actors import SYSTEM
from touchpoint.cases.models import Case, Task, TaskKind, TimelineEntry
from touchpoint.flows.advance import case_advance, case_open
from touchpoint.inbox.models import InboundAttachment, InboundMessage
from touchpoint.links.services import link_token
from touchpoint.outbox.models import OutboxMessage

NONCE = "0123456789abcdef0123456789abcdef"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def token(new_case: Case) -> str:
    return link_token(case=new_case)


def png(name: str = "screen.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (30, 20), (10, 120, 200)).save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def counts() -> tuple[int, int, int, int]:
    return (
        InboundMessage.objects.count(),
        InboundAttachment.objects.count(),
        Task.objects.count(),
        TimelineEntry.objects.count(),
    )


def test_the_case_page_shows_the_conversation_and_the_reply_form(client: Client, token: str, new_case: Case) -> None:
    case_advance(case=new_case, event="payment_received", actor=SYSTEM)  # sends a touch point
    page = client.get(f"/c/{token}/").content.decode()
    assert '<h2 id="messages-title">Messages</h2>' in page
    assert f'action="/c/{token}/messages/"' in page
    assert 'enctype="multipart/form-data"' in page
    assert re.search(r'name="nonce" value="[0-9a-f]{32}"', page)
    assert f'href="/c/{token}/person/"' in page
    # The first touch point is listed by its subject, as ours.
    subject = OutboxMessage.objects.get(case=new_case).subject
    assert subject in page


def test_a_message_with_a_photo_is_sent_and_shown_back(client: Client, token: str, new_case: Case) -> None:
    response = client.post(
        f"/c/{token}/messages/", {"text": "It rattles when shaken.", "nonce": NONCE, "photos": [png()]}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/c/{token}/?sent=1#messages"
    message = InboundMessage.objects.get()
    assert (message.case, message.text) == (new_case, "It rattles when shaken.")
    photo = InboundAttachment.objects.get()
    assert (photo.message, photo.filename, photo.content_type) == (message, "screen.png", "image/png")
    assert Task.objects.get(kind=TaskKind.CUSTOMER_MESSAGE).case == new_case

    page = client.get(f"/c/{token}/?sent=1").content.decode()
    assert "Thanks: your message is with us and on your case." in page
    assert "It rattles when shaken." in page
    assert f'href="/c/{token}/photos/{photo.pk}/">screen.png</a>' in page


def test_a_double_submit_stores_one_message(client: Client, token: str) -> None:
    for _ in range(2):
        assert client.post(f"/c/{token}/messages/", {"text": "Hello?", "nonce": NONCE}).status_code == 302
    assert InboundMessage.objects.count() == 1
    assert Task.objects.filter(kind=TaskKind.CUSTOMER_MESSAGE).count() == 1


def test_a_file_that_is_not_a_photo_is_refused_beside_the_field_and_the_text_is_kept(
    client: Client, token: str
) -> None:
    before = counts()
    fake = SimpleUploadedFile("invoice.jpg", b"%PDF-1.7 pretending", content_type="image/jpeg")
    response = client.post(
        f"/c/{token}/messages/", {"text": "Here's the <receipt> too", "nonce": NONCE, "photos": [png(), fake]}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Here&#x27;s the &lt;receipt&gt; too</textarea>" in page
    assert "“invoice.jpg” isn&#x27;t a JPEG, PNG or WebP photo." in page
    assert 'id="id_photos_error"' in page
    assert 'aria-invalid="true"' in page
    assert f'name="nonce" value="{NONCE}"' in page
    assert counts() == before


def test_too_many_photos_are_refused_whole(client: Client, token: str) -> None:
    before = counts()
    with override_settings(TOUCHPOINT_PHOTOS_PER_MESSAGE=2):
        response = client.post(
            f"/c/{token}/messages/",
            {"text": "three", "nonce": NONCE, "photos": [png("a.png"), png("b.png"), png("c.png")]},
        )
    assert response.status_code == 400
    assert "You chose 3 photos; up to 2 fit in one message." in response.content.decode()
    assert counts() == before


def test_an_empty_message_asks_for_words_or_a_photo(client: Client, token: str) -> None:
    before = counts()
    response = client.post(f"/c/{token}/messages/", {"text": "   ", "nonce": NONCE})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'aria-describedby="id_text_error"' in page
    assert "Write a message or add a photo, then send it." in page
    assert counts() == before


def test_a_forged_nonce_is_refused(client: Client, token: str) -> None:
    before = counts()
    response = client.post(f"/c/{token}/messages/", {"text": "hi", "nonce": "../../etc"})
    assert response.status_code == 400
    assert "This form is out of date." in response.content.decode()
    assert counts() == before


def test_the_reply_form_is_rate_limited_and_keeps_what_was_typed(client: Client, token: str) -> None:
    with override_settings(TOUCHPOINT_PORTAL_MESSAGE_RATE=1):
        assert client.post(f"/c/{token}/messages/", {"text": "one", "nonce": NONCE}).status_code == 302
        before = counts()
        response = client.post(f"/c/{token}/messages/", {"text": "two, typed with care", "nonce": "f" * 32})
    assert response.status_code == 429
    page = response.content.decode()
    assert "Please wait a few minutes and send it again: what you typed is kept." in page
    assert "two, typed with care</textarea>" in page
    assert counts() == before


def test_a_photo_is_seen_through_its_own_case_link_only(client: Client, token: str, mini_journey: Any) -> None:
    client.post(f"/c/{token}/messages/", {"text": "", "nonce": NONCE, "photos": [png()]})
    photo = InboundAttachment.objects.get()

    mine = client.get(f"/c/{token}/photos/{photo.pk}/")
    assert mine.status_code == 200
    assert mine["Content-Type"] == "image/png"
    assert mine["X-Content-Type-Options"] == "nosniff"
    assert mine["Cache-Control"] == "private, no-store"
    assert mine.content.startswith(b"\x89PNG")

    stranger = case_open(
        journey="mini-repair", customer=CustomerFactory(), actor=SYSTEM, data={"model": "nano-4g"}
    ).case
    assert client.get(f"/c/{link_token(case=stranger)}/photos/{photo.pk}/").status_code == 404
    assert client.get(f"/c/not-a-token/photos/{photo.pk}/").status_code == 404


def test_staff_see_a_photo_under_its_own_case_only(client: Client, token: str, new_case: Case) -> None:
    client.post(f"/c/{token}/messages/", {"text": "", "nonce": NONCE, "photos": [png()]})
    photo = InboundAttachment.objects.get()
    url = f"/console/cases/{new_case.reference}/files/{photo.pk}/"

    assert client.get(url).status_code == 302  # a customer's browser has no staff session

    client.force_login(StaffFactory(username="agent1", teams=["care"]))
    seen = client.get(url)
    assert seen.status_code == 200
    assert seen["Content-Type"] == "image/png"
    assert seen["Content-Disposition"] == 'inline; filename="screen.png"'
    assert client.get(f"/console/cases/TP-00000/files/{photo.pk}/").status_code == 404


def test_asking_for_a_person_then_asking_again(client: Client, token: str, new_case: Case) -> None:
    page = client.get(f"/c/{token}/person/").content.decode()
    assert '<label for="id_need">What do you need? (optional)</label>' in page
    assert "A person from our care team will get in touch within 4 hours" in page

    response = client.post(f"/c/{token}/person/", {"need": "Call me please", "reach_by": "email", "nonce": NONCE})
    assert response.status_code == 302
    assert response["Location"] == f"/c/{token}/person/?asked=1"
    task = Task.objects.get(kind=TaskKind.PERSON_REQUESTED)
    page = client.get(response["Location"]).content.decode()
    assert "Thanks, we have your request." in page
    assert "will get in touch by <strong>" in page

    again = client.post(f"/c/{token}/person/", {"need": "", "reach_by": "email", "nonce": "e" * 32})
    assert again["Location"] == f"/c/{token}/person/?again=1"
    page = client.get(again["Location"]).content.decode()
    assert "We already have your request from" in page
    assert list(Task.objects.filter(kind=TaskKind.PERSON_REQUESTED)) == [task]
    # The case page says so too, instead of offering to ask again.
    page = client.get(f"/c/{token}/").content.decode()
    assert "You've asked for a person: someone from our care team will get in touch by <strong>" in page
    assert "Rather talk to a person? Ask for one" not in page


def test_a_call_without_a_number_is_refused_beside_the_field(client: Client, token: str) -> None:
    before = (*counts(), OutboxMessage.objects.count())
    response = client.post(
        f"/c/{token}/person/", {"need": "My words", "reach_by": "phone", "phone": "", "nonce": NONCE}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Give a number we can call, or choose “By email”." in page
    assert 'aria-describedby="id_phone_hint id_phone_error"' in page
    assert "My words</textarea>" in page
    assert (*counts(), OutboxMessage.objects.count()) == before


def test_asking_for_a_person_is_rate_limited(client: Client, token: str) -> None:
    with override_settings(TOUCHPOINT_PORTAL_PERSON_RATE=0):
        response = client.post(f"/c/{token}/person/", {"need": "keep me", "reach_by": "email", "nonce": NONCE})
    assert response.status_code == 429
    assert "keep me</textarea>" in response.content.decode()
    assert not Task.objects.filter(kind=TaskKind.PERSON_REQUESTED).exists()
