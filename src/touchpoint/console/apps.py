from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "touchpoint.console"
    label = "console"
    verbose_name = "Staff console"
