"""How we keep a customer posted, asked the same way on every public form: email, a mobile number,
email or text messages, and the form's one-time key."""

from __future__ import annotations

from django import forms
from django.conf import settings

from touchpoint.customers.models import Channel
from touchpoint.text.phones import NumberRefused, phone_normalise

CHANNELS = [(Channel.EMAIL.value, "Email"), (Channel.SMS.value, "Text message (SMS)")]


class ReachForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={
            "required": "Enter your email address: we send your updates and your link there.",
            "invalid": "Enter an email address like name@example.com.",
        },
    )
    phone = forms.CharField(label="Mobile number", required=False, max_length=40)
    channel = forms.ChoiceField(label="How should we keep you posted?", choices=CHANNELS, initial="email")
    nonce = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def clean_phone(self) -> str:
        """The number in E.164, read in the country the form gives (the shop's when it asks none)."""
        phone: str = self.cleaned_data["phone"].strip()
        if not phone:
            if self.data.get("channel") == Channel.SMS:
                raise forms.ValidationError("Give us a mobile number for the text messages, or choose email instead.")
            return ""
        country = str(self.data.get("country") or settings.TOUCHPOINT_PHONE_COUNTRY)
        try:
            return phone_normalise(phone, country=country)
        except NumberRefused as exc:
            raise forms.ValidationError(exc.message) from None
