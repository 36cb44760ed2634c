"""What ordering a repair costs in-process: one POST /repair/ as a new visitor sends it (no session,
a fresh nonce, its own client address, the form URL-encoded as a browser and the peer harness send
it), through Django's test client on a fresh database; and the order page's GET by a new visitor.

    python bench/profile_order.py                       # ms per order and queries per order (SQLite)
    python bench/profile_order.py --queries             # every statement of one order
    python bench/profile_order.py --queries --get       # every statement of the order page's GET
    python bench/profile_order.py --profile             # cProfile of the orders, by cumulative time
    python bench/profile_order.py --parts               # CPU of each part of the order's message
    python bench/profile_order.py --db postgres         # the same on PostgreSQL (a fresh database)
    python bench/profile_order.py --customers 20000     # with that many customers first (as the peer harness)

Beside it, the same client's GET of ``/bench/minimal/`` (the least a Django view can do, behind the
same middleware): the ceiling. CPU time of this process (``time.process_time``) and wall time.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import secrets
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from benchdb import TAG, fresh_postgres, fresh_sqlite, migrate

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = ROOT / "var" / "bench" / f"order{TAG}"
ORDER = {
    "problem": "not_sure",
    "description": "It stopped working after a drop. Please have a look.",
    "phone": "",
    "address_line1": "1 High Street",
    "address_line2": "",
    "town": "Leeds",
    "postcode": "LS1 1AA",
    "country": "GB",
    "shipping": "box",
    "channel": "email",
}


def prepare(db: str) -> None:
    """A fresh database with the schema, the mail-in-repair journey and the demo shop's catalog."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="console_settings", TOUCHPOINT_LOG_LEVEL="WARNING", TOUCHPOINT_VAR_DIR=str(BENCH_DIR)
    )
    sys.path[:0] = [str(ROOT / "bench"), str(ROOT / "src")]
    if db == "sqlite":
        fresh_sqlite(BENCH_DIR / "order.sqlite3")
    else:
        fresh_postgres(f"touchpoint_bench_order{TAG}")
    import django

    django.setup()
    from django.core.management import call_command

    from touchpoint.cases.journeys import journey_register
    from touchpoint.demo.loader import _catalog

    migrate()
    call_command("collectstatic", interactive=False, verbosity=0)  # the page links them, hashed, as `touchpoint run`
    path = ROOT / "src" / "touchpoint" / "journeys" / "library" / "mail-in-repair.yaml"
    journey_register(source=path.read_text(encoding="utf-8"), filename=str(path))
    _catalog()


