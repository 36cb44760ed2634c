from django.apps import AppConfig


class WallConfig(AppConfig):
    name = "touchpoint.wall"
    label = "wall"
    verbose_name = "Wall (published feedback)"
