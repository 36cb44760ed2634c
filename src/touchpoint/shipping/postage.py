"""The aggregators' REST APIs as the shop uses them: rates then buy for a label (EasyPost, Shippo), a
tracker fetched for the poller (all three), and a label file fetched from its address.

Each call is bounded (``TOUCHPOINT_CARRIER_API_TIMEOUT``) and ends in a value or a
:class:`PostageError` that says whether trying again may help (the aggregator unreachable, a 5xx, 408
or 429) or not (a 4xx: the request or the account needs a person). No database here: ``postage_buy``
and ``poll`` keep what these return.

Shapes, as each provider publishes them:
- EasyPost (https://docs.easypost.com/docs/shipments, …/docs/trackers): ``POST /v2/shipments`` answers
  the Shipment with its ``rates``; ``POST /v2/shipments/{id}/buy`` with ``{"rate": {"id"}}`` answers it
  bought (``tracking_code``, ``postage_label.label_url``, ``selected_rate``, ``tracker.public_url``);
  ``GET /v2/shipments/{id}`` reads it back; ``GET /v2/trackers?tracking_code=`` lists its trackers.
  HTTP Basic, the API key as the user name.
- Shippo (https://docs.goshippo.com/api-reference/shipments/create-a-new-shipment, …/transactions/…):
  ``POST /shipments/`` with ``async: false`` answers the Shipment with its ``rates``;
  ``POST /transactions/`` with ``{"rate", "label_file_type": "PDF", "async": false}`` buys the label
  (``tracking_number``, ``label_url``, ``tracking_url_provider``); ``GET /transactions/`` lists labels
  bought; ``GET /tracks/{carrier}/{number}`` is the Track the webhook carries. ``ShippoToken <key>``.
- AfterShip (https://www.aftership.com/docs/tracking/2024-10/trackings/get-trackings):
  ``GET /tracking/2024-10/trackings?tracking_numbers=`` answers ``data.trackings``; ``as-api-key``.
  AfterShip sells no labels in this product (its label product is a separate API): it only tracks."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from django.conf import settings

from touchpoint.shipping.carriers.base import Malformed, maybe_moment

RETRYABLE = frozenset({408, 409, 425, 429})  # 4xx answers a later try may change
MAX_ANSWER = 5 * 1024 * 1024  # a label PDF is tens of kilobytes; a tracker a few
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
# A loopback address (tests, a local stand-in) is never reached through a proxy from the environment.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))
_DEFAULT = urllib.request.build_opener()


class PostageError(Exception):
    """An API call that didn't give what was asked. ``temporary``: a later try may succeed."""

    def __init__(self, message: str, *, temporary: bool) -> None:
        super().__init__(message)
        self.temporary = temporary


@dataclass(frozen=True)
class Address:
    name: str
    street1: str
    city: str
    zip: str
    country: str
    street2: str = ""
    company: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class Parcel:
    length_cm: float
    width_cm: float
    height_cm: float
    weight_g: float


@dataclass(frozen=True)
class Rate:
    id: str
    carrier: str
    service: str  # EasyPost's service; Shippo's servicelevel token
    service_name: str  # as people read it
    amount_minor: int | None
    currency: str
    delivery_date: datetime | None = None
    days: int | None = None


@dataclass(frozen=True)
class Quote:
    """A shipment created at the aggregator, not bought: its id and the rates offered for it."""

    shipment_id: str
    rates: list[Rate]


@dataclass(frozen=True)
class Bought:
    """A label bought: the real tracking number and where the label file is."""

    shipment_id: str
    tracking_number: str
    carrier: str
    service: str
    label_url: str
    tracking_url: str
    amount_minor: int | None
    currency: str
    delivery_date: datetime | None
    label_id: str = ""  # the label's own id when it isn't the shipment's (Shippo's transaction)


@dataclass(frozen=True)
class LabelRequest:
    from_address: Address
    to_address: Address
    parcel: Parcel
    reference: str  # ours for this parcel, kept by the aggregator (EasyPost reference, Shippo metadata)


class LabelBuyer(Protocol):
    name: str

    def create(self, request: LabelRequest) -> Quote: ...

    def lookup(self, shipment_id: str, *, reference: str, since: datetime) -> Quote | Bought: ...

    def buy(self, shipment_id: str, rate: Rate, *, reference: str) -> Bought: ...


# --- HTTP ----------------------------------------------------------------------------------------


def _base(provider: str) -> str:
    return str(getattr(settings, f"TOUCHPOINT_CARRIER_{provider.upper()}_API_BASE")).rstrip("/")


