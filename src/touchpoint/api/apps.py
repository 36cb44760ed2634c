from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "touchpoint.api"
    label = "api"
    verbose_name = "API and webhooks"
