from __future__ import annotations

from django.urls import URLPattern, path

from touchpoint.portal.views import parcels, tracking

urlpatterns: list[URLPattern] = [
    path("c/<str:token>/", tracking.case_page, name="case"),
    path("c/<str:token>/parcel/", parcels.parcel_number_give, name="parcel_number"),
]
