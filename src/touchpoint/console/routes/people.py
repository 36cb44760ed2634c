from __future__ import annotations

from django.urls import URLPattern, path

from touchpoint.console.views import people

urlpatterns: list[URLPattern] = [
    path("console/people/", people.board, name="people"),
    path("console/people/<str:username>/", people.person, name="person"),
]
