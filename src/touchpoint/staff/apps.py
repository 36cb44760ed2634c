from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "touchpoint.staff"
    label = "staff"
    verbose_name = "Staff"
