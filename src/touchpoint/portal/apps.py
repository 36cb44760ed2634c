from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "touchpoint.portal"
    label = "portal"
    verbose_name = "Customer portal"
