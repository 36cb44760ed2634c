"""`make bench-peer`: Touchpoint beside django-helpdesk 2.6.1 on this machine, one after the other,
with the peer harness in ``../shared/peer`` (read-only: its scripts are run, never changed), and one
table with a row per page: both products' requests/s at 32 connections, p95, the 1-connection p50
(service time) and the ratio. About 15 minutes (the first run also installs django-helpdesk and seeds
its 100,000 tickets); progress is printed as it goes. Figures are printed, not asserted.

    python bench/peer.py                  # SQLite, 100,000 tickets / cases, wrk -c32 20 s and -c1 10 s
    python bench/peer.py --keep           # reuse the built Touchpoint database and the seeded helpdesk
    python bench/peer.py --keep-helpdesk  # reuse the seeded helpdesk only (Touchpoint built from this checkout)
    python bench/peer.py --quick          # wrk 5 s and 3 s a page: a rough table in about 6 minutes
    python bench/peer.py --table          # print the table again from the last run's raw outputs
    python bench/peer.py --db postgres    # both on PostgreSQL
    python bench/peer.py --only touchpoint   # measure one side again (the table keeps the other's last run)

It runs, in order: the peer's ``django-helpdesk/setup.sh`` (when its virtualenv is missing; it also
installs wrk when run as root), ``seed.py`` (when not seeded), ``django-helpdesk/measure.sh``, then
``touchpoint/measure.sh`` on this checkout, and reads their raw outputs
(``$PEER_DH_HOME/results/<db>/``, ``/tmp/peer-tp/<db>/``). Servers listen on 127.0.0.1:8681
(helpdesk) and 8682 (Touchpoint); PEER_DH_PORT and PEER_TP_PORT change them. Touchpoint's side
builds and serves ``var/bench/console``, the folder ``bench_console.py`` uses: don't run both at once.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PEER = Path(os.environ.get("PEER_DIR", ROOT.parent / "shared" / "peer"))
DH_HOME = Path(os.environ.get("PEER_DH_HOME", "/tmp/peer-dh"))
TP_OUT = Path("/tmp/peer-tp")
SAVED = ROOT / "var" / "bench" / "peer"
# (row, helpdesk page key, Touchpoint page name); None: that product has no such page in the harness
ROWS = [
    ("hello-world view (each product's ceiling)", "hello", "hello"),
    ("staff list: helpdesk's rows (JSON, 25) / our queue, my team's", "list_data", "queue-team"),
    ("staff list page: helpdesk's HTML shell / our queue, all open", "list", "queue-all"),
    ("staff dashboard (helpdesk)", "dashboard", None),
    ("staff case view", "detail", "case-view"),
    ("the customer's page for one case", "public", "customer-case-page"),
    ("order form, GET (Touchpoint)", None, "order-form"),
]


def say(text: str) -> None:
    print(f"[peer {time.strftime('%H:%M:%S')}] {text}", flush=True)


def run(command: list[str], env: dict[str, str], what: str) -> None:
    say(f"{what}: {' '.join(command)}")
    began = time.monotonic()
    code = subprocess.run(command, env={**os.environ, **env}, cwd=ROOT).returncode
    if code != 0:
        raise SystemExit(f"{what} failed (exit {code}); its output is above")
    say(f"{what}: done in {(time.monotonic() - began) / 60:.1f} min (load average {os.getloadavg()[0]:.1f})")


def tagged(path: Path, tag: str) -> dict[str, Any] | None:
    """The JSON after ``tag`` in a raw output (wrk's stats.lua line, create_load's line), if any."""
    try:
        found = re.search(tag + r" (\{.*\})", path.read_text())
    except OSError:
        return None
    return json.loads(found.group(1)) if found else None


def dh_figures(db: str) -> dict[str, Any]:
    folder = DH_HOME / "results" / db
    pages = {key: (tagged(folder / f"wrk-{key}.txt", "WRKJSON"), tagged(folder / f"wrk1-{key}.txt", "WRKJSON"))
             for _, key, _ in ROWS if key}  # fmt: skip
    create = tagged(folder / "create.txt", "CREATEJSON")
    return {"pages": pages, "create": create and (create["tickets_per_s"], create["p95_ms"], create["p50_ms"])}


def tp_figures(db: str) -> dict[str, Any]:
    folder = TP_OUT / db
    pages = {name: (tagged(folder / f"{name}.wrk", "WRKJSON"), tagged(folder / f"{name}.solo", "WRKJSON"))
             for _, _, name in ROWS if name}  # fmt: skip
    create = tagged(folder / "create.json", "CREATEJSON")
    return {"pages": pages, "create": create and (create["per_s"], create["p95_ms"], create["p50_ms"])}


def cells(figures: tuple[dict[str, Any] | None, dict[str, Any] | None] | None) -> tuple[list[str], float | None]:
    """(req/s, p95 ms, 1-connection p50 ms) as text, and the 1-connection p50 in ms."""
    if figures is None:
        return ["—", "—", "—"], None
    loaded, solo = figures
    if loaded is None or solo is None:
        return ["missing", "", ""], None
    note = f" ({loaded['non2xx']} non-2xx)" if loaded["non2xx"] else ""
    rate = f"{loaded['rps']:,.1f}{note}" if loaded["requests"] else "none in time"
    p95 = f"{loaded['p95_us'] / 1000:,.0f}" if loaded["requests"] else "—"
    if not solo["requests"]:
        return [rate, p95, "none in time"], None
    p50 = solo["p50_us"] / 1000
    return [rate, p95, f"{p50:,.1f}"], p50


def times(ratio: float) -> str:
    return f"{ratio:.1f}× faster" if ratio >= 1 else f"**{1 / ratio:.1f}× slower**"


def table(db: str, loads: dict[str, float]) -> str:
    dh, tp = dh_figures(db), tp_figures(db)
    lines = [
        f"Touchpoint beside django-helpdesk 2.6.1: {db}, 100,000 cases / tickets, gunicorn 4 sync workers, "
        f"wrk -c32 then -c1 (load average: helpdesk run {loads.get('dh', float('nan')):.1f}, "
        f"Touchpoint run {loads.get('tp', float('nan')):.1f}, on {os.cpu_count()} cores)",
        "",
        "| page | helpdesk req/s (c32) | p95 ms | 1-conn p50 ms | Touchpoint req/s (c32) | p95 ms | 1-conn p50 ms "
        "| Touchpoint by service time |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for label, dh_key, tp_name in ROWS:
        left, dh_p50 = cells(dh["pages"].get(dh_key) if dh_key else None)
        right, tp_p50 = cells(tp["pages"].get(tp_name) if tp_name else None)
        ratio = times(dh_p50 / tp_p50) if dh_p50 and tp_p50 else "—"
        lines.append(f"| {label} | {' | '.join(left)} | {' | '.join(right)} | {ratio} |")
    made = []
    for create in (dh["create"], tp["create"]):
        made += [f"{create[0]:,.1f}/s", f"{create[1]}", "—"] if create else ["missing", "", ""]
    ratio = times(tp["create"][0] / dh["create"][0]) + " (by rate)" if dh["create"] and tp["create"] else "—"
    lines.append(f"| a new case through the public form (4 threads, 20 s) | {' | '.join(made)} | {ratio} |")
    return "\n".join(lines)


def prepare(db: str, *, keep: bool, seed: bool) -> None:
    if not (PEER / "django-helpdesk" / "measure.sh").exists():
        raise SystemExit(f"the peer harness is missing: no {PEER}/django-helpdesk/measure.sh (set PEER_DIR)")
    if not (PEER / "touchpoint" / "measure.sh").exists():
        raise SystemExit(f"the peer harness is missing: no {PEER}/touchpoint/measure.sh (set PEER_DIR)")
    if not (DH_HOME / "venv" / "bin" / "python").exists() or shutil.which("wrk") is None:
        run(["bash", str(PEER / "django-helpdesk" / "setup.sh")], {"DB": db}, "django-helpdesk setup")
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: install it (apt-get install wrk); both products are measured with it")
    seeded = DH_HOME / f"seed-{db}.json"
    fresh = not keep or not seeded.exists() or json.loads(seeded.read_text()).get("n") != 100_000
    if seed and fresh:
        run([str(DH_HOME / "venv" / "bin" / "python"), str(PEER / "django-helpdesk" / "seed.py")],
            {"DB": db, "N": "100000"}, "django-helpdesk: seeding 100,000 tickets")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--keep", action="store_true", help="reuse the built databases of an earlier run")
    parser.add_argument("--keep-helpdesk", action="store_true", help="reuse only the helpdesk's seeded tickets")
    parser.add_argument("--quick", action="store_true", help="wrk 5 s (c32) and 3 s (c1) a page")
    parser.add_argument("--table", action="store_true", help="only print the table of the last run")
    parser.add_argument("--only", choices=["helpdesk", "touchpoint"], help="measure one product only")
    args = parser.parse_args()
    SAVED.mkdir(parents=True, exist_ok=True)
    loads_file = SAVED / f"loads-{args.db}.json"
    loads: dict[str, float] = json.loads(loads_file.read_text()) if loads_file.exists() else {}
    if not args.table:
        prepare(args.db, keep=args.keep or args.keep_helpdesk, seed=args.only != "touchpoint")
        durations = {"DURATION": "5s", "SOLO_DURATION": "3s"} if args.quick else {}
        dh_env = {"DB": args.db, "PORT": os.environ.get("PEER_DH_PORT", "8681"), "PEER_DH_HOME": str(DH_HOME),
                  "RESULTS": str(DH_HOME / f"results-{time.strftime('%Y-%m-%d')}.md"), **durations}  # fmt: skip
        if args.only != "touchpoint":
            run(["bash", str(PEER / "django-helpdesk" / "measure.sh")], dh_env, "django-helpdesk measured")
            loads["dh"] = os.getloadavg()[1]  # the 5-minute average: most of its run
        tp_env = {"DB": args.db, "PORT": os.environ.get("PEER_TP_PORT", "8682"), "OUT": str(TP_OUT / args.db),
                  "KEEP": "1" if args.keep else "0", "DURATION": durations.get("DURATION", "20s"),
                  "SOLO_DURATION": durations.get("SOLO_DURATION", "10s")}  # fmt: skip
        if args.only != "helpdesk":
            run(["bash", str(PEER / "touchpoint" / "measure.sh"), str(ROOT)], tp_env, "Touchpoint measured")
            loads["tp"] = os.getloadavg()[1]
        loads_file.write_text(json.dumps(loads))
    text = table(args.db, loads)
    (SAVED / f"side-by-side-{args.db}.md").write_text(text + "\n")
    print("\n" + text)
    print(f"\n(saved in {SAVED / f'side-by-side-{args.db}.md'}; raw outputs in {DH_HOME}/results/{args.db}/ "
          f"and {TP_OUT / args.db}/)")  # fmt: skip


if __name__ == "__main__":
    main()
