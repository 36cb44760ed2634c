"""Every page under load: 32 connections on each page of ``bench_scale.py``'s list, served by
``touchpoint run --no-worker`` (gunicorn, its production defaults) from a kept ``bench_scale`` build,
beside the minimal Django view on the same server in the same run. Target (issue 14): every page's
p95 under 150 ms at 32 connections on the 2-core machine. Printed, not asserted.

    python bench/bench_load.py --cases 100000                # a kept build of bench_scale.py (made if missing)
    python bench/bench_load.py --cases 1000000 --seconds 20  # the issue's larger size
    python bench/bench_load.py --small                       # CI: 500 cases, 1 s a page

The load comes from ``wrk`` (Debian's package; ``make bench-deps`` installs it as root), which shares
the machine with the server, as a client of a small shop's server would not: the figures are an upper
bound on what a customer waits. Each page gets a 2 s warm-up, then ``--seconds`` of 32 connections.
The staff pages are opened with the session cookie of the same signed-in users as ``bench_scale.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import bench_scale
from bench_scale import SEEDS, SMALL_SEEDS, say

HERE = Path(__file__).resolve().parent
STATS = HERE / "wrk_stats.lua"
TARGET_P95_MS = 150.0
CONNECTIONS = 32


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(port: int) -> subprocess.Popen[bytes]:
    """The production server on the build ``bench_scale.ready`` set the environment for."""
    server = subprocess.Popen(
        [sys.executable, "-m", "touchpoint.cli", "run", "--no-worker", "--port", str(port)],
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    for _ in range(240):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/minimal/", timeout=2).read()
            return server
        except OSError:
            time.sleep(0.25)
    server.kill()
    raise SystemExit("the server did not answer within a minute")


def wrk(url: str, cookie: str, *, seconds: int, connections: int) -> dict[str, float]:
    header = ["-H", f"Cookie: {cookie}"] if cookie else []
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "-s", str(STATS), *header, url]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return dict(json.loads(next(line[5:] for line in out.splitlines() if line.startswith("LOAD "))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path(os.environ.get("BENCH_DATA", bench_scale.DEFAULT_DATA)))
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seeds", type=bench_scale.pair, help="open,finished seed cases (as bench_scale.py)")
    parser.add_argument("--seconds", type=int, default=10, help="measured per page, after a 2 s warm-up")
    parser.add_argument("--connections", type=int, default=CONNECTIONS)
    parser.add_argument("--small", action="store_true", help="CI size: 500 cases, 1 s a page after 1 s, then removed")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("bench_load.py needs wrk (apt-get install wrk, or `make bench-deps` as root); not measured.")
        return
    data = args.data.resolve() / "load" if args.small else args.data.resolve()
    cases, seconds, warm = (500, 1, 1) if args.small else (args.cases, args.seconds, 2)
    seeds = args.seeds or (SMALL_SEEDS if args.small else SEEDS)
    folder = bench_scale.build(data, cases, seeds)
    bench_scale.ready(folder)
    clients = bench_scale.signed_in_clients()
    cookies = {user: "; ".join(f"{k}={v.value}" for k, v in client.cookies.items()) for user, client in clients.items()}
    port = free_port()
    server = serve(port)
    rows: list[tuple[str, dict[str, float]]] = []
    try:
        for label, user, path in bench_scale.pages():
            url = f"http://127.0.0.1:{port}{path}"
            wrk(url, cookies[user], seconds=warm, connections=4)
            figures = wrk(url, cookies[user], seconds=seconds, connections=args.connections)
            rows.append((label, figures))
            say(f"  {label}: {figures['rps']:.0f} req/s, p95 {figures['p95_us'] / 1000:.0f} ms")
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)
    load = f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    print(f"\n{cases:,} cases, {args.connections} connections, {seconds:g} s a page, `touchpoint run` ({load})")
    print(f"target: p95 < {TARGET_P95_MS:.0f} ms")
    print(f"{'page':<36}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'not 200':>9}")
    for label, f in rows:
        if not f["requests"]:
            print(f"{label:<36}{'no answer inside the run':>45}")
            continue
        over = "  ← over" if f["p95_us"] / 1000 > TARGET_P95_MS else ""
        print(f"{label:<36}{f['rps']:>9.0f}{f['p50_us'] / 1000:>9.1f}{f['p95_us'] / 1000:>9.1f}"
              f"{f['p99_us'] / 1000:>9.1f}{f['not_ok'] + f['errors']:>9.0f}{over}")  # fmt: skip
    if args.small:
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
