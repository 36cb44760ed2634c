"""The catalog in the console: search, add, edit, retire (never delete), and CSV export and import
(a preview that stores nothing, line-numbered errors, confirm), every change audited."""

from __future__ import annotations

import html
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from tests.shop.given import lead_client
from tests.support.factories import StaffFactory
from touchpoint.catalog.models import DeviceModel, Problem
from touchpoint.catalog.selectors import device_models_offered, problems_offered
from touchpoint.shop.models import SettingChange

pytestmark = pytest.mark.django_db

CATALOG = reverse("console:shop_catalog")
IMPORT = reverse("console:shop_catalog_import")


def new_model(client: Client, **typed: str) -> object:
    form = {
        "slug": "nano-4g",
        "name": "Nano Player 4G",
        "kind": "music_player",
        "diagnosis_price": "29.00",
        "active": "on",
    }
    return client.post(reverse("console:shop_item_new", args=["models"]), {**form, **typed})


def upload(client: Client, kind: str, text: str) -> object:
    file = io.BytesIO(text.encode())
    file.name = f"{kind}.csv"
    return client.post(IMPORT, {"kind": kind, "file": file})


def page(response: object) -> str:
    return html.unescape(response.content.decode())  # type: ignore[attr-defined]


def test_a_lead_adds_edits_and_retires_a_model_and_each_change_is_audited() -> None:
    client = lead_client()
    assert new_model(client).status_code == 302
    assert [m.slug for m in device_models_offered()] == ["nano-4g"]
    edit = reverse("console:shop_item", args=["models", "nano-4g"])
    response = client.post(
        edit, {"name": "Nano Player 4G", "kind": "music_player", "diagnosis_price": "£35", "active": "on"}
    )
    assert response.status_code == 302
    assert DeviceModel.objects.get().diagnosis_price == Decimal("35.00")
    assert (
        client.post(reverse("console:shop_item_retire", args=["models", "nano-4g"]), {"offer": "no"}).status_code == 302
    )
    assert device_models_offered() == []
    assert DeviceModel.objects.filter(slug="nano-4g", active=False).exists()  # retired, never deleted
    changes = [(c.subject, c.field, c.before, c.after) for c in SettingChange.objects.order_by("pk")]
    assert changes == [
        ("nano-4g", "slug", "", "nano-4g"),
        ("nano-4g", "name", "", "Nano Player 4G"),
        ("nano-4g", "kind", "", "music_player"),
        ("nano-4g", "diagnosis_price", "", "29.00"),
        ("nano-4g", "active", "", "yes"),
        ("nano-4g", "diagnosis_price", "29.00", "35.00"),
        ("nano-4g", "active", "yes", "no"),
    ]
    listing = page(client.get(CATALOG))
    assert "Nano Player 4G" in listing and "retired" in listing and "Offer again" in listing
    assert "Device model nano-4g: active" in listing


def test_the_slug_of_an_item_can_not_change_once_added() -> None:
    client = lead_client()
    new_model(client)
    edit = reverse("console:shop_item", args=["models", "nano-4g"])
    client.post(edit, {"slug": "other", "name": "Nano", "kind": "phone", "diagnosis_price": "29", "active": "on"})
    assert list(DeviceModel.objects.values_list("slug", "name", "kind")) == [("nano-4g", "Nano", "phone")]


def test_bad_inputs_on_the_add_page_are_said_beside_each_field_and_kept() -> None:
    client = lead_client()
    new_model(client)
    response = new_model(client, name="Nano Again", diagnosis_price="1E+30", kind="toaster")
    assert response.status_code == 400
    text = page(response)
    assert "Nothing was added: see below." in text
    assert "Write the amount in full, like 39.00 (not 1E+30)." in text
    assert "The kind must be one of: music_player, phone, tablet." in text
    assert 'value="Nano Again"' in text
    response = new_model(client, name="Nano Again")
    assert "There is already one with the slug nano-4g: edit it instead." in page(response)
    response = new_model(client, slug="Nano 4G!", diagnosis_price="-3")
    assert "A slug has only lower-case letters, digits and hyphens, e.g. nano-4g." in page(response)
    assert "Ensure this value is greater than or equal to 0" in page(response)
    assert DeviceModel.objects.count() == 1


