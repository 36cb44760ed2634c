"""Phone numbers as customers type them, made E.164 (``+447700900123``) with ``phonenumbers``.

``phone_normalise(typed, country=…)`` reads what someone typed the way their own phone would (a
national number in ``country``, ISO 3166, or one starting with + and a country code) and answers
the number in E.164, or raises :class:`NumberRefused` saying what is wrong and how to type it.
Only mobile numbers are taken: the number is asked for texts. Ofcom's range for drama, 07700 900000
to 07700 900999, counts as mobile (phonenumbers calls it invalid): the demo and the tests use it,
and a text to it is refused by the provider like any number that isn't in service.

``phone_zones`` gives the time zones a number belongs to (quiet hours). Framework-free."""

from __future__ import annotations

from functools import cache

import phonenumbers
from babel import Locale
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType
from phonenumbers import timezone as number_timezone

MOBILE_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}
DRAMA = ("+447700900",)  # E.164 prefixes reserved for fiction, taken as mobile numbers
EXAMPLES = {"GB": "07700 900 123"}  # phonenumbers' own example otherwise
MAX_TYPED = 40


class NumberRefused(ValueError):
    """A number we can't text, with the sentence to show beside the field."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@cache
def _country_names() -> dict[str, str]:
    # CLDR's English names, from Babel: phonenumbers' geocoder has the same names, but importing it
    # loads every prefix's place names (4 s of every process's start).
    return dict(Locale.parse("en").territories)


def _country_name(region: str) -> str:
    name = _country_names().get(region, "")
    return f"the {name}" if name in ("United Kingdom", "Netherlands", "United States") else (name or region)


def _example(region: str) -> str:
    if region in EXAMPLES:
        return EXAMPLES[region]
    example = phonenumbers.example_number_for_type(region, PhoneNumberType.MOBILE)
    return phonenumbers.format_number(example, PhoneNumberFormat.NATIONAL) if example is not None else ""


def _how(region: str) -> str:
    code = phonenumbers.country_code_for_region(region)
    example = _example(region)
    as_typed = f"type it as on your phone, e.g. {example}, or" if example else "type it"
    return f"{as_typed} with +{code}" if code else f"{as_typed} with + and the country code"


def phone_normalise(typed: str, *, country: str, mobile: bool = True) -> str:
    """``typed`` as E.164, read as a number in ``country`` unless it starts with +; raises NumberRefused.
    ``mobile``: only a mobile number will do (False: any number that can be called, e.g. at the counter)."""
    region = (country or "GB").strip().upper()
    shown = " ".join(typed.split())
    if phonenumbers.country_code_for_region(region) == 0:
        region = "GB"
    where = _country_name(region)
    if not shown or len(shown) > MAX_TYPED:
        raise NumberRefused(f"Enter your {'mobile' if mobile else 'phone'} number: {_how(region)}.")
    try:
        number = phonenumbers.parse(shown, region)
    except NumberParseException:
        raise NumberRefused(f"“{shown}” isn't a phone number; {_how(region)}.") from None
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    if e164.startswith(DRAMA) and len(e164) == 13:
        return e164
    number_region = phonenumbers.region_code_for_number(number) or region
    if not phonenumbers.is_valid_number(number):
        there = where if number_region == region else _country_name(number_region)
        raise NumberRefused(
            f"{shown} isn't a complete phone number in {there}: check the digits; {_how(number_region)}."
        )
    if mobile and phonenumbers.number_type(number) not in MOBILE_TYPES:
        there = where if number_region == region else _country_name(number_region)
        raise NumberRefused(f"{shown} isn't a mobile number in {there}; {_how(number_region)}.")
    return e164


def phone_zones(e164: str) -> tuple[str, ...]:
    """The IANA time zones of an E.164 number; () when the number doesn't say (or isn't a number)."""
    try:
        number = phonenumbers.parse(e164, None)
    except NumberParseException:
        return ()
    zones = tuple(z for z in number_timezone.time_zones_for_number(number) if z != "Etc/Unknown")
    if not zones and e164.startswith(DRAMA):
        return ("Europe/London",)
    return zones
