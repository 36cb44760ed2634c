"""Talk to us, on the case page: write a message (with photos), ask for a person, see a photo sent.

Every view takes the case from the link (:func:`touchpoint.portal.access.case_link`). A form that
can't be accepted is shown again with what was typed and a message beside the field; nothing is
lost and nothing half-done is stored."""

from __future__ import annotations

import re
import secrets
from typing import Any

from django import forms
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from touchpoint.cases.models import Case
from touchpoint.core.clock import now
from touchpoint.core.ratelimit import Limit, client_key, ratelimit_hit
from touchpoint.flows.clocks import person_due
from touchpoint.inbox.photos import ACCEPT
from touchpoint.inbox.portal import (
    person_due_text,
    person_request,
    person_request_open,
    portal_message_receive,
)
from touchpoint.inbox.selectors import case_photo, conversation_of
from touchpoint.portal.access import case_link, link_emailed
from touchpoint.portal.uploads import photos_read
from touchpoint.shop.opening_hours import team_clock

NONCE = re.compile(r"^[0-9a-f]{32}$")
PHONE = re.compile(r"^\+?[0-9 ()-]{7,20}$")
TOO_MANY = "You've sent a lot in a few minutes. Please wait a few minutes and send it again: what you typed is kept."


def new_nonce() -> str:
    return secrets.token_hex(16)


class ReplyForm(forms.Form):
    text = forms.CharField(
        label="Your message",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
    )
    nonce = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        text = self.fields["text"]
        assert isinstance(text, forms.CharField)  # for the type checker: declared just above
        text.max_length = settings.TOUCHPOINT_PORTAL_MESSAGE_MAX_CHARS
        text.error_messages["max_length"] = (
            f"That's a long message: please keep it under {settings.TOUCHPOINT_PORTAL_MESSAGE_MAX_CHARS} "
            "characters, or send it in two parts."
        )

    def clean_nonce(self) -> str:
        nonce = str(self.cleaned_data["nonce"])
        if not NONCE.match(nonce):
            raise forms.ValidationError("This form is out of date. Reload the page and send your message again.")
        return nonce


