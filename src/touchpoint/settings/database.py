"""The database: embedded SQLite by default, PostgreSQL when ``DATABASE_URL`` says so.

SQLite is tuned for a small shop's single machine: WAL so readers don't block the writer,
synchronous=NORMAL (durable at each checkpoint, safe with WAL), a busy timeout so a second
process waits instead of failing, and IMMEDIATE transactions so a transaction takes the write
lock when it begins rather than failing half-way with "database is locked".
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from touchpoint.settings.base import VAR_DIR
from touchpoint.settings.env import env_int, env_str

SQLITE_PATH = env_str("TOUCHPOINT_SQLITE_PATH", str(VAR_DIR / "touchpoint.sqlite3"))


def _sqlite(path: str) -> dict[str, Any]:
    # SQLite creates the file, not its folder: on a fresh machine whose secret key comes from the
    # environment nothing else has made var/ yet, and migrate or check would stop at "unable to open".
    if path != ":memory:" and not path.startswith("file:"):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        "CONN_MAX_AGE": None,  # an embedded file: keep the connection (and its PRAGMAs) for the process's life
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": env_int("TOUCHPOINT_SQLITE_BUSY_TIMEOUT", 20),
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA foreign_keys=ON;"
                "PRAGMA busy_timeout=20000;"
                "PRAGMA temp_store=MEMORY;"
                "PRAGMA cache_size=-32000;"
            ),
        },
        # A file (not :memory:) so the tests' child processes (workers, races) share it; one per test run,
        # so two runs on one machine never write to the same file.
        "TEST": {"NAME": env_str("TOUCHPOINT_SQLITE_TEST_PATH", str(VAR_DIR / f"test-{os.getpid()}.sqlite3"))},
    }


def _database() -> dict[str, Any]:
    url = env_str("DATABASE_URL", "")
    if not url:
        return _sqlite(SQLITE_PATH)
    if not url.startswith(("postgres://", "postgresql://")):
        raise ImproperlyConfigured(
            f"DATABASE_URL={url.split('@')[-1]!r} is not a PostgreSQL URL — use "
            "postgresql://user:password@host:5432/name, or unset it for the embedded SQLite"
        )
    config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=env_int("TOUCHPOINT_DB_CONN_MAX_AGE", 60)))
    config["CONN_HEALTH_CHECKS"] = True
    config["TEST"] = {"NAME": f"test_{config['NAME']}_{os.getpid()}"}  # one per test run, as for SQLite
    config.setdefault("OPTIONS", {})
    return config


DATABASES = {"default": _database()}
