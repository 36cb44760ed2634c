"""Each provider's signature scheme and parser, without Django or a database (``-p no:django`` works):
signatures checked against HMACs worked out here by the provider's own recipe, the recorded payloads
read into the canonical statuses, and anything else refused as Malformed, never another exception."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from touchpoint.journeys.carrier import CANONICAL_STATUSES
from touchpoint.shipping.carriers import (
    CANONICAL,
    PROVIDERS,
    RANK,
    STATUS_WORDS,
    Malformed,
    aftership,
    easypost,
    shippo,
)
from touchpoint.shipping.carriers.base import furthest

RECORDED = Path(__file__).parents[1] / "support" / "carriers"
BODY = b'{"event": "tracking_update"}'


def recorded(provider: str, name: str) -> bytes:
    return (RECORDED / provider / f"{name}.json").read_bytes()


def test_the_canonical_statuses_are_the_journey_cores_each_ranked_and_said_in_words() -> None:
    assert CANONICAL == CANONICAL_STATUSES
    assert set(RANK) == set(STATUS_WORDS) == set(CANONICAL)


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_every_providers_status_map_lands_on_a_canonical_status(provider: str) -> None:
    module = PROVIDERS[provider]
    maps = [module.STATUS_MAP] + [
        getattr(module, name) for name in ("SUBTAG_MAP", "DETAIL_MAP", "SUBSTATUS_MAP") if hasattr(module, name)
    ]
    assert {status for mapping in maps for status in mapping.values()} <= set(CANONICAL)


def test_the_furthest_status_only_moves_forward_or_to_a_later_equal() -> None:
    early, late = _at("2026-12-01T10:00:00+00:00"), _at("2026-12-01T12:00:00+00:00")
    assert furthest("", None, "in_transit", early)
    assert not furthest("delivered", late, "in_transit", late)
    assert furthest("in_transit", early, "exception", late)  # same rank, later: the news is the exception
    assert not furthest("exception", late, "in_transit", early)  # same rank, earlier: stale
    assert furthest("exception", early, "delivered", early)


def _at(text: str) -> Any:
    from datetime import datetime

    return datetime.fromisoformat(text)


# --- AfterShip: base64 HMAC-SHA256 of the body ------------------------------------------------------


def test_aftership_accepts_its_own_recipe_and_refuses_anything_else() -> None:
    secret = "as-secret"
    good = base64.b64encode(hmac.new(b"as-secret", BODY, hashlib.sha256).digest()).decode()
    assert aftership.verify({"aftership-hmac-sha256": good}, BODY, secret)
    assert aftership.verify({"Aftership-Hmac-Sha256": good}, BODY, secret)  # headers are case-insensitive
    assert not aftership.verify({"aftership-hmac-sha256": good}, BODY + b" ", secret)
    assert not aftership.verify({"aftership-hmac-sha256": good}, BODY, "another-secret")
    assert not aftership.verify({}, BODY, secret)
    assert not aftership.verify({"aftership-hmac-sha256": good}, BODY, "")
    assert not aftership.verify({"aftership-hmac-sha256": "ñ" * 44}, BODY, secret)


# --- EasyPost: hmac-sha256-hex= with the secret NFKD-normalised --------------------------------------


def test_easypost_keys_its_hmac_with_the_nfkd_normalised_secret() -> None:
    configured = "ep-ﬁle-secret"  # "ﬁ" (U+FB01) normalises to "fi" under NFKD
    by_easypost = "hmac-sha256-hex=" + hmac.new(b"ep-file-secret", BODY, hashlib.sha256).hexdigest()
    raw_key = "hmac-sha256-hex=" + hmac.new(configured.encode(), BODY, hashlib.sha256).hexdigest()
    assert easypost.verify({"X-Hmac-Signature": by_easypost}, BODY, configured)
    assert not easypost.verify({"X-Hmac-Signature": raw_key}, BODY, configured)
    assert not easypost.verify({"X-Hmac-Signature": by_easypost.removeprefix("hmac-sha256-hex=")}, BODY, configured)
    assert not easypost.verify({"X-Hmac-Signature": by_easypost}, BODY + b"\n", configured)


# --- Shippo: t=…,v1=… over "<t>." + body, within five minutes ----------------------------------------


def _shippo_header(secret: str, stamp: int, body: bytes = BODY) -> dict[str, str]:
    mac = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return {"Shippo-Auth-Signature": f"t={stamp},v1={mac}"}


def test_shippo_accepts_a_fresh_signature_and_refuses_stale_future_or_malformed_ones() -> None:
    now = int(time.time())
    assert shippo.verify(_shippo_header("sh-secret", now), BODY, "sh-secret")
    assert shippo.verify(_shippo_header("sh-secret", now - 299), BODY, "sh-secret")
    assert not shippo.verify(_shippo_header("sh-secret", now - 301), BODY, "sh-secret")  # replayed later
    assert not shippo.verify(_shippo_header("sh-secret", now + 301), BODY, "sh-secret")
    assert not shippo.verify(_shippo_header("other", now), BODY, "sh-secret")
    signature = _shippo_header("sh-secret", now)["Shippo-Auth-Signature"]
    for broken in (signature.replace("t=", "ts="), signature.split(",")[1], f"t={'9' * 309},v1=ab", "t=١٢٣,v1=00"):
        assert not shippo.verify({"Shippo-Auth-Signature": broken}, BODY, "sh-secret")


# --- Parsing the recorded payloads --------------------------------------------------------------------

EXPECTED = {
    ("aftership", "in_transit"): ["pre_transit", "in_transit"],
    ("aftership", "delivered"): ["pre_transit", "in_transit", "in_transit", "out_for_delivery", "delivered"],
    ("aftership", "returned_to_sender"): ["pre_transit", "in_transit", "in_transit", "return_to_sender"],
    ("easypost", "in_transit"): ["pre_transit", "in_transit"],
    ("easypost", "delivered"): ["pre_transit", "in_transit", "out_for_delivery", "delivered"],
    ("easypost", "batch_created"): [],
    ("shippo", "in_transit"): ["pre_transit", "in_transit"],
    ("shippo", "delivered"): ["pre_transit", "in_transit", "out_for_delivery", "delivered"],
    ("shippo", "lost"): ["pre_transit", "in_transit", "exception"],
    ("shippo", "transaction_created"): [],
}


@pytest.mark.parametrize(("provider", "name"), sorted(EXPECTED))
def test_each_recorded_payload_reads_as_its_canonical_statuses(provider: str, name: str) -> None:
    updates = PROVIDERS[provider].parse(recorded(provider, name))
    assert [u.status for u in updates] == EXPECTED[(provider, name)]
    assert {u.tracking_number for u in updates} <= {"RM123456785GB"}
    assert len({u.event_id for u in updates}) == len(updates)  # each checkpoint its own event


def test_a_checkpoint_keeps_the_carriers_words_place_time_and_link() -> None:
    last = aftership.parse(recorded("aftership", "delivered"))[-1]
    assert (last.description, last.location, last.status_code) == (
        "Item delivered and signed for by MAYA",
        "Bristol, GB",
        "Delivered_001",
    )
    assert last.occurred_at.isoformat() == "2026-12-02T11:32:00+00:00"
    assert last.tracking_url == "https://www.royalmail.com/track-your-item#/tracking-results/RM123456785GB"
    lost = shippo.parse(recorded("shippo", "lost"))[-1]
    assert (lost.event_id, lost.status_code, lost.service_level) == (
        "e5f6a7b8c9d04e1f2a3b4c5d6e7f8091",
        "FAILURE/package_lost",
        "Tracked 24",
    )


def test_the_same_checkpoint_in_a_later_delivery_has_the_same_event_id() -> None:
    first = {u.event_id for u in easypost.parse(recorded("easypost", "in_transit"))}
    later = {u.event_id for u in easypost.parse(recorded("easypost", "delivered"))}
    assert first <= later


def test_nul_characters_never_reach_the_database() -> None:
    data = json.loads(recorded("aftership", "in_transit"))
    data["msg"]["checkpoints"][1]["message"] = "Item\u0000 received"
    data["msg"]["checkpoints"][1]["raw_tag"] = "EV\u0000AIP"
    last = aftership.parse(json.dumps(data).encode())[-1]
    assert last.description == "Item received"
    assert "\x00" not in json.dumps(last.raw) and "\\u0000" not in json.dumps(last.raw)


def test_a_link_that_isnt_https_is_not_kept() -> None:
    data = json.loads(recorded("shippo", "in_transit"))
    data["data"]["tracking_url_provider"] = "javascript:alert(1)"
    assert {u.tracking_url for u in shippo.parse(json.dumps(data).encode())} == {""}


BAD_BODIES = [
    b"",
    b"null",
    b"[]",
    b'"text"',
    b"{",
    b"\xff\xfe",
    b'{"msg": null}',
    b'{"n": 1e999999}',
    b'{"n": NaN}',
    b'{"a": ' * 5000 + b"1" + b"}" * 5000,
    b'{"a": ' * 40 + b"1" + b"}" * 40,
]


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
@pytest.mark.parametrize("body", BAD_BODIES)
def test_bodies_that_are_not_the_providers_event_are_malformed(provider: str, body: bytes) -> None:
    with pytest.raises(Malformed):
        PROVIDERS[provider].parse(body)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)


def _mutations(data: Any) -> st.SearchStrategy[Any]:
    """The recorded payload with one value somewhere replaced by any JSON at all."""
    paths: list[tuple[Any, ...]] = []

    def walk(node: Any, path: tuple[Any, ...]) -> None:
        paths.append(path)
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, (*path, key))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, (*path, index))

    walk(data, ())

    def replaced(path: tuple[Any, ...], value: Any) -> Any:
        copy = json.loads(json.dumps(data))
        if not path:
            return value
        node = copy
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = value
        return copy

    return st.builds(replaced, st.sampled_from(paths), JSON)


@pytest.mark.parametrize(
    ("provider", "name"), [("aftership", "delivered"), ("easypost", "delivered"), ("shippo", "lost")]
)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_value_anywhere_in_a_payload_parses_or_is_malformed_never_anything_else(
    provider: str, name: str, data: st.DataObject
) -> None:
    body = json.dumps(data.draw(_mutations(json.loads(recorded(provider, name))))).encode()
    try:
        updates = PROVIDERS[provider].parse(body)
    except Malformed:
        return
    assert all(update.status in CANONICAL for update in updates)


def test_the_carrier_modules_import_no_django() -> None:
    code = (
        "import sys, touchpoint.shipping.carriers; "
        "sys.exit(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')) != [])"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
