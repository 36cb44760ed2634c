"""Durable transitions per second: case update, timeline entry, outbox message and timers, each
committed — through ``case_advance`` (the ORM), beside the same writes in raw SQL measured in the
same run (the ceiling: plain DB-API statements built from the models' own fields).

    python bench/bench_engine.py                    # every configuration, a table at the end
    python bench/bench_engine.py --transitions 300  # a small run (CI: it must not rot)
    python bench/bench_engine.py --db sqlite --procs 1 --mode raw   # one measurement (used internally)

Target (issue 3): at least 20% of the raw ceiling in every configuration, and 2,000 transitions/s
in the best configuration of each database. Printed, not asserted.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchdb import PG_ADMIN_URL, TAG, fresh_postgres, fresh_sqlite, migrate

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = ROOT / "var" / "bench" / f"engine{TAG}"  # its own folder: it is removed at the end
DATABASE = f"touchpoint_bench_engine{TAG}"
CASES_PER_PROC = 200
TRANSITIONS_PER_PROC = 3000


def configure(db: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "touchpoint.settings"
    os.environ["TOUCHPOINT_LOG_LEVEL"] = "WARNING"
    os.environ["TOUCHPOINT_VAR_DIR"] = str(BENCH_DIR)
    if db == "sqlite":
        os.environ.pop("DATABASE_URL", None)
        os.environ["TOUCHPOINT_SQLITE_PATH"] = str(BENCH_DIR / "bench.sqlite3")
    else:
        os.environ["DATABASE_URL"] = f"{PG_ADMIN_URL}/{DATABASE}"


def prepare(db: str) -> None:
    """A fresh database with the schema and the bench journey."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    if db == "sqlite":
        fresh_sqlite(BENCH_DIR / "bench.sqlite3")
    else:
        fresh_postgres(DATABASE)
    configure(db)
    import django

    django.setup()

    from touchpoint.cases.journeys import journey_register

    migrate()
    path = Path(__file__).with_name("bench-ping.yaml")
    journey_register(source=path.read_text(), filename=str(path))


def open_cases(count: int, tag: str) -> list[int]:
    from touchpoint.cases.actors import SYSTEM
    from touchpoint.customers.models import Customer
    from touchpoint.flows.advance import case_open

    customer, _ = Customer.objects.get_or_create(email=f"bench-{tag}@example.com", defaults={"name": "Bench"})
    return [case_open(journey="bench-ping", customer=customer, actor=SYSTEM).case.pk for _ in range(count)]


def run_services(case_ids: list[int], transitions: int) -> tuple[float, float]:
    from touchpoint.cases.actors import SYSTEM
    from touchpoint.cases.models import Case
    from touchpoint.flows.advance import case_advance

    cases = list(Case.objects.select_related("journey", "customer").filter(pk__in=case_ids))
    start, cpu = time.perf_counter(), time.process_time()
    for n in range(transitions):
        i = n % len(cases)
        cases[i] = case_advance(case=cases[i], event="flip", actor=SYSTEM).case
    return time.perf_counter() - start, time.process_time() - cpu


def _insert(model: Any, given: tuple[str, ...]) -> tuple[str, Any]:
    """``INSERT INTO <table> (<every column but the id>) VALUES (…)`` for ``model``, from its own
    fields (so the ceiling can't fall behind the schema), and a function that turns the ``given``
    columns' values into the statement's parameters: every other column takes the field's default,
    converted once, as the database stores it."""
    from django.db import connection

    quote = connection.ops.quote_name
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    names = [f.attname for f in fields]
    missing = set(given) - set(names)
    if missing:
        raise SystemExit(f"{model.__name__} has no column {sorted(missing)}: update bench_engine.run_raw")
    columns = ", ".join(quote(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})"
    defaults = [f.get_db_prep_save(f.get_default(), connection) for f in fields]
    slots = [(names.index(name), fields[names.index(name)]) for name in given]

    def params(*values: Any) -> list[Any]:
        row = list(defaults)
        for (i, field), value in zip(slots, values, strict=True):
            row[i] = field.get_db_prep_save(value, connection)
        return row

    return sql, params


