"""Machine-facing endpoints: signed inbound webhooks (and, later, the REST API)."""

from django.urls import path

from touchpoint.api import carrier_hooks, sms_hooks, stripe_webhook, views

app_name = "api"
urlpatterns = [
    path("email", views.email_hook, name="email"),
    path("stripe", stripe_webhook.stripe_hook, name="stripe"),
    path("sms/twilio/status", sms_hooks.twilio_status, name="sms_twilio_status"),
    path("sms/twilio/inbound", sms_hooks.twilio_inbound, name="sms_twilio_inbound"),
    *(
        path(f"carriers/{provider}", carrier_hooks.carrier_hook, {"provider": provider}, name=f"carrier_{provider}")
        for provider in ("aftership", "easypost", "shippo")
    ),
]
