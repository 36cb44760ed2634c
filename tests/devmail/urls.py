"""The site's URLs with the dev mailbox mounted, as they are when TOUCHPOINT_DEV_MAILBOX is on."""

from django.urls import include, path

from touchpoint.urls import urlpatterns as site

urlpatterns = [path("dev/mail/", include("touchpoint.devmail.urls")), *site]
