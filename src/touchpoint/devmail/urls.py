"""/dev/mail: outgoing mail captured in the demo. Mounted only when TOUCHPOINT_DEV_MAILBOX is on."""

from django.urls import path  # noqa: F401 - the mailbox views add their routes here

app_name = "devmail"
urlpatterns: list[object] = []
