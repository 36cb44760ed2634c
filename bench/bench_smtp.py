"""Outbox dispatch over SMTP: messages/s with 1 and 2 worker processes (``touchpoint worker
--until-idle``) sending to an aiosmtpd sink on loopback, beside one raw ``smtplib`` connection
sending the same messages in the same run.

    python bench/bench_smtp.py               # SQLite, and PostgreSQL when one answers
    python bench/bench_smtp.py --messages 5000 --db sqlite

Each worker figure is the steady rate: messages over the time from the first send to the last (the
processes' start-up, about half a second of importing Django, is printed beside it, not counted).
Target (issue 4): at least 500 messages/s, and at least 50% of the raw figure. Printed, not asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import smtplib
import subprocess
import sys
import time
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import formatdate
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = ROOT / "var" / "bench-smtp"
PG_ADMIN_URL = os.environ.get("PG_URL", "postgresql://postgres@127.0.0.1:5432/touchpoint").rsplit("/", 1)[0]
SENDER = "norm@touchpoint.localhost"
FROM = f"Norm at the Repair Shop <{SENDER}>"
CRLF = compat32.clone(linesep="\r\n")
SINK = """
import asyncio, sys
from aiosmtpd.controller import Controller
class Sink:
    async def handle_DATA(self, server, session, envelope):
        return "250 OK queued"
