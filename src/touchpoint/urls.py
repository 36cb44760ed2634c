from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from touchpoint.ops import views as ops_views

urlpatterns = [
    path("healthz", ops_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("hooks/", include("touchpoint.api.urls")),
    path("demo-pay/", include("touchpoint.demopay.urls")),  # the demo's card page; 404 unless `demo` is on
    path("", include("touchpoint.portal.urls")),
    path("", include("touchpoint.console.urls")),
]
if settings.TOUCHPOINT_DEV_MAILBOX:  # the demo's captured mail; off unless asked for
    urlpatterns.insert(0, path("dev/mail/", include("touchpoint.devmail.urls")))