class PersonForm(forms.Form):
    need = forms.CharField(
        label="What do you need? (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": "Please keep it under 2000 characters: a person will ask for the rest."},
    )
    reach_by = forms.ChoiceField(
        label="How should we reach you?",
        choices=[("email", "By email"), ("phone", "By phone")],
        initial="email",
        widget=forms.RadioSelect,
    )
    phone = forms.CharField(label="Phone number", required=False, max_length=40)
    nonce = forms.CharField(widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        phone = str(data.get("phone") or "").strip()
        if data.get("reach_by") == "phone":
            if not phone:
                self.add_error("phone", "Give a number we can call, or choose “By email”.")
            elif not PHONE.match(phone):
                self.add_error("phone", "That doesn't look like a phone number: use digits, e.g. 07700 900123.")
        if not NONCE.match(str(data.get("nonce") or "")):
            self.add_error(None, "This form is out of date. Reload the page and ask again.")
        return data


def _panel_context(request: HttpRequest, case: Case, token: str, form: ReplyForm | None = None) -> dict[str, Any]:
    asked = person_request_open(case=case)
    return {
        "person_due": person_due_text(asked.due_at or asked.created_at) if asked is not None else "",
        "case": case,
        "token": token,
        "form": form or ReplyForm(initial={"nonce": new_nonce()}),
        "accept": ACCEPT,
        "max_photos": settings.TOUCHPOINT_PHOTOS_PER_MESSAGE,
        "max_mb": settings.TOUCHPOINT_PHOTO_MAX_BYTES // (1024 * 1024),
        "conversation": conversation_of(case=case, with_email=link_emailed(request)),
        "sent": request.GET.get("sent") == "1",
    }


def messages_panel(request: HttpRequest, case: Case, token: str) -> dict[str, Any] | None:
    """The case page's "Messages" panel: the conversation so far and the form to write to us."""
    return _panel_context(request, case, token)


@require_POST
@case_link
def message_send(request: HttpRequest, case: Case, token: str) -> HttpResponse:
    form = ReplyForm(request.POST)
    files = request.FILES.getlist("photos")
    photo_errors: list[str] = []
    status = 400
    if not ratelimit_hit(
        scope="portal-message",
        key=client_key(request),
        limit=Limit(settings.TOUCHPOINT_PORTAL_MESSAGE_RATE, settings.TOUCHPOINT_PORTAL_RATE_WINDOW),
    ):
        form.is_valid()
        form.add_error(None, TOO_MANY)
        status = 429
    elif form.is_valid():
        photos, photo_errors = photos_read(files)
        text = str(form.cleaned_data["text"]).strip()
        if not photo_errors and not text and not photos:
            form.add_error("text", "Write a message or add a photo, then send it.")
        elif not photo_errors:
            portal_message_receive(case=case, text=text, photos=photos, nonce=form.cleaned_data["nonce"])
            return redirect(reverse("portal:case", args=[token]) + "?sent=1#messages")
    context = _panel_context(request, case, token, form)
    context["photo_errors"] = photo_errors
    context["photos_chosen"] = len(files)
    return render(
        request, "portal/messages/reply.html", {"case": case, "token": token, "panel": context}, status=status
    )


def _promise(seconds: int) -> str:
    hours, minutes = divmod(seconds // 60, 60)
    if hours and not minutes:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{seconds // 60} minutes"


@require_http_methods(["GET", "POST"])
@case_link
def ask_person(request: HttpRequest, case: Case, token: str) -> HttpResponse:
    """Talk to a person: always one step away from every case page (principle 3)."""
    status = 200
    if request.method == "POST":
        form = PersonForm(request.POST)
        if not ratelimit_hit(
            scope="portal-person",
            key=client_key(request),
            limit=Limit(settings.TOUCHPOINT_PORTAL_PERSON_RATE, settings.TOUCHPOINT_PORTAL_RATE_WINDOW),
        ):
            form.is_valid()
            form.add_error(None, TOO_MANY)
            status = 429
        elif form.is_valid():
            data = form.cleaned_data
            asked = person_request(
                case=case,
                need=str(data["need"]),
                reach_by=str(data["reach_by"]),
                phone=str(data["phone"]).strip(),
                nonce=str(data["nonce"]),
                due_for=person_due,
            )
            return redirect(reverse("portal:ask_person", args=[token]) + ("?asked=1" if asked.created else "?again=1"))
        else:
            status = 400
    else:
        # The number given with this case's own order, never the customer record's: whoever holds the
        # link may have ordered with someone else's email address.
        form = PersonForm(initial={"nonce": new_nonce(), "phone": case.contact_phone, "reach_by": "email"})
    open_request = person_request_open(case=case)
    return render(
        request,
        "portal/messages/person.html",
        {
            "case": case,
            "token": token,
            "form": form,
            "open_request": open_request,
            "asked_at": person_due_text(open_request.created_at) if open_request else "",
            "due_at": person_due_text(open_request.due_at or open_request.created_at) if open_request else "",
            "promise": _promise(settings.TOUCHPOINT_PERSON_WAIT),
            # The due time the task would get if they asked now, by the same rule and clock.
            "promise_by": person_due_text(person_due(now())),
            "promise_in_hours": team_clock(settings.TOUCHPOINT_FALLBACK_TEAM) is not None,
            "just_asked": request.GET.get("asked") == "1",
            "asked_again": request.GET.get("again") == "1",
        },
        status=status,
    )


@require_GET
@case_link
def message_photo(request: HttpRequest, case: Case, token: str, photo: int) -> HttpResponse:
    """A photo sent on this case, to its customer only (by the link); never a public URL."""
    found = case_photo(case=case, photo_id=photo, with_email=link_emailed(request))
    if found is None:
        raise Http404("no such photo on this case")
    with found.file.open("rb") as stored:  # at most TOUCHPOINT_PHOTO_MAX_BYTES
        response = HttpResponse(stored.read(), content_type=found.content_type)
    response.headers["Content-Disposition"] = "inline"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
