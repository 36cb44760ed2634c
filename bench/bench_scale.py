"""Cost stays flat with size: every console and customer page's 1-connection service time with
100,000 cases and with 1,000,000, each case with a realistic history, and the ratio per page (target
issue 14: within 1.5×). Printed, not asserted.

    python bench/bench_scale.py                                # 100,000 and 1,000,000 cases (long: builds)
    python bench/bench_scale.py --sizes 10000,100000           # any sizes; the ratio is last over first
    python bench/bench_scale.py --small                        # CI: 500 and 5,000 cases, a few seconds each
    python bench/bench_scale.py --data /work/bench-data        # where the databases are built and kept
    python bench/bench_scale.py build --cases 1000000          # only build (and keep) one size
    python bench/bench_scale.py measure --cases 1000000        # only measure a kept build (one JSON line)
    python bench/bench_scale.py measure --cases 100000 --pages journeys,insights   # some pages only

How the data is made (SQLite). First a few dozen *seed* cases go through the product itself: the
demo business (`touchpoint.demo`: orders through the order form's service, payments, quotes, scans,
feedback, handoffs accepted), then staff replies (``case_reply_send``) and notes
(``case_note_add``) until each has about 30 timeline entries and 12 messages, then the worker sends
everything. That seed database is kept and copied for each size. Then each size is filled by
cloning the seeds' rows (case, timeline, messages, timers, tasks; plus one customer for every two
cases) with fast bulk inserts: ids, references, unique keys and customer renumbered, times moved
back so that the shop takes 500 cases a day (1,000,000 cases are 5½ years of history). The number
of open cases stays the same at every size (a shop's open work doesn't grow with its age): the rest
are finished. Secondary indexes are dropped while filling and made again after.

The pages are measured in-process with Django's test client against the seed cases (each seed
case has its full history), signed in as the demo's agent (and its lead for the lead's pages): the
wall-clock p50 of each request, the CPU time of this process per request, and the queries. The
ceiling measured in the same process: a minimal Django view behind the same middleware.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import benchdb
from bench_console import reference  # the console bench's numbering of references

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT / "var" / "bench" / "scale"
SIZES = (100_000, 1_000_000)
SMALL_SIZES = (500, 5_000)
SEEDS = (40, 80)  # open seed cases, finished seed cases
SMALL_SEEDS = (6, 10)
OPEN_CASES = 5_000  # open cases at every size (fewer when the size is small)
CASES_PER_DAY = 500
ENTRIES, MESSAGES = 30, 12  # per seed case, through the product's own services
PASSWORD = "bench-password-not-secret"
AGENT, LEAD = "alex", "priya"
TARGET = 1.5
PAGE_SECONDS = 15  # a slow page is measured fewer times (at least 3)
CHILD_TABLES = ("cases_timelineentry", "outbox_outboxmessage", "cases_timer", "cases_task")
# Clones keep their messages short, so that 1,000,000 cases fit in about 20 GB
SHORTER_SQL = {
    "outbox_outboxmessage": {
        "body_text": 'substr(s."body_text", 1, 300)',
        "body_html": 'substr(s."body_html", 1, 300)',
        "headers": "'{}'",
    }
}
FIRST = [
    "Olivia",
    "Noah",
    "Amelia",
    "Leo",
    "Isla",
    "Oscar",
    "Ava",
    "Arthur",
    "Mia",
    "Muhammad",
    "Ivy",
    "Harry",
    "Freya",
    "Jack",
    "Lily",
    "George",
    "Ella",
    "Theo",
]
LAST = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Khan",
]
REPLIES = [
    "Thanks for your patience: we're on it and will write again as soon as we know more.",
    "Quick update from the bench: the part is here and the repair is booked in for tomorrow.",
    "Good news, it's all going to plan. Nothing for you to do for now.",
    "Sorry for the wait. I've chased the carrier and will let you know what they say.",
]
NOTES = [
    "Called the customer, no answer; left a voicemail.",
    "Customer asked about the battery too; told them we'd check it during diagnosis.",
    "Packed in a double box: the screen is already cracked.",
    "Carrier says the parcel is at the local depot.",
    "Checked the serial: not under warranty.",
]


def say(text: str) -> None:
    print(f"[scale {time.strftime('%H:%M:%S')}] {text}", flush=True)


def configure(folder: Path, name: str) -> None:
    """Django's settings for one database file in ``folder`` (the bench's settings: the app + /bench/minimal/)."""
    folder.mkdir(parents=True, exist_ok=True)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="console_settings",
        TOUCHPOINT_LOG_LEVEL="WARNING",
        TOUCHPOINT_VAR_DIR=str(folder),
        TOUCHPOINT_SQLITE_PATH=str(folder / name),
        TOUCHPOINT_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        TOUCHPOINT_SECRET_KEY="bench-scale-not-secret-" + "x" * 40,  # one key for the seeds and every copy
    )
    os.environ.pop("DATABASE_URL", None)
    sys.path[:0] = [str(ROOT / "bench"), str(ROOT / "src")]
    import django

    django.setup()


# --- the seed cases, through the product ---------------------------------------------------------


def seeds_build(folder: Path, opened: int, finished: int) -> None:
    """The demo business with ``opened`` + ``finished`` cases, each brought to about ENTRIES timeline
    entries and MESSAGES messages by replies and notes, every message sent by the worker."""
    configure(folder, "building.sqlite3")
    from django.core.management import call_command
    from django.db import connections

    from touchpoint.cases.models import Case
    from touchpoint.cases.services.notes import case_note_add
    from touchpoint.core import clock
    from touchpoint.demo.loader import demo_load
    from touchpoint.outbox.replies import case_reply_send
    from touchpoint.staff.models import StaffUser

    benchdb.migrate()
    began = time.monotonic()

    def progress(done: int, total: int) -> None:
        if done % 20 == 0:
            say(f"seed case {done}/{total}")

    demo_load(password=PASSWORD, cases=opened, history=finished, progress=progress)
    say(f"{opened + finished} demo cases in {time.monotonic() - began:.0f} s; replies and notes")
    staff = {user.username: user for user in StaffUser.objects.all()}
    for n, case in enumerate(Case.objects.select_related("journey", "customer").order_by("id")):
        entries, messages = case.timeline.count(), case.messages.count()
        last = case.timeline.order_by("-seq").values_list("at", flat=True).first() or case.opened_at
        until = clock.now() if case.is_open else last + timedelta(days=2)
        replies = max(0, MESSAGES - messages)
        notes = max(0, ENTRIES - entries - replies)
        moments = iter(last + (until - last) * (i + 1) / (replies + notes + 1) for i in range(replies + notes))
        for i in range(replies):
            with clock.at(next(moments)):
                case_reply_send(case=Case.objects.select_related("journey", "customer").get(pk=case.pk),
                                author=staff[AGENT], idempotency_key=f"bench-reply:{n}:{i}",
                                text=REPLIES[(n + i) % len(REPLIES)])  # fmt: skip
        for i in range(notes):
            with clock.at(next(moments)):
                case_note_add(case=Case.objects.get(pk=case.pk), author=staff["jo" if i % 2 else AGENT],
                              text=NOTES[(n + i) % len(NOTES)])  # fmt: skip
    say("the worker sends every message")
    call_command("worker", "--until-idle", "--id", "bench-scale", verbosity=0)
    connections.close_all()  # the last connection writes the WAL back into the file: it is copied alone
    if Path(f"{folder / 'building.sqlite3'}-wal").exists():
        raise SystemExit("the seed database's WAL was not written back")
    (folder / "building.sqlite3").rename(folder / "seeds.sqlite3")


# --- filling a size by cloning the seeds ---------------------------------------------------------


class Table:
    """One table's columns as SQLite describes them, and the SELECT that makes its clones' rows from its
    seed rows (in ``seed.<table>``) and the clone map ``m`` (see :func:`fill`)."""

    def __init__(self, db: sqlite3.Connection, name: str) -> None:
        self.name = name
        info = db.execute(f"PRAGMA table_info({name})").fetchall()
        self.columns = [row[1] for row in info]
        self.times = {row[1] for row in info if row[2].lower() == "datetime"}
        self.unique_text = self._unique_text(db)

    def _unique_text(self, db: sqlite3.Connection) -> set[str]:
        """Columns under a unique index that a clone must change (not the id, the case or the sequence)."""
        out: set[str] = set()
        for _seq, index, unique, _origin, _partial in db.execute(f"PRAGMA index_list({self.name})"):
            if unique:
                columns = [row[2] for row in db.execute(f"PRAGMA index_info({index})")]
                if not {"id", "case_id"} & set(columns):
                    out.update(columns)
        return out

    def clone_sql(self, given: dict[str, str], key: str = "case_id") -> str:
        """``INSERT … SELECT`` of one range of clones: ``given`` columns from these expressions, times
        moved back by the clone's shift, unique text prefixed with the clone's number, the rest copied."""

        def value(column: str) -> str:
            quoted = f's."{column}"'
            if column in given:
                return given[column]
            if column in self.times:
                return f"strftime('%Y-%m-%d %H:%M:%f', {quoted}, m.shift)"
            if column in self.unique_text:
                return f"printf('c%07d:', m.k) || {quoted}"  # in clone order: appended to its index
            return quoted

        columns = ", ".join(f'"{column}"' for column in self.columns)
        values = ", ".join(value(column) for column in self.columns)
        return (
            f"INSERT INTO main.{self.name} ({columns}) SELECT {values} FROM clones m CROSS JOIN seed.{self.name} s "
            f"ON s.{key} = m.seed_id WHERE m.k BETWEEN ? AND ? ORDER BY m.k, s.id"
        )


def secondary_indexes(db: sqlite3.Connection, tables: list[str]) -> list[tuple[str, str]]:
    marks = ",".join("?" * len(tables))
    query = f"SELECT name, sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL AND tbl_name IN ({marks})"
    return list(db.execute(query, tables))


def fill(folder: Path, cases: int) -> None:
    """Copy the seeds into ``folder``/scale.sqlite3 and clone them up to ``cases`` cases, inside SQLite:
    a clone map (one row per clone: its number, seed, new id, reference, customer and time shift) joined
    to the seed rows, range by range."""
    target = folder / "scale.sqlite3"
    shutil.copyfile(folder.parent / "seeds.sqlite3", target)
    db = sqlite3.connect(target, isolation_level=None)
    db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-1000000;")
    db.execute("ATTACH DATABASE ? AS seed", (f"file:{folder.parent / 'seeds.sqlite3'}?mode=ro",))
    seeds = db.execute("SELECT id, outcome = '', reference FROM cases_case ORDER BY id").fetchall()
    opened = [case_id for case_id, is_open, _ in seeds if is_open]
    ended = [case_id for case_id, is_open, _ in seeds if not is_open]
    taken = {ref for _, _, ref in seeds}
    clones = cases - len(seeds)
    open_clones = min(OPEN_CASES, cases // 20) - len(opened)
    say(f"{target}: {clones:,} clones of {len(seeds)} seed cases ({max(0, open_clones):,} open)")
    customer_t, case_t = Table(db, "customers_customer"), Table(db, "cases_case")
    children = [Table(db, name) for name in CHILD_TABLES]  # before the indexes go: they say what is unique
    dropped = secondary_indexes(db, ["cases_case", "customers_customer", *CHILD_TABLES])
    for name, _sql in dropped:
        db.execute(f"DROP INDEX {name}")
    db.execute("BEGIN")
    first_customer = 1 + db.execute("SELECT max(id) FROM customers_customer").fetchone()[0]
    names = ", ".join(f"'{FIRST[n % len(FIRST)]} {LAST[n // len(FIRST) % len(LAST)]}'" for n in range(99))
    db.execute("CREATE TEMP TABLE clones (k INTEGER PRIMARY KEY, seed_id, case_id, customer_id, reference, shift)")
    db.executemany(
        "INSERT INTO clones (k, seed_id, shift) VALUES (?, (SELECT min(id) FROM seed.customers_customer), ?)",
        ((n, f"-{n * 2 * 86400 // CASES_PER_DAY} seconds") for n in range(max(1, clones // 2))),
    )
    db.execute(
        customer_t.clone_sql(
            {
                "id": f"{first_customer} + m.k",
                "name": f"json_extract(json_array({names}), '$[' || (m.k % 99) || ']')",
                "email": "'customer' || m.k || '@bench.example.com'",
            },
            key="id",
        ),
        (0, clones),
    )
    db.execute("DELETE FROM clones")
    first_case = 1 + db.execute("SELECT max(id) FROM cases_case").fetchone()[0]
    rng = random.Random(14)  # reproducible data

    def plan() -> Iterator[tuple[Any, ...]]:
        number = 0
        for k in range(clones):
            is_open = k < open_clones
            while reference(number) in taken:
                number += 1
            # open clones: within the last half day; finished ones: spread back over the shop's history
            back = rng.uniform(0, 12 * 3600) if is_open else (k + 1) * 86400 / CASES_PER_DAY
            seed = opened[k % len(opened)] if is_open else ended[k % len(ended)]
            yield k, seed, first_case + k, first_customer + k // 2, reference(number), f"-{back:.3f} seconds"
            number += 1

    db.executemany("INSERT INTO clones VALUES (?, ?, ?, ?, ?, ?)", plan())
    case_sql = case_t.clone_sql(
        {
            "id": "m.case_id",
            "reference": "m.reference",
            "reply_token": "'bench' || printf('%015d', m.case_id)",
            "customer_id": "m.customer_id",
        },
        key="id",
    )
    child_sql = [t.clone_sql({"id": "NULL", "case_id": "m.case_id", **SHORTER_SQL.get(t.name, {})}) for t in children]
    began = time.monotonic()
    step = 20_000
    for first in range(0, clones, step):
        for sql in [case_sql, *child_sql]:
            db.execute(sql, (first, first + step - 1))
        done = min(clones, first + step)
        if done % 100_000 < step or done == clones:
            rate = done / (time.monotonic() - began)
            say(f"  {done:,}/{clones:,} cases cloned ({rate:,.0f}/s, ~{(clones - done) / rate / 60:.0f} min left)")
    db.execute("COMMIT")
    say(f"  making {len(dropped)} indexes again")
    for _name, sql in dropped:
        db.execute(sql)
    db.execute("DETACH DATABASE seed")
    db.execute("ANALYZE")
    db.execute("PRAGMA journal_mode=WAL")
    db.close()
    (folder / "built").write_text(f"{cases}\n")


def build(data: Path, cases: int, seeds: tuple[int, int]) -> Path:
    """The kept build of ``cases`` cases under ``data`` (made when missing): its folder."""
    seeds_dir = data / f"seeds-{seeds[0]}-{seeds[1]}"
    if not (seeds_dir / "seeds.sqlite3").exists():
        say(f"building {sum(seeds)} seed cases through the product in {seeds_dir}")
        child = [sys.executable, __file__, "seeds", "--data", str(data), "--seeds", f"{seeds[0]},{seeds[1]}"]
        subprocess.run(child, check=True)
    folder = seeds_dir / f"cases-{cases}"
    if (folder / "built").read_text().strip() == str(cases) if (folder / "built").exists() else False:
        say(f"reusing {folder}")
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "built").unlink(missing_ok=True)
    began = time.monotonic()
    fill(folder, cases)
    say(f"{cases:,} cases built in {(time.monotonic() - began) / 60:.1f} min; {du(folder)}")
    return folder


def du(folder: Path) -> str:
    size = sum(p.stat().st_size for p in folder.glob("*.sqlite3*"))
    return f"{size / 1e9:.1f} GB on disk"


# --- measuring ----------------------------------------------------------------------------------


def pages() -> Iterator[tuple[str, str, str]]:
    """(label, user, path) of every page measured, on the seed cases."""
    from touchpoint.cases.models import Case
    from touchpoint.links.services import link_token

    seeds = Case.objects.exclude(reply_token__startswith="bench")  # the seeds, not their clones
    opened = seeds.filter(outcome="").order_by("-opened_at").first()
    ended = seeds.exclude(outcome="").order_by("-closed_at").first()
    assert opened is not None and ended is not None
    customer = opened.customer
    yield "minimal Django view (ceiling)", AGENT, "/bench/minimal/"
    yield "console: my team's queue", AGENT, "/console/?q=team"
    yield "console: all open", AGENT, "/console/?q=all"
    yield "console: mine", AGENT, "/console/?q=mine"
    yield "console: search a reference", AGENT, f"/console/?q=all&search={ended.reference}"
    yield "console: search an email", AGENT, f"/console/?q=all&search={customer.email}"
    yield "console: search a name", AGENT, f"/console/?q=all&search={customer.name.split()[-1]}"
    yield "console: case view (open)", AGENT, f"/console/cases/{opened.reference}/"
    yield "console: case view (ended)", AGENT, f"/console/cases/{ended.reference}/"
    yield "console: remedies of a case", AGENT, f"/console/cases/{opened.reference}/remedies/"
    yield "console: scan station", AGENT, "/console/scan/"
    yield "console: journeys", AGENT, "/console/journeys/"
    yield "console: people", LEAD, "/console/people/"
    yield "console: insights", LEAD, "/console/insights/"
    yield "console: wall moderation", LEAD, "/console/wall/"
    yield "console: themes", LEAD, "/console/themes/"
    yield "customer: case page (open)", "", f"/c/{link_token(case=opened)}/"
    yield "customer: case page (ended)", "", f"/c/{link_token(case=ended)}/"
    yield "customer: order form", "", "/repair/"
    yield "customer: report form", "", "/report/"
    yield "customer: the wall", "", "/reviews"


def chosen(pages: list[tuple[str, str, str]], wanted: str | None) -> list[tuple[str, str, str]]:
    """The pages whose label contains one of ``wanted``'s comma-separated words (all without it); the
    minimal view always comes along, as the ceiling measured in the same run."""
    if not wanted:
        return pages
    words = [w.strip().lower() for w in wanted.split(",") if w.strip()]
    picked = [p for i, p in enumerate(pages) if i == 0 or any(w in p[0].lower() for w in words)]
    if len(picked) == 1:
        raise SystemExit(f"no page's label contains any of {words}: " + "; ".join(p[0] for p in pages))
    return picked


def signed_in_clients() -> dict[str, Any]:
    """A test client per user of :func:`pages` (the customer's is signed out), each signed in as the
    code step leaves a session: its ``sessionid`` cookie also opens the pages on a running server."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    from touchpoint.staff.models import StaffUser
    from touchpoint.staff.two_factor import OWES_CODE, app_device

    clients: dict[str, Any] = {}
    for username in ("", AGENT, LEAD):
        clients[username] = Client(HTTP_HOST="127.0.0.1")
        if username:
            person = StaffUser.objects.get(username=username)
            clients[username].force_login(person)
            if (device := app_device(user=person)) is not None:  # what the code step leaves in the session
                session = clients[username].session
                session[DEVICE_ID_SESSION_KEY] = device.persistent_id
                session.pop(OWES_CODE, None)
                session.save()
    return clients


class Counter:
    def __init__(self) -> None:
        self.queries = 0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        self.queries += 1
        return execute(sql, params, many, context)


def ready(folder: Path) -> None:
    """Django set up on the build in ``folder``, brought to the code's schema, with the figures the worker keeps."""
    configure(folder, "scale.sqlite3")
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    call_command("collectstatic", interactive=False, verbosity=0)  # as `touchpoint run` does: hashed names
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        say("bringing the kept build to the code's schema (migrate, then ANALYZE for the new indexes)")
        call_command("migrate", verbosity=0)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    # The insights and people pages read the figures the worker keeps: work every window out first,
    # as the worker does (its cost is printed: it is paid every few minutes, not per request).
    from touchpoint.core.clock import now
    from touchpoint.insights.snapshots import insights_figures, people_figures, snapshots_refresh_all

    for label, work in (
        ("the worker's figures, every window of both pages", snapshots_refresh_all),
        ("  of which insights, 30 days, all journeys (the page's work per request before)",
         lambda: insights_figures(since=now() - timedelta(days=30), journey="")),
        ("  of which people, 90 days (the page's work per request before)",
         lambda: people_figures(since=now() - timedelta(days=90))),
    ):  # fmt: skip
        cpu, began = time.process_time(), time.perf_counter()
        work()
        wall_ms, cpu_ms = (time.perf_counter() - began) * 1000, (time.process_time() - cpu) * 1000
        say(f"  {label}: {wall_ms:,.0f} ms, CPU {cpu_ms:,.0f} ms")


def measure(folder: Path, requests: int, wanted: str | None = None) -> dict[str, Any]:
    """Each page's figures on the build in ``folder`` (those :func:`chosen` by ``wanted``):
    {label: [p50 ms, CPU ms, queries, status]}."""
    ready(folder)
    from django.db import connection

    clients = signed_in_clients()
    out: dict[str, Any] = {}
    for label, user, path in chosen(list(pages()), wanted):
        client = clients[user]
        status = client.get(path).status_code
        client.get(path)
        counter = Counter()
        with connection.execute_wrapper(counter):
            client.get(path)
        walls: list[float] = []
        cpu = time.process_time()
        budget = time.perf_counter() + PAGE_SECONDS
        while len(walls) < requests and (len(walls) < 3 or time.perf_counter() < budget):
            began = time.perf_counter()
            client.get(path)
            walls.append(time.perf_counter() - began)
        cpu_ms = (time.process_time() - cpu) / len(walls) * 1000
        out[label] = [statistics.median(walls) * 1000, cpu_ms, counter.queries, status]
        say(f"  {label}: p50 {out[label][0]:.1f} ms, CPU {cpu_ms:.1f} ms, {counter.queries} queries, HTTP {status}")
    return out


def measured(data: Path, cases: int, seeds: tuple[int, int], requests: int) -> dict[str, Any]:
    build(data, cases, seeds)
    child = [sys.executable, __file__, "measure", "--data", str(data), "--cases", str(cases),
             "--seeds", f"{seeds[0]},{seeds[1]}", "--requests", str(requests)]  # fmt: skip
    say(f"measuring {cases:,} cases ({requests} requests a page)")
    lines = subprocess.run(child, check=True, stdout=subprocess.PIPE, text=True).stdout.splitlines()
    return dict(json.loads(next(line for line in lines if line.startswith("{"))))


def table(sizes: list[int], figures: list[dict[str, Any]]) -> None:
    first, last = figures[0], figures[-1]
    print(f"\n1-connection in-process service time, p50 ms (CPU ms per request, queries); target: "
          f"{sizes[-1]:,} within {TARGET}× of {sizes[0]:,}")  # fmt: skip
    print(f"(load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    head = "".join(f"{f'{size:,} cases':>26}" for size in sizes)
    print(f"{'page':<34}{head}{'ratio':>8}{'CPU ratio':>10}")
    for label in first:
        cells = "".join(f"{f'{f[label][0]:.1f} ({f[label][1]:.1f}, {f[label][2]}q)':>26}" for f in figures)
        ratio = last[label][0] / first[label][0]
        cpu = last[label][1] / first[label][1]
        bad = [f"HTTP {f[label][3]}" for f in figures if f[label][3] != 200]
        flag = "  ← over" if ratio > TARGET and cpu > TARGET else ""
        print(f"{label:<34}{cells}{ratio:>7.2f}×{cpu:>9.2f}×{flag}{'  ' + ', '.join(bad) if bad else ''}")


def pair(text: str) -> tuple[int, int]:
    opened, finished = (int(x) for x in text.split(","))
    return opened, finished


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("step", nargs="?", choices=["seeds", "build", "measure"])
    parser.add_argument("--data", type=Path, default=Path(os.environ.get("BENCH_DATA", DEFAULT_DATA)))
    parser.add_argument("--small", action="store_true", help="CI size: a few seconds a size")
    parser.add_argument("--sizes", help="comma-separated case counts, e.g. 100000,1000000")
    parser.add_argument("--cases", type=int, help="one size (build, measure)")
    parser.add_argument("--seeds", type=pair, help="open,finished seed cases (default 40,80; 6,10 with --small)")
    parser.add_argument("--requests", type=int, help="requests per page (default 30; 5 with --small)")
    parser.add_argument("--pages", help="measure: only the pages whose label holds one of these comma-separated words")
    args = parser.parse_args()
    seeds = args.seeds or (SMALL_SEEDS if args.small else SEEDS)
    requests = args.requests or (5 if args.small else 30)
    data = args.data.resolve()
    if args.step == "seeds":
        seeds_build(data / f"seeds-{seeds[0]}-{seeds[1]}", *seeds)
    elif args.step == "build":
        build(data, args.cases, seeds)
    elif args.step == "measure":
        folder = data / f"seeds-{seeds[0]}-{seeds[1]}" / f"cases-{args.cases}"
        print(json.dumps(measure(folder, requests, args.pages)))
    else:
        sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else list(SMALL_SIZES if args.small else SIZES)
        figures = [measured(data, size, seeds, requests) for size in sizes]
        table(sizes, figures)
        if args.small:
            shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
