from __future__ import annotations

from django.urls import URLPattern, path

from touchpoint.portal.views import pay

urlpatterns: list[URLPattern] = [
    path("c/<str:token>/pay/card", pay.pay_start, name="pay_card"),
    path("c/<str:token>/pay/status", pay.pay_status, name="pay_status"),
]
