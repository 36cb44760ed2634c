from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "touchpoint.insights"
    label = "insights"
    verbose_name = "Insights"
