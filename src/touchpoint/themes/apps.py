from django.apps import AppConfig


class ThemesConfig(AppConfig):
    name = "touchpoint.themes"
    label = "themes"
    verbose_name = "Themes"
