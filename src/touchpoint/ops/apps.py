from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "touchpoint.ops"
    label = "ops"
    verbose_name = "Operations"
