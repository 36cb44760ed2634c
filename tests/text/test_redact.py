"""Redaction on a table of real-looking personal data: what must go, and what must stay."""

from __future__ import annotations

import pytest

from touchpoint.text.redact import redact

KNOWN = ["Ian Kearns", "Priya Lead", "Mary-Jane Watson"]

# (text, redacted text, kinds found in order)
TABLE = [
    ("Email me at ian.kearns+repairs@example.co.uk please", "Email me at [email] please", ["email"]),
    ("ring 07700 900123 after six", "ring [phone] after six", ["phone"]),
    ("Call +44 20 7946 0958 or (020) 7946-0958", "Call [phone] or [phone]", ["phone", "phone"]),
    ("US number +1 415-555-0100 works too", "US number [phone] works too", ["phone"]),
    ("Send it to 12 Acacia Avenue, Leeds LS1 4AP", "Send it to [address], Leeds [postcode]", ["address", "postcode"]),
    ("flat 3, 221b Baker Street, London NW1 6XE", "flat 3, [address], London [postcode]", ["address", "postcode"]),
    ("postcode sw1a1aa in lower case", "postcode [postcode] in lower case", ["postcode"]),
    ("Ian Kearns here, very happy", "Ian K. here, very happy", ["name"]),
    ("ian kearns was my name on the order", "Ian K. was my name on the order", ["name"]),
    ("Priya Lead sorted it out. Thank you Priya!", "Priya L. sorted it out. Thank you Priya!", ["name"]),
    ("Thanks to Mary-Jane Watson", "Thanks to Mary-Jane W.", ["name"]),
    ("My name is Tomas Brennan and I'm cross.", "My name is Tomas B. and I'm cross.", ["name"]),
    ("Regards, Aoife O'Connor", "Regards, Aoife O.", ["name"]),
    ("Cheers,\nSam Okafor", "Cheers,\nSam O.", ["name"]),
]

# Things that look a little like personal data and must survive.
KEPT = [
    "Jo was brilliant and fixed it the same day.",
    "Case TP-4K7Q9 cost £45.00 on 12/03/2026.",
    "My Nano Player 4G, serial 4821, is right as rain.",
    "It took 3 days, not 2.",
    "Version 1.2.3 of the firmware",
    "The box came in 24 hours",
]


@pytest.mark.parametrize(("text", "expected", "kinds"), TABLE)
def test_personal_data_is_redacted(text: str, expected: str, kinds: list[str]) -> None:
    result = redact(text, known_names=KNOWN)
    assert result.text == expected
    assert [finding.kind for finding in result.findings] == kinds


@pytest.mark.parametrize("text", KEPT)
def test_what_is_not_personal_data_is_kept(text: str) -> None:
    result = redact(text, known_names=KNOWN)
    assert (result.text, result.findings) == (text, [])


def test_each_finding_says_what_it_replaced() -> None:
    result = redact("Mail ian@example.com or call 07700 900123", known_names=KNOWN)
    assert [(f.kind, f.original, f.replacement) for f in result.findings] == [
        ("email", "ian@example.com", "[email]"),
        ("phone", "07700 900123", "[phone]"),
    ]
    assert result.changed
