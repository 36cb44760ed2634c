from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "touchpoint.feedback"
    label = "feedback"
    verbose_name = "Feedback"
