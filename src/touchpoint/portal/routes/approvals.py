from __future__ import annotations

from django.urls import URLPattern, path

from touchpoint.portal.views import approvals

urlpatterns: list[URLPattern] = [
    path("c/<str:token>/extra-work/", approvals.approval_decide, name="approval_decide"),
    path("c/<str:token>/extra-work/confirm/", approvals.approval_confirm, name="approval_confirm"),
]