def message_parts(repeat: int) -> None:
    """CPU ms of each part of the last order's message, rendered again ``repeat`` times as the order
    renders it (the case just opened, its timers passed along), in a transaction rolled back after."""
    from django.db import transaction
    from django.template import Context
    from django.utils.safestring import mark_safe

    from touchpoint.cases.journeys import journey_of
    from touchpoint.cases.models import Case, Timer
    from touchpoint.outbox.models import OutboxMessage
    from touchpoint.payments.selectors import case_money
    from touchpoint.touchpoints import rendering, services
    from touchpoint.touchpoints.overrides import overrides_current
    from touchpoint.touchpoints.tone import tone_for_case

    case = Case.objects.select_related("journey", "customer").latest("pk")
    key = OutboxMessage.objects.filter(case=case).values_list("touchpoint", flat=True).get()
    journey, timers = journey_of(case.journey), list(Timer.objects.filter(case=case))
    engine = overrides_current().engine()
    template = rendering.template_find(engine=engine, journey=journey.name, key=key)
    kw: dict[str, Any] = {"case": case, "journey": journey, "key": key, "opened": True, "timers": timers}
    context = services.touchpoint_context(**kw)
    message = rendering.touchpoint_render(engine=engine, template=template, tone="playful", context=context)
    layout = {**context, "tone": "playful", "subject": message.subject, "preheader": "", "body": ""}
    layout["body"] = mark_safe(message.html_body)  # as layout_render passes it: escaped by the engine

    def templates() -> object:
        return rendering.touchpoint_render(engine=engine, template=template, tone="playful", context=context)

    def layout_html() -> str:
        return engine.get_template(rendering.LAYOUT_HTML).render(Context(layout))

    page = layout_html()
    parts = (
        ("the whole message", lambda: services.case_message_render(**kw)),
        ("  overrides (kept copy)", overrides_current),
        ("  tone", lambda: tone_for_case(case=case, journey=journey, opened=True)),
        ("  context", lambda: services.touchpoint_context(**kw)),
        ("    the emailed link", lambda: services.tracking_url(case=case, opened=True)),
        ("    the device's name", lambda: services.device_words(case.data)),
        ("    money", lambda: case_money(case=case, opened=True)),
        ("    shop (kept copy)", services.shop_context),
        ("  templates", templates),
        ("    layout, HTML", layout_html),
        ("    CSS inlining", lambda: rendering.email_inline(page)),
    )
    print(f"the {key} message of {case.reference} ({len(message.html)} bytes of HTML), {repeat} times each")
    print(f"{'part':<28}{'CPU ms':>9}")
    with transaction.atomic():
        for name, call in parts:
            call()
            cpu = time.process_time()
            for _ in range(repeat):
                call()
            print(f"{name:<28}{(time.process_time() - cpu) * 1000 / repeat:>9.3f}")
        transaction.set_rollback(True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--queries", action="store_true", help="print one order's statements")
    parser.add_argument("--profile", action="store_true", help="cProfile the orders (with --get: the page)")
    parser.add_argument("--get", action="store_true", help="--queries and --profile look at the order page's GET")
    parser.add_argument("--parts", action="store_true", help="CPU of each part of the order's touch point")
    parser.add_argument("--customers", type=int, default=0, help="customers in the shop before the orders")
    args = parser.parse_args()
    prepare(args.db)
    if args.customers:
        from touchpoint.customers.models import Customer

        people = (Customer(name=f"Customer {n}", email=f"customer{n}@example.com") for n in range(args.customers))
        Customer.objects.bulk_create(people, batch_size=2000)
    from django.db import connection
    from django.test import Client

    from touchpoint.catalog.models import DeviceModel

    models = list(DeviceModel.objects.filter(active=True).values_list("slug", flat=True))
    counter = iter(range(1, 10**9))

    # One client (one handler, its middleware loaded once, as a web process does), without cookies
    # between requests: each is a new visitor.
    client = Client(HTTP_HOST="localhost")

    def order() -> int:
        n = next(counter)
        client.cookies.clear()
        data = {**ORDER, "model": models[n % len(models)], "name": f"Load Tester {n}", "email": f"load{n}@example.com"}
        body = urlencode({**data, "nonce": secrets.token_urlsafe(24)})
        address = f"127.0.{n // 250 % 250 + 1}.{n % 250 + 1}"
        response = client.post("/repair/", body, content_type="application/x-www-form-urlencoded", REMOTE_ADDR=address)
        assert response.status_code == 303, response.status_code
        return 1

    def page() -> int:
        n = next(counter)
        client.cookies.clear()
        assert client.get("/repair/", REMOTE_ADDR=f"127.1.{n // 250 % 250 + 1}.{n % 250 + 1}").status_code == 200
        return 1

    def minimal() -> int:
        client.cookies.clear()
        assert client.get("/bench/minimal/").status_code == 200
        return 1

    statements: list[str] = []

    def note(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append(sql)  # (a request resets Django's own query log as it starts)
        return execute(sql, params, many, context)

    for _ in range(20):  # warm up: imports, the journey's parse, the templates
        order()
        page()
        minimal()
    if args.parts:
        message_parts(args.orders)
        return
    if args.queries:
        with connection.execute_wrapper(note):
            (page if args.get else order)()
        print("\n".join(sql[:220] for sql in statements) + f"\n{len(statements)} statements")
        return
    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(args.orders):
            (page if args.get else order)()
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(45)
        return
    print(f"{args.db}: {args.orders} orders through POST /repair/, in-process (Django test client)")
    print(f"{'request':<18}{'CPU ms':>9}{'wall ms':>9}{'queries':>9}")
    for name, call in (("POST /repair/", order), ("GET /repair/", page), ("GET minimal view", minimal)):
        statements.clear()
        with connection.execute_wrapper(note):
            call()
        cpu, wall = time.process_time(), time.perf_counter()
        for _ in range(args.orders):
            call()
        cpu, wall = (time.process_time() - cpu) * 1000 / args.orders, (time.perf_counter() - wall) * 1000 / args.orders
        print(f"{name:<18}{cpu:>9.2f}{wall:>9.2f}{len(statements):>9}")


if __name__ == "__main__":
    main()
