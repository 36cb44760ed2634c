from __future__ import annotations

from django.urls import URLPattern, path

from touchpoint.console.views import wall

urlpatterns: list[URLPattern] = [
    path("console/wall/", wall.moderate, name="wall"),
    path("console/wall/<int:item_id>/", wall.act, name="wall_act"),
]
