"""Machine-facing endpoints: signed inbound webhooks (and, later, the REST API)."""

from django.urls import path

from touchpoint.api import stripe_webhook, views

app_name = "api"
urlpatterns = [
    path("email", views.email_hook, name="email"),
    path("stripe", stripe_webhook.stripe_hook, name="stripe"),
]
