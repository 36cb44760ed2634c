"""The prepaid label on the case page: a panel while the customer may need it, and the PDF."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from touchpoint.cases.models import Case
from touchpoint.portal.access import case_link
from touchpoint.shipping.labels import label_applies, label_filename, label_pdf


def label_panel(request: HttpRequest, case: Case, token: str) -> dict[str, Any] | None:
    """Shown from the moment we pack the repair kit until the device is on its way to us."""
    if not label_applies(case=case):
        return None
    return {"case": case, "token": token, "in_kit": case.state in ("box_to_send", "box_in_post")}


@require_GET
@case_link
def label_download(request: HttpRequest, case: Case, token: str) -> HttpResponse:
    if not label_applies(case=case):
        return render(request, "portal/label/none.html", {"case": case, "token": token}, status=404)
    response = HttpResponse(label_pdf(case=case), content_type="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{label_filename(case=case)}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
