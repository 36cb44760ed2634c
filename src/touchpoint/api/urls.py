"""Machine-facing endpoints: signed inbound webhooks (and, later, the REST API)."""

from django.urls import path  # noqa: F401 - the webhook views add their routes here

app_name = "api"
urlpatterns: list[object] = []
