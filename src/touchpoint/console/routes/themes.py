from __future__ import annotations

from django.urls import URLPattern, path

from touchpoint.console.views import themes

urlpatterns: list[URLPattern] = [
    path("console/themes/", themes.themes_page, name="themes"),
    path("console/themes/rebuild/", themes.rebuild, name="themes_rebuild"),
    path("console/themes/<int:theme_id>/", themes.name_theme, name="theme_name"),
]
