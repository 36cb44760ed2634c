"""Emails that look like the shop (issue 16, part 5): the shop's logo and colour, the persona's face
and signature, where the case is on its way, and one button to the case page; the CSS inlined, the
text part saying the same, under 100 KB.

An order placed on the order form, sent by the worker to a real SMTP server on loopback, is read as
the customer's mail app gets it; every touch point of the shipped journeys is read as the admin's
preview renders it, in both tones; the link emails and a staff reply in own words come through the
page and the console's reply form."""

from __future__ import annotations

import re
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from tests.console.given import page_url, signed_in
from tests.portal.story import crew, repair_order
from tests.shop.given import lead_client
from tests.support.orders import register_library
from tests.support.smtp import SinkHandler, smtp_mailers, smtp_sink
from tests.touchpoints.email_look import look, shop_branded, style_value
from touchpoint.cases.journeys import journey_of
from touchpoint.cases.models import Case
from touchpoint.journeys.library import library_files
from touchpoint.journeys.progress import case_progress
from touchpoint.links.services import link_resolve
from touchpoint.outbox.models import OutboxMessage
from touchpoint.shop.colours import MIN_CONTRAST, contrast_with_white
from touchpoint.shop.selectors import shop_settings, shop_settings_forget
from touchpoint.touchpoints.brand import avatar_url, logo_url
from touchpoint.touchpoints.checks import state_for
from touchpoint.touchpoints.persona import Persona
from touchpoint.touchpoints.preview import journey_preview
from touchpoint.worker.loop import Worker

pytestmark = pytest.mark.django_db

MAX_BYTES = 100_000
GREEN = "#0b6e4f"  # white on it: 6.0:1
SAMPLE_LINK = "https://repairs.example.com/c/sampleLinkTokenAsLongAsARealOne43Characters/"  # the preview's


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path / "media"  # the logo a lead uploads stays with this test
    shop_settings_forget()
    yield
    shop_settings_forget()


@pytest.fixture
def sink() -> Iterator[SinkHandler]:
    with smtp_sink() as (handler, port), override_settings(MAILERS=smtp_mailers(port)):
        yield handler


def parts(message: EmailMessage) -> tuple[str, str]:
    html, text = message.get_body(("html",)), message.get_body(("plain",))
    assert html is not None and text is not None
    # as a mail app reads them: the wire's CRLF line ends as newlines
    return str(html.get_content()).replace("\r\n", "\n"), str(text.get_content()).replace("\r\n", "\n")


