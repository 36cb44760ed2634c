"""The customer's case page (``/c/<token>/``) in-process, at a small and a larger history, beside
ceilings measured in the same run: Django's least view behind the same middleware
(``/bench/minimal/``) and the same page's template rendered from a context gathered once (no queries).

    python bench/bench_portal.py                 # 20,000 cases, and a tenth of that
    python bench/bench_portal.py --cases 100000  # the size the issue measured (a few minutes to build)

Each size is built by ``bench_console.build()`` (mail-in-repair cases over every state, a tenth of
them ended, their timelines, timers and handoffs) into its own SQLite file, the ETA figures are
worked out once as the worker does (``touchpoint.cases.eta``), then each page is requested
``--requests`` times through Django's test client in this process (one connection, no server):
the p50 of the service time by the wall clock and in this process's CPU time (steady on a busy
machine). Figures are printed, never asserted: what should hold is that the
case page's time at the larger history is about its time at the smaller one (the CPU ratio).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = ROOT / "var" / "bench" / "portal"


def build(cases: int) -> str:
    """``cases`` cases in a fresh SQLite database; returns the token of the case page to open."""
    import bench_console

    bench_console.CASES = cases
    bench_console.BENCH_DIR = BENCH_DIR
    bench_console.configure("sqlite")
    _, reference = bench_console.build("sqlite")
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)  # as `touchpoint run` serves them
    from touchpoint.cases.eta import eta_figures_refresh_all
    from touchpoint.cases.models import Case
    from touchpoint.links.services import link_token

    eta_figures_refresh_all()  # what the worker's eta-figures job stores as cases finish
    return link_token(case=Case.objects.get(reference=reference))


def timed(fn: object, requests: int) -> tuple[float, float]:
    """(wall-clock p50, CPU p50) milliseconds of ``requests`` calls after five to warm up. The CPU
    time is this process's own (SQLite runs in it), so it holds still on a machine busy with
    other work, where the wall clock also counts the waits for a core."""
    assert callable(fn)
    for _ in range(5):
        fn()
    wall, cpu = [], []
    for _ in range(requests):
        began, began_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - began) * 1000)
        cpu.append((time.process_time() - began_cpu) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def measure(cases: int, requests: int) -> list[tuple[str, float, float, int]]:
    """Build ``cases`` and measure; rows of (what, p50 ms, p95 ms, queries)."""
    began = time.monotonic()
    token = build(cases)
    print(f"  {cases:,} cases built in {time.monotonic() - began:.0f} s", flush=True)
    from django.db import connection, reset_queries
    from django.template.loader import render_to_string
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from touchpoint.links.services import link_resolve

    client = Client(HTTP_HOST="127.0.0.1")
    path = f"/c/{token}/"

    def page() -> None:
        response = client.get(path)
        assert response.status_code == 200, response.status_code

    def minimal() -> None:
        assert client.get("/bench/minimal/").status_code == 200

    page()  # the link's first use is recorded once
    reset_queries()  # the build's queries filled the log (DEBUG): an emptied log counts from zero
    with CaptureQueriesContext(connection) as queries:
        page()
    page_queries = len(queries.captured_queries)  # now: the log is emptied by the next request
    rows = [("minimal Django view", *timed(minimal, requests), 0)]
    from touchpoint.portal.views.tracking import case_page_context

    request = client.get(path).wsgi_request
    resolved = link_resolve(token)
    assert resolved.link is not None
    context = case_page_context(request, resolved.link.case, token)

    def template_only() -> None:
        render_to_string("portal/tracking/case.html", context, request=request)

    rows.append(("case page template only", *timed(template_only, requests), 0))
    rows.append(("customer's case page", *timed(page, requests), page_queries))
    from touchpoint.cases.eta import eta_figures_compute

    # the worker's side: what one finished case costs it (the journey's figures worked out again)
    reset_queries()
    with CaptureQueriesContext(connection) as worked:
        eta_figures_compute(journey_name="mail-in-repair")
    worked_queries = len(worked.captured_queries)
    figures = (*timed(lambda: eta_figures_compute(journey_name="mail-in-repair"), max(requests // 20, 5)),)
    rows.append(("worker: a journey's ETA", *figures, worked_queries))
    connection.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=20_000, help="the larger history (the smaller is a tenth)")
    parser.add_argument("--requests", type=int, default=200, help="requests per page and size")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a single size, in its own process
    args = parser.parse_args()
    if args.one is not None:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console_settings")
        os.environ["TOUCHPOINT_LOG_LEVEL"] = "WARNING"
        sys.path[:0] = [str(ROOT / "bench"), str(ROOT / "src")]
        for label, wall, cpu, queries in measure(args.one, args.requests):
            print(f"ROW\t{args.one}\t{label}\t{wall:.2f}\t{cpu:.2f}\t{queries}", flush=True)
        return
    sizes = [max(args.cases // 10, 100), args.cases]
    results: dict[tuple[int, str], tuple[float, float, int]] = {}
    labels: list[str] = []
    try:
        for size in sizes:  # each size in a fresh process: Django is set up once per process
            print(f"building and measuring {size:,} cases …", flush=True)
            run = subprocess.run(
                [sys.executable, __file__, "--one", str(size), "--requests", str(args.requests)],
                capture_output=True,
                text=True,
                check=False,
            )
            if run.returncode != 0:
                raise SystemExit(f"the {size:,}-case run failed:\n{run.stderr[-3000:]}")
            for line in run.stdout.splitlines():
                if not line.startswith("ROW\t"):
                    print(line)
                    continue
                _, _, label, *figures = line.split("\t")
                results[(size, label)] = (float(figures[0]), float(figures[1]), int(figures[2]))
                if label not in labels:
                    labels.append(label)
    finally:
        shutil.rmtree(BENCH_DIR, ignore_errors=True)
    small, large = sizes
    print(
        f"\nin-process, one connection, SQLite, {args.requests} requests each (load average {os.getloadavg()[0]:.1f})"
    )
    head = f"{'page (p50)':<26}" + "".join(f"{f'wall @{n:,}':>15}{f'CPU @{n:,}':>15}" for n in sizes)
    print(f"{head}{'queries':>9}{'CPU ratio':>11}")
    for label in labels:
        cells = "".join(f"{results[(n, label)][0]:>13.2f}ms{results[(n, label)][1]:>13.2f}ms" for n in sizes)
        ratio = results[(large, label)][1] / results[(small, label)][1]
        print(f"{label:<26}{cells}{results[(large, label)][2]:>9}{ratio:>10.2f}×")
    if (large, "case page template only") in results:
        page, floor = results[(large, "customer's case page")][1], results[(large, "case page template only")][1]
        print(f"the page's queries and Python besides its template: {page - floor:.2f} ms CPU at {large:,} cases")


if __name__ == "__main__":
    main()
