from __future__ import annotations

from django.urls import URLPattern, path

from touchpoint.console.views import quotes

urlpatterns: list[URLPattern] = [
    path("console/cases/<str:reference>/quote/", quotes.quote_propose_view, name="quote_propose"),
    path("console/cases/<str:reference>/quote/answer/", quotes.quote_answer_view, name="quote_answer"),
]
