from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "touchpoint.inbox"
    label = "inbox"
    verbose_name = "Inbox (email in)"
