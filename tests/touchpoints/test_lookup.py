"""Where a message's words come from: the journey's own file, else the shared one, else the generic;
each part in its tone, else tone-free (a sober message never borrows playful words); an SMS a file
doesn't write is derived. A shop edits one file (or one admin override) for one message."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.template import TemplateDoesNotExist
from django.test import Client
from django.urls import reverse

from tests.quotes.repair import repair_case
from tests.support.factories import CustomerFactory
from tests.touchpoints.test_checks import MINI
from touchpoint.cases.journeys import journey_register
from touchpoint.cases.models import Case, JourneyVersion
from touchpoint.journeys import load_journey
from touchpoint.journeys.library import library_file
from touchpoint.links.services import link_issue
from touchpoint.outbox.models import OutboxMessage
from touchpoint.touchpoints.checks import template_check
from touchpoint.touchpoints.models import TemplateOverride
from touchpoint.touchpoints.persona import persona_load
from touchpoint.touchpoints.rendering import (
    DERIVED,
    GENERIC,
    SHIPPED_DIR,
    RenderedTouchpoint,
    sample_context,
    sms_derive,
    sms_segments,
    template_find,
    touchpoint_engine,
    touchpoint_render,
)

URL = "https://repairs.example.com/c/sampleLinkTokenAsLongAsARealOne43Characters/"


def shop(tmp_path: Path, files: dict[str, str]) -> tuple[str, ...]:
    """A shop's template folder holding ``files`` (paths under ``touchpoints/``), before the shipped one."""
    for name, source in files.items():
        path = tmp_path / "touchpoints" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
    return (str(tmp_path), str(SHIPPED_DIR))


def words(**parts: str) -> str:
    """A template file: one partial per keyword (``sober_subject="…"``, ``text="…"``)."""
    return "".join(f"{{% partialdef {name} %}}{body}{{% endpartialdef %}}\n" for name, body in parts.items())


def render(dirs: tuple[str, ...], template: str, tone: str) -> RenderedTouchpoint:
    context = sample_context(
        persona=persona_load(key="norm"), summary="The summary.", label="Arrived", next_step="", journey_title="Mini"
    )
    return touchpoint_render(engine=touchpoint_engine(dirs=dirs), template=template, tone=tone, context=context)


TONE_FREE = words(subject="{{ case.reference }}: Same", text="Same words.", html="<p>Same words.</p>")


def test_the_journeys_own_file_comes_before_the_shared_one_and_the_shared_before_the_generic(tmp_path: Path) -> None:
    dirs = shop(
        tmp_path,
        {"shared/arrived.html": TONE_FREE, "shared/fixed.html": TONE_FREE, "mini-repair/fixed.html": TONE_FREE},
    )
    engine = touchpoint_engine(dirs=dirs)
    assert template_find(engine=engine, journey="mini-repair", key="fixed") == "touchpoints/mini-repair/fixed.html"
    assert template_find(engine=engine, journey="mini-repair", key="arrived") == "touchpoints/shared/arrived.html"
    assert template_find(engine=engine, journey="other", key="fixed") == "touchpoints/shared/fixed.html"
    assert template_find(engine=engine, journey="mini-repair", key="home") == GENERIC


def test_a_tone_free_part_says_both_tones_and_a_tones_own_part_comes_first(tmp_path: Path) -> None:
    dirs = shop(tmp_path, {"shared/arrived.html": TONE_FREE + words(playful_subject="{{ case.reference }}: Yay")})
    playful = render(dirs, "touchpoints/shared/arrived.html", "playful")
    sober = render(dirs, "touchpoints/shared/arrived.html", "sober")
    assert (playful.subject, sober.subject) == ("TP-4K7Q9: Yay", "TP-4K7Q9: Same")
    assert playful.text.startswith("Same words.\n") and sober.text.startswith("Same words.\n")
    assert playful.partials == (("subject", "playful_subject"), ("text", "text"), ("html", "html"), ("sms", DERIVED))
    assert sober.partials == (("subject", "subject"), ("text", "text"), ("html", "html"), ("sms", DERIVED))


