from __future__ import annotations

from django.urls import URLPattern, path

from touchpoint.portal.views import wall

urlpatterns: list[URLPattern] = [
    path("reviews", wall.reviews, name="reviews"),
]