def test_an_order_from_the_form_reaches_the_mail_server_in_the_shops_colours(sink: SinkHandler) -> None:
    # Given a lead who gave the shop a logo and a green brand colour on the console's shop page
    shop_branded(lead_client(), colour=GREEN)
    register_library("mail-in-repair")
    # When Ian orders a repair on the order form and the worker sends what it wrote
    ian = repair_order(name="Ian Kearns", email="ian@example.com")
    assert Worker(worker_id="w1").run(until_idle=True).sent == 1
    [got] = sink.received
    html, text = parts(got.message)
    case = ian.case
    stored = OutboxMessage.objects.get(case=case, touchpoint="order_received")
    assert html == stored.body_html  # what the server got is what was written with the order
    seen = look(html)

    # Then it says its language, and is small
    assert seen.lang == "en"
    assert len(html.encode()) < MAX_BYTES
    # and it shows the shop's logo, where anyone (a mail app) can load it, named for what it is
    shop = shop_settings()
    name = str(shop.logo.name).rsplit("/", 1)[-1]
    logo = next(image for image in seen.images if "tp-logo" in image.get("class", ""))
    assert logo["src"] == f"{settings.TOUCHPOINT_PUBLIC_URL}{reverse('console:shop_logo', args=[name])}"
    assert logo["src"] == logo_url(shop)
    assert logo["alt"] == "The Repair Shop"
    assert Client().get(reverse("console:shop_logo", args=[name]))["Content-Type"] == "image/png"
    # and Norm's face (an image mail apps show: the PNG beside his SVG) beside his signature
    avatar = next(image for image in seen.images if "tp-avatar" in image.get("class", ""))
    assert avatar["src"] == f"{settings.TOUCHPOINT_PUBLIC_URL}/static/touchpoints/norm.png"
    assert avatar["alt"] == "Norm"
    assert "Norm, your repair coordinator at the Repair Shop" in html
    assert all(image.get("alt") for image in seen.images), seen.images
    # and where the case is on its way: the first of the journey's 14 milestones, in HTML and text
    assert "Step 1 of 14: Waiting for your payment" in html
    assert "Next: Checking your payment" in html
    assert "Step 1 of 14: Waiting for your payment (next: Checking your payment)\n" in text
    # and one button, in the shop's green with white words, opening this case's page (the text gives the link)
    [button] = seen.buttons
    assert button.text == "Open your case page"
    assert style_value(button.style, "background-color") == GREEN
    assert style_value(button.style, "color") == "#ffffff"
    assert contrast_with_white(GREEN) >= MIN_CONTRAST
    resolved = link_resolve(button.href.rstrip("/").rsplit("/", 1)[-1])
    assert resolved.link is not None and resolved.link.case_id == case.pk
    assert f"Follow your repair, and answer us, here: {button.href}\n" in text
    # and every link says where it goes
    assert all(link.text for link in seen.links), [link.href for link in seen.links if not link.text]
    # and the layout's CSS is in the elements (mail apps drop <style>), nothing to fetch
    assert style_value(button.style, "padding") == "14px 28px"
    assert seen.stylesheets == 0
    assert "@media only screen and (max-width: 620px)" in html  # the phone rules stay in <style>
    # and money is said with its currency, the same in both parts
    assert "£29.00" in html and "£29.00" in text


def test_every_touch_point_of_the_shipped_journeys_in_both_tones_is_small_labelled_and_says_where_it_is() -> None:
    shop_branded(lead_client(), colour=GREEN)
    checked, expected = 0, 0
    for name in (path.stem for path in library_files()):
        journey = journey_of(register_library(name))
        expected += 2 * len(journey.touchpoints)
        persona, previews = journey_preview(journey=journey)
        for preview in previews:
            progress = case_progress(journey, state_for(journey, preview.key))
            for tone, got in preview.tones:
                where = f"{name}/{preview.key} ({tone})"
                seen = look(got.html)
                assert len(got.html.encode()) < MAX_BYTES, where
                assert seen.lang == "en", where
                assert all(image.get("alt") for image in seen.images), where
                assert all(link.text for link in seen.links), where
                assert [b.href for b in seen.buttons] == [SAMPLE_LINK], where
                assert got.text.count(seen.buttons[0].href) >= 1, where  # the text gives the same link
                faces = [image for image in seen.images if "tp-avatar" in image.get("class", "")]
                if progress is not None:
                    assert f"{progress.line}" in got.html, where
                    assert f"{progress.line}" in got.text, where
                else:
                    assert "Step " not in got.text.split("Your reference:")[1], where
                if tone == "sober":
                    # sober: a plain header (no colour band) and no grinning face
                    assert faces == [] and "tp-strip" not in got.html and "tp-initials" not in got.html, where
                    assert "Kind regards," in got.text, where
                else:
                    assert [face["alt"] for face in faces] == [persona.name], where
                checked += 1
    assert checked == expected == 168  # every touch point of the three journeys, in both tones


