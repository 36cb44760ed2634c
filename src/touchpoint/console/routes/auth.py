from __future__ import annotations

from django.urls import URLPattern, path

from touchpoint.console.views import auth

urlpatterns: list[URLPattern] = [
    path("console/login/", auth.login_view, name="login"),
    path("console/logout/", auth.logout_view, name="logout"),
]
