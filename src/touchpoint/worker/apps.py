from django.apps import AppConfig


class WorkerConfig(AppConfig):
    """An app only so ``touchpoint worker`` is found as a management command."""

    name = "touchpoint.worker"
    label = "worker"
