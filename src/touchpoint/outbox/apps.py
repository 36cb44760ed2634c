from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "touchpoint.outbox"
    label = "outbox"
    verbose_name = "Outbox"
