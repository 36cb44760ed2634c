from django.urls import path

from touchpoint.console.routes import (
    auth,
    case,
    files,
    first_run,
    insights,
    journeys,
    payments,
    people,
    queues,
    quotes,
    remedies,
    scan,
    shop,
    themes,
    two_factor,
    walkins,
    wall,
)
from touchpoint.console.views import home

app_name = "console"
urlpatterns = [
    path("", home.home, name="home"),
    *auth.urlpatterns,
    *first_run.urlpatterns,
    *two_factor.urlpatterns,
    *queues.urlpatterns,
    *case.urlpatterns,
    *scan.urlpatterns,
    *remedies.urlpatterns,
    *quotes.urlpatterns,
    *payments.urlpatterns,
    *files.urlpatterns,
    *journeys.urlpatterns,
    *insights.urlpatterns,
    *wall.urlpatterns,
    *themes.urlpatterns,
    *people.urlpatterns,
    *walkins.urlpatterns,
    *shop.urlpatterns,
]
