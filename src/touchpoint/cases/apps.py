from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "touchpoint.cases"
    label = "cases"
    verbose_name = "Cases"