def test_a_new_link_asked_for_on_the_page_comes_in_the_shops_layout(sink: SinkHandler) -> None:
    shop_branded(lead_client(), colour=GREEN)
    register_library("mail-in-repair")
    ian = repair_order(name="Ian Kearns", email="ian@example.com")
    Worker(worker_id="w0").run(until_idle=True)
    sink.received.clear()
    # When Ian asks the page for a fresh link and the worker answers
    assert Client(REMOTE_ADDR="198.51.100.7").post("/link/", {"email": "ian@example.com"}).status_code == 200
    Worker(worker_id="w1").run(until_idle=True)
    [got] = sink.received
    html, text = parts(got.message)
    seen = look(html)
    # Then the email has the shop's logo and colour, and its one case's page as the button
    assert seen.lang == "en" and len(html.encode()) < MAX_BYTES
    assert [image["alt"] for image in seen.images] == ["The Repair Shop"]
    [button] = seen.buttons
    assert button.href in text and style_value(button.style, "background-color") == GREEN
    resolved = link_resolve(button.href.rstrip("/").rsplit("/", 1)[-1])
    assert resolved.link is not None and resolved.link.case_id == ian.case.pk
    # and says what the text says, once (the text signs itself: no persona sign-off, no second footer)
    assert "You asked for a fresh link to your repair." in html
    assert html.count("Talk to a person:") == 1 and "Cheers," not in html
    assert all(link.text for link in seen.links)


def test_a_reply_in_own_words_from_the_console_comes_in_the_shops_layout() -> None:
    register_library("mail-in-repair")
    ian = repair_order(name="Ian Kearns", email="ian@example.com")
    case: Case = ian.case
    form = {"mode": "own", "text": "Hi Ian,\n\nThe bank says Monday.", "version": case.version, "nonce": "r1"}
    assert signed_in(crew()).post(page_url(case, "reply"), form).status_code == 302
    message = OutboxMessage.objects.get(idempotency_key="reply:r1")
    seen = look(message.body_html)
    assert seen.lang == "en"
    assert "<p>The bank says Monday.</p>" in message.body_html
    [button] = seen.buttons
    assert button.href in message.body_text
    assert "Cheers," not in message.body_html and "Kind regards," not in message.body_html  # signed by the person


def test_a_plain_messages_customer_gets_the_plain_layout(sink: SinkHandler) -> None:
    register_library("mail-in-repair")
    repair_order(name="Ian Kearns", email="ian@example.com", plain_messages="on")
    Worker(worker_id="w1").run(until_idle=True)
    [got] = sink.received
    html, text = parts(got.message)
    assert "tp-avatar" not in html and "tp-strip" not in html
    # a shop without a logo says its name at the top
    assert look(html).images == [] and '<span class="tp-shop"' in html and ">The Repair Shop</span>" in html
    assert "Kind regards," in text and "Step 1 of 14: Waiting for your payment" in text


def test_a_persona_without_a_face_signs_with_its_initials_on_the_brand_colour() -> None:
    # Given a lead editing the persona in the console: a new name, no avatar (its live preview)
    shop_branded(lead_client(), colour=GREEN)
    journey = journey_of(register_library("walk-in-warranty"))
    faceless = Persona(key="norm", name="Nano Norm", signature="Nano Norm, at the counter", voice="", avatar="")
    _, previews = journey_preview(journey=journey, persona=faceless)
    for preview in previews:
        tones = dict(preview.tones)
        playful = tones["playful"].html
        # Then the playful email shows "NN" on the shop's green, hidden from screen readers (the
        # signature beside it names him), and no image of a face
        face = re.search(r'<div class="tp-initials"([^>]*)>NN</div>', playful)
        assert face is not None, preview.key
        assert 'aria-hidden="true"' in face.group(1) and "background-color: #0b6e4f" in face.group(1), preview.key
        assert "tp-avatar" not in playful and "Nano Norm, at the counter" in playful
        assert "tp-initials" not in tones["sober"].html


def test_an_uploaded_face_is_sent_from_where_the_console_serves_it() -> None:
    uploaded = Persona(key="norm", name="Norm", signature="Norm", voice="", avatar="persona/" + "a" * 24 + ".png")
    served = reverse("console:persona_avatar", args=["a" * 24 + ".png"])
    assert avatar_url(uploaded) == f"{settings.TOUCHPOINT_PUBLIC_URL}{served}"
