"""Messages written on the case page and requests for a person: the same rules as email, stored once."""

from __future__ import annotations

import io
import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings
from PIL import Image

from touchpoint.cases.models import Case, Task, TaskKind, TimelineEntry
from touchpoint.core.clock import at, now
from touchpoint.customers.models import Customer
from touchpoint.flows.clocks import person_due
from touchpoint.inbox.models import InboundAttachment, InboundMessage, MatchedBy, Source
from touchpoint.inbox.photos import PhotoRefused, photo_clean
from touchpoint.inbox.portal import person_request, portal_message_receive
from touchpoint.inbox.selectors import conversation_of
from touchpoint.outbox.models import OutboxMessage

NONCE = "a" * 32


def jpeg_with_gps(size: tuple[int, int] = (60, 40)) -> bytes:
    image = Image.new("RGB", size, (180, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x8825] = {1: "N", 2: (51.0, 27.0, 0.0), 3: "W", 4: (2.0, 35.0, 0.0)}  # GPS
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_a_message_from_the_page_reaches_the_case_and_a_person_by_the_email_rules(new_case: Case) -> None:
    # Given a case; when its customer writes two lines on the page
    text = "Hello, the screen flickers too.\nCan you look at that while it's open?"
    result = portal_message_receive(case=new_case, text=text, photos=[], nonce=NONCE)

    # Then it is stored like an email from the case's customer
    message = InboundMessage.objects.get()
    assert result.duplicate is False
    assert (message.source, message.matched_by, message.case, message.customer) == (
        Source.PORTAL,
        MatchedBy.LINK,
        new_case,
        new_case.customer,
    )
    assert message.subject == "Hello, the screen flickers too."
    assert message.message_id == f"<portal.{new_case.reference}.{NONCE}@touchpoint.localhost>"
    # on the timeline
    entry = TimelineEntry.objects.filter(case=new_case, event="customer_message").get()
    assert entry.summary == "Ian Kearns wrote: Hello, the screen flickers too."
    # and, being more than a yes or no, with a person, due within the customer-message wait
    task = Task.objects.get(kind=TaskKind.CUSTOMER_MESSAGE)
    assert message.task == task
    assert task.case == new_case
    assert task.title == f"{new_case.reference}: Ian Kearns wrote “Hello, the screen flickers too.”"
    assert task.priority == 2
    assert task.due_at == message.received_at + timedelta(hours=4)
    assert task.detail.startswith(
        f"From Ian Kearns <ian@example.com>\nSubject: Hello, the screen flickers too.\n\n{text}\n\nSentiment: "
    )


def test_an_angry_message_is_urgent(new_case: Case) -> None:
    portal_message_receive(
        case=new_case,
        text="This is terrible, awful service. I am furious and want it back now!",
        photos=[],
        nonce=NONCE,
    )
    task = Task.objects.get(kind=TaskKind.CUSTOMER_MESSAGE)
    assert task.priority == 1
    assert "(reads as negative)" in task.detail


def test_the_same_form_sent_twice_makes_one_message_and_one_task(new_case: Case) -> None:
    first = portal_message_receive(case=new_case, text="Is it fixed yet?", photos=[], nonce=NONCE)
    again = portal_message_receive(case=new_case, text="Is it fixed yet?", photos=[], nonce=NONCE)
    assert (first.duplicate, again.duplicate) == (False, True)
    assert again.message.pk == first.message.pk
    assert InboundMessage.objects.count() == 1
    assert Task.objects.filter(kind=TaskKind.CUSTOMER_MESSAGE).count() == 1
    assert TimelineEntry.objects.filter(case=new_case, event="customer_message").count() == 1


def test_asking_for_plain_messages_is_done_without_a_person(new_case: Case) -> None:
    result = portal_message_receive(case=new_case, text="plain please", photos=[], nonce=NONCE)
    customer = Customer.objects.get(pk=new_case.customer_id)
    assert customer.plain_messages is True
    assert result.message.action == "tone:plain"
    assert result.acknowledgements == ["From now on our messages to you will be plain and to the point."]
    assert not Task.objects.filter(kind=TaskKind.CUSTOMER_MESSAGE).exists()


def test_photos_are_kept_re_encoded_without_location_under_random_names(new_case: Case, media: Path) -> None:
    original = jpeg_with_gps()
    assert b"SecretCam" in original
    photo = photo_clean(data=original, filename="C:\\Users\\ian\\IMG_2041.JPG")

    portal_message_receive(case=new_case, text="", photos=[photo], nonce=NONCE)

    stored = InboundAttachment.objects.get()
    assert (stored.filename, stored.content_type) == ("IMG_2041.JPG", "image/jpeg")
    name = Path(stored.file.name or "")
    assert name.suffix == ".jpg" and len(name.stem) == 32 and "IMG" not in name.name
    data = (media / str(stored.file.name)).read_bytes()
    assert stored.size == len(data)
    assert b"SecretCam" not in data
    assert dict(Image.open(io.BytesIO(data)).getexif()) == {}
    # Photos alone say nothing we can act on: a person looks.
    task = Task.objects.get(kind=TaskKind.CUSTOMER_MESSAGE)
    assert task.title == f"{new_case.reference}: Ian Kearns wrote “Photos from the case page”"


@pytest.mark.parametrize(
    ("data", "name", "reason"),
    [
        (b"%PDF-1.4 not a photo at all", "holiday.jpg", "“holiday.jpg” isn't a JPEG, PNG or WebP photo."),
        (b"", "empty.png", "“empty.png” is empty. Choose the photo again."),
        (jpeg_with_gps()[:200], "cut.jpg", "“cut.jpg” couldn't be read as a photo"),
    ],
)
def test_a_file_that_is_not_a_usable_photo_is_refused_with_the_reason(data: bytes, name: str, reason: str) -> None:
    with pytest.raises(PhotoRefused) as refused:
        photo_clean(data=data, filename=name)
    assert str(refused.value).startswith(reason)


def test_a_gif_is_refused_by_its_content_whatever_its_name() -> None:
    out = io.BytesIO()
    Image.new("P", (4, 4)).save(out, "GIF")
    with pytest.raises(PhotoRefused, match="isn't a JPEG, PNG or WebP"):
        photo_clean(data=out.getvalue(), filename="photo.png")


def test_a_photo_over_the_size_or_pixel_limit_is_refused() -> None:
    data = jpeg_with_gps((100, 100))
    with (
        override_settings(TOUCHPOINT_PHOTO_MAX_BYTES=100),
        pytest.raises(PhotoRefused, match=r"each photo can be up to 0\.0 MB"),
    ):
        photo_clean(data=data, filename="big.jpg")
    with (
        override_settings(TOUCHPOINT_PHOTO_MAX_PIXELS=9999),
        pytest.raises(PhotoRefused, match="is 100×100 pixels, more than we can take"),
    ):
        photo_clean(data=data, filename="big.jpg")


def test_asking_for_a_person_opens_one_urgent_task_a_note_and_an_honest_email(new_case: Case) -> None:
    before = OutboxMessage.objects.count()
    moment = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # a Monday; London is on GMT in November
    with at(moment):
        asked = person_request(
            case=new_case,
            need="Can I add a second device?",
            reach_by="phone",
            phone="07700 900123",
            nonce=NONCE,
            due_for=person_due,
        )

    task = asked.task
    assert asked.created is True
    assert (task.kind, task.owner, task.priority, task.case) == (TaskKind.PERSON_REQUESTED, "team:care", 1, new_case)
    assert (asked.asked_at, task.created_at, task.due_at) == (moment, moment, moment + timedelta(hours=4))
    assert task.title == f"{new_case.reference}: Ian Kearns asked for a person — reach them by phone"
    assert task.detail == (
        "Ian Kearns asked to talk to a person on the case page.\n"
        "Reach them by phone (phone 07700 900123).\n\n"
        "What they need: Can I add a second device?"
    )
    entry = TimelineEntry.objects.get(case=new_case, event="person_requested")
    assert entry.summary == "Ian Kearns asked to talk to a person (by phone)"
    # The acknowledgement says when, honestly (the task's due time, in the shop's clock: the same
    # day, so "today"), and goes out by email.
    assert OutboxMessage.objects.count() == before + 1
    mail = OutboxMessage.objects.get(idempotency_key=f"person-requested:{task.pk}")
    assert mail.recipient == "ian@example.com"
    assert mail.subject == f"{new_case.reference}: A person will be in touch by 14:00 today"
    assert mail.body_text.startswith(
        "Hello Ian,\n\n"
        f"Thanks for asking: a person from our care team has your request about {new_case.reference} "
        "and will get in touch by phone, by 14:00 today at the latest.\n\n"
        "You told us: “Can I add a second device?”\n\n"
        "Nothing else is needed from you. If it's urgent, just reply to this email.\n\n"
        "Your case: http://127.0.0.1:8000/c/"
    )


def test_asking_again_while_a_request_is_open_opens_nothing_new(new_case: Case) -> None:
    first = person_request(case=new_case, need="", reach_by="email", phone="", nonce=NONCE, due_for=person_due)
    counts = (Task.objects.count(), TimelineEntry.objects.count(), OutboxMessage.objects.count())

    again = person_request(case=new_case, need="hello?", reach_by="email", phone="", nonce="b" * 32, due_for=person_due)

    assert again.created is False
    assert again.task.pk == first.task.pk
    assert again.asked_at == first.asked_at
    assert (Task.objects.count(), TimelineEntry.objects.count(), OutboxMessage.objects.count()) == counts


def test_the_conversation_lists_the_customers_messages_and_ours_in_order(new_case: Case) -> None:
    portal_message_receive(case=new_case, text="First question", photos=[], nonce=NONCE)
    person_request(case=new_case, need="", reach_by="email", phone="", nonce="c" * 32, due_for=person_due)

    items = conversation_of(case=new_case)

    assert [(i.from_customer, i.automated) for i in items][-2:] == [(True, False), (False, False)]
    assert items[-2].text == "First question"
    assert items[-1].subject.startswith(f"{new_case.reference}: A person will be in touch by")
    assert all(a.at <= b.at for a, b in itertools.pairwise(items))
    assert items[-1].at <= now()


def test_the_conversation_costs_the_same_few_queries_however_long_it_grows(
    new_case: Case, django_assert_num_queries: Any
) -> None:
    for number in range(6):
        photo = photo_clean(data=jpeg_with_gps(), filename=f"p{number}.jpg")
        portal_message_receive(case=new_case, text=f"Message {number}", photos=[photo], nonce=f"{number:032x}")
    with django_assert_num_queries(3):  # the customer's messages, their photos, our messages
        items = conversation_of(case=new_case)
    assert [i.text for i in items if i.from_customer] == [f"Message {n}" for n in range(6)]
    assert [len(i.photos) for i in items if i.from_customer] == [1] * 6


@pytest.mark.parametrize(("kind", "content_type"), [("PNG", "image/png"), ("WEBP", "image/webp")])
def test_png_and_webp_photos_lose_their_metadata_too(kind: str, content_type: str) -> None:
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    exif[0x0112] = 6  # taken sideways: the kept photo is turned upright
    out = io.BytesIO()
    Image.new("RGB", (60, 40), (0, 0, 0)).save(out, kind, exif=exif.tobytes())
    assert b"SecretCam" in out.getvalue()

    photo = photo_clean(data=out.getvalue(), filename=f"x.{kind.lower()}")

    assert photo.content_type == content_type
    assert b"SecretCam" not in photo.data
    kept = Image.open(io.BytesIO(photo.data))
    assert (kept.format, kept.size, dict(kept.getexif())) == (kind, (40, 60), {})