def run_raw(case_ids: list[int], transitions: int) -> tuple[float, float]:
    """The same rows through the DB-API cursor: the ceiling for these writes on this database.
    Its statements are built from the models' fields, so a column added later is written too."""
    from django.db import connection, transaction
    from django.utils import timezone

    from touchpoint.cases.models import Case, TimelineEntry, Timer
    from touchpoint.outbox.models import OutboxMessage

    quote = connection.ops.quote_name

    def column(model: Any, name: str) -> str:
        return quote(model._meta.get_field(name).column)

    case_table, timer_table = quote(Case._meta.db_table), quote(Timer._meta.db_table)
    c = {name: column(Case, name) for name in ("id", "state", "version", "state_seq", "state_entered_at", "updated_at")}
    t = {name: column(Timer, name) for name in ("case", "status", "finished_at")}
    update_case = (
        f"UPDATE {case_table} SET {c['state']} = %s, {c['version']} = %s, {c['state_seq']} = {c['state_seq']} + 1, "
        f"{c['state_entered_at']} = %s, {c['updated_at']} = %s WHERE {c['id']} = %s AND {c['version']} = %s"
    )
    cancel_timers = (
        f"UPDATE {timer_table} SET {t['status']} = 'cancelled', {t['finished_at']} = %s "
        f"WHERE {t['case']} = %s AND {t['status']} = 'pending'"
    )
    entry_sql, entry = _insert(
        TimelineEntry, ("case_id", "seq", "at", "kind", "event", "from_state", "to_state", "actor_kind", "summary")
    )
    message_sql, message = _insert(
        OutboxMessage,
        (
            "case_id",
            "channel",
            "recipient",
            "touchpoint",
            "tone",
            "subject",
            "body_text",
            "body_html",
            "next_attempt_at",
            "idempotency_key",
            "created_at",
        ),
    )
    timer_sql, timer = _insert(Timer, ("case_id", "purpose", "event", "state", "state_seq", "due_at", "created_at"))
    state = dict(Case.objects.filter(pk__in=case_ids).values_list("pk", "state"))
    version = dict(Case.objects.filter(pk__in=case_ids).values_list("pk", "version"))
    seq = {pk: 100 for pk in case_ids}
    start, cpu = time.perf_counter(), time.process_time()
    with connection.cursor() as cur:
        for n in range(transitions):
            pk = case_ids[n % len(case_ids)]
            now = timezone.now()
            at = connection.ops.adapt_datetimefield_value(now)
            new = "pong" if state[pk] == "ping" else "ping"
            with transaction.atomic():
                cur.execute(update_case, [new, version[pk] + 1, at, at, pk, version[pk]])
                seq[pk] += 1
                cur.execute(
                    entry_sql,
                    entry(pk, seq[pk], now, "transition", "flip", state[pk], new, "system", "Ping → Pong (flip)"),
                )
                cur.execute(cancel_timers, [at, pk])
                cur.execute(
                    message_sql,
                    message(
                        pk,
                        "email",
                        "bench@example.com",
                        "pinged",
                        "playful",
                        "TP-XXXXX: Ping.",
                        "Hello\n" * 10,
                        "<p>Hello</p>" * 10,
                        now,
                        f"raw:{pk}:{seq[pk]}",
                        now,
                    ),
                )
                cur.execute(timer_sql, timer(pk, "wait", "finish", new, seq[pk], now, now))
            state[pk], version[pk] = new, version[pk] + 1
    return time.perf_counter() - start, time.process_time() - cpu


def child(db: str, mode: str, tag: str, transitions: int, queue: Any) -> None:
    try:
        configure(db)
        import django

        django.setup()
        ids = open_cases(CASES_PER_PROC, f"{mode}-{tag}")
        queue.put((run_services if mode == "services" else run_raw)(ids, transitions))
    except BaseException as exc:  # the parent must hear of it, or it waits forever
        queue.put(f"{type(exc).__name__}: {exc}")
        raise


