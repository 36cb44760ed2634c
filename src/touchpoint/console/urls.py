from django.urls import path

from touchpoint.console import views

app_name = "console"
urlpatterns = [
    path("", views.home, name="home"),
    path("console/journeys/", views.journeys, name="journeys"),
    path("console/journeys/<slug:name>/<int:version>/", views.journey_map, name="journey_map"),
]
