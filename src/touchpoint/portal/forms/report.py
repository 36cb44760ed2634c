"""The "report a problem with a delivery" form: everything the order-problem journey needs, asked once."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from touchpoint.core.forms import MoneyField
from touchpoint.customers.services import Contact
from touchpoint.inbox.reports import TOTAL_MAX, WHAT_HAPPENED, WORDS_MAX
from touchpoint.portal.forms.reach import ReachForm

# The order of the page; the draft keeps these (never the photos: browsers can't be given them back).
FIELDS = ["order_number", "what_happened", "order_total", "words", "name", "email", "phone", "channel"]


class ReportForm(ReachForm):
    field_order = FIELDS

    order_number = forms.CharField(
        label="Order number",
        max_length=40,
        error_messages={"required": "Enter the order number from your confirmation email."},
    )
    what_happened = forms.ChoiceField(
        label="What happened?",
        choices=list(WHAT_HAPPENED.items()),
        error_messages={
            "required": "Choose what happened: the wrong item, or it arrived damaged.",
            "invalid_choice": "Choose what happened: the wrong item, or it arrived damaged.",
        },
    )
    order_total = MoneyField(
        label="What you paid for the order",
        min_value=Decimal("0"),
        max_value=TOTAL_MAX - Decimal("0.01"),
        error_messages={
            "required": "Enter what you paid for the order, as on your confirmation: if we refund, it's this.",
            "invalid": "Enter an amount like 24.99.",
            "min_value": "The amount can't be below 0.",
            "max_value": "That's more than we can take online: write to us and a person will help.",
            "max_decimal_places": "Use at most two decimals, like 24.99.",
        },
    )
    words = forms.CharField(
        label="Tell us about it",
        required=False,
        max_length=WORDS_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": f"Please keep it under {WORDS_MAX:,} characters (it's %(show_value)d now)."},
    )
    name = forms.CharField(
        label="Your name",
        max_length=200,
        error_messages={"required": "Tell us your name, so we know whose order it is."},
    )

    def clean_order_number(self) -> str:
        return str(self.cleaned_data["order_number"]).strip()

    def contact(self) -> Contact:
        d = self.cleaned_data
        return Contact(name=d["name"], email=d["email"], phone=d["phone"], preferred_channel=d["channel"])
