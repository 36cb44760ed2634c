"""A shop's own template and persona, edited in the admin: checked before saving (T301–T303), a
broken one saved nowhere, and a saved one used by the very next message, before the files."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.factories import CustomerFactory
from tests.support.orders import place_repair_order
from touchpoint.cases.journeys import journey_register
from touchpoint.journeys.library import library_file
from touchpoint.outbox.models import OutboxMessage
from touchpoint.touchpoints.models import PersonaOverride, TemplateOverride

pytestmark = pytest.mark.django_db
ADD = "/admin/touchpoints/templateoverride/add/"


def template(subject: str, body: str = "Hello {{ customer.first_name }}, {{ summary }}") -> str:
    parts = []
    for tone in ("playful", "sober"):
        parts += [
            f"{{% partialdef {tone}_subject %}}{{{{ case.reference }}}}: {subject}{{% endpartialdef %}}",
            f"{{% partialdef {tone}_text %}}{body}{{% endpartialdef %}}",
            f"{{% partialdef {tone}_html %}}<p>{body}</p>{{% endpartialdef %}}",
            f"{{% partialdef {tone}_sms %}}{{{{ case.reference }}}}: {subject}{{% endpartialdef %}}",
        ]
    return "\n".join(parts)


@pytest.fixture(autouse=True)
def journey(db: Any) -> None:
    path = library_file("mail-in-repair")
    assert path is not None
    journey_register(source=path.read_text(), filename=str(path))


def new_order() -> OutboxMessage:
    case = place_repair_order(CustomerFactory(name="Ian Kearns"))
    message = OutboxMessage.objects.filter(case=case).order_by("-id").first()
    assert message is not None
    assert message.touchpoint == "order_received"
    return message


def post(admin_client: Any, source: str, key: str = "order_received") -> Any:
    return admin_client.post(ADD, {"journey": "mail-in-repair", "key": key, "source": source, "_save": "Save"})


def test_a_saved_template_is_used_by_the_next_message_and_an_edit_by_the_one_after(admin_client: Any) -> None:
    before = new_order()
    assert before.subject.endswith("Your order is in – let's get your Nano (4th gen) better")
    # When the shop saves its own order_received template in the admin
    response = post(admin_client, template("Order in, {{ customer.first_name }}!"))
    assert response.status_code == 302
    saved = TemplateOverride.objects.get()
    assert (saved.journey, saved.key, saved.updated_by is not None) == ("mail-in-repair", "order_received", True)
    # Then the next order's message uses it, before the shipped file
    message = new_order()
    assert message.subject == f"{message.case.reference}: Order in, Ian!"
    assert "Hello Ian, We've got your order; how to pay" in message.body_text
    # and an edit is used at once (no restart: the engine is keyed by the overrides)
    edit = admin_client.post(
        f"/admin/touchpoints/templateoverride/{saved.pk}/change/",
        {"journey": "mail-in-repair", "key": "order_received", "source": template("Got it"), "_save": "Save"},
    )
    assert edit.status_code == 302
    again = new_order()
    assert again.subject == f"{again.case.reference}: Got it"
    # and deleting it brings the file back
    TemplateOverride.objects.all().delete()
    assert new_order().subject.endswith("Your order is in – let's get your Nano (4th gen) better")


@pytest.mark.parametrize(
    ("source", "error"),
    [
        (
            template("Oops {% if %}"),
            "T303 template-error: `order_received`: Template: touchpoints/mail-in-repair/order_received.html, "
            "Unexpected end of expression in if tag. — fix the template syntax",
        ),
        (
            template("Hi {{ customer.nickname }}"),
            "T302 undefined-variable: `order_received` (playful subject) uses `customer.nickname`, which isn&#x27;t "
            "defined",
        ),
        (
            template("Fine").replace("{% partialdef sober_text %}", "{% partialdef sober_txt %}"),
            "T301 missing-template: touch point `order_received` has no sober words for the text: no `sober_text` "
            "partial and no tone-free `text` — add {% partialdef sober_text %}…{% endpartialdef %} (or {% partialdef "
            "text %} for words the same in both tones)",
        ),
    ],
)
def test_a_broken_template_shows_the_check_and_saves_nothing(admin_client: Any, source: str, error: str) -> None:
    response = post(admin_client, source)
    html = response.content.decode()
    assert response.status_code == 200
    assert error in html
    assert 'class="errorlist' in html
    # what was typed is kept, and nothing was saved or used
    assert "sober_subject" in html
    assert TemplateOverride.objects.count() == 0
    assert new_order().subject.endswith("Your order is in – let's get your Nano (4th gen) better")


def test_a_key_the_journey_does_not_send_is_refused(admin_client: Any) -> None:
    response = post(admin_client, template("Hi"), key="order_recieved")
    assert response.status_code == 200
    assert (
        "mail-in-repair has no touch point called “order_recieved”: use one listed under `touchpoints:`."
        in response.content.decode()
    )
    assert TemplateOverride.objects.count() == 0


def test_the_add_page_starts_from_the_template_in_the_files(admin_client: Any) -> None:
    html = admin_client.get(ADD + "?journey=mail-in-repair&key=order_received").content.decode()
    assert "{% partialdef playful_subject %}" in html
    assert "let&#x27;s get your {{ device }} better" in html


def test_a_persona_edit_signs_the_next_message_and_bad_yaml_is_refused(admin_client: Any) -> None:
    add = "/admin/touchpoints/personaoverride/add/"
    # A broken persona is refused with what to fix, and saved nowhere
    broken = admin_client.post(add, {"key": "norm", "source": "name: [Norm\n", "_save": "Save"})
    assert broken.status_code == 200
    assert (
        "This isn&#x27;t valid YAML at line 1, column 12: expected &#x27;,&#x27; or &#x27;]&#x27;, but got "
        "&#x27;&lt;stream end&gt;&#x27;." in broken.content.decode()
    )
    missing = admin_client.post(add, {"key": "norm", "source": "name: Norma\nmood: sunny\n", "_save": "Save"})
    assert "Unknown field mood: a persona has name, signature, voice and avatar." in missing.content.decode()
    assert "`signature` is missing: write it as text, e.g. `signature: Norm`." in missing.content.decode()
    assert PersonaOverride.objects.count() == 0
    # A good one signs the next message
    good = admin_client.post(
        add, {"key": "norm", "source": "name: Norma\nsignature: Norma at the Fix-It Desk\n", "_save": "Save"}
    )
    assert good.status_code == 302
    assert "Norma at the Fix-It Desk" in new_order().body_text


def test_the_persona_add_page_starts_from_the_shipped_norm(admin_client: Any) -> None:
    html = admin_client.get("/admin/touchpoints/personaoverride/add/").content.decode()
    assert "signature: Norm, your repair coordinator at the Repair Shop" in html


def test_the_preview_shows_the_shops_own_template_and_links_to_edit_each_message(admin_client: Any) -> None:
    from touchpoint.cases.models import JourneyVersion

    version = JourneyVersion.objects.get(name="mail-in-repair")
    assert post(admin_client, template("Order in, {{ customer.first_name }}!")).status_code == 302
    saved = TemplateOverride.objects.get()
    html = admin_client.get(f"/admin/touchpoints/touchpointpreview/{version.pk}/change/").content.decode()
    assert "<strong>Subject:</strong> TP-4K7Q9: Order in, Ian!" in html
    assert (
        "template <code>touchpoints/mail-in-repair/order_received.html</code> (the shop's own, edited here) · "
        f'<a href="/admin/touchpoints/templateoverride/{saved.pk}/change/">Edit this message</a>'
    ) in html
    assert (
        '<a href="/admin/touchpoints/templateoverride/add/?journey=mail-in-repair&amp;key=arrived_resting">'
        "Edit this message</a>"
    ) in html
    assert '<a href="/admin/touchpoints/personaoverride/add/?key=norm">Edit the persona</a>' in html
