"""The prepaid label and packing instructions a customer prints to send their device in (a PDF).

Page 1 is the shipping label: from the address given with the order to the shop's, the case reference as a
QR code and a Code 128 barcode (the scan station reads either), and "postage paid". Page 2 says
how to pack the device, what not to send and where to drop it. The PDF is made on demand (the
tracking page's download, the dispatch emails' attachment), never stored."""

from __future__ import annotations

import io
import unicodedata
from importlib import import_module
from typing import TYPE_CHECKING, Any

from django.conf import settings

from touchpoint.cases.models import Case
from touchpoint.shop.selectors import shop_settings

if TYPE_CHECKING:
    from touchpoint.outbox.models import OutboxMessage

# reportlab ships no type information; loaded by name so strict mypy needs no ignore here (with a
# `reportlab.*` ignore_missing_imports override in pyproject these could be plain imports).
renderPDF: Any = import_module("reportlab.graphics.renderPDF")
code128: Any = import_module("reportlab.graphics.barcode.code128")
qr: Any = import_module("reportlab.graphics.barcode.qr")
Drawing: Any = import_module("reportlab.graphics.shapes").Drawing
Canvas: Any = import_module("reportlab.pdfgen.canvas").Canvas
A4: tuple[float, float] = import_module("reportlab.lib.pagesizes").A4
mm: float = import_module("reportlab.lib.units").mm
simpleSplit: Any = import_module("reportlab.lib.utils").simpleSplit

# From the moment we pack the repair kit until the device is on its way to us: the customer may
# need to (re)print the label. `box_lost` included: a kit that went missing may be replaced by the
# customer's own packaging with this label.
LABEL_STATES = frozenset(
    {"box_to_send", "box_in_post", "box_lost", "awaiting_device", "device_reminded", "device_not_sent"}
)

PACKING_STEPS = [
    "Switch the device off. If it has a passcode, note it on a slip of paper and put it in the box.",
    "Wrap the device in the protective sleeve from the kit (or bubble wrap), screen facing inwards.",
    "Put it in the box with the foam on every side, so nothing moves when you shake it gently.",
    "Put the printed slip with your reference in the box too.",
    "Seal the box with tape, then slide it into the postal bag and seal the bag.",
    "Stick the label (page 1) on the bag, flat, so the barcode isn't folded or covered.",
]
DO_NOT_SEND = [
    "Chargers, cables, cases or memory cards (we can't promise to send them back).",
    "A device with a swollen or leaking battery: write to us first, it can't go by post.",
    "Anything other than the one device this repair is for.",
]
DROP_OFF = [
    "Take the parcel to any post office, or drop it in a parcel postbox. Postage is paid.",
    "Ask for (or keep) the proof of posting: it carries the tracking number.",
    "We'll tell you the moment it arrives. Questions? Reply to any email from us, or use "
    "'Talk to a person' on your case page.",
]


def label_applies(*, case: Case) -> bool:
    """True when the case's customer may need the prepaid label now: they asked for a prepaid box,
    and the device is not yet on its way to us."""
    return bool(case.data.get("prepaid_box")) and case.state in LABEL_STATES


def _latin(text: str) -> str:
    """The standard PDF fonts speak Windows-1252: keep every character they have, decompose the
    rest (é → e) and replace what's left, so a name never breaks the label."""
    out = []
    for char in text:
        try:
            char.encode("cp1252")
            out.append(char)
        except UnicodeEncodeError:
            plain = unicodedata.normalize("NFKD", char).encode("cp1252", "ignore").decode("cp1252")
            out.append(plain or "?")
    return "".join(out)


def _customer_lines(case: Case) -> list[str]:
    """The address given with this order (kept on the case). Never the customer record's: whoever
    holds the case's link may have ordered with someone else's email address."""
    given = case.data.get("return_address") if isinstance(case.data, dict) else None
    if isinstance(given, dict) and given.get("line1"):
        parts = [str(given.get(key, "")).strip() for key in ("name", "line1", "line2", "town", "postcode")]
        lines = [part for part in parts if part][:5]
        country = str(given.get("country", "")).upper()
        if country and country != "GB":
            lines.append(country)
        return lines
    return [case.contact_name or "(your name and address)"]


def _qr(canvas: Any, value: str, *, x: float, y: float, size: float) -> None:
    widget = qr.QrCodeWidget(value, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, x, y)