controller = Controller(Sink(), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
print("ready", flush=True)
sys.stdin.read()
controller.stop()
"""


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def environment(db: str, port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="touchpoint.settings",
        TOUCHPOINT_LOG_LEVEL="WARNING",
        TOUCHPOINT_VAR_DIR=str(BENCH_DIR),
        TOUCHPOINT_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        TOUCHPOINT_SMTP_HOST="127.0.0.1",
        TOUCHPOINT_SMTP_PORT=str(port),
        PYTHONPATH=str(ROOT / "src"),
    )
    if db == "sqlite":
        env.pop("DATABASE_URL", None)
        env["TOUCHPOINT_SQLITE_PATH"] = str(BENCH_DIR / "bench.sqlite3")
    else:
        env["DATABASE_URL"] = f"{PG_ADMIN_URL}/touchpoint_bench_smtp"
    return env


def prepare(db: str, env: dict[str, str]) -> None:
    """A fresh database with the schema."""
    if db == "sqlite":
        shutil.rmtree(BENCH_DIR, ignore_errors=True)
        BENCH_DIR.mkdir(parents=True, exist_ok=True)
    else:
        import psycopg

        with psycopg.connect(f"{PG_ADMIN_URL}/postgres", autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS touchpoint_bench_smtp WITH (FORCE)")
            conn.execute("CREATE DATABASE touchpoint_bench_smtp")
    subprocess.run([sys.executable, str(ROOT / "bench" / "benchdb.py")], env=env, check=True, cwd=ROOT)


def enqueue(env: dict[str, str], count: int) -> None:
    """``count`` real touch point messages (Norm's templates, threaded per case), due now."""
    script = f"""
import django; django.setup()
from pathlib import Path
from django.db import transaction
from touchpoint.cases.actors import SYSTEM
from touchpoint.cases.journeys import journey_register
from touchpoint.cases.models import Case
from touchpoint.flows.advance import case_open
from touchpoint.customers.models import Customer
from touchpoint.journeys.library import library_file
from touchpoint.outbox.models import OutboxMessage
from touchpoint.outbox.services import touchpoint_enqueue
from touchpoint.cases.journeys import journey_of
from touchpoint.core.clock import now
path = library_file("mail-in-repair")
journey_register(source=path.read_text(), filename=str(path))
OutboxMessage.objects.all().delete()
customer, _ = Customer.objects.get_or_create(email="bench@example.com", defaults={{"name": "Ian Bench"}})
keys = ["arrived_resting", "pulled_through", "right_as_rain", "on_the_way_home", "home_safe"]
# Everything mail-in-repair gathers at intake (case_open checks it against the journey's declarations).
ADDRESS = {{"name": "Ian Bench", "line1": "1 Park Row", "line2": "", "town": "Leeds",
           "postcode": "LS1 5AB", "country": "GB"}}
INTAKE = {{"model": "nano-4g", "problem": "not_sure", "problem_notes": "", "prepaid_box": False,
          "diagnosis_price": "39.00", "return_address": ADDRESS}}
made = 0
while made < {count}:
    case = case_open(journey="mail-in-repair", customer=customer, actor=SYSTEM, data=INTAKE).case
    journey = journey_of(case.journey)
    made += 1
    with transaction.atomic():
        for seq, key in enumerate(keys, start=100):
            if made >= {count}:
                break
            touchpoint_enqueue(case=case, journey=journey, key=key, at=now(), state_seq=seq)
            made += 1
print(OutboxMessage.objects.count())
"""
    subprocess.run([sys.executable, "-c", script], env=env, check=True, cwd=ROOT, capture_output=True)


def raw_rows(env: dict[str, str]) -> list[dict[str, Any]]:
    """The outbox rows, read straight from the table."""
    script = """
import django, json, sys; django.setup()
from touchpoint.outbox.models import OutboxMessage
rows = list(OutboxMessage.objects.order_by("id").values("recipient", "subject", "body_text", "body_html", "headers"))
json.dump(rows, sys.stdout)
"""
    out = subprocess.run([sys.executable, "-c", script], env=env, check=True, cwd=ROOT, capture_output=True, text=True)
    rows: list[dict[str, Any]] = json.loads(out.stdout)
    return rows


def raw_build(row: dict[str, Any]) -> bytes:
    """The message as the stdlib builds it most cheaply (compat32 MIME classes), CRLF line ends."""
    root = MIMEMultipart("alternative")
    root["Subject"] = Header(row["subject"], "utf-8").encode()
    root["From"] = FROM
    root["To"] = row["recipient"]
    root["Date"] = formatdate()
    for name, value in row["headers"].items():
        root[name] = value
    root.attach(MIMEText(row["body_text"], "plain", "utf-8"))
    root.attach(MIMEText(row["body_html"], "html", "utf-8"))
    return root.as_bytes(policy=CRLF)


def run_raw(port: int, rows: list[dict[str, Any]], *, prebuilt: bool) -> float:
    """Messages/s over one smtplib connection: building each message as it goes, or (``prebuilt``)
    the transport alone, every message's bytes made before the clock starts."""
    datas = [raw_build(row) for row in rows] if prebuilt else []
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for i, row in enumerate(rows):
            smtp.sendmail(SENDER, [row["recipient"]], datas[i] if prebuilt else raw_build(row))
    return len(rows) / (time.perf_counter() - started)


def reset(env: dict[str, str]) -> None:
    script = """
import django; django.setup()
from touchpoint.core.clock import now
from touchpoint.outbox.models import OutboxMessage
OutboxMessage.objects.update(status="pending", sent_at=None, attempts=0, next_attempt_at=now(), lease_owner="",
                             lease_until=None)
"""
    subprocess.run([sys.executable, "-c", script], env=env, check=True, cwd=ROOT)


def sent_window(env: dict[str, str]) -> tuple[int, float]:
    script = """
import django; django.setup()
from django.db.models import Max, Min, Count
from touchpoint.outbox.models import OutboxMessage
r = OutboxMessage.objects.filter(status="sent").aggregate(n=Count("id"), a=Min("sent_at"), b=Max("sent_at"))
print(r["n"], (r["b"] - r["a"]).total_seconds() if r["n"] else 0)
"""
    out = subprocess.run([sys.executable, "-c", script], env=env, check=True, cwd=ROOT, capture_output=True, text=True)
    n, seconds = out.stdout.split()
    return int(n), float(seconds)


def run_workers(env: dict[str, str], workers: int) -> tuple[float, float, int]:
    """(steady messages/s, wall seconds including start-up, messages sent) for ``workers`` processes."""
    reset(env)
    started = time.perf_counter()
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "touchpoint.cli", "worker", "--until-idle", "--id", f"bench{i}"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        for i in range(workers)
    ]
    for proc in procs:
        proc.wait()
    wall = time.perf_counter() - started
    sent, seconds = sent_window(env)
    return (sent - 1) / seconds if seconds > 0 else 0.0, wall, sent


def postgres_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(f"{PG_ADMIN_URL}/postgres", connect_timeout=2):
            return True
    except Exception:
        return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "all"), default="all")
    args = parser.parse_args()
    databases = ["sqlite", "postgresql"] if args.db == "all" else [args.db]
    if "postgresql" in databases and not postgres_available():
        print("PostgreSQL is not answering; SQLite only")
        databases.remove("postgresql")
    port = free_port()
    sink = subprocess.Popen([sys.executable, "-c", SINK, str(port)], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert sink.stdout is not None and sink.stdout.readline().strip() == b"ready"
    rows = []
    try:
        for db in databases:
            env = environment(db, port)
            prepare(db, env)
            enqueue(env, args.messages)
            outbox = raw_rows(env)
            raw = run_raw(port, outbox, prebuilt=False)
            transport = run_raw(port, outbox, prebuilt=True)
            for workers in (1, 2):
                rate, wall, sent = run_workers(env, workers)
                rows.append((db, workers, rate, wall, sent, raw, transport))
    finally:
        assert sink.stdin is not None
        sink.stdin.close()
        sink.wait(timeout=10)
    print(
        f"\n{'database':<11} {'workers':>7} {'sent':>6} {'msgs/s':>8} {'wall s':>7} {'raw msgs/s':>10} {'of raw':>7}"
        f" {'transport':>9} {'of it':>6} {'target':>7}"
    )
    for db, workers, rate, wall, sent, raw, transport in rows:
        met = "met" if rate >= 500 and rate >= 0.5 * raw else "MISSED"
        print(
            f"{db:<11} {workers:>7} {sent:>6} {rate:>8,.0f} {wall:>7.2f} {raw:>10,.0f} {rate / raw:>7.0%}"
            f" {transport:>9,.0f} {rate / transport:>6.0%} {met:>7}"
        )
    print(
        "raw: one smtplib connection sending the same messages, each built with the stdlib as it goes;\n"
        "transport: the same connection with every message's bytes built beforehand (the sink's ceiling).\n"
        "target: at least 500 messages/s and at least 50% of raw"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
