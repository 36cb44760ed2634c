"""How did we do? On the case page whenever the journey asks the customer for feedback (its
``feedback_given`` event, whose ``asks: [rating]`` takes the rating): a rating from 1 to 5, a
comment, and whether we may publish it with a first name and town. Given once, readable afterwards."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from touchpoint.cases.errors import CaseError
from touchpoint.cases.journeys import journey_of
from touchpoint.cases.models import Case
from touchpoint.feedback.selectors import feedback_for_case
from touchpoint.feedback.services import (
    COMMENT_MAX,
    FEEDBACK_EVENT,
    NAME_MAX,
    TOWN_MAX,
    FeedbackAlreadyGiven,
    FeedbackInvalid,
    feedback_give,
)
from touchpoint.journeys import Actor, valid_events
from touchpoint.portal.access import case_link

RATINGS = [
    ("1", "1 – Very unhappy"),
    ("2", "2 – Unhappy"),
    ("3", "3 – OK"),
    ("4", "4 – Happy"),
    ("5", "5 – Very happy"),
]
MOVED_ON = (
    "Things have moved on since that page was loaded, so your feedback wasn't saved. "
    "Here is where they are now; you can also just reply to any of our emails."
)


class FeedbackForm(forms.Form):
    csat = forms.ChoiceField(
        label="How did we do?",
        choices=RATINGS,
        error_messages={"required": "Choose a rating from 1 (very unhappy) to 5 (very happy)."},
    )
    comment = forms.CharField(
        label="Tell us more",
        required=False,
        max_length=COMMENT_MAX,
        error_messages={"max_length": f"Please keep it under {COMMENT_MAX} characters (it's %(show_value)d now)."},
    )
    consent_publish = forms.BooleanField(label="You may publish this on our reviews page", required=False)
    display_name = forms.CharField(
        label="First name to sign it with",
        required=False,
        max_length=NAME_MAX,
        error_messages={"max_length": f"Please keep the name under {NAME_MAX} characters."},
    )
    town = forms.CharField(
        label="Town",
        required=False,
        max_length=TOWN_MAX,
        error_messages={"max_length": f"Please keep the town under {TOWN_MAX} characters."},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("consent_publish") and not str(cleaned.get("display_name") or "").strip():
            self.add_error(
                "display_name",
                "To publish it, give a first name to sign it with — or untick “You may publish this”.",
            )
        return cleaned


def _form_for(case: Case, data: Any = None) -> FeedbackForm:
    # What was given with this case's own order, never the customer record's (see ``Case.contact_name``).
    address = case.data.get("return_address")
    town = str(address.get("town") or "") if isinstance(address, dict) else ""
    initial = {"display_name": case.contact_first_name, "town": town, "version": case.version}
    return FeedbackForm(data=data, initial=initial)


def feedback_panel(request: HttpRequest, case: Case, token: str) -> dict[str, Any] | None:
    given = feedback_for_case(case=case)
    if given is not None:
        return {"mode": "given", "feedback": given}
    if asking(case):
        return {"mode": "ask", "form": _form_for(case), "token": token}
    return None


def asking(case: Case) -> bool:
    """Does the journey ask this case's customer for feedback now?"""
    journey = journey_of(case.journey)
    return FEEDBACK_EVENT in valid_events(journey, state=case.state, data=case.data, actor=Actor("customer"))


@require_POST
@case_link
def feedback_send(request: HttpRequest, case: Case, token: str) -> HttpResponse:
    back = reverse("portal:case", args=[token]) + "#feedback"
    form = _form_for(case, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            given = feedback_give(
                case=case,
                version=data["version"],
                csat=int(data["csat"]),
                comment=data["comment"],
                consent_publish=data["consent_publish"],
                display_name=data["display_name"],
                town=data["town"],
            )
        except FeedbackAlreadyGiven:
            messages.info(request, "You've already told us how we did — thank you. Here it is.")
            return redirect(back)
        except FeedbackInvalid as refused:
            form.add_error(None, str(refused))
        except CaseError:
            messages.error(request, MOVED_ON)
            return redirect(back)
        else:
            after = journey_of(given.case.journey).states[given.case.state]
            if after.exception:
                # A low rating brings a person: say who and when, in the journey's own words.
                messages.success(request, f"Thank you for telling us. We're sorry. {after.next_step or ''}".strip())
            else:
                messages.success(request, "Thank you for your feedback. It helps us, and the next customer.")
            return redirect(back)
    context = {"case": case, "token": token, "form": form, "journey": journey_of(case.journey)}
    return render(request, "portal/feedback/form.html", context, status=400)
