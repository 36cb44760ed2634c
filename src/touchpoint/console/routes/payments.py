from __future__ import annotations

from django.urls import URLPattern, path

from touchpoint.console.views import payments

urlpatterns: list[URLPattern] = [
    path("console/cases/<str:reference>/payments/record", payments.payment_record, name="payment_record"),
]
