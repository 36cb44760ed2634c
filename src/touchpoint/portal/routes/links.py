from __future__ import annotations

from django.urls import URLPattern, path

from touchpoint.portal.views import links

urlpatterns: list[URLPattern] = [
    path("link/", links.link_request, name="link_request"),
]
