"""Files customers sent on a case (photos from the case page, attachments of their emails), for staff.

Never a public URL: each file is served only to signed-in staff, and only under the case it
belongs to (the reference in the URL must be the file's case), so an id can't be walked to
another case's files from a page that names a different one."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from touchpoint.core.bidi import bidi_visible
from touchpoint.inbox.models import InboundAttachment
from touchpoint.inbox.selectors import PHOTO_TYPES
from touchpoint.staff.access import staff_required


@require_GET
@staff_required("agent")
def case_file(request: HttpRequest, reference: str, file_id: int) -> HttpResponse:
    found = (
        InboundAttachment.objects.select_related("message__case")
        .filter(pk=file_id, message__case__reference=reference)
        .first()
    )
    if found is None:
        raise Http404("no such file on this case")
    with found.file.open("rb") as stored:
        data = stored.read()
    # Photos open in the browser; anything else downloads, so no sent file runs as a page of ours.
    inline = found.content_type in PHOTO_TYPES
    response = HttpResponse(data, content_type=found.content_type if inline else "application/octet-stream")
    response.headers["Content-Disposition"] = (
        content_disposition_header(not inline, bidi_visible(found.filename)) or "attachment"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
