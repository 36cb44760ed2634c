"""The shop's settings page: a lead changes the shop, each change is audited with before and after;
agents are refused; each bad input is said beside its field, with what was typed kept."""

from __future__ import annotations

import html as html_lib
import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from tests.shop.given import SHOP, lead_client, shop_form
from tests.support.factories import StaffFactory
from touchpoint.shop.models import SettingChange, ShopSettings
from touchpoint.shop.selectors import shop_from_email, shop_settings

pytestmark = pytest.mark.django_db


def png(width: int = 40, height: int = 20) -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "PNG")
    out.seek(0)
    out.name = "logo.png"
    return out


def test_first_read_keeps_what_the_environment_said(settings: object) -> None:
    row = shop_settings()
    assert row.name == "The Repair Shop"
    assert row.address_lines == ["Repairs Dept.", "12 Workshop Lane", "Bristol", "BS1 4QT", "United Kingdom"]
    assert shop_from_email() == "Norm at the Repair Shop <norm@touchpoint.localhost>"
    assert row.currency == "gbp"
    assert row.brand_colour == "#1f5fa8"
    assert ShopSettings.objects.count() == 1
    assert SettingChange.objects.count() == 0


def test_a_lead_renames_the_shop_and_the_page_shows_the_change() -> None:
    client = lead_client()
    response = client.post(SHOP, shop_form(client, name="Fixit Bristol"))
    assert response.status_code == 302
    change = SettingChange.objects.get()
    assert (change.by_name, change.area, change.subject, change.field) == ("lena", "shop", "shop", "name")
    assert (change.before, change.after) == ("The Repair Shop", "Fixit Bristol")
    assert shop_settings().name == "Fixit Bristol"  # no stale copy after the edit
    page = client.get(SHOP).content.decode()
    assert "Saved: name." in page
    assert re.search(
        r"<td>lena</td>\s*<td>name</td>\s*<td class=\"was\">The Repair Shop</td><td>Fixit Bristol</td>", page
    )
    assert 'value="Fixit Bristol"' in page


def test_each_changed_field_is_one_audit_row_and_unchanged_ones_none() -> None:
    client = lead_client()
    form = shop_form(
        client,
        address="Fixit Ltd\n1 Quay St\n\nBristol BS1",
        sender_name="Kit at Fixit",
        sender_email="kit@fixit.example",
        currency="EUR",
        brand_colour="#0B6E4F",
        bank_details="Fixit Ltd · IBAN DE00 0000",
    )
    assert client.post(SHOP, form).status_code == 302
    changes = {c.field: (c.before, c.after) for c in SettingChange.objects.all()}
    assert changes == {
        "address": (
            "Repairs Dept.\n12 Workshop Lane\nBristol\nBS1 4QT\nUnited Kingdom",
            "Fixit Ltd\n1 Quay St\nBristol BS1",
        ),
        "sender_name": ("Norm at the Repair Shop", "Kit at Fixit"),
        "sender_email": ("norm@touchpoint.localhost", "kit@fixit.example"),
        "currency": ("gbp", "eur"),
        "brand_colour": ("#1f5fa8", "#0b6e4f"),
        "bank_details": ("", "Fixit Ltd · IBAN DE00 0000"),
    }
    assert shop_from_email() == "Kit at Fixit <kit@fixit.example>"
    # Saving the same again changes nothing and records nothing.
    response = client.post(SHOP, shop_form(client), follow=True)
    assert "Nothing had changed, so nothing was saved." in response.content.decode()
    assert SettingChange.objects.count() == 6


def test_an_agent_is_refused_with_a_403_and_nothing_changes() -> None:
    client = Client()
    client.force_login(StaffFactory(username="alex"))
    assert client.get(SHOP).status_code == 403
    response = client.post(SHOP, {"name": "Mine now"})
    assert response.status_code == 403
    assert "lead" in response.content.decode()
    assert SettingChange.objects.count() == 0
    assert shop_settings().name == "The Repair Shop"


def test_a_visitor_not_signed_in_is_sent_to_sign_in() -> None:
    response = Client().get(SHOP)
    assert response.status_code == 302
    assert "next=/console/shop/" in response["Location"]


