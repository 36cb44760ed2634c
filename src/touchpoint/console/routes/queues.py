from __future__ import annotations

from django.urls import URLPattern, path

from touchpoint.console.views import queues

urlpatterns: list[URLPattern] = [
    path("console/", queues.queue, name="queue"),
]
