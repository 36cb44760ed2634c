from __future__ import annotations

from django.urls import URLPattern, path

from touchpoint.console.views import payments

urlpatterns: list[URLPattern] = [
    path("console/cases/<str:reference>/payments/record", payments.payment_record, name="payment_record"),
    path(
        "console/cases/<str:reference>/refunds/<int:refund_id>/paid-back",
        payments.refund_paid_back,
        name="refund_paid_back",
    ),
]
