"""A fresh database for one benchmark: the SQLite file removed, or the PostgreSQL database dropped
and created again (each benchmark names its own, so two never share one)."""

from __future__ import annotations

import os
from pathlib import Path

PG_ADMIN_URL = os.environ.get("PG_URL", "postgresql://postgres@127.0.0.1:5432/touchpoint").rsplit("/", 1)[0]
# Added to each bench's folder and database name, so two runs of one bench on a machine (two
# checkouts, two people) don't drop each other's database mid-run: BENCH_TAG=_mine python bench/…
TAG = os.environ.get("BENCH_TAG", "")


def fresh_sqlite(path: Path) -> None:
    """Remove the SQLite file at ``path`` and its WAL files; point Django at it."""
    os.environ.pop("DATABASE_URL", None)
    os.environ["TOUCHPOINT_SQLITE_PATH"] = str(path)
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def fresh_postgres(name: str) -> None:
    """Drop and create the PostgreSQL database ``name``; point Django at it."""
    import psycopg

    with psycopg.connect(f"{PG_ADMIN_URL}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    os.environ["DATABASE_URL"] = f"{PG_ADMIN_URL}/{name}"
