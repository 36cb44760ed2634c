"""The persona editor (leads and admins): the voice of the shop's messages (name, avatar, signature,
voice notes), with every touch point of a journey previewed in both tones as the customer would see
it, updated as the lead types (htmx posts the form to :func:`preview`; the Save button posts it
without any script). The avatar is served to anyone (it is in emails), like the shop's logo."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.csp import CSP
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from PIL import Image

from touchpoint.cases.journeys import journey_latest, journey_of, journeys_sync
from touchpoint.cases.models import JourneyVersion
from touchpoint.inbox.photos import ACCEPT, PhotoRefused, photo_clean
from touchpoint.journeys import Journey
from touchpoint.shop.models import Area, SettingChange
from touchpoint.staff.access import staff_required
from touchpoint.staff.models import StaffUser
from touchpoint.touchpoints.persona import AVATAR_UPLOAD, Persona
from touchpoint.touchpoints.persona_edit import (
    Avatar,
    PersonaConflict,
    persona_for_edit,
    persona_keys,
    persona_save,
)
from touchpoint.touchpoints.preview import journey_preview, touchpoint_preview

AVATAR_BOX = (256, 256)  # shown at 48–64 px: four times that, sharp on any screen, a few KB
AVATAR_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
KEY = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}", re.ASCII)
TONES = ("playful", "sober")
# The email preview frame: the message's own inline styles and the shop's images, nothing that runs.
EMAIL_FRAME_CSP: dict[str, list[str] | str] = {
    "default-src": [CSP.NONE],
    "img-src": [CSP.SELF, "data:", settings.TOUCHPOINT_PUBLIC_URL],  # the logo and avatar, as emails address them
    "style-src": [CSP.UNSAFE_INLINE],
    "frame-ancestors": [CSP.SELF],
    "sandbox": "",
}


class PersonaForm(forms.Form):
    stamp = forms.CharField(max_length=64, widget=forms.HiddenInput)
    name = forms.CharField(
        label="Name",
        help_text="How the messages speak of themselves, e.g. Norm.",
        max_length=60,
        strip=True,
        error_messages={
            "required": "Give the persona a name, e.g. Norm.",
            "max_length": "Keep the name short: up to 60 characters.",
        },
    )
    signature = forms.CharField(
        label="Signature",
        help_text="The line every message ends with, e.g. “Norm, your repair coordinator at the Repair Shop”.",
        max_length=200,
        strip=True,
        error_messages={
            "required": "Write the signature every message ends with.",
            "max_length": "Keep the signature to one line: up to 200 characters.",
        },
    )
    voice = forms.CharField(
        label="Voice notes",
        help_text="For the people who write and edit the messages: how the persona speaks, "
        "when it jokes, when it doesn't.",
        max_length=4000,
        required=False,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"max_length": "Voice notes can be up to 4000 characters."},
    )
    avatar = forms.FileField(
        label="Avatar",
        help_text="A JPEG, PNG or WebP image, square looks best; leave empty to keep the one there is.",
        required=False,
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
    )
    avatar_remove = forms.BooleanField(label="Remove the avatar", required=False)
    journey = forms.ChoiceField(label="Preview the messages of", required=False)

    def __init__(self, *args: Any, journeys: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["journey"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(name, name) for name in journeys]

    def clean_name(self) -> str:
        return _one_line(self.cleaned_data["name"], "The name")

    def clean_signature(self) -> str:
        return _one_line(self.cleaned_data["signature"], "The signature")

    def clean_voice(self) -> str:
        # Browsers post a textarea's lines with CRLF: as stored, so an untouched note isn't a change.
        return str(self.cleaned_data["voice"]).replace("\r\n", "\n").replace("\r", "\n")

    def clean_avatar(self) -> Avatar | None:
        upload = self.cleaned_data.get("avatar")
        if not upload:
            return None
        if upload.size is not None and upload.size > settings.TOUCHPOINT_PHOTO_MAX_BYTES:
            limit = settings.TOUCHPOINT_PHOTO_MAX_BYTES / (1024 * 1024)
            raise forms.ValidationError(f"“{upload.name}” is too large: an avatar can be up to {limit:.1f} MB.")
        try:
            photo = photo_clean(data=upload.read(), filename=upload.name or "avatar")
        except PhotoRefused as refused:
            raise forms.ValidationError(str(refused)) from None
        return Avatar(data=avatar_fit(photo.data, photo.extension), extension=photo.extension)


def _one_line(value: str, what: str) -> str:
    if "\n" in value or "\r" in value:
        raise forms.ValidationError(f"{what} is one line: join the lines.")
    return value


def avatar_fit(data: bytes, extension: str) -> bytes:
    """The checked image, made no larger than :data:`AVATAR_BOX` (proportions kept)."""
    with Image.open(io.BytesIO(data)) as image:
        if image.width <= AVATAR_BOX[0] and image.height <= AVATAR_BOX[1]:
            return data
        image.thumbnail(AVATAR_BOX, Image.Resampling.LANCZOS)
        out = io.BytesIO()
        image.save(out, {"jpg": "JPEG", "png": "PNG", "webp": "WEBP"}[extension], quality=88)
        return out.getvalue()


def _journeys() -> dict[str, Journey]:
    """The shop's journeys, each at its newest version, by name (the shipped ones registered first
    on a new install, as the order page does)."""
    names = list(JourneyVersion.objects.order_by("name").values_list("name", flat=True).distinct())
    if not names:
        names = sorted({version.name for version in journeys_sync()})
    return {name: journey_of(journey_latest(name)) for name in names}


@dataclass(frozen=True)
class _Tone:
    tone: str
    subject: str
    text: str
    sms: str
    email_url: str


@dataclass(frozen=True)
class _Row:
    key: str
    summary: str
    state_label: str
    tones: list[_Tone]


def _preview(*, journey: Journey, persona: Persona) -> list[_Row]:
    """Each touch point of ``journey`` in both tones, spoken by ``persona`` (as typed, not saved)."""
    _, previewed = journey_preview(journey=journey, persona=persona)
    rows = []
    for tp in previewed:
        tones = []
        for tone, msg in tp.tones:
            query = urlencode(
                {
                    "journey": journey.name,
                    "touchpoint": tp.key,
                    "tone": tone,
                    "name": persona.name,
                    "signature": persona.signature,
                }
            )
            url = f"{reverse('console:persona_email', args=[persona.key])}?{query}"
            tones.append(_Tone(tone, msg.subject, msg.text, msg.sms, url))
        rows.append(_Row(tp.key, tp.summary, tp.state_label, tones))
    return rows


def _typed(form: PersonaForm, stored: Persona) -> Persona:
    """The persona as the form says it: what was typed where it is valid, what is stored elsewhere."""
    data = form.cleaned_data if hasattr(form, "cleaned_data") else {}
    return Persona(
        key=stored.key,
        name=data.get("name") or stored.name,
        signature=data.get("signature") or stored.signature,
        voice=data.get("voice", stored.voice) if "voice" in data else stored.voice,
        avatar="" if data.get("avatar_remove") else stored.avatar,
    )


def _key(key: str | None, journeys: dict[str, Journey]) -> str:
    keys = persona_keys(journeys=[j.persona for j in journeys.values()])
    if key is None:
        return keys[0] if keys else "norm"
    if not KEY.fullmatch(key) or key not in keys:
        raise Http404("no such persona")
    return key


def _page(
    request: HttpRequest,
    *,
    key: str,
    journeys: dict[str, Journey],
    form: PersonaForm,
    status: int = 200,
    problem: str = "",
) -> HttpResponse:
    stored, _ = persona_for_edit(key=key)
    persona = _typed(form, stored) if form.is_bound else stored
    chosen = (form.cleaned_data.get("journey") if form.is_bound and hasattr(form, "cleaned_data") else None) or form[
        "journey"
    ].value()
    speaking = [name for name, j in journeys.items() if j.persona == key]
    journey = journeys.get(str(chosen or "")) or next((journeys[n] for n in speaking), None)
    context = {
        "form": form,
        "key": key,
        "keys": persona_keys(journeys=[j.persona for j in journeys.values()]),
        "persona": persona,
        "stored": stored,
        "speaking": speaking,
        "preview_journey": journey,
        "rows": _preview(journey=journey, persona=persona) if journey else [],
        "changes": SettingChange.objects.filter(area=Area.PERSONA, subject=f"persona:{key}")[:50],
        "problem": problem,
    }
    return render(request, "console/shop/persona.html", context, status=status)


def _initial(key: str, journeys: dict[str, Journey]) -> dict[str, Any]:
    persona, stamp = persona_for_edit(key=key)
    first = next((name for name, j in journeys.items() if j.persona == key), "")
    return {
        "stamp": stamp,
        "name": persona.name,
        "signature": persona.signature,
        "voice": persona.voice,
        "journey": first,
    }


@require_http_methods(["GET", "POST"])
@staff_required("lead")
def persona_page(request: HttpRequest, key: str | None = None) -> HttpResponse:
    journeys = _journeys()
    key = _key(key, journeys)
    names = list(journeys)
    if request.method == "GET":
        form = PersonaForm(initial=_initial(key, journeys), journeys=names)
        return _page(request, key=key, journeys=journeys, form=form)
    user = request.user
    assert isinstance(user, StaffUser)  # staff_required let only staff through
    form = PersonaForm(request.POST, request.FILES, journeys=names)
    if not form.is_valid():
        return _page(
            request, key=key, journeys=journeys, form=form, status=400, problem="Nothing was saved: see below."
        )
    if "preview" in request.POST:  # the preview without script: the page again, as typed, nothing saved
        return _page(request, key=key, journeys=journeys, form=form)
    data = form.cleaned_data
    try:
        changes = persona_save(
            by=user,
            key=key,
            name=data["name"],
            signature=data["signature"],
            voice=data["voice"],
            stamp=data["stamp"],
            avatar=data["avatar"],
            avatar_remove=data["avatar_remove"],
        )
    except PersonaConflict:
        fresh: QueryDict = request.POST.copy()
        fresh["stamp"] = persona_for_edit(key=key)[1]
        problem = (
            "Nothing was saved: someone else saved the persona while you were editing (see the changes below). "
            "Check what you typed against theirs and save again."
        )
        form = PersonaForm(fresh, journeys=names)
        return _page(request, key=key, journeys=journeys, form=form, status=409, problem=problem)
    if changes:
        fields = ", ".join(c.field.removeprefix("persona ") for c in changes)
        messages.success(request, f"Saved: {fields}. The next message speaks this way.")
    else:
        messages.info(request, "Nothing had changed, so nothing was saved.")
    url = reverse("console:shop_persona_key", args=[key])
    return HttpResponseRedirect(url)


@require_POST
@staff_required("lead")
def preview(request: HttpRequest, key: str) -> HttpResponse:
    """The preview as typed (htmx, on every pause in typing): nothing is saved, nothing is checked
    but what the preview needs; a field left empty shows what is stored."""
    journeys = _journeys()
    key = _key(key, journeys)
    form = PersonaForm(request.POST, journeys=list(journeys))
    form.is_valid()  # the cleaned values that are valid; the errors are for Save to say
    stored, _ = persona_for_edit(key=key)
    persona = _typed(form, stored)
    chosen = form.cleaned_data.get("journey") or next((n for n, j in journeys.items() if j.persona == key), "")
    journey = journeys.get(chosen)
    context = {
        "persona": persona,
        "preview_journey": journey,
        "rows": _preview(journey=journey, persona=persona) if journey else [],
    }
    return render(request, "console/shop/_persona_preview.html", context)


@require_GET
@staff_required("lead")
@xframe_options_sameorigin
@csp_override(EMAIL_FRAME_CSP)
def email(request: HttpRequest, key: str) -> HttpResponse:
    """One touch point's email as the customer's mail app shows it, for the preview's sandboxed frame."""
    journeys = _journeys()
    key = _key(key, journeys)
    journey = journeys.get(request.GET.get("journey", ""))
    touchpoint = request.GET.get("touchpoint", "")
    tone = request.GET.get("tone", "")
    if journey is None or touchpoint not in journey.touchpoints or tone not in TONES:
        raise Http404("no such message")
    stored, _ = persona_for_edit(key=key)
    name = request.GET.get("name", "").strip()[:60] or stored.name
    signature = request.GET.get("signature", "").strip()[:200] or stored.signature
    persona = Persona(key=key, name=name, signature=signature, voice=stored.voice, avatar=stored.avatar)
    rendered = touchpoint_preview(journey=journey, key=touchpoint, tone=tone, persona=persona)
    response = HttpResponse(rendered.html, content_type="text/html; charset=utf-8")
    response["X-Content-Type-Options"] = "nosniff"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_GET
def avatar(request: HttpRequest, name: str) -> HttpResponse:
    """An avatar the persona has had (emails already sent show the one they were sent with). Public:
    it is in emails. Each has its own random name, so an old email never shows a newer face."""
    if not AVATAR_UPLOAD.fullmatch(f"persona/{name}"):
        raise Http404("no such avatar")
    try:
        with default_storage.open(f"persona/{name}", "rb") as stored:
            data = stored.read()
    except FileNotFoundError:
        raise Http404("no such avatar") from None
    response = HttpResponse(data, content_type=AVATAR_TYPES[name.rsplit(".", 1)[1]])
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
