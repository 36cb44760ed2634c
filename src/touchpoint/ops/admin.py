from django.contrib import admin
from django.http import HttpRequest

from touchpoint.ops.models import WorkerHeartbeat


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin[WorkerHeartbeat]):
    list_display = ["worker_id", "hostname", "pid", "started_at", "beat_at", "stopped_at", "messages_sent"]
    readonly_fields = [f.name for f in WorkerHeartbeat._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # written only by the workers: every field here is read-only, so an "Add" could only fail
