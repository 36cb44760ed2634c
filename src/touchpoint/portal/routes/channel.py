from __future__ import annotations

from django.urls import URLPattern, path

from touchpoint.portal.views import channel

urlpatterns: list[URLPattern] = [
    path("c/<str:token>/reach/", channel.channel_switch, name="channel_switch"),
]
