from django.apps import AppConfig


class QuotesConfig(AppConfig):
    name = "touchpoint.quotes"
    label = "quotes"
    verbose_name = "Quotes"
