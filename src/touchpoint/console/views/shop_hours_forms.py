"""The opening hours page's forms: a team's (or the shop's) week, zone and closed days; a calendar file."""

from __future__ import annotations

from typing import Any

from django import forms

from touchpoint.core.clock import now
from touchpoint.hours import HoursInvalid, OpeningHours
from touchpoint.hours.closures import public_holidays
from touchpoint.hours.week import EXAMPLE, zone_named
from touchpoint.shop.opening_hours import closed_dates_parse

CALENDAR_MAX_BYTES = 1_000_000  # a year of a shop's closures is a few KB; a bigger file is the wrong one


class HoursForm(forms.Form):
    stamp = forms.CharField(max_length=32, required=False, widget=forms.HiddenInput)
    weekly = forms.CharField(
        label="Weekly hours",
        help_text=f"Days, then times; groups apart with “;”. E.g. “{EXAMPLE}” or "
        "“Mon-Fri 09:00-12:30, 13:30-17:00”. A day not named is closed.",
        max_length=400,
        strip=True,
        error_messages={"required": f"Write when you are open, e.g. “{EXAMPLE}”."},
    )
    zone = forms.CharField(
        label="Time zone",
        help_text="Its IANA name, e.g. Europe/London, Europe/Dublin, America/New_York.",
        max_length=64,
        strip=True,
        error_messages={"required": "Write the time zone the hours are in, e.g. Europe/London."},
    )
    country = forms.CharField(
        label="Public holidays of",
        help_text="The country's two-letter code (GB, IE, DE, US …): its public holidays are closed days.",
        max_length=2,
        required=False,
        strip=True,
    )
    region = forms.CharField(
        label="Region",
        help_text="Where a country's holidays differ by region: e.g. for GB, ENG, NIR, SCT or WLS.",
        max_length=10,
        required=False,
        strip=True,
    )
    closed_dates = forms.CharField(
        label="Other closed days",
        help_text="One a line, as 2026-12-24, then what it is if you like: “2026-12-24 Christmas Eve”.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
    )

    def clean_zone(self) -> str:
        zone: str = self.cleaned_data["zone"]
        try:
            zone_named(zone)
        except HoursInvalid as exc:
            raise forms.ValidationError(str(exc)) from None
        return zone

    def clean_weekly(self) -> str:
        weekly: str = self.cleaned_data["weekly"]
        try:
            OpeningHours.parse(weekly, zone="UTC")
        except HoursInvalid as exc:
            raise forms.ValidationError(str(exc)) from None
        return weekly

    def clean_country(self) -> str:
        return str(self.cleaned_data["country"]).upper()

    def clean_region(self) -> str:
        return str(self.cleaned_data["region"]).upper()

    def clean_closed_dates(self) -> str:
        text = str(self.cleaned_data["closed_dates"])
        try:
            closed_dates_parse(text)
        except HoursInvalid as exc:
            raise forms.ValidationError(str(exc)) from None
        # Kept as typed, one a line, without the blank lines
        return "\n".join(line.strip() for line in text.splitlines() if line.strip())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        country, region = data.get("country", ""), data.get("region", "")
        if region and not country:
            self.add_error(
                "country", "A region needs its country: write the country's two-letter code too (GB for ENG)."
            )
        elif country:
            try:
                public_holidays(country, [now().year], region=region)
            except HoursInvalid as exc:
                self.add_error("region" if region else "country", str(exc))
        return data


class CalendarForm(forms.Form):
    calendar = forms.FileField(
        label="A calendar file (.ics)",
        help_text="Exported from your calendar app: its all-day events become closed days, replacing the last "
        "file's. Events with a time of day are listed, not used.",
        error_messages={"required": "Choose the .ics file your calendar app exported.", "empty": "That file is empty."},
    )

    def clean_calendar(self) -> Any:
        upload = self.cleaned_data["calendar"]
        if (upload.size or 0) > CALENDAR_MAX_BYTES:
            raise forms.ValidationError(
                f"That file is {upload.size // 1000} KB; a calendar of closed days is a few KB. "
                "Export only the calendar with the shop's closures."
            )
        return upload
