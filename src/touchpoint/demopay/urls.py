"""/demo-pay/: the demo's stand-in for Stripe's hosted checkout page (404 unless ``demo`` is on)."""

from django.urls import path

from touchpoint.demopay import views

app_name = "demopay"
urlpatterns = [
    path("checkout/<str:session_id>/", views.checkout, name="checkout"),
    path("checkout/<str:session_id>/expire", views.expire, name="expire"),
]
