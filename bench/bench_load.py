"""Every page under load: 32 connections on each page of ``bench_scale.py``'s list, served by
``touchpoint run --no-worker`` (gunicorn, its production defaults) from a kept ``bench_scale`` build,
beside the minimal Django view on the same server in the same run. Target (issue 14): every page's
p95 under 150 ms at 32 connections on the 2-core machine. Printed, not asserted.

    python bench/bench_load.py --cases 100000                # a kept build of bench_scale.py (made if missing)
    python bench/bench_load.py --cases 1000000 --seconds 20  # the issue's larger size
    python bench/bench_load.py --small                       # CI: 500 cases, 1 s a page
    python bench/bench_load.py --pages journeys,insights      # only these pages (a part of each label)

The load comes from ``wrk`` (Debian's package; ``make bench-deps`` installs it as root), which shares
the machine with the server, as a client of a small shop's server would not: the figures are an upper
bound on what a customer waits. Each page gets a 2 s warm-up, then ``--seconds`` of 32 connections.
The staff pages are opened with the session cookie of the same signed-in users as ``bench_scale.py``.

Beside wrk's figures, each page's row says where the two cores went while it was measured: the CPU
the server's processes spent per request served (``srv ms``: to compare with ``bench_scale.py``'s
in-process CPU per request), wrk's own CPU per request (``wrk ms``), and the share of the machine's
CPU time left idle (``idle``: a server that waits, on a lock or a socket, leaves cores idle).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
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


def session_cpu(session: int) -> float:
    """CPU seconds (user + system) spent so far by the live processes of ``session`` (the server's:
    `touchpoint run`, gunicorn's master and its web processes), read from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        if int(fields[3]) == session:  # field 6 of stat: the session id
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def machine_idle() -> tuple[float, float]:
    """The machine's idle and total CPU time so far (/proc/stat's first line, in ticks)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return values[3] + values[4], sum(values)  # idle + iowait, everything


def wrk(url: str, cookie: str, *, seconds: int, connections: int, server: int | None = None) -> dict[str, float]:
    """wrk's figures for ``url``; with ``server`` (its session id), also where the CPU went meanwhile."""
    header = ["-H", f"Cookie: {cookie}"] if cookie else []
    threads = min(2, connections)  # wrk needs a connection per thread
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "-s", str(STATS)]
    command += [*header, url]
    before = session_cpu(server) if server is not None else 0.0
    idle, total = machine_idle()
    clients = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    figures = dict(json.loads(next(line[5:] for line in out.splitlines() if line.startswith("LOAD "))))
    if server is not None and figures["requests"]:
        server_cpu = session_cpu(server) - before
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        wrk_cpu = after.ru_utime + after.ru_stime - clients.ru_utime - clients.ru_stime
        idle_after, total_after = machine_idle()
        figures["server_ms"] = server_cpu / figures["requests"] * 1000
        figures["wrk_ms"] = wrk_cpu / figures["requests"] * 1000
        figures["idle"] = (idle_after - idle) / max(1, total_after - total)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path(os.environ.get("BENCH_DATA", bench_scale.DEFAULT_DATA)))
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seeds", type=bench_scale.pair, help="open,finished seed cases (as bench_scale.py)")
    parser.add_argument("--seconds", type=int, default=10, help="measured per page, after a 2 s warm-up")
    parser.add_argument("--connections", type=int, default=CONNECTIONS)
    parser.add_argument("--small", action="store_true", help="CI size: 500 cases, 1 s a page after 1 s, then removed")
    parser.add_argument("--pages", help="only the pages whose label holds one of these comma-separated words")
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
        for label, user, path in bench_scale.chosen(list(bench_scale.pages()), args.pages):
            url = f"http://127.0.0.1:{port}{path}"
            wrk(url, cookies[user], seconds=warm, connections=4)
            figures = wrk(url, cookies[user], seconds=seconds, connections=args.connections, server=server.pid)
            rows.append((label, figures))
            say(f"  {label}: {figures['rps']:.0f} req/s, p95 {figures['p95_us'] / 1000:.0f} ms")
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)
    load = f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    print(f"\n{cases:,} cases, {args.connections} connections, {seconds:g} s a page, `touchpoint run` ({load})")
    print(f"target: p95 < {TARGET_P95_MS:.0f} ms")
    print(f"{'page':<36}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'not 200':>9}"
          f"{'srv ms':>8}{'wrk ms':>8}{'idle':>6}")  # fmt: skip
    for label, f in rows:
        if not f["requests"]:
            print(f"{label:<36}{'no answer inside the run':>45}")
            continue
        over = "  ← over" if f["p95_us"] / 1000 > TARGET_P95_MS else ""
        print(f"{label:<36}{f['rps']:>9.0f}{f['p50_us'] / 1000:>9.1f}{f['p95_us'] / 1000:>9.1f}"
              f"{f['p99_us'] / 1000:>9.1f}{f['not_ok'] + f['errors']:>9.0f}"
              f"{f['server_ms']:>8.1f}{f['wrk_ms']:>8.2f}{f['idle']:>6.0%}{over}")  # fmt: skip
    if args.small:
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
