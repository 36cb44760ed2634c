"""The aggregators' REST APIs on loopback: a real HTTP server answering with the recorded responses in
``tests/shipping/recorded/`` (each file says which published reference its shape follows), checking
each provider's authentication, keeping what was bought, and misbehaving when told to.

    with carrier_api() as api:
        configure_labels(settings, api, provider="easypost")
        api.tracker = "trackers_in_transit"      # what a tracker answers now
        api.tracked = nth_number(2)               # the parcel it answers for (default the recorded RM987654321GB)
        api.fail_next = 3                         # the next three requests answer 503
        api.lose_next_buy = True                  # the next purchase happens, its answer is a 500
        # The first shipment created and the first label bought carry the recorded ids and tracking
        # number (RM987654321GB); each later one its own (<id>_2, RM987654322GB…), as each of a case's
        # parcels gets its own label.
        api.refuse_trackers = True                # registering a tracking number answers the recorded refusal
        api.lose_next_register = True             # the next registration is made, its answer is a 500
        api.refund_status = "refunded"            # what a void answers now (EasyPost refund_status, Shippo status)

A void (EasyPost ``POST /v2/shipments/{id}/refund``, Shippo ``POST /refunds/``) of a label bought answers
the recorded refund in ``tests/support/carriers/<provider>/`` (its README names the published shape)
with ``refund_status`` (blank: ``submitted``, ``QUEUED``); reading it back answers the same, as it is now.

A tracking number registered with an aggregator (EasyPost ``POST /v2/trackers``, AfterShip ``POST
/tracking/2024-10/trackings``, Shippo ``POST /tracks/``) is remembered: the aggregator then lists it and
answers its polls (with ``tracker``'s history for the recorded parcel, else as registered, no scans yet).
A label bought is tracked too: its tracker answers as bought (no scans), unless it is ``tracked``.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

RECORDED = Path(__file__).parent.parent / "shipping" / "recorded"
REFUNDS = Path(__file__).parent / "carriers"  # the void answers, beside the webhooks' recorded payloads
RECORDED_NUMBER = "RM987654321GB"  # the parcel the recorded trackers are about
KEYS = {"easypost": "EZAK-test-key-0123456789", "shippo": "shippo_live_0123456789", "aftership": "asat_0123456789"}
LABEL = RECORDED / "label.pdf"


REFUND_FILES = {"easypost": "shipment_refund", "shippo": "refund"}
REGISTER_PATHS = {"easypost": "/v2/trackers", "aftership": "/tracking/2024-10/trackings", "shippo": "/tracks/"}


def recorded_label() -> bytes:
    return LABEL.read_bytes()


@dataclass
class Seen:
    method: str
    path: str
    provider: str
    body: dict[str, Any] | None
    query: str = ""


@dataclass
class CarrierApi:
    base: str = ""
    requests: list[Seen] = field(default_factory=list)
    fail_next: int = 0  # answer this many more requests with 503
    fail_status: int = 503
    lose_next_buy: bool = False  # the next purchase is made, but its answer is a 500
    bought: dict[str, dict[str, Any]] = field(default_factory=dict)  # shipment id → the bought answer
    purchases: int = 0
    created: int = 0  # shipments created (both providers): the first keeps the recorded id
    tracker: str = ""  # the recorded file (without provider or .json) a tracker answers with
    tracked: str = RECORDED_NUMBER  # the parcel ``tracker`` answers for (its number written into the answer)
    refuse_trackers: bool = False  # registering a number answers the provider's recorded refusal
    lose_next_register: bool = False  # the next registration is made, but its answer is a 500
    registered: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # (provider, number) → answer
    refund_status: str = ""  # what a void answers (blank: submitted / QUEUED)
    refunds: dict[str, str] = field(default_factory=dict)  # refund id → the label voided (EasyPost: the shipment)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def calls(self, method: str, path: str) -> list[Seen]:
        return [seen for seen in self.requests if seen.method == method and seen.path == path]

    def registrations(self, provider: str) -> list[Seen]:
        """The requests that asked ``provider`` to track a number."""
        return [seen for seen in self.calls("POST", REGISTER_PATHS[provider]) if seen.provider == provider]

    def tracker_gets(self, number: str) -> int:
        """How many times parcel ``number``'s tracking was asked for (a poll)."""
        return len([s for s in self.requests if s.method == "GET" and "track" in s.path and number in s.path + s.query])

    def refund_answer(self, provider: str, label: str) -> dict[str, Any]:
        """The recorded void answer for ``label`` (EasyPost's shipment id, Shippo's transaction), as now."""
        answer: dict[str, Any] = json.loads((REFUNDS / provider / f"{REFUND_FILES[provider]}.json").read_text())
        if provider == "easypost":
            bought = self.bought[label]
            answer.update(
                id=label, tracking_code=bought["tracking_code"], refund_status=self.refund_status or "submitted"
            )
        else:
            answer.update(transaction=label, status=self.refund_status or "QUEUED", object_id=f"rf_{label}")
        return answer

    def _bought_numbers(self) -> dict[str, dict[str, Any]]:
        return {str(b.get("tracking_code") or b.get("tracking_number")): b for b in self.bought.values()}

    def recorded_tracker(self, provider: str) -> dict[str, Any]:
        text = json.dumps(_load(provider, self.tracker, self.base))
        data: dict[str, Any] = json.loads(text.replace(RECORDED_NUMBER, self.tracked))
        return data


