"""The timer sweep at scale: 10,000 due timers among 1,000,000 pending, fired by the worker's own
sweep (``Worker._fire_timers``: claim a batch under a lease, fire it ``TIMERS_PER_TRANSACTION`` per
transaction, the moves written together: ``flows/together.py``), beside a ceiling measured in the same run: the
same number of bare single-row UPDATEs, each committed.

    python bench/bench_timers.py                          # SQLite, 1,000,000 pending, 10,000 due
    python bench/bench_timers.py --db postgres            # the same on PostgreSQL
    python bench/bench_timers.py --cases 1000 --per-case 10 --due 500   # a small run (CI)
    python bench/bench_timers.py --db postgres --processes 2             # two workers sweeping at once

The shape, laid down in bulk: ``--due`` cases of ``bench-timers.yaml`` whose one timer ran out a
minute ago, and ``--cases`` cases waiting with ``--per-case`` timers each due in 1 to 30 days
(10,000 + 10,000 × 99 = 1,000,000 pending). Firing a due timer moves its case to an exception a
person owns: the case update, its timeline entry, its pending timers cancelled, two new timers (the
wait and the handoff's acceptance) and two tasks, in one transaction; no message (bench_engine.py
measures transitions that send one). Also prints the claim query's plan on this database: it must use the
partial index on pending timers' (due_at, id), or the sweep would grow with the pending rows. The figures
are wall-clock and the process's CPU time (``time.process_time``), which a busy neighbour on a shared
machine disturbs less; quote the load beside them.
Target (issue 14): under 10 s for 10,000 due among 1,000,000. Printed, not asserted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from datetime import timedelta
from pathlib import Path

from benchdb import TAG, fresh_postgres, fresh_sqlite, migrate

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = ROOT / "var" / "bench" / f"timers{TAG}"  # its own folder: it is removed at the end
DATABASE = f"touchpoint_bench_timers{TAG}"


def prepare(db: str) -> None:
    """A fresh database with the schema and the bench journey."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    os.environ.update(TOUCHPOINT_LOG_LEVEL="WARNING", TOUCHPOINT_VAR_DIR=str(BENCH_DIR))
    os.environ["DJANGO_SETTINGS_MODULE"] = "touchpoint.settings"
    sys.path.insert(0, str(ROOT / "src"))
    if db == "sqlite":
        fresh_sqlite(BENCH_DIR / "timers.sqlite3")
    else:
        fresh_postgres(DATABASE)
    import django

    django.setup()

    migrate()


def build(*, cases: int, per_case: int, due: int) -> None:
    """Lay the cases and their timers down in bulk (what case_open would have written for each):
    ``due`` cases whose one timer ran out a minute ago, and ``cases`` waiting cases with ``per_case``
    timers each, due in 1 to 30 days."""
    from touchpoint.cases.journeys import journey_register
    from touchpoint.cases.models import Case, Timer
    from touchpoint.core.clock import now
    from touchpoint.customers.models import Customer
    from touchpoint.staff.models import Team

    path = Path(__file__).with_name("bench-timers.yaml")
    version = journey_register(source=path.read_text(encoding="utf-8"), filename=str(path))
    Team.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    customer = Customer.objects.create(name="Bench", email="bench-timers@example.com")
    at = now()
    began = time.perf_counter()
    step = 2000
    total = due + cases
    for chunk in range(0, total, step):
        made = Case.objects.bulk_create(
            [
                Case(reference=f"TB-{n:07d}", journey=version, customer=customer, state="waiting", owner="system",
                     opened_at=at, state_entered_at=at, updated_at=at)
                for n in range(chunk, min(chunk + step, total))
            ]
        )  # fmt: skip
        timers = []
        for i, case in enumerate(made, start=chunk):
            whens = (
                [at - timedelta(minutes=1)]
                if i < due
                else [at + timedelta(days=1 + (i + k) % 30) for k in range(per_case)]
            )
            timers += [
                Timer(case=case, purpose="wait", event="overdue", state="waiting", state_seq=1, due_at=when,
                      created_at=at)
                for when in whens
            ]  # fmt: skip
        Timer.objects.bulk_create(timers, batch_size=5000)
        done = min(chunk + step, total)
        if done % max(step, total // 10 // step * step) == 0 or done == total:
            took = time.perf_counter() - began
            print(f"  built {done:,} of {total:,} cases ({took:.0f} s)", flush=True)


def claim_plan() -> str:
    """The plan of the claim query (:func:`touchpoint.core.leases.lease_due` on pending timers)."""
    from django.db.models import Q

    from touchpoint.cases.models import Timer
    from touchpoint.core.clock import now

    at = now()
    due = (
        Timer.objects.filter(status="pending", due_at__lte=at)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=at))
        .order_by("due_at", "pk")
    )
    return due.values_list("pk", flat=True)[:100].explain()


