from django.apps import AppConfig


class TouchpointsConfig(AppConfig):
    name = "touchpoint.touchpoints"
    label = "touchpoints"
    verbose_name = "Touch points (persona, templates, tone)"
