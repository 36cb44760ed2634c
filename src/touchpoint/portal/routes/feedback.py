from __future__ import annotations

from django.urls import URLPattern, path

from touchpoint.portal.views import feedback

urlpatterns: list[URLPattern] = [
    path("c/<str:token>/feedback/", feedback.feedback_send, name="feedback_send"),
]