def sweep(worker_id: str = "bench-timers") -> tuple[float, dict[str, int]]:
    """The worker's sweep until nothing is due: seconds, and the outcomes (with ``cpu_ms``, this
    process's CPU time)."""
    from touchpoint.worker.loop import PassResult, Worker

    worker = Worker(worker_id=worker_id)
    result = PassResult()
    began, cpu = time.perf_counter(), time.process_time()
    while True:
        before = sum(result.timers.values())
        worker._fire_timers(result)
        if sum(result.timers.values()) == before:
            break
    result.timers["cpu_ms"] = round((time.process_time() - cpu) * 1000)
    return time.perf_counter() - began, result.timers


def sweeps(processes: int) -> tuple[float, dict[str, int]]:
    """``processes`` workers sweeping at once, each its own process (as ``touchpoint worker`` started
    that many times): the wall-clock seconds until all are done, and their outcomes and CPU summed."""
    import multiprocessing

    from django.db import connections

    connections.close_all()  # each process opens its own
    began = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        results = pool.map(sweep, [f"bench-timers-{n}" for n in range(processes)])
    total: dict[str, int] = {}
    for _, outcomes in results:
        for key, value in outcomes.items():
            total[key] = total.get(key, 0) + value
    return time.perf_counter() - began, total


def ceiling(count: int) -> float:
    """``count`` bare single-row UPDATEs of pending timers, each its own transaction: the least a
    sweep that marks each timer fired can cost on this database."""
    from django.db import transaction

    from touchpoint.cases.models import Timer

    ids = list(Timer.objects.filter(status="pending").order_by("due_at").values_list("pk", flat=True)[:count])
    began = time.perf_counter()
    for pk in ids:
        with transaction.atomic():
            Timer.objects.filter(pk=pk).update(attempts=1)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--per-case", type=int, default=99)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--processes", type=int, default=1, help="workers sweeping at once (PostgreSQL)")
    args = parser.parse_args()
    prepare(args.db)
    pending = args.cases * args.per_case
    print(
        f"{args.db}: {args.cases:,} cases × {args.per_case} pending timers = {pending:,}; {args.due:,} due", flush=True
    )
    build(cases=args.cases, per_case=args.per_case, due=args.due)
    print("claim query plan:")
    print("  " + claim_plan().replace("\n", "\n  "))
    seconds, outcomes = sweep() if args.processes == 1 else sweeps(args.processes)
    cpu = outcomes.pop("cpu_ms") / 1000
    bare = ceiling(args.due)
    fired = outcomes.get("fired", 0)
    label = "worker sweep" if args.processes == 1 else f"worker sweep, {args.processes} processes"
    print(f"{'':<34}{'seconds':>9}{'per s':>9}")
    print(
        f"{label:<34}{seconds:>9.1f}{fired / seconds:>9,.0f}   outcomes {outcomes}, CPU {cpu:.1f} s"
        f" ({cpu / max(fired, 1) * 1000:.2f} ms a timer), load {os.getloadavg()[0]:.1f}"
    )
    print(f"{'ceiling: bare UPDATE, committed':<34}{bare:>9.1f}{args.due / bare:>9,.0f}")
    verdict = f"{seconds:.1f} s, {seconds / bare:.1f}× the ceiling"
    print(f"target: {args.due:,} due among {pending:,} pending in under 10 s — {verdict}")
    shutil.rmtree(BENCH_DIR, ignore_errors=True)


if __name__ == "__main__":
    main()
