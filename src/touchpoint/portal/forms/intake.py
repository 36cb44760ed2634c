"""The repair order form: everything the mail-in repair needs, asked once, checked field by field."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from touchpoint.catalog.models import DeviceModel
from touchpoint.catalog.selectors import problems_offered
from touchpoint.customers.services import Contact
from touchpoint.flows.intake import DESCRIPTION_MAX, GB_POSTCODE
from touchpoint.portal.forms.reach import ReachForm
from touchpoint.shipping.models import ServiceLevel

SHIPPING = [("box", "Send me a prepaid box"), ("post", "I'll post it myself")]
COUNTRIES = [
    ("GB", "United Kingdom"),
    ("IE", "Ireland"),
    ("FR", "France"),
    ("DE", "Germany"),
    ("NL", "Netherlands"),
    ("BE", "Belgium"),
    ("ES", "Spain"),
    ("IT", "Italy"),
]
# The order of the page; the draft and the per-field check use the same names.
FIELDS = [
    "model",
    "problem",
    "description",
    "name",
    "email",
    "phone",
    "address_line1",
    "address_line2",
    "town",
    "postcode",
    "country",
    "shipping",
    "service_level",
    "channel",
    "plain_messages",
]


class IntakeForm(ReachForm):
    field_order = FIELDS

    model = forms.ChoiceField(
        label="Your device",
        error_messages={
            "required": "Pick your device from the list (search by its name if it isn't shown).",
            "invalid_choice": "Pick your device from the list: that one isn't offered any more.",
        },
    )
    problem = forms.ChoiceField(
        label="What's wrong with it?",
        error_messages={
            "required": "Pick what's wrong, or “Not sure what's wrong”: the bench finds out.",
            "invalid_choice": "Pick what's wrong from the list, or “Not sure what's wrong”.",
        },
    )
    description = forms.CharField(
        label="Anything else we should know?",
        required=False,
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": f"Please keep this under {DESCRIPTION_MAX} characters."},
    )
    name = forms.CharField(
        label="Your name",
        max_length=200,
        error_messages={"required": "Tell us your name, so we know whose device it is."},
    )
    address_line1 = forms.CharField(
        label="Address line 1",
        max_length=200,
        error_messages={"required": "Enter the first line of your address: we post the device back there."},
    )
    address_line2 = forms.CharField(label="Address line 2", required=False, max_length=200)
    town = forms.CharField(
        label="Town or city", max_length=100, error_messages={"required": "Enter your town or city."}
    )
    postcode = forms.CharField(label="Postcode", max_length=20, error_messages={"required": "Enter your postcode."})
    country = forms.ChoiceField(label="Country", choices=COUNTRIES, initial="GB")
    shipping = forms.ChoiceField(
        label="How does the device get to us?",
        choices=SHIPPING,
        error_messages={"required": "Choose a prepaid box, or that you'll post it yourself."},
    )
    # Offered only when the shop has service levels (the page shows them with price and on-time share);
    # none given with levels offered: the first, as the page preselects it.
    service_level = forms.ChoiceField(
        label="How the prepaid box's parcel travels",
        required=False,
        error_messages={
            "invalid_choice": "That way of sending isn't offered any more: choose one of those shown.",
        },
    )
    plain_messages = forms.BooleanField(label="Plain messages please (no jokes)", required=False)

    def __init__(
        self, *args: Any, models: list[DeviceModel], levels: list[ServiceLevel] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        # The shop's active service levels: read only when the page shows them or a choice was sent.
        self.levels = levels or []
        self.levels_read = levels is not None
        cast(forms.ChoiceField, self.fields["service_level"]).choices = [(lv.code, lv.name) for lv in self.levels]
        # The models offered: every active one when checking an answer, a search's matches when showing the page.
        self.models = models
        cast(forms.ChoiceField, self.fields["model"]).choices = [(m.slug, m.name) for m in models]
        self.problems = problems_offered()
        cast(forms.ChoiceField, self.fields["problem"]).choices = self.problems

    def clean_postcode(self) -> str:
        postcode: str = self.cleaned_data["postcode"].strip().upper()
        if self.data.get("country", "GB") == "GB" and not GB_POSTCODE.match(postcode):
            raise forms.ValidationError("That doesn't look like a UK postcode: it should look like LS1 4AB.")
        return postcode

    def level(self) -> ServiceLevel | None:
        """The service level chosen (the first offered when none was sent); None when none is offered."""
        code = self.cleaned_data.get("service_level") or ""
        return next((lv for lv in self.levels if lv.code == code), self.levels[0] if self.levels else None)

    def contact(self) -> Contact:
        d = self.cleaned_data
        return Contact(
            name=d["name"],
            email=d["email"],
            phone=d["phone"],
            address_line1=d["address_line1"],
            address_line2=d["address_line2"],
            town=d["town"],
            postcode=d["postcode"],
            country=d["country"],
            preferred_channel=d["channel"],
            plain_messages=d["plain_messages"],
        )