def _key(provider: str) -> str:
    key = str(getattr(settings, f"TOUCHPOINT_CARRIER_{provider.upper()}_API_KEY", ""))
    if not key:
        raise PostageError(
            f"TOUCHPOINT_CARRIER_{provider.upper()}_API_KEY is not set: put the {provider} API key there",
            temporary=False,
        )
    return key


def _auth(provider: str) -> dict[str, str]:
    key = _key(provider)
    if provider == "easypost":
        return {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}
    if provider == "shippo":
        return {"Authorization": f"ShippoToken {key}"}
    return {"as-api-key": key}


def http_get(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """GET ``url`` within the timeout: the HTTP status and the body. Raises PostageError (temporary)
    when it can't be reached."""
    return _call("GET", url, headers or {}, None)


def _call(method: str, url: str, headers: dict[str, str], body: bytes | None) -> tuple[int, bytes]:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("https", "http") or (parts.scheme == "http" and parts.hostname not in LOOPBACK):
        raise PostageError(f"{url[:200]} is not an https address: nothing was fetched", temporary=False)
    request = urllib.request.Request(url, data=body, headers=headers, method=method)  # noqa: S310 - http(s), checked above
    opener = _DIRECT if parts.hostname in LOOPBACK else _DEFAULT
    try:
        with opener.open(request, timeout=settings.TOUCHPOINT_CARRIER_API_TIMEOUT) as response:
            return int(response.status), response.read(MAX_ANSWER)
    except urllib.error.HTTPError as answer:
        return int(answer.code), answer.read(MAX_ANSWER)
    except (OSError, ValueError) as exc:  # refused, reset, timed out, a name that doesn't resolve
        raise PostageError(f"could not reach {parts.netloc}: {type(exc).__name__}: {exc}", temporary=True) from exc


def api(provider: str, method: str, path: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
    """Call ``provider``'s API; its JSON answer (an object). Raises PostageError."""
    headers = {**_auth(provider), "Accept": "application/json", "User-Agent": "Touchpoint/1.0"}
    body = None
    if payload is not None:
        body = json.dumps(payload).encode()
        headers["Content-Type"] = "application/json"
    status, answer = _call(method, _base(provider) + path, headers, body)
    if not 200 <= status < 300:
        temporary = status >= 500 or status in RETRYABLE
        raise PostageError(f"{provider} answered {status} to {method} {path}: {_said(answer)}", temporary=temporary)
    try:
        data = json.loads(answer)
    except ValueError:
        raise PostageError(
            f"{provider} answered {method} {path} with something that isn't JSON", temporary=True
        ) from None
    if not isinstance(data, dict):
        raise PostageError(f"{provider} answered {method} {path} with JSON that isn't an object", temporary=True)
    return data


def _said(answer: bytes) -> str:
    """The error the aggregator gave, in its words (EasyPost ``error.message``, Shippo ``detail``)."""
    try:
        data = json.loads(answer)
    except ValueError:
        return answer[:300].decode("utf-8", "replace").strip() or "(no body)"
    if isinstance(data, dict):
        error = data.get("error")
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])[:300]
        for key in ("detail", "message", "messages"):
            if data.get(key):
                return str(data[key])[:300]
        meta = data.get("meta")
        if isinstance(meta, dict) and meta.get("message"):
            return str(meta["message"])[:300]
    return json.dumps(data)[:300]


def label_fetch(url: str) -> bytes:
    """The label file at ``url`` (the aggregator's, fetched when the message is sent). Must be a PDF."""
    status, body = http_get(url)
    if not 200 <= status < 300:
        raise PostageError(f"the label at {url[:120]} answered {status}", temporary=True)
    if not body.startswith(b"%PDF-"):
        raise PostageError(f"the label at {url[:120]} is not a PDF", temporary=False)
    return body


# --- Reading answers -----------------------------------------------------------------------------


