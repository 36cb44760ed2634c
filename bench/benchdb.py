"""A fresh database for one benchmark: the SQLite file removed, or the PostgreSQL database dropped
and created again (each benchmark names its own, so two never share one)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
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


# --- the schema, migrated once per set of migrations ---------------------------------------------
# Migrating a fresh database costs ~12 s of CPU (Django renders the model states of 100 migrations);
# the benches make fresh databases over a dozen times a run. The first migrates and keeps a copy
# under a name that holds every migration file, the lockfile and the installed apps; the others
# start from that copy, then run `migrate` (nothing to apply: it only checks).

TEMPLATES = Path(__file__).resolve().parents[1] / "var" / "bench" / "templates"
_TEMPLATE_DB = f"touchpoint_bench_template{TAG}_"


def _schema_mark() -> str:
    from django.apps import apps

    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256((root / "uv.lock").read_bytes())
    for config in sorted(apps.get_app_configs(), key=lambda c: c.label):
        digest.update(config.label.encode())
        folder = Path(config.path) / "migrations"
        for path in sorted(folder.glob("*.py")) if folder.is_dir() else []:
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def migrate() -> None:
    """The code's schema on the (fresh) database Django points at, from the kept copy when there is one."""
    from django.core.management import call_command
    from django.db import connection

    mark = _schema_mark()
    empty = not connection.introspection.table_names()
    connection.close()
    if connection.vendor == "sqlite":
        path = Path(connection.settings_dict["NAME"])
        template = TEMPLATES / f"{mark}.sqlite3"
        if empty and template.exists():
            for suffix in ("-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(template, path)
        call_command("migrate", verbosity=0)
        if empty and not template.exists():
            TEMPLATES.mkdir(parents=True, exist_ok=True)
            for old in TEMPLATES.glob("*.sqlite3"):
                old.unlink(missing_ok=True)
            partial = template.with_suffix(".partial")
            partial.unlink(missing_ok=True)
            with connection.cursor() as cursor:
                cursor.execute("VACUUM INTO %s", [str(partial)])
            partial.rename(template)
        return
    import psycopg

    name, template_db = connection.settings_dict["NAME"], _TEMPLATE_DB + mark
    with psycopg.connect(f"{PG_ADMIN_URL}/postgres", autocommit=True) as admin:
        kept = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template_db]).fetchone()
        if empty and kept:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            admin.execute(f"CREATE DATABASE {name} TEMPLATE {template_db}")
        call_command("migrate", verbosity=0)
        connection.close()  # a template is copied with no session on it
        if empty and not kept:
            pattern = f"^{re.escape(_TEMPLATE_DB)}[0-9a-f]{{16}}$"
            olds = admin.execute("SELECT datname FROM pg_database WHERE datname ~ %s", [pattern])
            for (old,) in olds.fetchall():
                admin.execute(f"DROP DATABASE IF EXISTS {old} WITH (FORCE)")
            with contextlib.suppress(psycopg.errors.DuplicateDatabase, psycopg.errors.ObjectInUse):
                admin.execute(f"CREATE DATABASE {template_db} TEMPLATE {name}")


if __name__ == "__main__":  # `python bench/benchdb.py`: migrate the database the environment names
    import django

    django.setup()
    migrate()