def test_a_sober_message_never_gets_playful_words_and_the_check_names_the_file_and_part(tmp_path: Path) -> None:
    # given a shop's shared file that says the subject only playfully
    playful_only = words(playful_subject="{{ case.reference }}: Yay!", text="Words.", html="<p>Words.</p>")
    dirs = shop(tmp_path, {"shared/arrived.html": playful_only})
    # then the playful message renders, the sober one refuses rather than borrow the playful words
    assert render(dirs, "touchpoints/shared/arrived.html", "playful").subject == "TP-4K7Q9: Yay!"
    with pytest.raises(TemplateDoesNotExist):
        render(dirs, "touchpoints/shared/arrived.html", "sober")
    # and `journey check` says which file lacks which sober words
    findings = [d.format() for d in template_check(load_journey(MINI), dirs=dirs)]
    assert findings == [
        f"{tmp_path / 'touchpoints/shared/arrived.html'}: error T301 missing-template: touch point `arrived` has no "
        "sober words for the subject: no `sober_subject` partial and no tone-free `subject` — add {% partialdef "
        "sober_subject %}…{% endpartialdef %} (or {% partialdef subject %} for words the same in both tones)"
    ]


def test_a_shared_file_a_journey_uses_is_checked_and_a_tone_free_fault_is_said_once(tmp_path: Path) -> None:
    nickname = TONE_FREE.replace("Same words.", "{{ customer.nickname }}", 1).replace(": Same", ": {{ data.nope }}")
    dirs = shop(tmp_path, {"shared/arrived.html": nickname})
    found = [(d.code, d.message) for d in template_check(load_journey(MINI), dirs=dirs)]
    # the subject's fault is not said again for the SMS derived from it
    assert found == [
        ("T302", "`arrived` (playful subject) uses `data.nope`, which isn't defined"),
        ("T302", "`arrived` (playful text) uses `customer.nickname`, which isn't defined"),
    ]


def test_a_file_without_html_gets_its_text_as_paragraphs_with_the_values_escaped(tmp_path: Path) -> None:
    text = (
        "\n  Hi {{ customer.first_name }},\n\nLine one & {{ shop.name }}\nline two <b>{{ summary }}</b>\n\n\n\nEnd.\n"
    )
    dirs = shop(tmp_path, {"shared/arrived.html": words(subject="S", text=text)})
    got = render(dirs, "touchpoints/shared/arrived.html", "sober")
    assert got.html_body == (
        "<p>Hi Ian,</p>\n"
        "<p>Line one & The Repair Shop<br>\nline two <b>The summary.</b></p>\n"  # the template's own words as written
        "<p>End.</p>"
    )
    assert got.partials[2] == ("html", DERIVED)
    # a value that holds markup is escaped, as in a written html part
    shop(tmp_path, {"shared/fixed.html": words(subject="S", text="{{ summary }}")})
    context = sample_context(
        persona=persona_load(key="norm"), summary="<script>x</script>", label="", next_step="", journey_title=""
    )
    engine = touchpoint_engine(dirs=dirs)
    html = touchpoint_render(engine=engine, template="touchpoints/shared/fixed.html", tone="sober", context=context)
    assert html.html_body == "<p>&lt;script&gt;x&lt;/script&gt;</p>"


def test_a_file_without_an_sms_gets_the_subject_and_the_case_link(tmp_path: Path) -> None:
    dirs = shop(tmp_path, {"shared/arrived.html": TONE_FREE})
    for tone in ("playful", "sober"):
        sms = render(dirs, "touchpoints/shared/arrived.html", tone).sms
        assert sms == f"TP-4K7Q9: Same {URL} Reply to reach a person."


@pytest.mark.parametrize(
    ("subject", "segments"),
    [("TP-4K7Q9: " + "x" * 290, 2), ("TP-4K7Q9: " + "€" * 290, 2), ("TP-4K7Q9: Your iPod – " + "é" * 280, 2)],
)
def test_a_derived_sms_is_shortened_to_two_segments(subject: str, segments: int) -> None:
    sms = sms_derive(subject=subject, url=URL)
    assert sms_segments(sms) == segments
    assert sms.startswith("TP-4K7Q9: ")
    assert sms.endswith(f"... {URL} Reply to reach a person.")
    kept = sms.split("... ")[0]
    assert subject.startswith(kept)
    longer = f"{subject[: len(kept) + 1]}... {URL} Reply to reach a person."
    assert sms_segments(longer) == 3  # one character more of the subject would not fit


# Through the product: the admin saves an override; the customer's feedback on their page sends it.

THANKS = words(subject="{{ case.reference }}: Thanks from the shop", text="Our thanks.", html="<p>Our thanks.</p>")


def register(name: str) -> JourneyVersion:
    path = library_file(name)
    assert path is not None
    return journey_register(source=path.read_text(), filename=str(path))


