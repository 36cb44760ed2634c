"""The dev mailbox: a list of captured mail, one message, and its HTML part in a locked-down frame.

The HTML part is served by its own view under a CSP of its own (nothing loads, nothing runs,
``sandbox``), framed only by our own pages; the mailbox pages keep the site's strict CSP."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.csp import CSP
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_GET, require_POST

from touchpoint.devmail.forms import ReplyForm
from touchpoint.devmail.models import CapturedMail
from touchpoint.devmail.phone import INBOUND_PATH, phone_on, reply_send
from touchpoint.devmail.services import mail_list, reply_fate
from touchpoint.text.sms import sms_segments

HTML_PART_CSP: dict[str, list[str] | str] = {
    "default-src": [CSP.NONE],
    "img-src": [CSP.SELF, "data:", settings.TOUCHPOINT_PUBLIC_URL],  # the shop's logo and the persona's face
    "style-src": [CSP.UNSAFE_INLINE],  # mail HTML styles itself inline; nothing else may load or run
    "frame-ancestors": [CSP.SELF],
    "sandbox": "",  # no value: every restriction (no scripts, no forms, a unique origin)
}


def _mailbox_on[**P](view: Callable[P, HttpResponse]) -> Callable[P, HttpResponse]:
    """404 unless TOUCHPOINT_DEV_MAILBOX is on (the URLs are only mounted then too)."""

    @wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        if not settings.TOUCHPOINT_DEV_MAILBOX:
            raise Http404("the dev mailbox is off")
        return view(*args, **kwargs)

    return wrapped


@require_GET
@_mailbox_on
def mailbox(request: HttpRequest) -> HttpResponse:
    return render(request, "devmail/list.html", {"mails": mail_list()})


def _message_page(
    request: HttpRequest, mail: CapturedMail, *, form: ReplyForm | None = None, status: int = 200
) -> HttpResponse:
    context: dict[str, Any] = {"mail": mail, "headers": [(name, value) for name, value in mail.headers]}
    if mail.channel == "sms":  # how a carrier bills it, and the customer's phone to reply from
        context["segments"] = sms_segments(mail.body_text)
        context["phone_on"] = phone_on()
        context["form"] = form or ReplyForm()
        context["replied"] = reply_fate(request.GET.get("replied", ""))
    return render(request, "devmail/message.html", context, status=status)


@require_GET
@_mailbox_on
def message(request: HttpRequest, pk: int) -> HttpResponse:
    return _message_page(request, get_object_or_404(CapturedMail, pk=pk))


@require_POST
@_mailbox_on
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    """The customer's phone answers a text: posted to the shop's inbound webhook, signed as Twilio
    signs it (docs/sms.md, "In the demo"). What was typed stays on the page when it can't go."""
    mail = get_object_or_404(CapturedMail, pk=pk, channel="sms")
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return _message_page(request, mail, form=form, status=400)
    if not phone_on():  # the page says what replies need
        return _message_page(request, mail, form=form, status=409)
    try:
        sid, posted = reply_send(sender=mail.to, to=mail.from_email, body=form.text)
    except OSError as exc:
        form.add_error(
            None,
            f"The shop's webhook at {settings.TOUCHPOINT_PUBLIC_URL}{INBOUND_PATH} didn't answer ({exc}). "
            "Is the web app running at TOUCHPOINT_PUBLIC_URL?",
        )
        return _message_page(request, mail, form=form, status=502)
    if not posted.taken:
        form.add_error(None, f"The shop's webhook at {posted.url} answered {posted.status}: {posted.answer[:300]}")
        return _message_page(request, mail, form=form, status=502)
    return redirect(f"{reverse('devmail:message', args=[mail.pk])}?replied={sid}#reply")


@require_GET
@_mailbox_on
@xframe_options_sameorigin
@csp_override(HTML_PART_CSP)
def message_html(request: HttpRequest, pk: int) -> HttpResponse:
    mail = get_object_or_404(CapturedMail, pk=pk)
    response = HttpResponse(mail.body_html, content_type="text/html; charset=utf-8")
    response["X-Content-Type-Options"] = "nosniff"
    response["Referrer-Policy"] = "no-referrer"
    return response
