from touchpoint.portal.routes import (
    actions,
    approvals,
    channel,
    feedback,
    intake,
    label,
    links,
    messages,
    pay,
    report,
    tracking,
    wall,
)

app_name = "portal"
urlpatterns = [
    *intake.urlpatterns,
    *report.urlpatterns,
    *links.urlpatterns,
    *tracking.urlpatterns,
    *pay.urlpatterns,
    *approvals.urlpatterns,
    *actions.urlpatterns,
    *messages.urlpatterns,
    *channel.urlpatterns,
    *label.urlpatterns,
    *feedback.urlpatterns,
    *wall.urlpatterns,
]
