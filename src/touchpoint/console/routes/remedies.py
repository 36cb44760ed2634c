from __future__ import annotations

from django.urls import URLPattern, path

from touchpoint.console.views import remedies, remedy_requests

urlpatterns: list[URLPattern] = [
    path("console/cases/<str:reference>/remedies/", remedies.case_remedies, name="case_remedies"),
    path("console/cases/<str:reference>/remedies/give/", remedies.remedy_give, name="remedy_give"),
    path(
        "console/cases/<str:reference>/remedies/requests/<int:pk>/decide/",
        remedy_requests.remedy_request_decision,
        name="remedy_request_decide",
    ),
    path("console/remedies/requests/", remedy_requests.remedy_requests, name="remedy_requests"),
]