def _str(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    return str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else ""


def _obj(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def _minor(amount: Any) -> int | None:
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        return None
    return int((value * 100).to_integral_value()) if value.is_finite() and value >= 0 else None


def _when(value: Any) -> datetime | None:
    try:
        return maybe_moment(value, "date") if isinstance(value, str) else None
    except Malformed:
        return None


def _need(value: str, what: str, provider: str) -> str:
    if not value:
        raise PostageError(f"{provider}'s answer has no {what}: not the shape its API documents", temporary=True)
    return value


# --- EasyPost ------------------------------------------------------------------------------------


class EasyPost:
    name = "easypost"

    @staticmethod
    def _address(address: Address) -> dict[str, str]:
        return {
            "name": address.name,
            "company": address.company,
            "street1": address.street1,
            "street2": address.street2,
            "city": address.city,
            "zip": address.zip,
            "country": address.country,
            "phone": address.phone,
            "email": address.email,
        }

    def create(self, request: LabelRequest) -> Quote:
        parcel = request.parcel
        shipment = api(
            self.name,
            "POST",
            "/v2/shipments",
            {
                "shipment": {
                    "reference": request.reference,
                    "from_address": self._address(request.from_address),
                    "to_address": self._address(request.to_address),
                    # EasyPost measures in inches and ounces
                    "parcel": {
                        "length": round(parcel.length_cm / 2.54, 1),
                        "width": round(parcel.width_cm / 2.54, 1),
                        "height": round(parcel.height_cm / 2.54, 1),
                        "weight": round(parcel.weight_g / 28.3495, 1),
                    },
                    "options": {"label_format": "PDF"},
                }
            },
        )
        return self._quote(shipment)

    def _quote(self, shipment: dict[str, Any]) -> Quote:
        rates = shipment.get("rates")
        return Quote(
            _need(_str(shipment, "id"), "shipment id", self.name),
            [self._rate(rate) for rate in rates if isinstance(rate, dict)] if isinstance(rates, list) else [],
        )

    @staticmethod
    def _rate(rate: dict[str, Any]) -> Rate:
        days = rate.get("delivery_days")
        return Rate(
            id=_str(rate, "id"),
            carrier=_str(rate, "carrier"),
            service=_str(rate, "service"),
            service_name=_str(rate, "service"),
            amount_minor=_minor(rate.get("rate")),
            currency=_str(rate, "currency").upper(),
            delivery_date=_when(rate.get("delivery_date")),
            days=days if isinstance(days, int) and not isinstance(days, bool) else None,
        )

    def _bought(self, shipment: dict[str, Any]) -> Bought | None:
        number = _str(shipment, "tracking_code")
        label = _str(_obj(shipment, "postage_label"), "label_url")
        if not number or not label:
            return None
        rate = self._rate(_obj(shipment, "selected_rate"))
        return Bought(
            shipment_id=_str(shipment, "id"),
            tracking_number=number,
            carrier=rate.carrier,
            service=rate.service,
            label_url=label,
            tracking_url=_str(_obj(shipment, "tracker"), "public_url"),
            amount_minor=rate.amount_minor,
            currency=rate.currency,
            delivery_date=rate.delivery_date,
        )

    def lookup(self, shipment_id: str, *, reference: str, since: datetime) -> Quote | Bought:
        shipment = api(self.name, "GET", f"/v2/shipments/{urllib.parse.quote(shipment_id)}")
        return self._bought(shipment) or self._quote(shipment)

    def buy(self, shipment_id: str, rate: Rate, *, reference: str) -> Bought:
        shipment = api(
            self.name, "POST", f"/v2/shipments/{urllib.parse.quote(shipment_id)}/buy", {"rate": {"id": rate.id}}
        )
        bought = self._bought(shipment)
        if bought is None:
            raise PostageError("easypost's bought shipment has no tracking code or label", temporary=True)
        return bought


# --- Shippo --------------------------------------------------------------------------------------


class Shippo:
    name = "shippo"

    @staticmethod
    def _address(address: Address) -> dict[str, str]:
        return {**EasyPost._address(address)}

    def create(self, request: LabelRequest) -> Quote:
        parcel = request.parcel
        shipment = api(
            self.name,
            "POST",
            "/shipments/",
            {
                "address_from": self._address(request.from_address),
                "address_to": self._address(request.to_address),
                "parcels": [
                    {
                        "length": str(parcel.length_cm),
                        "width": str(parcel.width_cm),
                        "height": str(parcel.height_cm),
                        "distance_unit": "cm",
                        "weight": str(parcel.weight_g),
                        "mass_unit": "g",
                    }
                ],
                "metadata": request.reference,
                "async": False,
            },
        )
        return self._quote(shipment)

    def _quote(self, shipment: dict[str, Any]) -> Quote:
        rates = shipment.get("rates")
        return Quote(
            _need(_str(shipment, "object_id"), "shipment object_id", self.name),
            [self._rate(rate) for rate in rates if isinstance(rate, dict)] if isinstance(rates, list) else [],
        )

    @staticmethod
    def _rate(rate: dict[str, Any]) -> Rate:
        level = _obj(rate, "servicelevel")
        days = rate.get("estimated_days")
        return Rate(
            id=_str(rate, "object_id"),
            carrier=_str(rate, "provider"),
            service=_str(level, "token") or _str(rate, "servicelevel_token"),
            service_name=_str(level, "name") or _str(rate, "servicelevel_name"),
            amount_minor=_minor(rate.get("amount")),
            currency=_str(rate, "currency").upper(),
            days=days if isinstance(days, int) and not isinstance(days, bool) else None,
        )

    def _bought(self, shipment_id: str, transaction: dict[str, Any], rate: Rate) -> Bought:
        return Bought(
            shipment_id=shipment_id,
            tracking_number=_need(_str(transaction, "tracking_number"), "tracking_number", self.name),
            carrier=rate.carrier,
            service=rate.service,
            label_url=_need(_str(transaction, "label_url"), "label_url", self.name),
            tracking_url=_str(transaction, "tracking_url_provider"),
            amount_minor=rate.amount_minor,
            currency=rate.currency,
            delivery_date=_when(transaction.get("eta")),
            label_id=_str(transaction, "object_id"),
        )

    def _settled(self, shipment_id: str, transaction: dict[str, Any], rate: Rate) -> Bought:
        status = _str(transaction, "status").upper()
        if status == "SUCCESS":
            return self._bought(shipment_id, transaction, rate)
        if status == "ERROR":
            raise PostageError(
                f"shippo refused to buy the label: {_said(json.dumps(transaction).encode())}", temporary=False
            )
        raise PostageError(f"shippo is still buying the label ({status or 'no status'})", temporary=True)

    def lookup(self, shipment_id: str, *, reference: str, since: datetime) -> Quote | Bought:
        # Shippo has no idempotency key: a label bought for us carries our reference as its metadata,
        # so a try whose answer was lost finds the label it bought among those bought since.
        stamp = since.strftime("%Y-%m-%dT%H:%M:%S")
        listed = api(self.name, "GET", f"/transactions/?results=100&object_created_gte={stamp}")
        results = listed.get("results")
        for transaction in results if isinstance(results, list) else []:
            if isinstance(transaction, dict) and _str(transaction, "metadata") == reference:
                rate = transaction.get("rate")
                return self._settled(shipment_id, transaction, self._rate(rate) if isinstance(rate, dict) else _NO_RATE)
        return self._quote(api(self.name, "GET", f"/shipments/{urllib.parse.quote(shipment_id)}"))

    def buy(self, shipment_id: str, rate: Rate, *, reference: str) -> Bought:
        transaction = api(
            self.name,
            "POST",
            "/transactions/",
            {"rate": rate.id, "label_file_type": "PDF", "async": False, "metadata": reference},
        )
        return self._settled(shipment_id, transaction, rate)


_NO_RATE = Rate(id="", carrier="", service="", service_name="", amount_minor=None, currency="")

BUYERS: dict[str, LabelBuyer] = {"easypost": EasyPost(), "shippo": Shippo()}


# --- Trackers, for the poller --------------------------------------------------------------------


def tracker_body(provider: str, *, tracking_number: str, carrier: str) -> bytes | None:
    """The parcel's tracking as ``provider``'s webhook would carry it (so its webhook parser reads
    it), fetched from its API; None when the aggregator doesn't know the parcel. Raises PostageError."""
    number = urllib.parse.quote(tracking_number)
    if provider == "easypost":
        listed = api(provider, "GET", f"/v2/trackers?tracking_code={number}&page_size=1")
        trackers = [t for t in listed.get("trackers") or [] if isinstance(t, dict)]
        if not trackers:
            return None
        tracker = trackers[0]
        # The webhook's event id names this state of the tracker, so an unchanged tracker reads the same.
        event_id = f"poll:{_str(tracker, 'id')}:{_str(tracker, 'updated_at')}:{_str(tracker, 'status')}"
        return json.dumps({"description": "tracker.updated", "id": event_id, "result": tracker}).encode()
    if provider == "shippo":
        token = urllib.parse.quote(carrier.strip().lower().replace(" ", "_") or "shippo")
        track = api(provider, "GET", f"/tracks/{token}/{number}")
        return json.dumps({"event": "track_updated", "data": track}).encode()
    listed = api(provider, "GET", f"/tracking/2024-10/trackings?tracking_numbers={number}")
    trackings = [t for t in _obj(listed, "data").get("trackings") or [] if isinstance(t, dict)]
    if not trackings:
        return None
    tracking = trackings[0]
    event_id = f"poll:{_str(tracking, 'id')}:{_str(tracking, 'updated_at')}:{_str(tracking, 'tag')}"
    return json.dumps({"event": "tracking_update", "event_id": event_id, "msg": tracking}).encode()
