"""The remedies forms: one per remedy on the case's panel (give it, or ask a lead), and the lead's
decision on a request. Their templates (``console/remedies/_field.html``) tie each field to its hint
and its error for screen readers."""

from __future__ import annotations

from typing import Any

from django import forms

from touchpoint.core.forms import MoneyField
from touchpoint.remedies.money import currency
from touchpoint.remedies.services.remedies import MAX_REASON, RemedyOption

REASON_HINT = "Recorded with the remedy; the customer isn't shown it"
HIDDEN = ("version", "nonce")


def amount_hint(option: RemedyOption) -> str:
    if option.can_apply:
        return f"You may give up to {option.remaining_text} on this case"
    return f"Over your limit here: a lead can approve up to {option.ceiling_text}"


class RemedyForm(forms.Form):
    """One remedy given (``action=apply``) or asked of a lead (``action=ask``). Its inputs are named
    ``<kind>-<field>`` so the panel's forms stay apart; the service checks the amount against the
    policy again (a form edited in the browser can't give more)."""

    amount = MoneyField(required=False, label="Amount")
    reason = forms.CharField(max_length=MAX_REASON, label="Why", widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput)
    nonce = forms.CharField(max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args: Any, option: RemedyOption, **kwargs: Any) -> None:
        kwargs["prefix"] = option.kind  # one form per remedy on the page: ids stay unique
        super().__init__(*args, **kwargs)
        self.option = option
        if option.monetary:
            amount = self.fields["amount"]
            amount.label = f"Amount ({currency().upper()})"
            amount.widget.attrs.update({"inputmode": "decimal", "step": "0.01", "min": "0.01"})
            amount.help_text = amount_hint(option)
        else:
            del self.fields["amount"]
        self.fields["reason"].help_text = REASON_HINT

    def general_errors(self) -> list[str]:
        """What has no field to stand beside: the form's own errors, and a hidden field's (an edited page)."""
        hidden = [f"(Hidden field {name}) {e}" for name in HIDDEN for e in self.errors.get(name, [])]
        return [str(e) for e in self.non_field_errors()] + hidden


class DecideForm(forms.Form):
    reason = forms.CharField(
        max_length=2000,
        label="Why",
        help_text="If you decline, the customer is told this reason: write it for them",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
