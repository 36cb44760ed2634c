from django.contrib import admin

from touchpoint.ops.models import WorkerHeartbeat


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin[WorkerHeartbeat]):
    list_display = ["worker_id", "hostname", "pid", "started_at", "beat_at", "stopped_at", "messages_sent"]
    readonly_fields = [f.name for f in WorkerHeartbeat._meta.fields]
