"""The app's URLs plus ``/bench/minimal/``: the least a Django view can do, behind the same middleware,
on the same server, measured in the same run as the console's pages."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def minimal(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/minimal/", minimal), path("", include("touchpoint.urls"))]