def feedback_thanks(client: Client) -> OutboxMessage:
    """A repaired device is home; its customer rates us 5 on their page: the thanks it sends."""
    case = repair_case(CustomerFactory.create(name="Ian Kearns"), "feedback_asked")
    post = {"csat": "5", "comment": "", "display_name": "Ian", "town": "", "version": case.version}
    response = client.post(reverse("portal:feedback_send", args=[link_issue(case=case)]), post)
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).state == "completed"
    return OutboxMessage.objects.get(case=case, touchpoint="thanks_for_feedback")


def save_override(admin_client: Client, journey: str, key: str, source: str) -> TemplateOverride:
    add = "/admin/touchpoints/templateoverride/add/"
    response = admin_client.post(add, {"journey": journey, "key": key, "source": source, "_save": "Save"})
    assert response.status_code == 302, response.content.decode()
    return TemplateOverride.objects.get(journey=journey, key=key)


@pytest.mark.django_db
def test_a_shared_override_is_sent_by_every_journey_without_its_own_and_a_journeys_own_wins(
    admin_client: Client, client: Client
) -> None:
    repair, order = register("mail-in-repair"), register("order-problem")
    assert feedback_thanks(client).subject.endswith(": Thanks for the feedback!")  # the shipped shared file
    # when the shop edits the shared thanks in the admin
    save_override(admin_client, "shared", "thanks_for_feedback", THANKS)
    # then the next thanks says it, with an SMS derived from its subject
    message = feedback_thanks(client)
    assert message.case is not None
    assert message.subject == f"{message.case.reference}: Thanks from the shop"
    assert "Our thanks." in message.body_text
    # and the preview of each journey using it shows it, says where it comes from and links to both edits
    for version in (repair, order):
        page = admin_client.get(f"/admin/touchpoints/touchpointpreview/{version.pk}/change/").content.decode()
        assert "<strong>Subject:</strong> TP-4K7Q9: Thanks from the shop</p>" in page
        assert (
            "template <code>touchpoints/shared/thanks_for_feedback.html</code> (shared by every journey without its "
            "own) (the shop's own, edited here)"
        ) in page
        assert (
            "Words from: subject <code>subject</code> · text <code>text</code> · html <code>html</code> · sms "
            "<code>derived</code>" in page
        )
        assert f"?journey={version.name}&amp;key=thanks_for_feedback\">Write {version.name}'s own</a>" in page
    # when the shop writes mail-in-repair's own thanks, that journey says it and the others keep the shared
    save_override(
        admin_client, "mail-in-repair", "thanks_for_feedback", THANKS.replace("Our thanks.", "Repair thanks.")
    )
    assert "Repair thanks." in feedback_thanks(client).body_text
    order_page = admin_client.get(f"/admin/touchpoints/touchpointpreview/{order.pk}/change/").content.decode()
    assert "Our thanks." in order_page and "Repair thanks." not in order_page


@pytest.mark.django_db
def test_a_shared_override_no_journey_would_send_is_refused(admin_client: Client, tmp_path: Path) -> None:
    register("mail-in-repair")
    # order_received: mail-in-repair has its own file, so shared words for it would never be sent
    add = "/admin/touchpoints/templateoverride/add/"
    post = {"journey": "shared", "key": "order_received", "source": THANKS, "_save": "Save"}
    page = admin_client.post(add, post).content.decode()
    assert "Every journey that sends “order_received” has its own words, so shared ones would never be sent." in page
    assert TemplateOverride.objects.count() == 0


@pytest.mark.django_db
def test_the_add_page_for_a_shared_message_starts_from_the_shared_file(admin_client: Client) -> None:
    register("mail-in-repair")
    page = admin_client.get("/admin/touchpoints/templateoverride/add/?journey=shared&key=still_on_it").content
    assert "An update: we&#x27;re still working on it" in page.decode()


def test_shipped_shared_files_are_used_and_each_names_its_journeys() -> None:
    shared = sorted(p.stem for p in (SHIPPED_DIR / "touchpoints" / "shared").glob("*.html"))
    assert shared == ["follow_up_done", "still_on_it", "thanks_for_feedback"]
    engine = touchpoint_engine(dirs=(str(SHIPPED_DIR),))
    for key in shared:
        users = [
            name
            for name in ("mail-in-repair", "order-problem", "walk-in-warranty")
            if key in load_journey(library_file(name)).journey.touchpoints  # type: ignore[arg-type]
        ]
        assert len(users) >= 2, key
        for name in users:
            assert template_find(engine=engine, journey=name, key=key) == f"touchpoints/shared/{key}.html"
        header = (SHIPPED_DIR / "touchpoints" / "shared" / f"{key}.html").read_text().splitlines()[0]
        assert header.endswith(f"({', '.join(users)}) #}}"), header
