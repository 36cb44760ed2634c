"""Reporting a wrong or broken delivery: one page, everything asked once, nothing typed ever lost.

What was typed is kept in the session (the *draft*) with the form's nonce, so a reload keeps it and
sending the page twice opens one case. Photos are counted and sized before anything is read, and
nothing is kept until every photo and every answer is fine. It lands on the new case's page. Anyone
can post here, so the draft is bounded first (:mod:`touchpoint.portal.drafts`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from touchpoint.core.ratelimit import Limit, client_key, ratelimit_hit
from touchpoint.inbox.photos import ACCEPT
from touchpoint.inbox.reports import Report, ReportRefused, report_place
from touchpoint.links.services import link_for_form
from touchpoint.portal.drafts import BODY_MAX, body_too_large, draft_keep, form_nonce, nonce_forget, nonce_remember
from touchpoint.portal.forms.report import FIELDS, ReportForm
from touchpoint.portal.uploads import photos_read

DRAFT = "portal.report.draft"
NONCE = "tp_report"  # the cookie keeping the report form's one-time key across reloads (portal/drafts.py)
REPORT_LIMIT = Limit(10, 3600)  # reports per hour from one client, as for repair orders


def _draft(request: HttpRequest) -> dict[str, str]:
    draft = request.session.get(DRAFT)
    return dict(draft) if isinstance(draft, dict) else {}


def _page(
    request: HttpRequest,
    form: ReportForm,
    *,
    status: int = 200,
    limited: bool = False,
    too_large: bool = False,
    photo_errors: list[str] | None = None,
    photos_chosen: int = 0,
) -> HttpResponse:
    context: dict[str, Any] = {
        "form": form,
        "limited": limited,
        "too_large": too_large,
        "photo_errors": photo_errors or [],
        "photos_chosen": photos_chosen,
        "accept": ACCEPT,
        "max_photos": settings.TOUCHPOINT_PHOTOS_PER_MESSAGE,
        "max_mb": settings.TOUCHPOINT_PHOTO_MAX_BYTES // (1024 * 1024),
    }
    return render(request, "portal/report/report.html", context, status=status)


@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _submit(request)
    draft = _draft(request)
    # Kept across reloads, so sending the page twice can't report twice; drawing it writes nothing.
    draft["nonce"], new = form_nonce(request, cookie=NONCE, draft=draft)
    response = _page(request, ReportForm(initial={"channel": "email", **draft}))
    if new:
        nonce_remember(response, cookie=NONCE, nonce=draft["nonce"], path=request.path)
    return response


def _body_max() -> int:
    """The photos the form takes at their largest, and the words around them."""
    return settings.TOUCHPOINT_PHOTOS_PER_MESSAGE * settings.TOUCHPOINT_PHOTO_MAX_BYTES + BODY_MAX


def _submit(request: HttpRequest) -> HttpResponse:
    if body_too_large(request, limit=_body_max()):
        # Only a script sends this much (the page says how many photos of what size); nothing is read.
        draft = _draft(request)
        draft["nonce"], _ = form_nonce(request, cookie=NONCE, draft=draft)
        return _page(request, ReportForm(initial={"channel": "email", **draft}), too_large=True, status=413)
    form = ReportForm(request.POST)
    draft_keep(request, key=DRAFT, form=form, names=[*FIELDS, "nonce"])
    files = request.FILES.getlist("photos")
    if not ratelimit_hit(scope="portal.report", key=client_key(request), limit=REPORT_LIMIT):
        form.is_valid()
        return _page(request, form, limited=True, status=429, photos_chosen=len(files))
    valid = form.is_valid()
    photos, photo_errors = photos_read(files)  # sizes first: an oversized file is never read
    if not valid or photo_errors:
        return _page(request, form, status=422, photo_errors=photo_errors, photos_chosen=len(files))
    d = form.cleaned_data
    filed = Report(
        order_number=d["order_number"],
        what_happened=d["what_happened"],
        order_total=d["order_total"],
        words=d["words"],
        contact=form.contact(),
    )
    try:
        case = report_place(report=filed, photos=photos, nonce=d["nonce"])
    except ReportRefused as refused:
        form.add_error(refused.field if refused.field in form.fields else None, str(refused))
        return _page(request, form, status=422, photos_chosen=len(files))
    request.session.pop(DRAFT, None)
    response = redirect("portal:case", token=link_for_form(case=case))
    response.status_code = 303  # see other: the report page is done with; back doesn't resend it
    nonce_forget(response, cookie=NONCE, path=request.path)
    return response
