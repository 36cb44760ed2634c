"""Checking what was typed on the demo card page, with Stripe's words for each problem.

Only Stripe's published test cards are taken (one succeeds, others decline as Stripe's do); any
other number is refused as Stripe's test mode refuses a live card, so no real card is ever used.
Nothing but the last four digits is kept. Framework-free: the caller says what day it is."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

# Stripe's test cards (docs.stripe.com/testing) and what each does; the page lists them.
SUCCEEDS = ""
TEST_CARDS: dict[str, tuple[str, str]] = {
    "4242424242424242": ("Visa", SUCCEEDS),
    "5555555555554444": ("Mastercard", SUCCEEDS),
    "4000000000000002": ("Visa", "Your card was declined."),
    "4000000000009995": ("Visa", "Your card has insufficient funds."),
}
NOT_A_TEST_CARD = (
    "Your card was declined: this is the demo, which takes only the test cards listed on this page, never a real card."
)
_SEPARATORS = re.compile(r"[\s-]+")
_EXPIRY = re.compile(r"^\s*(\d{1,2})\s*/?\s*(\d{2}|\d{4})\s*$")


@dataclass(frozen=True)
class CardCheck:
    errors: dict[str, str] = field(default_factory=dict)  # field name -> what is wrong with it
    declined: str = ""  # the bank's answer for a well-formed card that doesn't pay
    real_card: bool = False  # not a test card: the page forgets the number instead of showing it again
    brand: str = ""
    last4: str = ""

    @property
    def paid(self) -> bool:
        return not self.errors and not self.declined


def grouped(digits: str) -> str:
    """``4242424242424242`` → ``4242 4242 4242 4242``, as cards print it."""
    return " ".join(digits[i : i + 4] for i in range(0, len(digits), 4))


def luhn_ok(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _number_error(digits: str) -> str:
    if not digits:
        return "Your card number is incomplete."
    if not digits.isdigit() or len(digits) > 19:
        return "Your card number is invalid."
    if len(digits) < 13:
        return "Your card number is incomplete."
    if not luhn_ok(digits):
        return "Your card number is invalid."
    return ""


def _expiry_error(expiry: str, today: date) -> str:
    if not expiry.strip():
        return "Your card's expiration date is incomplete."
    found = _EXPIRY.match(expiry)
    if found is None:
        return "Your card's expiration date is incomplete. Write it as MM / YY, e.g. 12 / 34."
    month, year = int(found.group(1)), int(found.group(2))
    year += 2000 if year < 100 else 0
    if not 1 <= month <= 12:
        return "Your card's expiration month is invalid."
    if year < today.year:
        return "Your card's expiration year is in the past."
    if (year, month) < (today.year, today.month):
        return "Your card's expiration date is in the past."
    if year > today.year + 50:
        return "Your card's expiration year is invalid."
    return ""


def _cvc_error(cvc: str) -> str:
    value = cvc.strip()
    if not value or (value.isdigit() and len(value) < 3):
        return "Your card's security code is incomplete."
    if not value.isdigit() or len(value) > 4:
        return "Your card's security code is invalid."
    return ""


def card_check(*, number: str, expiry: str, cvc: str, name: str, today: date) -> CardCheck:
    """Every field's problem at once (as Stripe's page shows them), else the card's answer."""
    digits = _SEPARATORS.sub("", number)
    errors = {
        name_: problem
        for name_, problem in (
            ("number", _number_error(digits)),
            ("expiry", _expiry_error(expiry, today)),
            ("cvc", _cvc_error(cvc)),
            ("name", "" if name.strip() else "Enter the name on the card."),
        )
        if problem
    }
    if errors:
        return CardCheck(errors=errors)
    if digits not in TEST_CARDS:
        return CardCheck(declined=NOT_A_TEST_CARD, real_card=True)
    brand, answer = TEST_CARDS[digits]
    if answer:
        return CardCheck(declined=answer)
    return CardCheck(brand=brand, last4=digits[-4:])
