from django.apps import AppConfig


class ShippingConfig(AppConfig):
    name = "touchpoint.shipping"
    label = "shipping"
    verbose_name = "Shipping"
