from django.apps import AppConfig


class LinksConfig(AppConfig):
    name = "touchpoint.links"
    label = "links"
    verbose_name = "Customer links"
