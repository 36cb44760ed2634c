from __future__ import annotations

from django.urls import URLPattern, path

from touchpoint.portal.views import label

urlpatterns: list[URLPattern] = [
    path("c/<str:token>/label.pdf", label.label_download, name="label"),
]
