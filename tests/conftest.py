"""Shared fixtures. Tests touching the database run on SQLite and, in the second leg of
``make test``, on PostgreSQL (``DATABASE_URL``)."""

from __future__ import annotations

import os
from pathlib import Path

SUPPORT = Path(__file__).parent / "support"
CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"


def pytest_report_header() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return f"database: {'PostgreSQL ' + url.split('@')[-1] if url else 'SQLite (embedded)'}"


def on_postgres() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
