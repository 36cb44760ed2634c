from django.apps import AppConfig


class DemopayConfig(AppConfig):
    name = "touchpoint.demopay"
    label = "demopay"
    verbose_name = "Demo card payments"
