"""The staff case view and its actions, all under ``console/cases/<reference>/``."""

from __future__ import annotations

from django.urls import URLPattern, path

from touchpoint.console.views import case

urlpatterns: list[URLPattern] = [
    path("console/cases/<str:reference>/", case.case_page, name="case"),
    path("console/cases/<str:reference>/event/", case.case_event, name="case_event"),
    path("console/cases/<str:reference>/record/", case.case_record, name="case_record"),
    path("console/cases/<str:reference>/note/", case.case_note, name="case_note"),
    path("console/cases/<str:reference>/reply/", case.case_reply, name="case_reply"),
    path("console/cases/<str:reference>/assign/", case.case_assign_view, name="case_assign"),
    path("console/cases/<str:reference>/accept/", case.case_accept, name="case_accept"),
]
