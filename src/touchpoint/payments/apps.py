from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "touchpoint.payments"
    label = "payments"
    verbose_name = "Payments"