def test_search_finds_by_name_or_slug_in_both_lists() -> None:
    client = lead_client()
    new_model(client)
    new_model(client, slug="slate-air-10", name="Slate Tab Air 10", kind="tablet")
    client.post(
        reverse("console:shop_item_new", args=["problems"]),
        {"slug": "screen", "label": "Cracked screen", "typical_price": "89", "position": "0", "active": "on"},
    )
    found = client.get(CATALOG, {"q": "slate"})
    assert [m.slug for m in found.context["models"]] == ["slate-air-10"]
    assert found.context["problems"] == []
    assert "No problem matches “slate”." in page(found)
    assert [p.slug for p in client.get(CATALOG, {"q": "cracked"}).context["problems"]] == ["screen"]


def test_an_agent_gets_a_403_on_every_catalog_page_and_changes_nothing() -> None:
    client = Client()
    client.force_login(StaffFactory(username="alex"))
    for url in [CATALOG, IMPORT, reverse("console:shop_catalog_export", args=["models"])]:
        assert client.get(url).status_code == 403
    assert new_model(client).status_code == 403
    assert upload(client, "models", "slug,name,kind,diagnosis_price,active\n").status_code == 403
    assert DeviceModel.objects.count() == 0


MODELS_CSV = (
    "slug,name,kind,diagnosis_price,active\r\n"
    "nano-4g,Nano Player 4G,music_player,35.00,yes\r\n"
    "slate-air-10,Slate Tab Air 10,tablet,49.00,no\r\n"
)


def test_an_import_previews_stores_nothing_then_applies_on_confirm() -> None:
    client = lead_client()
    new_model(client)  # nano-4g at 29.00
    preview = upload(client, "models", MODELS_CSV)
    assert preview.status_code == 200
    text = page(preview)
    assert "Preview: nothing is stored yet" in text
    assert "1 to add, 1 to change, 0 already as the file says." in text
    assert "diagnosis_price 29.00 → 35.00" in text
    assert list(DeviceModel.objects.values_list("slug", "diagnosis_price")) == [("nano-4g", Decimal("29.00"))]
    plan = preview.context["plan"]
    confirm = client.post(IMPORT, {"kind": "models", "text": MODELS_CSV, "digest": plan.digest, "confirm": "yes"})
    assert confirm.status_code == 302
    assert "Imported device models: 1 added, 1 changed." in page(client.get(CATALOG))
    got = {m.slug: (m.name, m.diagnosis_price, m.active) for m in DeviceModel.objects.all()}
    assert got == {
        "nano-4g": ("Nano Player 4G", Decimal("35.00"), True),
        "slate-air-10": ("Slate Tab Air 10", Decimal("49.00"), False),
    }
    assert SettingChange.objects.filter(subject="slate-air-10").count() == 5
    assert SettingChange.objects.filter(subject="nano-4g", field="diagnosis_price", after="35.00").exists()


def test_a_confirm_after_the_catalog_changed_shows_the_new_plan_instead() -> None:
    client = lead_client()
    new_model(client)
    plan = upload(client, "models", MODELS_CSV).context["plan"]
    edit = reverse("console:shop_item", args=["models", "nano-4g"])
    client.post(edit, {"name": "Nano Player 4G", "kind": "music_player", "diagnosis_price": "35", "active": "on"})
    response = client.post(IMPORT, {"kind": "models", "text": MODELS_CSV, "digest": plan.digest, "confirm": "yes"})
    assert response.status_code == 409
    assert "The catalog changed since this preview" in page(response)
    assert "1 to add, 0 to change, 1 already as the file says." in page(response)
    assert not DeviceModel.objects.filter(slug="slate-air-10").exists()


def test_line_numbered_errors_say_what_to_fix_and_nothing_is_stored() -> None:
    client = lead_client()
    text = (
        "slug,name,kind,diagnosis_price,active\n"
        "nano-4g,Nano Player 4G,music_player,35.00,yes\n"
        "\n"
        "slate,Slate,fridge,49.00,yes\n"
        "bad slug,Thing,phone,1_000,maybe\n"
        "nano-4g,Again,phone,10,yes\n"
        "short,Short,phone\n"
    )
    response = upload(client, "models", text)
    assert response.status_code == 400
    errors = response.context["plan"].errors
    assert errors == [
        "Line 4 (slate): kind: The kind must be one of: music_player, phone, tablet.",
        "Line 5 (bad slug): active: write yes or no (not “maybe”); slug: A slug has only lower-case letters, digits "
        "and hyphens, e.g. nano-4g.; diagnosis_price: Write the amount without underscores, like 1000.00 or 1,000.00.",
        "Line 6: nano-4g is already on line 2. Keep one of them.",
        "Line 7: it has 3 cells, the header 5. Check for a stray comma.",
    ]
    assert "Nothing was imported. Fix these lines" in page(response)
    assert DeviceModel.objects.count() == 0
    # A confirm can't sneak a file with errors through either.
    client.post(IMPORT, {"kind": "models", "text": text, "digest": "x", "confirm": "yes"})
    assert DeviceModel.objects.count() == 0


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (
            "slug,name,price\n",
            "Line 1 must name the columns slug, name, kind, diagnosis_price, active (missing: kind, "
            "diagnosis_price, active) (not ours: price). Export the catalog to get a file with them.",
        ),
        ("", "Line 1 must name the columns slug, name, kind, diagnosis_price, active. Export the catalog"),
    ],
)
def test_a_file_with_the_wrong_columns_is_refused_saying_which(text: str, said: str) -> None:
    response = upload(lead_client(), "models", text)
    assert response.status_code == 400
    assert said in page(response)


