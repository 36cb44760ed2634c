"""The console under load: the queue page and the case view with 100,000 cases in the database,
32 concurrent clients, beside a minimal Django view on the same server in the same run.

    python bench/bench_console.py              # SQLite; PostgreSQL too when DATABASE_URL is set
    python bench/bench_console.py --db sqlite  # one database
    python bench/bench_console.py --db sqlite --keep   # keep the built database and reuse it next time
    python bench/bench_console.py --cases 2000 --seconds 2   # a small run (CI: BENCH_SIZE=small)

The server is ``touchpoint run --no-worker`` with its production defaults (gunicorn, sync
workers, one web process per core plus one), in its own processes; the minimal view is served by the
same server. Each client is a thread with one ``http.client`` connection, signed in as an agent of the
bench team. The clients share the machine with the server (the run prints the load average).
Target (issue 6): p95 under 150 ms, and at least 25% of the minimal view's requests/s. Printed,
not asserted.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import benchdb

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = ROOT / "var" / "bench" / "console"  # its own folder: other benches use var/bench
PG_ADMIN_URL = os.environ.get("PG_URL", "postgresql://postgres@127.0.0.1:5432/touchpoint").rsplit("/", 1)[0]
CASES = 100_000
CLIENTS = 32
SECONDS = 6.0  # measured, per page, after a 1.5 s warm-up
PASSWORD = "bench-password-not-secret"
SERVER = f"touchpoint run: gunicorn, {(os.cpu_count() or 1) + 1} sync web processes"
REFERENCE = "TP-00471"  # reference(4321): the case the case view opens (with fewer cases: the middle one)
# The shape of a mail-in-repair@2 case's data: its intake and the journey's initial values (the
# benchmark lays 100,000 cases down in bulk, so it writes what case_open would have stored).
ADDRESS = {"name": "Customer", "line1": "1 Park Row", "line2": "", "town": "Leeds", "postcode": "LS1 5AB"}
ADDRESS["country"] = "GB"
DATA = {
    "model": "nano-4g",
    "problem": "not_sure",
    "problem_notes": "",
    "prepaid_box": False,
    "diagnosis_price": 39.0,
    "return_address": ADDRESS,
    "quote_total": 0,
    "repaired": False,
}


def configure(db: str) -> dict[str, str]:
    env = {
        "DJANGO_SETTINGS_MODULE": "console_settings",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "bench"), str(ROOT / "src")]),
        "TOUCHPOINT_LOG_LEVEL": "WARNING",
        "TOUCHPOINT_VAR_DIR": str(BENCH_DIR),
    }
    if db == "sqlite":
        env["TOUCHPOINT_SQLITE_PATH"] = str(BENCH_DIR / "console.sqlite3")
        os.environ.pop("DATABASE_URL", None)
    else:
        env["DATABASE_URL"] = f"{PG_ADMIN_URL}/touchpoint_bench_console"
    os.environ.update(env)
    sys.path[:0] = [str(ROOT / "bench"), str(ROOT / "src")]
    return env


def fresh_database(db: str) -> None:
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    (BENCH_DIR / "built").unlink(missing_ok=True)
    if db == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(str(BENCH_DIR / "console.sqlite3") + suffix).unlink(missing_ok=True)
        return
    import psycopg

    with psycopg.connect(f"{PG_ADMIN_URL}/postgres", autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS touchpoint_bench_console WITH (FORCE)")
        conn.execute("CREATE DATABASE touchpoint_bench_console")


def reference(n: int) -> str:
    """The ``n``-th case's reference in build()."""
    from touchpoint.core.ids import ALPHABET

    digits = []
    for _ in range(5):
        n, d = divmod(n, len(ALPHABET))
        digits.append(ALPHABET[d])
    return "TP-" + "".join(reversed(digits))


