from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "touchpoint.customers"
    label = "customers"
    verbose_name = "Customers"
