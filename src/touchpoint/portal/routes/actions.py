from __future__ import annotations

from django.urls import URLPattern, path

from touchpoint.portal.views import actions

urlpatterns: list[URLPattern] = [
    path("c/<str:token>/act/", actions.action_take, name="action_take"),
]
