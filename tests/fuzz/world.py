"""The shop the fuzzing runs against, made the way people make it: orders through the order service,
the diagnosis through the quote service the console's quote panel calls, a photo sent from the
customer's page, a card checkout started with "Pay by card", a remedy asked of a lead from the
remedies panel's service. Every URL pattern then has a real object to aim at: a case's link, a
case's reference, a quote, a photo, a demo checkout, a remedy request, a journey, a person."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from tests.quotes.repair import crew, customer_says, repair_case
from tests.support.factories import CustomerFactory, StaffFactory
from tests.support.orders import place_repair_order, register_library
from touchpoint.cases.models import Case, JourneyVersion
from touchpoint.demopay.models import DemoSession
from touchpoint.flows.payments import card_checkout_start
from touchpoint.flows.quotes import LineInput, quote_propose
from touchpoint.inbox.models import InboundAttachment
from touchpoint.insights.report import FIGURES
from touchpoint.links.services import link_issue
from touchpoint.payments.providers.registry import card_provider
from touchpoint.quotes.models import Quote
from touchpoint.remedies.models import RemedyRequest
from touchpoint.remedies.services.requests import remedy_request
from touchpoint.staff.models import Role, StaffUser

STRIPE_SECRET = "whsec_fuzz_touchpoint"
EMAIL_SECRET = "fuzz-email-secret-0123456789"
TEAMS = ["intake", "bench", "shipping", "care", "warehouse", "counter"]


def configure(settings: Any, media: Path) -> None:
    """Every surface switched on: the demo card page (which signs Stripe's events with the demo's
    secret), signed inbound email, photos kept under a temporary media root."""
    settings.TOUCHPOINT_PAYMENT_PROVIDERS = ["offline", "demo"]
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_WEBHOOK_SECRET = STRIPE_SECRET
    settings.TOUCHPOINT_INBOUND_WEBHOOK_SECRET = EMAIL_SECRET
    settings.TOUCHPOINT_CURRENCY = "gbp"
    settings.MEDIA_ROOT = str(media)


@dataclass
class World:
    waiting: Case  # a repair whose diagnosis found extra work: the customer's OK is awaited
    waiting_token: str
    surgery: Case  # on the bench: the quote form is open
    home: Case  # back home repaired: the customer is asked for feedback
    home_token: str
    quote: Quote
    unpaid: Case  # an order waiting for payment, its card checkout started
    unpaid_token: str
    session: DemoSession
    photo: InboundAttachment
    ask: RemedyRequest
    journey: JourneyVersion
    staff: dict[str, StaffUser]
    # What each path parameter's real value is, by its name in the URL pattern.
    path_values: dict[str, list[str]] = field(default_factory=dict)


def _png() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (24, 16), (40, 90, 200)).save(out, "PNG")
    return SimpleUploadedFile("crack.png", out.getvalue(), content_type="image/png")


def _send_photo(token: str) -> InboundAttachment:
    """The customer sends a photo from their case page (the messages panel's form)."""
    client = Client()
    page = client.get(f"/c/{token}/").content.decode()
    nonce = re.search(r'name="nonce" value="([0-9a-f]{32})"', page)
    assert nonce is not None, "the case page offers the message form"
    response = client.post(
        f"/c/{token}/messages/", {"text": "Here is the crack.", "nonce": nonce.group(1), "photos": [_png()]}
    )
    assert response.status_code in (302, 303), response.status_code
    return InboundAttachment.objects.latest("pk")


def build() -> World:
    staff = {
        "agent": StaffFactory(username="fuzz-agent", teams=TEAMS),
        "lead": StaffFactory(username="fuzz-lead", role=Role.LEAD, teams=TEAMS),
        "admin": StaffFactory(username="fuzz-admin", role=Role.ADMIN, teams=TEAMS, is_staff=True, is_superuser=True),
    }
    register_library("mail-in-repair")
    register_library("order-problem")
    register_library("walk-in-warranty")

    case = repair_case(CustomerFactory(name="Ian Kearns", email="ian@example.com"), "in_surgery")
    battery = LineInput("New battery", "The old one holds a charge for ten minutes.", Decimal("39.00"))
    proposed = quote_propose(case=case, version=case.version, by=crew(), lines=[battery], finding="He pulled through.")
    assert proposed.quote is not None
    waiting, token = proposed.case, link_issue(case=proposed.case)

    surgery = repair_case(CustomerFactory(name="Tom Riley", email="tom@example.com"), "in_surgery")
    home = customer_says(repair_case(CustomerFactory(name="Maya Okafor"), "return_in_post"), "return_delivered")
    assert home.state == "feedback_asked", home.state

    unpaid = place_repair_order(CustomerFactory(name="Ana Lopez", email="ana@example.com"))
    unpaid_token = link_issue(case=unpaid)
    provider = card_provider()
    assert provider is not None, "the demo card provider is on"
    payment = card_checkout_start(
        case=unpaid,
        seen_version=unpaid.version,
        provider=provider,
        success_url=f"http://testserver/c/{unpaid_token}/?payment=done",
        cancel_url=f"http://testserver/c/{unpaid_token}/?payment=cancelled",
    )
    session = DemoSession.objects.get(pk=payment.provider_ref)
    unpaid.refresh_from_db()

    photo = _send_photo(token)
    waiting.refresh_from_db()
    ask = remedy_request(
        case=waiting,
        user=staff["agent"],
        kind="refund",
        amount="60",
        reason="Cracked in our care",
        expected_version=waiting.version,
        idempotency_key="fuzz-ask",
    )
    waiting.refresh_from_db()
    journey = JourneyVersion.objects.get(name="mail-in-repair")
    world = World(
        waiting=waiting,
        waiting_token=token,
        surgery=surgery,
        home=home,
        home_token=link_issue(case=home),
        quote=proposed.quote,
        unpaid=unpaid,
        unpaid_token=unpaid_token,
        session=session,
        photo=photo,
        ask=ask,
        journey=journey,
        staff=staff,
    )
    world.path_values = {
        "token": [token, unpaid_token, world.home_token],
        "reference": [waiting.reference, unpaid.reference, surgery.reference, home.reference],
        "session_id": [session.pk],
        "photo": [str(photo.pk)],
        "file_id": [str(photo.pk)],
        "pk": [str(ask.pk)],
        "username": [u.username for u in staff.values()],
        "name": [journey.name],
        "version": [str(journey.version)],
        "key": sorted(FIGURES),
    }
    return world
