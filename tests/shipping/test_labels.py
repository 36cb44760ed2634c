"""The prepaid label PDF: two pages, the reference as text, QR code and Code 128, both addresses.

No PDF reader is installed (reportlab only writes), so the tests read the raw PDF written with
page compression off: the page objects, and the text drawn in each page's content stream."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import override_settings

from tests.quotes.repair import customer_says, pay_offline, scan
from tests.support.factories import CustomerFactory
from tests.support.orders import place_repair_order, register_library
from tests.support.timers import time_runs_out
from touchpoint.cases.models import Case
from touchpoint.customers.services import Contact
from touchpoint.shipping.labels import LABEL_STATES, label_applies, label_attachment, label_pdf


@pytest.fixture
def mail_in_repair(db: Any) -> None:
    register_library("mail-in-repair")


def prepaid_case(name: str = "Zoë Ärnold") -> Case:
    owner = CustomerFactory(name=name, address_line1="1 High Street", town="Leeds", postcode="LS1 1AA")
    return place_repair_order(owner, prepaid_box=True)


def _pdf_string(raw: bytes) -> str:
    """A PDF literal string's escapes (octal codes, escaped brackets) undone; the fonts use cp1252."""
    unescaped = re.sub(rb"\\([0-7]{1,3}|.)", lambda m: bytes([int(m[1], 8)]) if m[1].isdigit() else m[1], raw)
    return unescaped.decode("cp1252")


def drawn_text(pdf: bytes) -> list[str]:
    """Every string drawn with Tj, in order, from uncompressed content streams."""
    return [_pdf_string(m) for m in re.findall(rb"\(((?:[^\\)]|\\.)*)\) Tj", pdf)]


def test_the_label_has_two_pages_the_reference_and_both_addresses(mail_in_repair: None) -> None:
    case = prepaid_case()
    with override_settings(TOUCHPOINT_SHOP_ADDRESS=["Repairs Dept.", "12 Workshop Lane", "Bristol", "BS1 4QT"]):
        pdf = label_pdf(case=case, compress=False)

    assert pdf.startswith(b"%PDF-1.")
    assert len(re.findall(rb"/Type /Page\b(?!s)", pdf)) == 2
    text = drawn_text(pdf)
    # From the customer (a name outside Latin-1 would be decomposed; this one fits cp1252 as is)
    assert text[text.index("FROM") + 1 : text.index("FROM") + 5] == ["Zoë Ärnold", "1 High Street", "Leeds", "LS1 1AA"]
    # to the shop
    assert text[text.index("TO") + 1 : text.index("TO") + 6] == [
        "The Repair Shop",
        "Repairs Dept.",
        "12 Workshop Lane",
        "Bristol",
        "BS1 4QT",
    ]
    assert case.reference in text
    assert f"How to pack your device ({case.reference})" in text
    assert any(line.startswith("Chargers, cables, cases or memory cards") for line in text)
    assert f"/Title ({case.reference} prepaid label)".encode() in pdf


def test_a_name_the_standard_fonts_cannot_draw_is_decomposed_not_dropped(mail_in_repair: None) -> None:
    case = prepaid_case(name="Łukasz Dvořák")
    text = drawn_text(label_pdf(case=case, compress=False))
    assert text[text.index("FROM") + 1] == "?ukasz Dvorák"


def test_the_barcode_and_qr_code_carry_the_reference(mail_in_repair: None, monkeypatch: pytest.MonkeyPatch) -> None:
    # Record what the drawing code hands reportlab's barcode widgets (their rendering is reportlab's).
    import touchpoint.shipping.labels as labels

    seen: list[tuple[str, str]] = []
    real_code128, real_qr = labels.code128.Code128, labels.qr.QrCodeWidget

    class Spy128(real_code128):  # type: ignore[misc,valid-type]
        def __init__(self, value: str, **kw: Any) -> None:
            seen.append(("code128", value))
            super().__init__(value, **kw)

    class SpyQr(real_qr):  # type: ignore[misc,valid-type]
        def __init__(self, value: str, **kw: Any) -> None:
            seen.append(("qr", value))
            super().__init__(value, **kw)

    monkeypatch.setattr(labels.code128, "Code128", Spy128)
    monkeypatch.setattr(labels.qr, "QrCodeWidget", SpyQr)
    case = prepaid_case()
    label_pdf(case=case)
    assert sorted(seen) == [("code128", case.reference), ("qr", case.reference)]


