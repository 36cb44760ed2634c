"""No request gets a 500: property-based fuzzing of every URL pattern the project routes.

For each pattern (found by Django's URL resolver, so a new page is fuzzed the day it is added), with
real objects made through the product (a case's link and reference, its quote, a photo, a demo
checkout, a remedy request, each kind of staff person signed in), Hypothesis sends GETs and POSTs
built from what the view reads and what its pages send, with some values replaced by the values
that broke parsers before, any text, huge numbers, NaN, empty and very long strings, nested JSON.
The signed webhooks get bodies signed with the right secret, so the fuzzing reaches past the
signature into the parsing. Whatever comes back must be below 500; a failure lists every pattern
that answered 500 (or raised), each with the request that did it.

Reproducible in CI: ``derandomize=True`` (the same examples every run, from each test's name) and
no example database. ``TOUCHPOINT_FUZZ_EXAMPLES`` sets the examples per pattern (default below);
``TOUCHPOINT_FUZZ_SEED=<n>`` explores other examples, the same ones again for the same n."""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import stripe
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, Phase, example, given, note, seed, settings
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

from tests.fuzz import surfaces, values
from tests.fuzz.surfaces import Clients, Discovered, Pattern
from tests.fuzz.world import EMAIL_SECRET, STRIPE_SECRET, World, build, configure
from tests.support.carriers import SECRETS as CARRIER_SECRETS
from tests.support.carriers import recorded
from tests.support.report import report
from touchpoint.api.signing import signature_for
from touchpoint.shipping.carriers import PROVIDERS

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("TOUCHPOINT_FUZZ_EXAMPLES", "8"))
# The console's ~65 patterns in three tests of a third each: one test of them all was the suite's
# longest (75–105 s), and the last to finish when it started late.
CONSOLE_SHARDS = 3
SEED = os.environ.get("TOUCHPOINT_FUZZ_SEED")
PEOPLE = {
    "portal": ["anonymous"],
    "public": ["anonymous", "agent"],
    "hooks": ["anonymous"],
    "demo-pay": ["anonymous"],
    "console": ["anonymous", "agent", "lead", "admin"],
    "admin": ["admin"],
}
# The admin's own machinery, unchanged by the project: its pages are Django's, not ours to fuzz.
DJANGO_ADMIN = ("_delete", "_history", ":autocomplete", ":jsi18n", ":view_on_site", ":index", ":app_list",
                ":login", ":logout", ":password_change", ":password_change_done")  # fmt: skip
# The admin's random requests are GETs (its lists' filters, search, order and pages; a form's initial
# values), to keep the suite inside CI's time: its POSTs get the sweep's killers only. What Django's own
# admin answered 500 to is refused by core.admin_site, each case in tests/core/test_admin_bad_input.py.
METHODS = {"admin": ["GET"]}
NUMBER = re.compile(r"-?[0-9][0-9.,]*")
NUMBER_KILLERS = ["²", "1_000", "1E+30", "9" * 309]
# Names no view asks for, sent now and then: a form must ignore what it doesn't declare.
STRANGERS = ["id", "pk", "case", "state", "amount", "admin", "is_staff", "next", "format", "csrfmiddlewaretoken"]
CONTENT_TYPES = [
    "application/json",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "multipart/form-data; boundary=",
    "text/plain",
    "message/rfc822",
    "application/octet-stream",
]


