from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "touchpoint.catalog"
    label = "catalog"
    verbose_name = "Catalog"