def test_the_label_applies_to_a_prepaid_box_until_the_device_is_on_its_way(mail_in_repair: None) -> None:
    # A prepaid-box case taken through every state where the kit (and its label) is with the customer
    case = prepaid_case()
    seen = [(case.state, label_applies(case=case))]
    for step in (
        pay_offline,  # box_to_send
        lambda c: scan(c, "dispatched"),  # box_in_post
        time_runs_out,  # box_lost
        lambda c: customer_says(c, "box_delivered"),  # awaiting_device
        time_runs_out,  # device_reminded
        time_runs_out,  # device_not_sent
        lambda c: customer_says(c, "device_posted"),  # device_in_transit: the label has done its job
    ):
        case = step(case)
        seen.append((case.state, label_applies(case=case)))
    assert seen == [
        ("awaiting_payment", False),
        *[(state, True) for state in ("box_to_send", "box_in_post", "box_lost")],
        *[(state, True) for state in ("awaiting_device", "device_reminded", "device_not_sent")],
        ("device_in_transit", False),
    ]
    assert {state for state, applies in seen if applies} == LABEL_STATES
    # Without a prepaid box, no label, even while we wait for the device
    own = pay_offline(place_repair_order(CustomerFactory(), prepaid_box=False))
    assert (own.state, label_applies(case=own)) == ("awaiting_device", False)


def test_the_outbox_maker_names_the_file_after_the_case(mail_in_repair: None) -> None:
    from touchpoint.outbox.models import OutboxMessage

    case = prepaid_case()
    message = OutboxMessage.objects.filter(case=case).first()
    assert message is not None
    filename, data, mimetype = label_attachment(message)
    assert (filename, mimetype) == (f"{case.reference}-prepaid-label.pdf", "application/pdf")
    assert data.startswith(b"%PDF-1.")


def test_a_long_shop_address_stays_clear_of_the_barcode(mail_in_repair: None) -> None:
    long_address = ["Repairs Dept.", "Unit 4", "12 Workshop Lane", "Industrial Estate", "Bristol", "BS1 4QT", "UK", "X"]
    # An install whose environment gave a long address (the console takes six lines at most)
    with override_settings(TOUCHPOINT_SHOP_ADDRESS=long_address):
        case = prepaid_case()
        pdf = label_pdf(case=case, compress=False)
    placed = {
        _pdf_string(text): float(y)
        for y, text in re.findall(rb"1 0 0 1 [\d.]+ ([\d.]+) Tm \(((?:[^\\)]|\\.)*)\) Tj", pdf)
    }
    # The Code 128 bars are drawn 140–162 mm above the page's bottom edge (22 mm tall).
    barcode_top = 162 * 72 / 25.4
    shown = ["The Repair Shop", *long_address[:6]]  # the name and six lines fit; the rest is cut
    assert all(placed[line] > barcode_top + 12 for line in shown)
    assert "X" not in placed
    assert placed[case.reference] < barcode_top - 22 * 72 / 25.4


def test_the_label_is_from_the_address_given_with_this_order(mail_in_repair: None) -> None:
    owner = CustomerFactory(name="M. Okafor", address_line1="1 Old Road", town="Leeds", postcode="LS1 1AA")
    # She orders again from another address: the record of her keeps the old one, this order the new
    typed = Contact(
        name="Maya Okafor", email=owner.email, address_line1="12 Mill Lane", town="Bristol", postcode="BS1 4DJ"
    )
    case = place_repair_order(owner, prepaid_box=True, contact=typed)
    owner.refresh_from_db()
    assert (owner.name, owner.address_line1) == ("M. Okafor", "1 Old Road")
    text = drawn_text(label_pdf(case=case, compress=False))
    assert text[text.index("FROM") + 1 : text.index("FROM") + 5] == [
        "Maya Okafor",
        "12 Mill Lane",
        "Bristol",
        "BS1 4DJ",
    ]
