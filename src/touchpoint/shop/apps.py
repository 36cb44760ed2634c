from django.apps import AppConfig


class ShopConfig(AppConfig):
    name = "touchpoint.shop"
    label = "shop"
    verbose_name = "Shop settings"
