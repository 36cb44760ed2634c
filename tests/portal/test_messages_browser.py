"""On a phone: write to us with a photo, ask for a person, download the prepaid label; and the reply
form with JavaScript off. Each page passes axe-core under the strict CSP."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.portal.story import paid, repair_order
from tests.support.browser import BrowserPage
from touchpoint.cases.models import Case, Task, TaskKind
from touchpoint.inbox.models import InboundAttachment, InboundMessage
from touchpoint.links.services import link_token

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def prepaid_case() -> Case:
    """A prepaid-box repair ordered on the page and paid by bank transfer (recorded by intake)."""
    return paid(repair_order(prepaid_box=True, name="Ian Kearns", email="ian@example.com"))


def photo_file(tmp_path: Path) -> Path:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (30, 90, 160)).save(out, "JPEG")
    path = tmp_path / "cracked-screen.jpg"
    path.write_bytes(out.getvalue())
    return path


def test_write_with_a_photo_ask_for_a_person_and_download_the_label(
    phone: BrowserPage, prepaid_case: Case, tmp_path: Path
) -> None:
    token = link_token(case=prepaid_case)
    page = phone.page
    phone.goto(f"/c/{token}/")
    phone.check_a11y()
    phone.shot("case page with messages and label")

    # Write to us, with a photo
    page.get_by_label("Your message").fill("The screen cracked in the post, photo attached.")
    page.get_by_label("Photos (optional)").set_input_files(str(photo_file(tmp_path)))
    page.get_by_role("button", name="Send message").click()
    page.wait_for_url(f"**/c/{token}/?sent=1#messages")
    assert page.get_by_role("status").first.inner_text().startswith("Thanks: your message is with us")
    assert page.get_by_role("link", name="cracked-screen.jpg").is_visible()
    phone.check_a11y()
    phone.shot("message sent")
    message = InboundMessage.objects.get(case=prepaid_case)
    assert message.text == "The screen cracked in the post, photo attached."
    assert InboundAttachment.objects.get(message=message).content_type == "image/jpeg"

    # Download the label
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the label and packing instructions (PDF)").click()
    assert download.value.suggested_filename == f"{prepaid_case.reference}-prepaid-label.pdf"
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-1.")

    # Ask for a person
    page.get_by_role("link", name="Rather talk to a person? Ask for one").click()
    page.wait_for_url(f"**/c/{token}/person/")
    phone.check_a11y()
    page.get_by_label("What do you need? (optional)").fill("Can someone call me about the crack?")
    page.get_by_label("By phone").check()
    page.get_by_label("Phone number").fill("07700 900123")
    phone.shot("asking for a person")
    page.get_by_role("button", name="Ask for a person").click()
    page.wait_for_url(f"**/c/{token}/person/?asked=1")
    assert "A person from our care team will get in touch by" in page.get_by_role("status").inner_text()
    phone.check_a11y()
    phone.shot("a person will be in touch")
    task = Task.objects.get(kind=TaskKind.PERSON_REQUESTED, case=prepaid_case)
    assert "Reach them by phone (phone 07700 900123)." in task.detail


def test_the_reply_form_works_without_javascript_and_keeps_the_text_on_a_refusal(
    phone_nojs: BrowserPage, prepaid_case: Case, tmp_path: Path
) -> None:
    token = link_token(case=prepaid_case)
    page = phone_nojs.page
    phone_nojs.goto(f"/c/{token}/")
    fake = tmp_path / "not-a-photo.jpg"
    fake.write_bytes(b"just text pretending to be a photo")

    page.get_by_label("Your message").fill("Is it on its way?")
    page.get_by_label("Photos (optional)").set_input_files(str(fake))
    page.get_by_role("button", name="Send message").click()
    assert page.get_by_label("Your message").input_value() == "Is it on its way?"
    assert "“not-a-photo.jpg” isn't a JPEG, PNG or WebP photo." in page.locator("#id_photos_error").inner_text()
    phone_nojs.shot("photo refused, text kept")
    assert not InboundMessage.objects.exists()

    page.get_by_role("button", name="Send message").click()  # without the photo this time
    page.wait_for_url(f"**/c/{token}/?sent=1#messages")
    assert InboundMessage.objects.get(case=prepaid_case).text == "Is it on its way?"
    phone_nojs.shot("sent without javascript")
