from touchpoint.portal.routes import approvals, feedback, intake, label, links, messages, pay, tracking, wall

app_name = "portal"
urlpatterns = [
    *intake.urlpatterns,
    *links.urlpatterns,
    *tracking.urlpatterns,
    *pay.urlpatterns,
    *approvals.urlpatterns,
    *messages.urlpatterns,
    *label.urlpatterns,
    *feedback.urlpatterns,
    *wall.urlpatterns,
]
