"""The dev mailbox's one form: a reply typed on the customer's phone, under a text we sent."""

from __future__ import annotations

from django import forms

MAX_REPLY = 1600  # Twilio's limit for one message's body


class ReplyForm(forms.Form):
    body = forms.CharField(
        label="Reply from this phone",
        required=False,
        max_length=MAX_REPLY,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 36}),
        help_text="Sent to the shop as Twilio would post it: signed, to /hooks/sms/twilio/inbound.",
    )
    # The carriers' keywords, one button each (the whole text, as carriers read it)
    word = forms.ChoiceField(choices=[("", ""), ("STOP", "STOP"), ("START", "START"), ("HELP", "HELP")], required=False)

    def clean(self) -> dict[str, str]:
        data: dict[str, str] = super().clean() or {}
        if not (data.get("word") or data.get("body")):
            raise forms.ValidationError("Type a reply, or press STOP, START or HELP.", code="empty")
        return data

    @property
    def text(self) -> str:
        return str(self.cleaned_data.get("word") or self.cleaned_data["body"])
