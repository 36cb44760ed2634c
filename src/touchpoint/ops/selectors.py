from __future__ import annotations

from typing import Any

from django.db import DatabaseError, connection

from touchpoint.core.clock import now
from touchpoint.ops.models import WorkerHeartbeat

# A worker beats every loop (well under a second when idle); a minute of silence means it is gone.
WORKER_STALE_AFTER_SECONDS = 60


def health_report() -> dict[str, Any]:
    """Database reachability and the age of the freshest worker heartbeat."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        beat = WorkerHeartbeat.objects.filter(stopped_at__isnull=True).order_by("-beat_at").first()
    except DatabaseError as exc:
        return {"status": "down", "database": f"unreachable: {type(exc).__name__}", "worker": None}
    if beat is None:
        return {"status": "degraded", "database": "ok", "worker": {"state": "none running", "age_seconds": None}}
    age = (now() - beat.beat_at).total_seconds()
    fresh = age <= WORKER_STALE_AFTER_SECONDS
    return {
        "status": "ok" if fresh else "degraded",
        "database": "ok",
        "worker": {"state": "alive" if fresh else "stale", "age_seconds": round(age, 1), "id": beat.worker_id},
    }
