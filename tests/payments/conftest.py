"""A mail-in-repair case with a priced device model, and Stripe at the internet edge.

Stripe's API is served from recorded response bodies (``recorded/*.json``) by an HTTP client the
``stripe`` library itself calls; it keeps every request so a test can assert what was sent."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
import stripe

from tests.support.factories import CustomerFactory
from tests.support.orders import place_repair_order, register_library, shop_catalog
from touchpoint.cases.models import Case
from touchpoint.customers.models import Customer
from touchpoint.flows.payments import card_checkout_start
from touchpoint.outbox.models import OutboxMessage
from touchpoint.payments.models import Payment
from touchpoint.payments.providers import registry

RECORDED = Path(__file__).parent / "recorded"
WEBHOOK_SECRET = "whsec_test_touchpoint"
ECHOED = ("expires_at", "success_url", "cancel_url", "client_reference_id", "customer_email")


def register_mail_in_repair() -> None:
    """The shipped mail-in-repair journey, and the nano-4g it repairs (diagnosis £39.00)."""
    register_library("mail-in-repair")
    shop_catalog()


@pytest.fixture
def mail_in_repair(db: Any) -> None:
    register_mail_in_repair()


def open_repair(customer: Customer | None = None, *, prepaid_box: bool = False) -> Case:
    """Ian orders a Nano repair on the order page ("not sure what's wrong"); it waits for payment."""
    return place_repair_order(customer or CustomerFactory(name="Ian Kearns"), prepaid_box=prepaid_box)


class RecordedStripe(stripe.HTTPClient):
    """Stripe's side of the wire, replayed: each request gets the next recorded body for its path."""

    name = "recorded"

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[dict[str, Any]] = []
        self.replies: list[tuple[str, int, dict[str, Any]]] = []
        self.sessions: dict[str, dict[str, Any]] = {}  # idempotency key -> the session first answered

    def reply(
        self, recorded: str, status: int = 200, *, fields: dict[str, Any] | None = None, **changes: Any
    ) -> dict[str, Any]:
        """Queue the recorded body ``recorded`` with ``changes`` (``fields`` for names that clash
        with this method's own, such as a refund's ``status``)."""
        body = json.loads((RECORDED / f"{recorded}.json").read_text())
        body.update(changes)
        body.update(fields or {})
        self.replies.append((recorded, status, body))
        return body

    def request(
        self, method: str, url: str, headers: Any, post_data: Any = None, *, _usage: Any = None
    ) -> tuple[str, int, dict[str, str]]:
        form = dict(parse_qsl(post_data.decode() if isinstance(post_data, bytes) else (post_data or "")))
        key = headers.get("Idempotency-Key", "")
        self.requests.append({"method": method, "url": url, "form": form, "idempotency_key": key})
        if key and key in self.sessions:  # Stripe answers a repeated key with the first response
            return json.dumps(self.sessions[key]), 200, {"idempotent-replayed": "true"}
        if not self.replies:
            raise AssertionError(f"no recorded Stripe response left for {method} {url}")
        _name, status, body = self.replies.pop(0)
        if status == 200 and body.get("object") == "checkout.session":
            # Stripe answers with the session as asked for: the recorded body carries what this request set.
            body = {**body, **{k: form[k] for k in ECHOED if k in form}}
            body["expires_at"] = int(body["expires_at"])
            body["metadata"] = {"case": form.get("metadata[case]", "")}
        if key and status == 200:
            self.sessions[key] = body
        return json.dumps(body), status, {"request-id": "req_recorded"}

    def request_stream(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("Touchpoint never streams from Stripe")

    def close(self) -> None:
        pass


def install_recorded_stripe(settings: Any, monkeypatch: pytest.MonkeyPatch) -> RecordedStripe:
    """Stripe switched on with test keys, its HTTP client replaced by the recorded one."""
    settings.TOUCHPOINT_PAYMENT_PROVIDERS = ["offline", "stripe"]
    settings.STRIPE_SECRET_KEY = "sk_test_touchpoint"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.TOUCHPOINT_CURRENCY = "gbp"
    wire = RecordedStripe()
    monkeypatch.setattr(registry, "HTTP_CLIENT", wire)
    return wire


@pytest.fixture
def recorded_stripe(settings: Any, monkeypatch: pytest.MonkeyPatch) -> RecordedStripe:
    return install_recorded_stripe(settings, monkeypatch)


def signed(event: dict[str, Any], *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> tuple[str, str]:
    """The body and ``Stripe-Signature`` header Stripe would send, signed by the library's own code."""
    payload = json.dumps(event)
    header = stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp=timestamp)
    return payload, header


def stripe_event(recorded: str, *, event_id: str, session_id: str, **session: Any) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((RECORDED / f"{recorded}.json").read_text())
    event["id"] = event_id
    event["data"]["object"].update({"id": session_id, **session})
    return event


SESSION_ID = "cs_test_a1Nano4gRepairTP0000000000000000000000000000000000000"


def start_checkout(case: Case, wire: RecordedStripe, *, session_id: str = SESSION_ID) -> Payment:
    """The customer presses "Pay by card" on the page they see (the case at its current version)."""
    provider = registry.stripe_provider()
    assert provider is not None
    wire.reply("checkout_session_created", id=session_id, url=f"https://checkout.stripe.com/c/pay/{session_id}")
    return card_checkout_start(
        case=case,
        seen_version=case.version,
        provider=provider,
        success_url="http://testserver/c/token/?payment=done",
        cancel_url="http://testserver/c/token/?payment=cancelled",
    )


def touchpoints(case: Case) -> list[str]:
    """The customer's messages for the case, oldest first (one channel: email)."""
    return list(
        OutboxMessage.objects.filter(case=case).order_by("created_at", "id").values_list("touchpoint", flat=True)
    )
