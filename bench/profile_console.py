"""What one console request costs in-process, page by page: ms per request and queries, on the
database ``bench_console.py --keep`` built (SQLite) or left behind (PostgreSQL).

    python bench/bench_console.py --db sqlite --keep     # once: build and keep the 100,000 cases
    python bench/profile_console.py                      # ms and queries per page
    python bench/profile_console.py --queries case       # every statement of one case view
    python bench/profile_console.py --profile case       # cProfile of 100 case views, by cumulative time
    python bench/profile_console.py --cold               # Django's cache emptied before each request
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/touchpoint python bench/profile_console.py --db postgres

CPU time of this process (``time.process_time``), so a busy neighbour disturbs it less than a clock.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from typing import Any

from bench_console import BENCH_DIR, REFERENCE, configure

PAGES = {
    "minimal": "/bench/minimal/",
    "team": "/console/?q=team",
    "mine": "/console/?q=mine",
    "all": "/console/?q=all",
    "case": f"/console/cases/{REFERENCE}/",
}


class _Recorder:
    """An execute wrapper noting each statement and how long the database took."""

    def __init__(self, into: list[tuple[float, str]]) -> None:
        self.into = into

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.into.append(((time.perf_counter() - began) * 1000, sql))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--queries", choices=sorted(PAGES), help="print one request's statements")
    parser.add_argument("--profile", choices=sorted(PAGES), help="cProfile 100 requests")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument(
        "--cold",
        action="store_true",
        help="empty Django's cache before each request: every kept part drawn again, as on the first page "
        "after a change (the emptying is timed too; the kept reply choices and remedy forms go as well)",
    )
    args = parser.parse_args()
    if args.db == "sqlite" and not (BENCH_DIR / "built").exists():
        raise SystemExit("no kept database: run `python bench/bench_console.py --db sqlite --keep` first")
    configure(args.db)
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    from touchpoint.staff.models import StaffUser

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(StaffUser.objects.get(username="bench-agent"))
    for path in PAGES.values():  # warm each process cache and compiled read once
        if (status := client.get(path).status_code) != 200:
            raise SystemExit(f"{path} answered HTTP {status}")
    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(100):
            client.get(PAGES[args.profile])
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(50)
        return
    for name, path in PAGES.items():
        if args.queries and name != args.queries:
            continue
        statements: list[tuple[float, str]] = []
        if args.cold:
            cache.clear()
        with connection.execute_wrapper(_Recorder(statements)):
            client.get(path)
        began = time.process_time()
        for _ in range(args.requests):
            if args.cold:
                cache.clear()
            client.get(path)
        ms = (time.process_time() - began) / args.requests * 1000
        print(f"{name:<8}{ms:>7.2f} ms a request{len(statements):>5} queries", flush=True)
        if args.queries:
            for took, sql in statements:
                print(f"  {took:6.2f} ms  {sql[:160]}")


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(__file__))
    main()