def measure(db: str, procs: int, mode: str, transitions: int) -> tuple[float, float]:
    """Transitions per second over all processes (total work / the slowest process's time), and the
    CPU milliseconds a transition took in its process (the mean over the processes): the figure to
    compare on a machine shared with other work, where waiting for a core slows the rate."""
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    workers = [ctx.Process(target=child, args=(db, mode, str(i), transitions, queue)) for i in range(procs)]
    for w in workers:
        w.start()
    times = [queue.get(timeout=900) for _ in workers]
    for w in workers:
        w.join()
    failures = [t for t in times if isinstance(t, str)]
    if failures:
        raise SystemExit(f"a benchmark process failed: {failures[0]}")
    walls, cpus = [t[0] for t in times], [t[1] for t in times]
    return procs * transitions / max(walls), sum(cpus) * 1000 / (procs * transitions)


def postgres_available() -> bool:
    try:
        import psycopg

        psycopg.connect(f"{PG_ADMIN_URL}/postgres", connect_timeout=3).close()
    except Exception:
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgres"])
    parser.add_argument("--procs", type=int, default=1)
    parser.add_argument("--mode", choices=["raw", "services"])
    parser.add_argument("--transitions", type=int, default=TRANSITIONS_PER_PROC, help="per process")
    args = parser.parse_args()
    if args.db and args.mode:  # one measurement, in this fresh process, on a fresh database
        prepare(args.db)
        rate, cpu = measure(args.db, args.procs, args.mode, args.transitions)
        print(json.dumps({"rate": rate, "cpu_ms": cpu}))
        return
    configs = [(args.db, args.procs)] if args.db else [("sqlite", 1), ("postgres", 1), ("postgres", 4)]
    if not postgres_available():
        print("PostgreSQL: no server answers; its configurations are skipped")
        configs = [c for c in configs if c[0] == "sqlite"]
    rows = []
    for db, procs in configs:
        row: dict[str, Any] = {"db": db, "procs": procs}
        for mode in ("raw", "services"):
            command = [sys.executable, __file__, "--db", db, "--procs", str(procs), "--mode", mode]
            command += ["--transitions", str(args.transitions)]
            out = subprocess.run(command, capture_output=True, text=True)
            if out.returncode != 0:
                raise SystemExit(f"{db} × {procs} ({mode}) failed:\n{out.stderr[-3000:]}")
            found = json.loads(out.stdout.strip().splitlines()[-1])
            row[mode], row[f"{mode}_cpu"] = found["rate"], found["cpu_ms"]
        rows.append(row)
    print(
        f"Durable transitions/s ({args.transitions:,} per process over {CASES_PER_PROC} cases each; "
        "each commits the case update, a timeline entry, an outbox message and timers)"
    )
    print(
        f"{'configuration':<22}{'case_advance (ORM)':>20}{'raw SQL ceiling':>17}{'share':>9}"
        f"{'CPU ms: ORM':>13}{'raw':>7}   target: ≥20% of raw"
    )
    for row in rows:
        share = row["services"] / row["raw"]
        name = f"{row['db']} × {row['procs']} proc"
        cpu = f"{row['services_cpu']:>13.2f}{row['raw_cpu']:>7.2f}"
        print(f"{name:<22}{row['services']:>20,.0f}{row['raw']:>17,.0f}{share:>9.0%}{cpu}")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (CPU ms: per transition, in its process)")
    best: dict[str, float] = {}
    for row in rows:
        best[row["db"]] = max(best.get(row["db"], 0), row["services"])
    for db, figure in best.items():
        print(f"best on {db}: {figure:,.0f} transitions/s (target ≥ 2,000)")
    shutil.rmtree(BENCH_DIR, ignore_errors=True)


if __name__ == "__main__":
    main()
