from django.apps import AppConfig


class RemediesConfig(AppConfig):
    name = "touchpoint.remedies"
    label = "remedies"
    verbose_name = "Remedies"