@pytest.mark.parametrize(
    ("field", "typed", "said"),
    [
        ("name", "", "Write the shop's name, as customers know it."),
        ("address", "a\nb\nc\nd\ne\nf\ng", "The address has 7 lines; at most 6 fit on the prepaid label."),
        ("sender_email", "norm at fixit", "Write the address emails come from as name@domain"),
        ("currency", "XYZ", "“XYZ” isn't a currency code we know: use an ISO 4217 code such as GBP, EUR or USD."),
        ("currency", "pounds", "Write the currency as its three-letter code, e.g. GBP, EUR or USD."),
        ("brand_colour", "blue-ish", "“blue-ish” isn't a colour: write it as #rrggbb, e.g. #1f5fa8."),
        (
            "brand_colour",
            "#ffdd00",
            "White text on #ffdd00 has a contrast of 1.3:1, too faint to read a button's label",
        ),
        ("brand_colour", "#7a9ec4", "White text on #7a9ec4 has a contrast of 2.8:1"),
    ],
)
def test_a_bad_value_is_said_beside_its_field_and_what_was_typed_is_kept(field: str, typed: str, said: str) -> None:
    client = lead_client()
    form = shop_form(client, **{"name": "Fixit Bristol", field: typed})
    response = client.post(SHOP, form)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was saved: see below." in html
    errors = re.search(rf'<ul class="errorlist field-error" id="id_{field}_error">(.*?)</ul>', html, re.S)
    assert errors is not None and said in html_lib.unescape(errors.group(1))
    assert 'aria-invalid="true"' in html
    if field != "name":
        assert 'value="Fixit Bristol"' in html  # the rest of what was typed is kept
    assert SettingChange.objects.count() == 0
    assert shop_settings().name == "The Repair Shop"


def test_a_colour_dark_enough_is_taken_in_any_case_and_short_form() -> None:
    client = lead_client()
    assert client.post(SHOP, shop_form(client, brand_colour="#A40")).status_code == 302
    assert shop_settings().brand_colour == "#aa4400"


def test_a_form_drawn_before_someone_elses_save_is_refused_keeping_what_was_typed() -> None:
    lena, omar = lead_client("lena"), lead_client("omar")
    stale = shop_form(lena, name="Lena's name")
    assert omar.post(SHOP, shop_form(omar, name="Omar's name")).status_code == 302
    response = lena.post(SHOP, stale)
    assert response.status_code == 409
    html = response.content.decode()
    assert "someone else saved the settings while you were editing" in html
    assert 'value="Lena&#x27;s name"' in html
    assert shop_settings().name == "Omar's name"
    # Saved again from that page, it goes through.
    assert lena.post(SHOP, shop_form(lena, name="Lena's name")).status_code == 302
    assert shop_settings().name == "Lena's name"


def test_a_logo_is_re_encoded_audited_served_to_anyone_and_removable() -> None:
    client = lead_client()
    assert client.post(SHOP, {**shop_form(client), "logo": png()}).status_code == 302
    row = shop_settings()
    name = row.logo.name.rsplit("/", 1)[-1]
    assert re.fullmatch(r"[0-9a-f]{24}\.png", name)
    change = SettingChange.objects.get()
    assert (change.field, change.before, change.after) == ("logo", "", row.logo.name)
    served = Client().get(reverse("console:shop_logo", args=[name]))
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(served.content)).size == (40, 20)
    assert f'src="/console/shop/logo/{name}"' in client.get(SHOP).content.decode()
    assert Client().get("/console/shop/logo/../../settings.py").status_code == 404
    assert Client().get("/console/shop/logo/" + "0" * 24 + ".png").status_code == 404
    assert client.post(SHOP, {**shop_form(client), "logo_remove": "on"}).status_code == 302
    assert not shop_settings().logo
    assert SettingChange.objects.filter(field="logo").count() == 2


def test_a_file_that_isnt_an_image_is_refused_as_a_logo() -> None:
    client = lead_client()
    fake = io.BytesIO(b"<script>alert(1)</script>")
    fake.name = "logo.png"
    response = client.post(SHOP, {**shop_form(client, name="Fixit"), "logo": fake})
    assert response.status_code == 400
    assert "“logo.png” isn't a JPEG, PNG or WebP photo." in html_lib.unescape(response.content.decode())
    assert not shop_settings().logo
    assert SettingChange.objects.count() == 0


def test_the_audit_is_read_only_in_the_admin() -> None:
    from tests.support.factories import StaffFactory as Staff
    from touchpoint.staff.models import Role

    client = lead_client()
    client.post(SHOP, shop_form(client, name="Fixit Bristol"))
    admin = Client()
    admin.force_login(Staff(username="ada", role=Role.ADMIN, is_staff=True, is_superuser=True))
    change = SettingChange.objects.get()
    listing = admin.get(reverse("admin:shop_settingchange_changelist"))
    assert listing.status_code == 200 and "Fixit Bristol" in listing.content.decode()
    assert admin.get(reverse("admin:shop_settingchange_add")).status_code == 403
    admin.post(reverse("admin:shop_settingchange_delete", args=[change.pk]), {"post": "yes"})
    assert SettingChange.objects.filter(pk=change.pk).exists()


def test_a_large_logo_is_made_small_enough_for_an_email() -> None:
    client = lead_client()
    assert client.post(SHOP, {**shop_form(client), "logo": png(3000, 1000)}).status_code == 302
    name = shop_settings().logo.name.rsplit("/", 1)[-1]
    served = Client().get(reverse("console:shop_logo", args=[name]))
    assert Image.open(io.BytesIO(served.content)).size == (600, 200)
    assert len(served.content) < 20_000
