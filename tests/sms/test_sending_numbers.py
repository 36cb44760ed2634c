"""Numbers as people type them, kept in E.164, or refused saying what is wrong and how to type it
(text/phones.py; the order page's refusals are tested through the page in test_sending.py)."""

from __future__ import annotations

import pytest

from touchpoint.text.phones import NumberRefused, phone_normalise


@pytest.mark.parametrize(
    ("typed", "country", "e164"),
    [
        ("07700 900 123", "GB", "+447700900123"),
        ("(07700) 900-123", "GB", "+447700900123"),
        ("+44 7700 900123", "FR", "+447700900123"),  # the + wins over the country
        ("0044 7911 123456", "GB", "+447911123456"),
        ("06 12 34 56 78", "FR", "+33612345678"),
        ("085 012 3456", "IE", "+353850123456"),
        ("07911 123456", "gb", "+447911123456"),
        ("07911 123456", "", "+447911123456"),  # no country: the United Kingdom's way
    ],
)
def test_a_mobile_number_is_kept_in_e164(typed: str, country: str, e164: str) -> None:
    assert phone_normalise(typed, country=country) == e164


@pytest.mark.parametrize(
    ("typed", "country", "message"),
    [
        (
            "01 234 5678",
            "IE",
            "01 234 5678 isn't a mobile number in Ireland; type it as on your phone, e.g. 085 012 3456, or with +353.",
        ),
        (
            "0123",
            "NL",
            "0123 isn't a complete phone number in the Netherlands: check the digits; type it as on your phone, "
            "e.g. 06 12345678, or with +31.",
        ),
        ("", "GB", "Enter your mobile number: type it as on your phone, e.g. 07700 900 123, or with +44."),
        ("7" * 41, "GB", "Enter your mobile number: type it as on your phone, e.g. 07700 900 123, or with +44."),
    ],
)
def test_a_number_that_cant_be_texted_is_refused_saying_how_to_type_it(typed: str, country: str, message: str) -> None:
    with pytest.raises(NumberRefused) as refused:
        phone_normalise(typed, country=country)
    assert refused.value.message == message


def test_the_counter_takes_a_landline_it_can_call() -> None:
    assert phone_normalise("0113 496 0000", country="GB", mobile=False) == "+441134960000"
    with pytest.raises(NumberRefused):
        phone_normalise("0113 496 0000", country="GB")
