from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "touchpoint.ops"
    label = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        from touchpoint.ops import checks  # noqa: F401 - registers the deploy checks
