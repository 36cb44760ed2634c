"""How we keep a customer posted, asked the same way on every public form: email, a mobile number,
email or text messages, and the form's one-time key."""

from __future__ import annotations

from django import forms

from touchpoint.customers.models import Channel

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
        phone: str = self.cleaned_data["phone"].strip()
        digits = [c for c in phone if c.isdigit()]
        if phone and (len(digits) < 7 or any(c not in "0123456789 +-()" for c in phone)):
            raise forms.ValidationError("Enter a phone number with digits only, like 07700 900123.")
        if not phone and self.data.get("channel") == Channel.SMS:
            raise forms.ValidationError("Give us a mobile number for the text messages, or choose email instead.")
        return phone
