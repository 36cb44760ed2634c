"""How we keep the customer posted, chosen on their case page: email or texts (issue 17, part 7b).

The form works without JavaScript, carries Django's CSRF token, and is rate-limited like the other
case-page forms. Only a link that went to the customer's own address may change it: the link handed
to whoever filled in the order form proves nothing about whose phone or inbox the messages reach
(:func:`touchpoint.portal.access.link_emailed`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from touchpoint.cases.models import Case
from touchpoint.cases.services.channel import case_channel_switch, channel_words
from touchpoint.core.ratelimit import Limit, client_key, ratelimit_hit
from touchpoint.customers.models import Channel
from touchpoint.portal.access import case_link, link_emailed
from touchpoint.text.phones import NumberRefused, phone_normalise

CHOICES = [
    ("email", "By email"),
    ("sms", "By text message, and by email when a text can't reach you"),
    ("sms_only", "By text message only"),
]
TOO_MANY = "You've changed this a lot in a few minutes. Please wait a few minutes and try again."


class ChannelForm(forms.Form):
    channel = forms.ChoiceField(
        label="How should we keep you posted?",
        choices=CHOICES,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose email or text messages.",
            "invalid_choice": "Choose one of the ways listed.",
        },
    )
    phone = forms.CharField(label="Mobile number", required=False, max_length=40)

    def __init__(self, *args: Any, country: str = "GB", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.country = country

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        choice = str(data.get("channel") or "")
        typed = str(data.get("phone") or "").strip()
        data["e164"] = ""
        if choice.startswith("sms") or typed:
            try:
                data["e164"] = phone_normalise(typed, country=self.country)
            except NumberRefused as refused:
                self.add_error("phone", refused.message)
        return data


def _initial(case: Case) -> dict[str, str]:
    customer = case.customer
    texts = "sms_only" if customer.texts_only else "sms"
    choice = texts if customer.preferred_channel == Channel.SMS else "email"
    return {"channel": choice, "phone": customer.phone}


def _context(request: HttpRequest, case: Case, token: str, form: ChannelForm | None = None) -> dict[str, Any]:
    customer = case.customer  # read with the link: no query of its own
    may_change = link_emailed(request)
    # Whoever filled in the order form may not be the number's owner: they see its last digits only.
    phone = customer.phone if may_change or len(customer.phone) < 6 else "•••" + customer.phone[-3:]
    return {
        "case": case,
        "token": token,
        "may_change": may_change,
        "form": form or ChannelForm(initial=_initial(case), country=customer.country),
        "now": channel_words(channel=customer.preferred_channel, phone=phone, texts_only=customer.texts_only),
        "opted_out": customer.sms_opted_out_at,
        "texts": customer.preferred_channel == Channel.SMS,
        "changed": request.GET.get("reach") == "1",
        "shop_number": getattr(settings, "TWILIO_FROM_NUMBER", ""),
    }


def channel_panel(request: HttpRequest, case: Case, token: str) -> dict[str, Any] | None:
    """The case page's "How we keep you posted" panel: the channel now and the form to change it."""
    return _context(request, case, token)


@require_POST
@case_link
def channel_switch(request: HttpRequest, case: Case, token: str) -> HttpResponse:
    form = ChannelForm(request.POST, country=case.customer.country)
    status = 400
    if not link_emailed(request):
        form.is_valid()
        form.add_error(None, "Open this page from the link in one of our messages to you to change this.")
        status = 403
    elif not ratelimit_hit(
        scope="portal-channel",
        key=client_key(request),
        limit=Limit(settings.TOUCHPOINT_PORTAL_PERSON_RATE, settings.TOUCHPOINT_PORTAL_RATE_WINDOW),
    ):
        form.is_valid()
        form.add_error(None, TOO_MANY)
        status = 429
    elif form.is_valid():
        choice = str(form.cleaned_data["channel"])
        case_channel_switch(
            case=case,
            channel=Channel.SMS if choice.startswith("sms") else Channel.EMAIL,
            phone=str(form.cleaned_data["e164"]),
            texts_only=choice == "sms_only",
        )
        return redirect(reverse("portal:case", args=[token]) + "?reach=1#reach")
    return render(
        request,
        "portal/channel/switch.html",
        {"case": case, "token": token, "panel": _context(request, case, token, form)},
        status=status,
    )