def fuzz_settings(examples: int) -> Callable[[Any], Any]:
    chosen = settings(
        max_examples=examples,
        derandomize=SEED is None,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: the state it ran against has moved on
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    return chosen if SEED is None else lambda probe: seed(int(SEED))(chosen(probe))


@pytest.fixture
def world(settings: Any, tmp_path: Path) -> World:
    configure(settings, tmp_path / "media")
    return build()


def _ours(pattern: Pattern) -> bool:
    """Not the admin's own machinery, nor the admin pages of another project's models (Django's groups,
    django-axes, django-otp): those are theirs, unchanged here. Our models' admin pages are ours."""
    if pattern.area != "admin":
        return True
    if pattern.name.endswith(DJANGO_ADMIN):
        return False
    ours = {config.label for config in apps.get_app_configs() if config.name.startswith("touchpoint.")}
    return any(pattern.name.startswith(f"admin:{label}_") for label in ours)


def _people(world: World) -> Clients:
    return Clients({"anonymous": None, **world.staff})


def _real(world: World, pattern: Pattern) -> dict[str, list[str]]:
    real = dict(world.path_values)
    for name, converter in pattern.params:
        if converter == "regex":
            real[name] = surfaces.regex_choices(pattern, name) or real.get(name, [])
        if name == "object_id":
            real[name] = ["1"]
    return {name: found for name, found in real.items() if found}


def _send(client: Any, method: str, path: str, params: dict[str, Any], raw: tuple[bytes, str] | None) -> Any:
    if method == "GET":
        return client.get(path, params)
    if raw is not None:
        return client.post(path, data=raw[0], content_type=raw[1])
    return client.post(path, params)


def fuzz(
    world: World,
    area: str,
    examples: int = EXAMPLES,
    most: int = 40,
    killers: list[str] | None = None,
    number_killers: list[str] | None = None,
    shard: tuple[int, int] = (0, 1),
) -> None:
    """Fuzz every pattern of ``area``: the sweep of ``killers``, then ``examples`` random requests and
    two more for each name the view reads (at ``most``). Fail listing each pattern that answered 500.
    ``shard`` (n, of): only every ``of``-th pattern from the ``n``-th, so one area's work spreads over
    the suite's processes."""
    patterns = [p for p in surfaces.url_patterns() if p.area == area and _ours(p)][shard[0] :: shard[1]]
    assert patterns, f"no URL patterns in {area}"
    clients = _people(world)
    people = {who: clients.people[who] for who in PEOPLE[area]}
    scoped = Clients(people)
    started = time.perf_counter()
    found = surfaces.discover(patterns, scoped, lambda pattern: _real(world, pattern))
    failures: list[str] = list(found.crashes)
    sent = [0]
    deepest = PEOPLE[area][-1]  # the person the most is open to: the sweep goes as them
    for pattern in patterns:
        real = _real(world, pattern)
        chosen = (killers or values.KILLERS, NUMBER_KILLERS if number_killers is None else number_killers)
        sent[0] += _sweep(pattern, found, scoped, deepest, real, failures, *chosen)

    def prober(pattern: Pattern, count: int) -> Callable[[], None]:
        real = _real(world, pattern)

        @fuzz_settings(count)
        @given(st.data())
        def probe(data: st.DataObject) -> None:
            who = data.draw(st.sampled_from(PEOPLE[area]), label="who")
            method = data.draw(st.sampled_from(METHODS.get(area, ["GET", "POST"])), label="method")
            args = {name: data.draw(_path_value(name, kind, real), label=name) for name, kind in pattern.params}
            path = pattern.path(args)
            params, raw = _params(data, found, pattern.name, method)
            note(f"{method} {path} as {who}: {params!r}"[:2000] + (f" raw={raw!r}"[:300] if raw else ""))
            try:
                response = _send(scoped(who), method, path, params, raw)
            finally:
                scoped.after(who, pattern.name)
                sent[0] += 1
            assert response.status_code < 500, f"{method} {path} answered {response.status_code}"

        return probe

    for pattern in patterns:
        names = found.declared(pattern.name, "GET") | found.declared(pattern.name, "POST")
        try:
            prober(pattern, min(most, examples + 2 * len(names)))()
        except Exception as exc:  # every pattern's failure is listed, not only the first
            notes = "\n    ".join(getattr(exc, "__notes__", []))
            failures.append(f"{pattern.route} ({pattern.name}): {type(exc).__name__}: {exc}\n    {notes}")
    elapsed = time.perf_counter() - started
    report(f"fuzz {area}: {len(patterns)} URL patterns, {sent[0]} requests in {elapsed:.1f} s")
    assert not failures, f"{len(failures)} of {len(patterns)} patterns in {area} answered 500:\n" + "\n".join(failures)


def _sweep(
    pattern: Pattern,
    found: Discovered,
    clients: Clients,
    who: str,
    real: dict[str, list[str]],
    failures: list[str],
    killers: list[str],
    number_killers: list[str],
) -> int:
    """Each killer value in every field the view reads at once, by each method, at the real objects:
    the values that broke parsers before, sent everywhere, whatever the random examples pick."""
    if any(name not in real for name, _ in pattern.params):
        return 0
    path = surfaces.real_paths(pattern, real, most=1)[0]
    sent = 0
    for method in ("GET", "POST"):
        names = sorted(found.declared(pattern.name, method))
        if not names:
            continue
        base = (found.sends.get((pattern.name, method)) or [{}])[0]
        # Every field at once; then each number the page sends alone, the rest as the page has them
        # (a form that refuses its other fields first never reaches the number's parsing otherwise).
        tries = [dict.fromkeys(names, killer) for killer in killers]
        numbers = [name for name, value in base.items() if isinstance(value, str) and NUMBER.fullmatch(value)]
        tries += [{name: killer} for name in numbers for killer in number_killers]
        for change in tries:
            params = base | change
            shown = ", ".join(f"{k}={v[:20]!r}" for k, v in change.items())[:200]
            try:
                response = _send(clients(who), method, path, params, None)
                status = response.status_code
            except Exception as exc:  # listed with the others below
                status, why = 500, f"{type(exc).__name__}: {exc}"
            else:
                why = f"answered {status}"
            finally:
                clients.after(who, pattern.name)
                sent += 1
            if status >= 500:
                failures.append(f"{pattern.route} ({pattern.name}): {method} {path} as {who}, {shown}: {why}")
                break
    return sent


def _path_value(name: str, converter: str, real: dict[str, list[str]]) -> st.SearchStrategy[str]:
    fuzzed = values.path_value(converter)
    if name not in real:
        return fuzzed
    mine = st.sampled_from(real[name])
    return st.one_of(mine, mine, mine, fuzzed)  # mostly the real object, so the view gets past its lookup


def _params(
    data: st.DataObject, found: Discovered, name: str, method: str
) -> tuple[dict[str, Any], tuple[bytes, str] | None]:
    bases = found.sends.get((name, method)) or [{}]
    base = data.draw(st.sampled_from(bases), label="the page's form")
    names = sorted(found.declared(name, method) | set(base))
    pick = st.sampled_from(names) if names else st.sampled_from(STRANGERS)
    changes = data.draw(
        st.dictionaries(st.one_of(pick, pick, pick, st.sampled_from(STRANGERS)), values.VALUE, max_size=3),
        label="changed",
    )
    dropped = data.draw(st.sets(st.sampled_from(sorted(base)), max_size=2), label="left out") if base else set()
    params = {key: value for key, value in base.items() if key not in dropped} | changes
    for upload in sorted(found.files.get((name, method), set())):
        if data.draw(st.booleans(), label=f"a file in {upload}"):
            body = data.draw(st.binary(max_size=300), label="file bytes")
            named = data.draw(values.TEXT, label="file name")
            # A name Django's UploadedFile can't hold ("d0/", "..") is the test client's to refuse, not the view's
            named = named if os.path.basename(named) not in ("", ".", "..") else "photo.bin"
            params[upload] = SimpleUploadedFile(named, body)
    raw = None
    if method == "POST" and data.draw(st.integers(0, 9), label="raw?") == 0:
        body = data.draw(st.one_of(st.binary(max_size=400), values.ONE.map(str.encode)), label="raw body")
        raw = (body, data.draw(st.sampled_from(CONTENT_TYPES), label="content type"))
    return params, raw


def test_the_customers_pages_never_answer_500(world: World) -> None:
    fuzz(world, "portal")


def test_the_public_pages_never_answer_500(world: World) -> None:
    fuzz(world, "public")


@pytest.mark.parametrize("shard", range(CONSOLE_SHARDS))
def test_the_console_never_answers_500(world: World, shard: int) -> None:
    fuzz(world, "console", shard=(shard, CONSOLE_SHARDS))


def test_the_demo_card_page_never_answers_500(world: World) -> None:
    fuzz(world, "demo-pay")


def test_the_admin_never_answers_500(world: World) -> None:
    # Django's own pages, with our ModelAdmins' forms in them: fewer examples, every field at once
    # only (a number alone meets Django's own 500s in its widgets: tests/core/test_admin_bad_input.py).
    fuzz(world, "admin", examples=2, most=2, killers=["²", "1_000"], number_killers=[])


def test_every_pattern_is_fuzzed() -> None:
    """A new page is in an area the tests above fuzz, and each of its path parameters has a real
    object to aim at or a converter to fuzz: nothing routed escapes. A new webhook needs its own
    body fuzzing, as the two below have."""
    known_converters = {"str", "int", "slug", "path", "regex", "uuid"}
    patterns = surfaces.url_patterns()
    for pattern in patterns:
        assert pattern.area in PEOPLE, f"{pattern.route} ({pattern.name}) is in no fuzzed area: add it to AREAS"
        for name, converter in pattern.params:
            assert converter in known_converters, f"{pattern.route}: a <{converter}:{name}> the fuzzing can't fill"
    hooks = {pattern.route for pattern in patterns if pattern.area == "hooks"}
    carriers = {f"hooks/carriers/{provider}" for provider in PROVIDERS}
    texts = {"hooks/sms/twilio/status", "hooks/sms/twilio/inbound"}
    assert hooks == {"hooks/email", "hooks/stripe", *carriers, *texts}, (
        f"fuzz the body of each webhook: {sorted(hooks)}"
    )


# The signed webhooks: bodies signed with the right secret, so parsing is fuzzed past the signature.
# Each is given first the requests that broke it before (explicit examples), then generated ones.

NOW = "now"  # sign with the time now; anything else is the t= / X-Touchpoint-Timestamp sent as it is
NESTED = b"[" * 100_000 + b"]" * 100_000
WEBHOOK_EXAMPLES = EXAMPLES * 25


def _stripe_header(payload: str, stamp: Any, garbage: str | None) -> str:
    if garbage is not None:
        return garbage
    if stamp == NOW:
        stamp = int(time.time())
    mac = stripe.WebhookSignature._compute_signature(f"{stamp}.{payload}", STRIPE_SECRET)
    return f"t={stamp},v1={mac}"


def test_the_stripe_webhook_never_answers_500(world: World, client: Any) -> None:
    good = {"id": world.session.pk, "amount_total": 3900, "currency": "gbp", "payment_status": "paid"}
    body = st.one_of(
        values.stripe_event(good).map(lambda event: json.dumps(event).encode()),
        values.ONE.map(str.encode),
        st.binary(max_size=500),
    )
    stamp = st.one_of(st.just(NOW), st.just(NOW), st.integers(), st.sampled_from(values.SPECIAL))

    @fuzz_settings(WEBHOOK_EXAMPLES)
    @given(body=body, stamp=stamp, garbage=st.none() | st.none() | values.ONE)
    def probe(body: bytes, stamp: Any, garbage: str | None) -> None:
        header = _stripe_header(body.decode("utf-8", "replace"), stamp, garbage)
        note(f"POST /hooks/stripe Stripe-Signature={header[:300]!r} body={body[:300]!r}")
        response = client.post(
            "/hooks/stripe", data=body, content_type="application/json", headers={"Stripe-Signature": header}
        )
        assert response.status_code < 500, response.content[:500]

    probe = example(body=NESTED, stamp=NOW, garbage=None)(probe)  # RecursionError in json.loads
    probe = example(body=b"{}", stamp=int(time.time()) + 10**9, garbage=None)(probe)  # signed for the future
    for killer in values.KILLERS:
        probe = example(body=killer.encode(), stamp=NOW, garbage=None)(probe)
        probe = example(body=b"{}", stamp=killer, garbage=None)(probe)
    probe()


def _mail(data: st.DataObject) -> bytes:
    """A raw message as a hostile sender writes one: any headers, any words, UTF-8, no encoding rules."""
    lines = []
    for header in ("From", "To", "Subject", "Message-ID", "In-Reply-To", "References", "Date", "Content-Type"):
        if data.draw(st.booleans(), label=f"has {header}"):
            value = data.draw(st.one_of(values.TEXT, st.sampled_from(values.SPECIAL)), label=header)
            lines.append(f"{header}: {value}")
    if data.draw(st.booleans(), label="has Authentication-Results"):
        lines.append("Authentication-Results: " + data.draw(values.ONE, label="Authentication-Results"))
    words = data.draw(st.one_of(values.TEXT, st.sampled_from(values.SPECIAL)), label="words")
    return ("\r\n".join(lines) + "\r\n\r\n" + words).encode("utf-8", "surrogatepass")


MAIL = b"From: ian@example.com\r\nTo: help@touchpoint.localhost\r\nSubject: hello\r\n\r\nHi\r\n"


def test_the_email_webhook_never_answers_500(world: World, client: Any) -> None:
    reply = f"reply+{world.waiting.reply_token}@touchpoint.localhost"

    @fuzz_settings(WEBHOOK_EXAMPLES)
    @given(
        data=st.data(),
        stamp=st.one_of(st.just(NOW), st.just(NOW), st.just(NOW), values.ONE),
        garbage=st.none() | st.none() | st.none() | values.ONE,
        kind=st.sampled_from(["message/rfc822"] * 4 + CONTENT_TYPES),
        raw=st.none(),
    )
    def probe(data: st.DataObject, stamp: str, garbage: str | None, kind: str, raw: bytes | None) -> None:
        body = raw
        if body is None:
            shape = data.draw(st.sampled_from(["mail", "mail", "reply", "bytes"]), label="body")
            body = data.draw(st.binary(max_size=600), label="bytes") if shape == "bytes" else _mail(data)
            if shape == "reply":
                body = f"To: {reply}\r\n".encode() + body
        sent_stamp = str(int(time.time())) if stamp == NOW else stamp
        signature = garbage or signature_for(secret=EMAIL_SECRET, timestamp=sent_stamp.strip(), body=body)
        headers = {"X-Touchpoint-Timestamp": sent_stamp, "X-Touchpoint-Signature": signature}
        note(f"POST /hooks/email {headers!r} {kind} body={body[:300]!r}")
        response = client.post("/hooks/email", data=body, content_type=kind, headers=headers)
        assert response.status_code < 500, response.content[:500]

    for killer in values.KILLERS:  # the timestamp that overflowed a float, and the rest, correctly signed
        probe = example(data=None, stamp=killer, garbage=None, kind="message/rfc822", raw=MAIL)(probe)
        probe = example(data=None, stamp=NOW, garbage=None, kind="message/rfc822", raw=killer.encode())(probe)
    probe()


# A recorded delivery of each carrier, to mutate: the parsers get bodies shaped like the real thing.
CARRIER_SAMPLES = {"aftership": "in_transit", "easypost": "in_transit", "shippo": "in_transit"}


@pytest.mark.parametrize("provider", sorted(CARRIER_SAMPLES))
def test_the_carrier_webhooks_never_answer_500(world: World, client: Any, settings: Any, provider: str) -> None:
    """Signed with the right secret (so parsing is fuzzed past the signature), or not: any body, any
    value anywhere in a recorded event's JSON, any signature header."""
    setting = f"TOUCHPOINT_CARRIER_{provider.upper()}_SECRET"
    setattr(settings, setting, CARRIER_SECRETS[provider])
    sample = json.loads(recorded(provider, CARRIER_SAMPLES[provider]))
    module = PROVIDERS[provider]

    def mutated(data: st.DataObject) -> bytes:
        event = json.loads(json.dumps(sample))
        node = event
        while isinstance(node, dict) and node and data.draw(st.booleans(), label="deeper"):
            key = data.draw(st.sampled_from(sorted(node)), label="key")
            if not isinstance(node[key], dict):
                node[key] = data.draw(values.JSON, label=f"value of {key}")
                break
            node = node[key]
        return json.dumps(event).encode()

    @fuzz_settings(WEBHOOK_EXAMPLES)
    @given(data=st.data(), garbage=st.none() | st.none() | st.none() | values.ONE)
    def probe(data: st.DataObject | None, garbage: str | None) -> None:
        shape = "recorded" if data is None else data.draw(st.sampled_from(["event", "event", "text", "bytes"]))
        if data is None:  # the explicit examples: the recorded event, under a signature header that kills
            body = json.dumps(sample).encode()
        elif shape == "event":
            body = mutated(data)
        elif shape == "text":
            body = data.draw(values.ONE, label="text").encode("utf-8", "surrogatepass")
        else:
            body = data.draw(st.binary(max_size=600), label="bytes")
        headers = (
            module.sign(body, CARRIER_SECRETS[provider]) if garbage is None else {module.SIGNATURE_HEADER: garbage}
        )
        note(f"POST /hooks/carriers/{provider} {headers!r} body={body[:300]!r}")
        response = client.post(
            f"/hooks/carriers/{provider}", data=body, content_type="application/json", headers=headers
        )
        assert response.status_code < 500, response.content[:500]

    for killer in values.KILLERS:
        probe = example(data=None, garbage=killer)(probe)
    probe()


# What Twilio posts to each text webhook, to mutate: its fields, one value changed, dropped or added.
TWILIO_TOKEN = "twilio-fuzz-token"
TWILIO_FIELDS = {
    "hooks/sms/twilio/inbound": {
        "MessageSid": "SM" + "a" * 32,
        "From": "+447700900123",
        "To": "+447700900000",
        "Body": "STOP",
        "NumMedia": "1",
        "MediaContentType0": "image/jpeg",
    },
    "hooks/sms/twilio/status": {"MessageSid": "SM" + "b" * 32, "MessageStatus": "undelivered", "ErrorCode": "30003"},
}


@pytest.mark.parametrize("route", sorted(TWILIO_FIELDS))
def test_the_text_webhooks_never_answer_500(world: World, client: Any, settings: Any, route: str) -> None:
    """Signed with the right auth token over the right URL (so the fields are fuzzed past the
    signature), or under a signature header that is anything at all."""
    settings.TWILIO_AUTH_TOKEN = TWILIO_TOKEN
    sample = TWILIO_FIELDS[route]
    keys = st.sampled_from(sorted({*sample, "SmsSid", "SmsStatus", "ErrorMessage", "MediaContentType9"}))

    @fuzz_settings(WEBHOOK_EXAMPLES)
    @given(
        changes=st.dictionaries(keys, st.one_of(values.ONE, st.sampled_from(values.KILLERS)), max_size=3),
        dropped=st.lists(keys, max_size=2),
        garbage=st.none() | st.none() | st.none() | values.ONE,
    )
    def probe(changes: dict[str, str], dropped: list[str], garbage: str | None) -> None:
        fields = {k: v for k, v in {**sample, **changes}.items() if k not in dropped}
        url = f"{settings.TOUCHPOINT_PUBLIC_URL}/{route}"
        signature = garbage if garbage is not None else RequestValidator(TWILIO_TOKEN).compute_signature(url, fields)
        note(f"POST /{route} X-Twilio-Signature={signature!r} fields={fields!r}")
        response = client.post(
            f"/{route}",
            data=urlencode(fields),
            content_type="application/x-www-form-urlencoded",
            headers={"X-Twilio-Signature": signature},
        )
        assert response.status_code < 500, response.content[:500]

    for killer in values.KILLERS:
        probe = example(changes={"Body": killer, "MessageStatus": killer}, dropped=[], garbage=None)(probe)
    probe()
