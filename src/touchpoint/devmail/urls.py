"""/dev/mail: outgoing mail captured in the demo. Mounted only when TOUCHPOINT_DEV_MAILBOX is on."""

from django.urls import path

from touchpoint.devmail import views

app_name = "devmail"
urlpatterns = [
    path("", views.mailbox, name="list"),
    path("<int:pk>/", views.message, name="message"),
    path("<int:pk>/html", views.message_html, name="html"),
    path("<int:pk>/reply", views.reply, name="reply"),
]
