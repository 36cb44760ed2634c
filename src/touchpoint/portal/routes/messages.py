from __future__ import annotations

from django.urls import URLPattern, path

from touchpoint.portal.views import messages

urlpatterns: list[URLPattern] = [
    path("c/<str:token>/messages/", messages.message_send, name="message_send"),
    path("c/<str:token>/person/", messages.ask_person, name="ask_person"),
    path("c/<str:token>/photos/<int:photo>/", messages.message_photo, name="message_photo"),
]