def _label_page(canvas: Any, case: Case, *, outbound: bool = False) -> None:
    """The label's box: from the customer to the shop (the prepaid label), or the other way round
    (``outbound``: the kit or the device going to them, when no label was bought)."""
    width, height = A4
    left, top = 15 * mm, height - 15 * mm
    shop = shop_settings()
    shop_lines = [shop.name, *shop.address_lines]
    customer_lines = _customer_lines(case)
    from_lines, to_lines = (shop_lines, customer_lines) if outbound else (customer_lines, shop_lines)
    canvas.setTitle(f"{case.reference} {'parcel' if outbound else 'prepaid'} label")
    canvas.setLineWidth(1.5)
    bottom = 120 * mm  # the label's box: from here to 15 mm below the top edge
    canvas.rect(left, bottom, width - 2 * left, top - bottom)
    canvas.setFont("Helvetica-Bold", 14)
    canvas.drawString(left + 6 * mm, top - 10 * mm, _latin(settings.TOUCHPOINT_LABEL_SERVICE))
    canvas.setFont("Helvetica", 9)
    canvas.drawString(left + 6 * mm, top - 22 * mm, "FROM")
    canvas.setFont("Helvetica", 10)
    y = top - 27 * mm
    for line in from_lines[:7]:
        canvas.drawString(left + 6 * mm, y, _latin(line))
        y -= 4.5 * mm
    canvas.setFont("Helvetica", 9)
    canvas.drawString(left + 6 * mm, top - 62 * mm, "TO")
    canvas.setFont("Helvetica-Bold", 16)
    y = top - 69 * mm
    for line in to_lines[:7]:  # clear of the barcode
        canvas.drawString(left + 6 * mm, y, _latin(line))
        y -= 7 * mm
    # The reference twice over: a QR code for phones, a Code 128 barcode for the scan station.
    _qr(canvas, case.reference, x=width - left - 50 * mm, y=top - 58 * mm, size=44 * mm)
    barcode = code128.Code128(case.reference, barHeight=22 * mm, barWidth=0.6 * mm, humanReadable=False)
    barcode.drawOn(canvas, left + 6 * mm, bottom + 20 * mm)
    canvas.setFont("Helvetica-Bold", 22)
    canvas.drawString(left + 6 * mm, bottom + 8 * mm, case.reference)
    canvas.setFont("Helvetica", 10)
    canvas.drawString(left + 70 * mm, bottom + 8 * mm, "Cut along the box and stick it flat on the parcel.")
    canvas.setFont("Helvetica", 11)
    if not outbound:
        canvas.drawString(left, bottom - 10 * mm, "Packing instructions are on page 2. Keep this page flat and dry.")


def _instructions_page(canvas: Any, case: Case) -> None:
    width, height = A4
    left = 20 * mm
    text_width = width - 2 * left - 7 * mm
    y = height - 25 * mm
    canvas.setFont("Helvetica-Bold", 18)
    canvas.drawString(left, y, f"How to pack your device ({case.reference})")
    for heading, items in (("Packing", PACKING_STEPS), ("Please don't send", DO_NOT_SEND), ("Posting", DROP_OFF)):
        y -= 14 * mm
        canvas.setFont("Helvetica-Bold", 13)
        canvas.drawString(left, y, heading)
        canvas.setFont("Helvetica", 11)
        for number, item in enumerate(items, start=1):
            y -= 7 * mm
            bullet = f"{number}." if heading == "Packing" else "-"
            canvas.drawString(left, y, bullet)
            for part, line in enumerate(simpleSplit(_latin(item), "Helvetica", 11, text_width)):
                y -= 5.5 * mm if part else 0
                canvas.drawString(left + 7 * mm, y, line)
    canvas.setFont("Helvetica", 9)
    canvas.drawString(left, 15 * mm, _latin(f"{shop_settings().name} · reference {case.reference}"))


def label_pdf(*, case: Case, compress: bool = True) -> bytes:
    """The two-page PDF for ``case``. ``compress=False`` leaves the page streams readable (tests)."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1 if compress else 0, invariant=True)
    canvas.setAuthor(_latin(shop_settings().name))
    _label_page(canvas, case)
    canvas.showPage()
    _instructions_page(canvas, case)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def parcel_label_pdf(*, case: Case, compress: bool = True) -> bytes:
    """The shop's own one-page label for a parcel it sends the customer (the kit, the device home),
    printed at the scan station when no label was bought through an aggregator."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1 if compress else 0, invariant=True)
    canvas.setAuthor(_latin(shop_settings().name))
    _label_page(canvas, case, outbound=True)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def label_filename(*, case: Case) -> str:
    return f"{case.reference}-prepaid-label.pdf"


def label_attachment(message: OutboxMessage) -> tuple[str, bytes, str]:
    """The outbox's maker for the ``box_label`` kind (``TOUCHPOINT_ATTACHMENT_MAKERS``)."""
    if message.case_id is None:
        raise ValueError("a box label needs the message's case")
    case = Case.objects.select_related("customer").get(pk=message.case_id)
    return label_filename(case=case), label_pdf(case=case), "application/pdf"
