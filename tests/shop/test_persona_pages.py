"""The persona editor: a lead gives the shop's voice a name, a face, a signature and voice notes; the
next message speaks that way; every change is audited; the preview follows what is typed; bad
images, two leads at once, agents and strangers are each answered plainly."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from tests.shop.given import lead_client
from tests.support.factories import CustomerFactory, StaffFactory
from tests.support.orders import place_repair_order
from touchpoint.outbox.models import OutboxMessage
from touchpoint.shop.models import SettingChange
from touchpoint.staff.models import Role
from touchpoint.touchpoints.models import PersonaOverride

pytestmark = pytest.mark.django_db
PERSONA = reverse("console:shop_persona")
NORM = reverse("console:shop_persona_key", args=["norm"])
PREVIEW = reverse("console:persona_preview", args=["norm"])


def image(width: int = 80, height: int = 80, fmt: str = "PNG", name: str = "face.png") -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (240, 165, 0)).save(out, fmt)
    out.seek(0)
    out.name = name
    return out


def persona_form(client: Client, **changed: object) -> dict[str, object]:
    """The persona form as the page draws it, with ``changed`` typed over it."""
    response = client.get(PERSONA)
    assert response.status_code == 200
    initial = response.context["form"].initial
    form: dict[str, object] = {k: initial[k] for k in ("stamp", "name", "signature", "voice", "journey")}
    form.update(changed)
    return form


def next_order_message() -> OutboxMessage:
    case = place_repair_order(CustomerFactory(name="Ian Kearns"))
    message = OutboxMessage.objects.filter(case=case, touchpoint="order_received").get()
    return message


def test_the_page_shows_the_shipped_persona_and_every_message_of_its_journey_in_both_tones() -> None:
    client = lead_client()
    response = client.get(PERSONA)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="Norm"' in page
    assert "Norm, your repair coordinator at the Repair Shop" in page
    assert 'src="/static/touchpoints/norm.svg"' in page  # the shipped face
    rows = response.context["rows"]
    journey = response.context["preview_journey"]
    assert [row.key for row in rows] == list(journey.touchpoints)
    assert all([t.tone for t in row.tones] == ["playful", "sober"] for row in rows)
    first = rows[0].tones[0]
    assert f'<iframe class="tp-email" title="The playful email of {rows[0].key}' in page
    assert first.sms in page.replace("&#x27;", "'").replace("&quot;", '"').replace("&amp;", "&")
    assert "No changes yet" in page


def test_a_lead_renames_the_persona_and_the_next_message_signs_with_it_audited() -> None:
    client = lead_client()
    form = persona_form(client, name="Kit", signature="Kit, at the Fixit desk", voice="Warm.\nNo jokes on Mondays.")
    response = client.post(NORM, form)
    assert response.status_code == 302
    assert response["Location"] == NORM
    changes = {c.field: (c.by_name, c.subject, c.before, c.after) for c in SettingChange.objects.all()}
    assert set(changes) == {"persona name", "persona signature", "persona voice"}
    assert changes["persona name"] == ("lena", "persona:norm", "Norm", "Kit")
    assert changes["persona signature"] == (
        "lena",
        "persona:norm",
        "Norm, your repair coordinator at the Repair Shop",
        "Kit, at the Fixit desk",
    )
    assert changes["persona voice"][3] == "Warm.\nNo jokes on Mondays."
    # Stored as YAML, the persona's one format, read back the same
    source = PersonaOverride.objects.get(key="norm").source
    assert "name: Kit\n" in source and "voice: |\n  Warm.\n  No jokes on Mondays.\n" in source
    page = client.get(NORM).content.decode()
    assert "Saved: name, signature, voice. The next message speaks this way." in page
    assert re.search(r"<td>lena</td><td>persona name</td>\s*<td class=\"was\">Norm</td><td>Kit</td>", page)
    # The next real message signs with it
    assert "Kit, at the Fixit desk" in next_order_message().body_text


def test_saving_what_is_there_saves_nothing_and_says_so() -> None:
    client = lead_client()
    response = client.post(NORM, persona_form(client), follow=True)
    assert "Nothing had changed, so nothing was saved." in response.content.decode()
    assert SettingChange.objects.count() == 0
    assert PersonaOverride.objects.count() == 0


def test_voice_notes_posted_with_crlf_lines_as_browsers_do_are_not_a_change() -> None:
    client = lead_client()
    form = persona_form(client)
    form["voice"] = str(form["voice"]).replace("\n", "\r\n")
    response = client.post(NORM, form, follow=True)
    assert "Nothing had changed, so nothing was saved." in response.content.decode()
    assert SettingChange.objects.count() == 0


def test_an_avatar_is_checked_shrunk_served_to_anyone_and_kept_for_sent_mail() -> None:
    client = lead_client()
    assert client.post(NORM, {**persona_form(client), "avatar": image(1200, 900)}).status_code == 302
    source = PersonaOverride.objects.get(key="norm").source
    name = re.search(r"avatar: (persona/[0-9a-f]{24}\.png)", source)
    assert name is not None
    url = reverse("console:persona_avatar", args=[name.group(1).split("/")[1]])
    served = Client().get(url)  # anyone: it is in emails
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    with Image.open(io.BytesIO(served.content)) as shown:
        assert shown.size == (256, 192)
    assert f'src="{url}"' in client.get(NORM).content.decode()
    change = SettingChange.objects.get(field="persona avatar")
    assert (change.before, change.after) == ("touchpoints/norm.svg", name.group(1))
    # A new face is a new address; the old one stays served for the emails that show it
    assert client.post(NORM, {**persona_form(client), "avatar": image(64, 64)}).status_code == 302
    assert Client().get(url).status_code == 200
    # Removing it leaves the messages without a face
    assert client.post(NORM, {**persona_form(client), "avatar_remove": "on"}).status_code == 302
    assert "avatar:" not in PersonaOverride.objects.get(key="norm").source
    assert "No avatar: messages show none." in client.get(NORM).content.decode()


@pytest.mark.parametrize(
    "name", ["../shop/x.png", "abc.png", "0123456789abcdef01234567.gif", "0123456789abcdef01234567.png"]
)
def test_only_stored_avatars_are_served(name: str) -> None:
    assert Client().get(f"/console/shop/persona/avatar/{name}").status_code == 404


def test_a_file_that_is_not_an_image_is_refused_beside_the_field_and_nothing_changes() -> None:
    client = lead_client()
    fake = io.BytesIO(b"MZ\x90\x00 not a picture at all")
    fake.name = "face.png"
    form = {**persona_form(client, name="Kit"), "avatar": fake}
    response = client.post(NORM, form)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was saved: see below." in page
    assert "face.png" in page and 'value="Kit"' in page  # what was typed is kept
    assert PersonaOverride.objects.count() == 0
    assert SettingChange.objects.count() == 0


def test_a_huge_image_is_refused_with_the_limit(settings: Any) -> None:
    settings.TOUCHPOINT_PHOTO_MAX_BYTES = 100 * 1024
    client = lead_client()
    big = image(1000, 1000, "BMP", "huge.png")  # an uncompressed 3 MB
    big.name = "huge.png"
    response = client.post(NORM, {**persona_form(client), "avatar": big})
    assert response.status_code == 400
    assert "“huge.png” is too large: an avatar can be up to 0.1 MB." in response.content.decode()
    assert PersonaOverride.objects.count() == 0


def test_too_many_pixels_are_refused_by_the_photo_check() -> None:
    client = lead_client()
    response = client.post(NORM, {**persona_form(client), "avatar": image(9000, 9000, "JPEG", "wide.jpg")})
    assert response.status_code == 400
    assert "wide.jpg" in response.content.decode()
    assert PersonaOverride.objects.count() == 0


@pytest.mark.parametrize(
    ("changed", "said"),
    [
        ({"name": ""}, "Give the persona a name, e.g. Norm."),
        ({"name": "N" * 61}, "Keep the name short: up to 60 characters."),
        ({"signature": "Kit\nand friends"}, "The signature is one line: join the lines."),
        ({"signature": ""}, "Write the signature every message ends with."),
        ({"voice": "v" * 4001}, "Voice notes can be up to 4000 characters."),
    ],
)
def test_bad_values_are_said_beside_their_field(changed: dict[str, str], said: str) -> None:
    client = lead_client()
    response = client.post(NORM, persona_form(client, **changed))
    assert response.status_code == 400
    assert said in response.content.decode()
    assert PersonaOverride.objects.count() == 0


def test_two_leads_at_once_the_second_is_told_and_keeps_what_they_typed() -> None:
    first, second = lead_client("lena"), lead_client("omar")
    form_first = persona_form(first, name="Kit")
    form_second = persona_form(second, name="Nora", signature="Nora at the desk")
    assert first.post(NORM, form_first).status_code == 302
    response = second.post(NORM, form_second)
    assert response.status_code == 409
    page = response.content.decode()
    assert "someone else saved the persona while you were editing" in page
    assert 'value="Nora"' in page and 'value="Nora at the desk"' in page
    assert list(SettingChange.objects.values_list("by_name", "after")) == [("lena", "Kit")]
    # The form now carries the fresh stamp: saving again goes through
    again = response.context["form"].data.copy()
    assert second.post(NORM, again).status_code == 302
    assert "name: Nora\n" in PersonaOverride.objects.get(key="norm").source


def test_the_preview_follows_what_is_typed_without_saving() -> None:
    client = lead_client()
    form = persona_form(client, name="Kit", signature="Kit, at the Fixit desk")
    response = client.post(PREVIEW, form, headers={"HX-Request": "true"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "<!doctype" not in page.lower()  # the partial only
    assert '<p class="persona-name">Kit</p>' in page
    texts = [t.text for row in response.context["rows"] for t in row.tones]
    assert any("Kit, at the Fixit desk" in text for text in texts)
    # The email frame speaks as typed, under a CSP of its own: nothing runs, nothing loads from elsewhere
    row = response.context["rows"][0]
    frame = client.get(row.tones[1].email_url.replace("&amp;", "&"))
    assert frame.status_code == 200
    assert "Kit, at the Fixit desk" in frame.content.decode()
    csp = frame["Content-Security-Policy"]
    assert "sandbox" in csp and "default-src 'none'" in csp and "frame-ancestors 'self'" in csp
    assert frame["X-Frame-Options"] == "SAMEORIGIN"
    assert PersonaOverride.objects.count() == 0 and SettingChange.objects.count() == 0


def test_preview_without_script_is_the_page_as_typed_and_saves_nothing() -> None:
    client = lead_client()
    response = client.post(NORM, {**persona_form(client, name="Kit"), "preview": "1"})
    assert response.status_code == 200
    assert '<p class="persona-name">Kit</p>' in response.content.decode()
    assert PersonaOverride.objects.count() == 0


def test_the_email_frame_refuses_what_is_not_a_message() -> None:
    client = lead_client()
    url = reverse("console:persona_email", args=["norm"])
    assert client.get(url, {"journey": "mail-in-repair", "touchpoint": "nope", "tone": "playful"}).status_code == 404
    assert client.get(url, {"journey": "nope", "touchpoint": "order_received", "tone": "sober"}).status_code == 404
    assert (
        client.get(url, {"journey": "mail-in-repair", "touchpoint": "order_received", "tone": "x"}).status_code == 404
    )


def test_an_unknown_persona_is_not_found() -> None:
    assert lead_client().get(reverse("console:shop_persona_key", args=["nobody"])).status_code == 404


def test_agents_are_refused_and_strangers_sent_to_sign_in() -> None:
    agent = Client()
    agent.force_login(StaffFactory(username="ana", role=Role.AGENT))
    for url in (PERSONA, NORM):
        refused = agent.get(url)
        assert refused.status_code == 403
        assert "lead" in refused.content.decode()
    assert agent.post(NORM, {"name": "Hacked", "signature": "x", "stamp": "shipped"}).status_code == 403
    assert agent.post(PREVIEW, {"name": "x"}).status_code == 403
    assert agent.get(reverse("console:persona_email", args=["norm"])).status_code == 403
    stranger = Client().get(NORM)
    assert stranger.status_code == 302
    assert stranger["Location"].startswith(reverse("console:login"))
    assert PersonaOverride.objects.count() == 0