def nth_number(n: int) -> str:
    """The tracking number of the ``n``-th label bought (1: the recorded one)."""
    return f"RM9876543{20 + n}GB"


def _nth(identifier: str, n: int) -> str:
    return identifier if n == 1 else f"{identifier}_{n}"


def _load(provider: str, name: str, base: str) -> dict[str, Any]:
    text = (RECORDED / provider / f"{name}.json").read_text().replace("{base}", base)
    data: dict[str, Any] = json.loads(text)
    return data


class _Handler(BaseHTTPRequestHandler):
    api: CarrierApi

    def log_message(self, format: str, *args: Any) -> None:  # quiet: the tests read ``requests``
        pass

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def _answer(self, status: int, payload: Any, content_type: str = "application/json") -> None:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _provider(self, path: str) -> str:
        if path.startswith("/v2/"):
            return "easypost"
        if path.startswith("/tracking/"):
            return "aftership"
        if path.startswith("/files/"):
            return "files"
        return "shippo"

    def _authorised(self, provider: str) -> bool:
        if provider == "files":
            return True
        if provider == "easypost":
            expected = "Basic " + base64.b64encode(f"{KEYS['easypost']}:".encode()).decode()
            return self.headers.get("Authorization") == expected
        if provider == "shippo":
            return self.headers.get("Authorization") == f"ShippoToken {KEYS['shippo']}"
        return self.headers.get("as-api-key") == KEYS["aftership"]

    def _serve(self, method: str) -> None:
        api = self.api
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query)
        provider = self._provider(path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        with api.lock:
            api.requests.append(Seen(method, path, provider, body, parts.query))
            if api.fail_next > 0:
                api.fail_next -= 1
                self._answer(api.fail_status, {"error": {"code": "INTERNAL_SERVER_ERROR", "message": "try later"}})
                return
            if not self._authorised(provider):
                self._answer(401, {"error": {"code": "APIKEY.INVALID", "message": "the API key is wrong"}})
                return
            status, payload = self._route(method, path, query, body, provider)
            if api.lose_next_register and method == "POST" and path in REGISTER_PATHS.values() and status < 300:
                api.lose_next_register = False
                status, payload = 500, {"error": {"code": "INTERNAL_SERVER_ERROR", "message": "gateway timeout"}}
        content_type = "application/pdf" if isinstance(payload, bytes) else "application/json"
        self._answer(status, payload, content_type)

    def _route(self, method: str, path: str, query: dict[str, list[str]], body: Any, provider: str) -> tuple[int, Any]:
        api, base = self.api, self.api.base
        if provider == "files":
            return 200, recorded_label()
        if provider == "easypost":
            if method == "POST" and path == "/v2/shipments":
                shipment = _load("easypost", "shipment_rates", base)
                shipment["reference"] = body["shipment"]["reference"]
                api.created += 1
                shipment["id"] = _nth(shipment["id"], api.created)
                return 201, shipment
            if path.startswith("/v2/shipments/") and path.endswith("/refund") and method == "POST":
                shipment_id = path.split("/")[3]
                if shipment_id not in api.bought:
                    return 404, {
                        "error": {"code": "NOT_FOUND", "message": "The requested resource could not be found."}
                    }
                api.refunds[shipment_id] = shipment_id
                return 200, api.refund_answer("easypost", shipment_id)
            if path.startswith("/v2/shipments/"):
                shipment_id = path.split("/")[3]
                if method == "GET" and shipment_id in api.refunds:
                    return 200, api.refund_answer("easypost", shipment_id)
                if method == "GET":
                    return 200, api.bought.get(shipment_id) or {
                        **_load("easypost", "shipment_rates", base),
                        "id": shipment_id,
                    }
                if shipment_id in api.bought:  # as EasyPost refuses a second purchase
                    return 422, {"error": {"code": "SHIPMENT.POSTAGE.EXISTS", "message": "already bought"}}
                bought = _load("easypost", "shipment_bought", base)
                number = nth_number(len(api.bought) + 1)
                bought.update(id=shipment_id, tracking_code=number)
                bought["tracker"]["tracking_code"] = number
                return self._buy(shipment_id, bought)
            if path == "/v2/trackers" and method == "POST":
                if api.refuse_trackers:
                    return 422, _load("easypost", "tracker_refused", base)
                asked = body["tracker"]
                tracker = _load("easypost", "tracker_created", base)
                tracker.update(tracking_code=asked["tracking_code"], carrier=asked["carrier"])
                return 201, api.registered.setdefault(("easypost", asked["tracking_code"]), tracker)
            if path == "/v2/trackers":
                code = (query.get("tracking_code") or [""])[0]
                if code == api.tracked and api.tracker:
                    return 200, api.recorded_tracker("easypost")
                bought_here = api._bought_numbers().get(code)
                known = api.registered.get(("easypost", code)) or (bought_here or {}).get("tracker")
                return 200, {"trackers": [known] if known else [], "has_more": False}
        if provider == "shippo":
            if method == "POST" and path == "/shipments/":
                shipment = _load("shippo", "shipment_rates", base)
                shipment["metadata"] = body["metadata"]
                api.created += 1
                shipment["object_id"] = _nth(shipment["object_id"], api.created)
                return 201, shipment
            if method == "GET" and path.startswith("/shipments/"):
                return 200, _load("shippo", "shipment_rates", base)
            if method == "POST" and path == "/transactions/":
                transaction = _load("shippo", "transaction", base)
                transaction["metadata"] = body["metadata"]
                transaction["rate"] = body["rate"]
                if body["metadata"] not in api.bought:
                    n = len(api.bought) + 1
                    transaction.update(object_id=_nth(transaction["object_id"], n), tracking_number=nth_number(n))
                return self._buy(body["metadata"], transaction)
            if method == "POST" and path == "/refunds/":
                transactions = {t["object_id"]: t for t in api.bought.values()}
                if body.get("transaction") not in transactions:
                    return 400, {"transaction": ["Transaction with supplied object_id not found."]}
                answer = api.refund_answer("shippo", body["transaction"])
                api.refunds[answer["object_id"]] = body["transaction"]
                return 201, answer
            if method == "GET" and path.startswith("/refunds/") and path.split("/")[2] in api.refunds:
                return 200, api.refund_answer("shippo", api.refunds[path.split("/")[2]])
            if method == "GET" and path == "/transactions/":
                listed = []
                for bought in api.bought.values():  # as listed, the rate is the object, not its id
                    rates = _load("shippo", "shipment_rates", base)["rates"]
                    listed.append({**bought, "rate": next(r for r in rates if r["object_id"] == bought["rate"])})
                return 200, {"next": None, "previous": None, "results": listed}
            if method == "GET" and path == f"/tracks/royal_mail/{api.tracked}" and api.tracker:
                return 200, api.recorded_tracker("shippo")
            if method == "GET" and path.startswith("/tracks/royal_mail/"):
                number = path.rsplit("/", 1)[-1]
                if number in api._bought_numbers():  # a label bought is tracked: no scan yet
                    track = _load("shippo", "track_registered", base)
                    track.update(carrier="royal_mail", tracking_number=number, metadata="")
                    return 200, track
            if method == "POST" and path == "/tracks/":
                if api.refuse_trackers:
                    return 400, {"detail": "Invalid carrier or tracking number."}
                track = _load("shippo", "track_registered", base)
                track.update(
                    carrier=body["carrier"], tracking_number=body["tracking_number"], metadata=body["metadata"]
                )
                api.registered[("shippo", body["tracking_number"])] = track
                return 201, track
            if method == "GET" and path.startswith("/tracks/"):
                known = api.registered.get(("shippo", path.rsplit("/", 1)[-1]))
                if known is not None:
                    return 200, known
            return 404, {"detail": "Not found."}
        if provider == "aftership" and path == "/tracking/2024-10/trackings" and method == "POST":
            if api.refuse_trackers:
                return 400, {
                    "meta": {
                        "code": 4005,
                        "message": "The value of `tracking_number` is invalid.",
                        "type": "BadRequest",
                    },
                    "data": {},
                }
            created = _load("aftership", "tracking_created", base)
            created["data"].update(tracking_number=body["tracking_number"], slug=body["slug"])
            api.registered[("aftership", body["tracking_number"])] = created["data"]
            return 201, created
        if provider == "aftership" and path == "/tracking/2024-10/trackings":
            number = (query.get("tracking_numbers") or [""])[0]
            if number == api.tracked and api.tracker:
                return 200, api.recorded_tracker("aftership")
            known = api.registered.get(("aftership", number))
            return 200, {"meta": {"code": 200}, "data": {"trackings": [known] if known else []}}
        return 404, {"error": {"code": "NOT_FOUND", "message": f"no {method} {path}"}}

    def _buy(self, key: str, answer: dict[str, Any]) -> tuple[int, Any]:
        api = self.api
        api.bought[key] = answer
        api.purchases += 1
        if api.lose_next_buy:
            api.lose_next_buy = False
            return 500, {"error": {"code": "INTERNAL_SERVER_ERROR", "message": "gateway timeout"}}
        return 200, answer


@contextmanager
def carrier_api() -> Iterator[CarrierApi]:
    """The three aggregators' APIs on a free loopback port, for the length of the block."""
    api = CarrierApi()
    handler = type("Handler", (_Handler,), {"api": api})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    api.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()


def configure_labels(
    settings: Any, api: CarrierApi, *, labels: str = "", poll: list[str] | None = None, tracker: str = ""
) -> None:
    """Point the shop at ``api``: ``labels`` buys the prepaid labels, ``poll`` are polled, typed
    tracking numbers are registered with ``tracker``."""
    settings.TOUCHPOINT_CARRIER_LABELS = labels
    settings.TOUCHPOINT_CARRIER_POLL = poll or []
    settings.TOUCHPOINT_CARRIER_TRACKER = tracker
    for provider, key in KEYS.items():
        setattr(settings, f"TOUCHPOINT_CARRIER_{provider.upper()}_API_KEY", key)
        setattr(settings, f"TOUCHPOINT_CARRIER_{provider.upper()}_API_BASE", api.base)