def case_to_open() -> str:
    """The reference of the case the case view opens: REFERENCE, or the middle case when fewer are built."""
    return REFERENCE if CASES > 4321 else reference(CASES // 2)


def build(db: str) -> tuple[str, str]:
    """CASES (100,000) mail-in-repair cases (90% open, spread over every state), an
    opening and a transition in each timeline, a pending wait limit on each open case, handoffs on
    2%; a bench agent. Returns the agent's username and a case reference to open."""
    fresh_database(db)
    import django

    django.setup()

    from touchpoint.cases.journeys import journey_of, journey_register
    from touchpoint.cases.models import Case, Task, TaskKind, TimelineEntry, Timer
    from touchpoint.core.clock import now
    from touchpoint.customers.models import Customer
    from touchpoint.staff.models import Role, StaffUser, Team

    benchdb.migrate()
    path = ROOT / "src" / "touchpoint" / "journeys" / "library" / "mail-in-repair.yaml"
    version = journey_register(source=path.read_text(encoding="utf-8"), filename=str(path))
    journey = journey_of(version)
    open_states = [n for n, s in journey.states.items() if not s.terminal]
    ended = [n for n, s in journey.states.items() if s.terminal]
    team, _ = Team.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    agent = StaffUser.objects.create_user("bench-agent", password=PASSWORD, role=Role.AGENT)
    agent.teams.add(team)
    customers = Customer.objects.bulk_create(
        [Customer(name=f"Customer {n}", email=f"customer{n}@example.com") for n in range(20_000)], batch_size=5000
    )
    start = now() - timedelta(days=60)

    for chunk in range(0, CASES, 10_000):
        cases = []
        for n in range(chunk, min(chunk + 10_000, CASES)):
            state = ended[n % len(ended)] if n % 10 == 0 else open_states[n % len(open_states)]
            s = journey.states[state]
            opened = start + timedelta(seconds=50 * n)
            cases.append(
                Case(reference=reference(n), journey=version, customer=customers[n % len(customers)], state=state,
                     owner=s.owner, outcome=s.outcome or "", data=DATA,
                     opened_at=opened, state_entered_at=opened + timedelta(hours=2), updated_at=opened,
                     closed_at=opened if s.terminal else None, assignee=agent if n % 50 == 1 else None)
            )  # fmt: skip
        made = Case.objects.bulk_create(cases, batch_size=2000)
        at = now()
        TimelineEntry.objects.bulk_create(
            [entry for c in made for entry in (
                TimelineEntry(case=c, seq=1, at=c.opened_at, kind="opened", to_state="awaiting_payment",
                              actor_kind="customer", summary="Case opened"),
                TimelineEntry(case=c, seq=2, at=c.state_entered_at, kind="transition", event="bench",
                              from_state="awaiting_payment", to_state=c.state, actor_kind="system",
                              summary=f"→ {c.state}"),
            )],
            batch_size=4000,
        )  # fmt: skip
        Timer.objects.bulk_create(
            [Timer(case=c, purpose="wait", event="timeout", state=c.state, state_seq=1, created_at=at,
                   due_at=at + timedelta(minutes=(i * 37) % (3 * 24 * 60) - 120))
             for i, c in enumerate(made) if not c.outcome],
            batch_size=4000,
        )  # fmt: skip
        Task.objects.bulk_create(
            [Task(case=c, kind=TaskKind.HANDOFF, owner=c.owner, title=f"Accept {c.reference}", created_at=at)
             for i, c in enumerate(made) if not c.outcome and i % 50 == 3],
            batch_size=4000,
        )  # fmt: skip
    if db == "postgres":
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    assert reference(4321) == REFERENCE
    return agent.username, case_to_open()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "touchpoint.cli", "run", "--no-worker", "--port", str(port)]
    log = (BENCH_DIR / "server.log").open("wb")
    server = subprocess.Popen(command, env={**os.environ, **env}, cwd=ROOT, stdout=log, stderr=log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit("the server did not start") from None
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not answer within 60 s")


def sign_in(port: int, username: str) -> str:
    """The Cookie header of a signed-in session, through the real login form."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/console/login/")
    response = conn.getresponse()
    page = response.read().decode()
    csrf_cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if not csrf_cookie or not token:
        raise SystemExit("no CSRF token on the login page")
    body = urlencode({"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)})
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrf_cookie.group(1)}"}
    conn.request("POST", "/console/login/", body=body, headers=headers)
    response = conn.getresponse()
    response.read()
    session = re.search(r"sessionid=([^;]+)", response.getheader("Set-Cookie") or "")
    if response.status != 302 or not session:
        raise SystemExit(f"signing in failed: HTTP {response.status}")
    return f"sessionid={session.group(1)}; csrftoken={csrf_cookie.group(1)}"


def status_of(port: int, path: str, cookie: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers={"Cookie": cookie})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status


def load(port: int, path: str, cookie: str) -> tuple[float, float, float, float, int]:
    """CLIENTS threads, each with its own connection (http.client opens it again when the server
    closes it after a response, as sync workers do), for SECONDS after a warm-up:
    (requests/s, p50, p95 and p99 latency in ms, failed responses)."""
    stop_warm = time.monotonic() + 1.5
    stop = stop_warm + SECONDS
    latencies: list[list[float]] = [[] for _ in range(CLIENTS)]
    failures = [0] * CLIENTS

    def client(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Cookie": cookie}
        while True:
            began = time.monotonic()
            if began >= stop:
                break
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            ended = time.monotonic()
            if began >= stop_warm:
                latencies[i].append(ended - began)
                if response.status != 200:
                    failures[i] += 1
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    everything = sorted(x for per in latencies for x in per)

    def percentile(share: float) -> float:
        return everything[max(0, int(len(everything) * share) - 1)] * 1000 if everything else float("nan")

    return len(everything) / SECONDS, percentile(0.50), percentile(0.95), percentile(0.99), sum(failures)


def run(db: str, keep: bool = False) -> None:
    env = configure(db)
    began = time.monotonic()
    built = BENCH_DIR / "built"
    if keep and db == "sqlite" and built.exists() and built.read_text() == f"{CASES} cases\n":
        username, reference = "bench-agent", case_to_open()
        print(f"{db}: reusing the database kept in {BENCH_DIR}", flush=True)
    else:
        username, reference = build(db)
        (BENCH_DIR / "built").write_text(f"{CASES} cases\n")  # a finished build: --keep may reuse it
        took = time.monotonic() - began
        print(f"{db}: {CASES:,} cases with their timelines and timers built in {took:.0f} s", flush=True)
    from django.db import connections

    connections.close_all()
    port = free_port()
    server = start_server(env, port)
    try:
        cookie = sign_in(port, username)
        pages = [("minimal Django view", "/bench/minimal/"), ("queue: my team's", "/console/?q=team"),
                 ("queue: mine", "/console/?q=mine"), ("queue: all open", "/console/?q=all")]  # fmt: skip
        case_path = f"/console/cases/{reference}/"
        case_status = status_of(port, case_path, cookie)
        if case_status == 200:
            pages.append(("case view", case_path))
        else:
            print(f"(the case view {case_path} answered HTTP {case_status}: not benchmarked in this run)")
        results = []
        for label, path in pages:
            status = status_of(port, path, cookie)
            if status != 200:
                raise SystemExit(f"{path} answered HTTP {status}")
            results.append((label, path, *load(port, path, cookie)))
    finally:
        server.terminate()
        server.wait(timeout=30)
    ceiling = results[0][2]
    print(f"{CLIENTS} clients, {SECONDS:.0f} s each; {SERVER}; target p95 < 150 ms, ≥ 25%")
    print(f"(load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    print(f"{'page':<22}{'requests/s':>12}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'share':>8}{'failed':>8}")
    for label, _path, rate, p50, p95, p99, failed in results:
        print(f"{label:<22}{rate:>12,.0f}{p50:>8,.0f}{p95:>8,.0f}{p99:>8,.0f}{rate / ceiling:>8.0%}{failed:>8}")


def main() -> None:
    global CASES, SECONDS  # the sizes every step reads (bench_portal sets CASES the same way)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres"])
    parser.add_argument("--keep", action="store_true", help="keep the SQLite database, and reuse a kept one")
    parser.add_argument("--cases", type=int, default=CASES, help="cases to build (at least 100)")
    parser.add_argument("--seconds", type=float, default=SECONDS, help="measured per page")
    args = parser.parse_args()
    if args.cases < 100:
        raise SystemExit("--cases: at least 100")
    CASES, SECONDS = args.cases, args.seconds
    sizes = ["--cases", str(args.cases), "--seconds", str(args.seconds)]
    if args.db:
        run(args.db, keep=args.keep)
        if args.keep:
            return
    else:  # each database in a fresh process: Django is set up once per process
        for db in ["sqlite", *(["postgres"] if os.environ.get("DATABASE_URL") else [])]:
            if subprocess.run([sys.executable, __file__, "--db", db, *sizes]).returncode != 0:
                raise SystemExit(f"the {db} run failed")
    shutil.rmtree(BENCH_DIR, ignore_errors=True)


if __name__ == "__main__":
    main()