def test_a_file_that_isnt_utf8_or_no_file_is_said_clearly() -> None:
    client = lead_client()
    file = io.BytesIO("slug,name\nn,Caf\xe9".encode("latin-1"))
    file.name = "x.csv"
    response = client.post(IMPORT, {"kind": "models", "file": file})
    assert response.status_code == 400
    assert "The file isn't UTF-8 text" in page(response)
    response = client.post(IMPORT, {"kind": "models"})
    assert response.status_code == 400 and "Choose a CSV file to import." in page(response)
    response = client.post(IMPORT, {"kind": "cars"})
    assert response.status_code == 400 and "Choose whether the file lists device models or problems." in page(response)


def test_export_round_trips_through_import_with_nothing_to_change() -> None:
    client = lead_client()
    new_model(client, name='=HYPERLINK("http://evil")')  # a formula stays text in a spreadsheet
    new_model(client, slug="slate-air-10", name='Slate, Tab "Air" 10', kind="tablet", active="")
    client.post(
        reverse("console:shop_item_new", args=["problems"]),
        {"slug": "screen", "label": "Cracked screen", "typical_price": "89.5", "position": "2", "active": "on"},
    )
    exported = client.get(reverse("console:shop_catalog_export", args=["models"]))
    assert exported["Content-Type"] == "text/csv; charset=utf-8"
    assert exported["Content-Disposition"] == 'attachment; filename="catalog-models.csv"'
    assert exported.content.decode() == (
        "slug,name,kind,diagnosis_price,active\r\n"
        'nano-4g,"\'=HYPERLINK(""http://evil"")",music_player,29.00,yes\r\n'
        'slate-air-10,"Slate, Tab ""Air"" 10",tablet,29.00,no\r\n'
    )
    problems = client.get(reverse("console:shop_catalog_export", args=["problems"])).content.decode()
    assert problems == "slug,label,typical_price,position,active\r\nscreen,Cracked screen,89.50,2,yes\r\n"
    for kind, text in [("models", exported.content.decode()), ("problems", problems)]:
        plan = upload(client, kind, text).context["plan"]
        assert (plan.errors, plan.added, plan.changed, plan.unchanged) == ([], [], [], 2 if kind == "models" else 1)
    assert DeviceModel.objects.get(slug="nano-4g").name == '=HYPERLINK("http://evil")'


def test_problems_import_and_the_order_form_offers_them_in_order() -> None:
    client = lead_client()
    text = "slug,label,typical_price,position,active\nbattery,Battery drains,45,1,yes\nscreen,Cracked screen,89,0,yes\n"
    plan = upload(client, "problems", text).context["plan"]
    client.post(IMPORT, {"kind": "problems", "text": text, "digest": plan.digest, "confirm": "yes"})
    assert problems_offered() == [
        ("screen", "Cracked screen"),
        ("battery", "Battery drains"),
        ("not_sure", "Not sure what's wrong"),
    ]
    assert Problem.objects.get(slug="battery").typical_price == Decimal("45.00")


def test_the_catalog_page_asks_the_same_few_queries_however_many_items() -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = lead_client()
    new_model(client)
    client.get(CATALOG)
    with CaptureQueriesContext(connection) as few:
        assert client.get(CATALOG).status_code == 200
    for n in range(20):
        new_model(client, slug=f"model-{n}", name=f"Model {n}")
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(CATALOG).context["models"]) == 21
    # the session, the person, their two-factor device, the two lists and the changes
    assert len(many) == len(few) == 6
