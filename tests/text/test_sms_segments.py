"""SMS segments (touchpoint.text.sms): the figures the carriers bill by, from 3GPP TS 23.038/23.040,
checked at each boundary and against texts whose counts the providers' own calculators give."""

from __future__ import annotations

import pytest

from touchpoint.text.sms import sms_segments


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("", "GSM-7", 0, 0),
        ("a" * 160, "GSM-7", 160, 1),
        ("a" * 161, "GSM-7", 161, 2),
        ("a" * 306, "GSM-7", 306, 2),
        ("a" * 307, "GSM-7", 307, 3),
        ("€" * 80, "GSM-7", 160, 1),  # the extension table: two septets each
        ("€" * 81, "GSM-7", 162, 2),
        ("a" * 152 + "€" + "a" * 10, "GSM-7", 164, 2),  # the escape pair moves whole into segment two
        ("a" * 152 + "€" + "a" * 152, "GSM-7", 306, 3),  # … and so needs a third
        ("é" * 160, "GSM-7", 160, 1),  # é is in the basic set
        ("ê" * 70, "UCS-2", 70, 1),  # ê isn't
        ("ê" * 71, "UCS-2", 71, 2),
        ("ê" * 134, "UCS-2", 134, 2),
        ("ê" * 135, "UCS-2", 135, 3),
        ("🙂" * 35, "UCS-2", 70, 1),  # outside the BMP: two units each
        ("a" * 66 + "🙂" + "a" * 10, "UCS-2", 78, 2),  # the pair is not split across segments
    ],
)
def test_segments_at_each_boundary(text: str, encoding: str, units: int, segments: int) -> None:
    found = sms_segments(text)
    assert (found.encoding, found.units, found.segments) == (encoding, units, segments)


def test_a_curly_quote_sends_the_whole_text_as_ucs2_and_says_which_character() -> None:
    plain = "Hi Ana, it's Norm: your phone is fixed and on its way home. Track it: https://shop.example/c/abc"
    assert sms_segments(plain).encoding == "GSM-7" and sms_segments(plain).segments == 1
    curly = plain.replace("'", "’")
    found = sms_segments(curly)
    assert (found.encoding, found.segments, found.not_gsm) == ("UCS-2", 2, "’")
