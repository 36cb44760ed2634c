"""Property tests: ``parse_message`` never raises, whatever the bytes."""

from __future__ import annotations

from functools import cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.mail.corpus import corpora_or_skip
from touchpoint.mail.parse import ParsedMail, find_reference, parse_message, reply_token, strip_reply

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check(parsed: ParsedMail) -> None:
    assert isinstance(parsed, ParsedMail)
    assert parsed.from_email == parsed.from_email.lower()
    assert all(isinstance(item, str) for item in (*parsed.to, *parsed.cc, *parsed.reply_to, *parsed.defects))
    assert parsed.date is None or parsed.date.tzinfo is not None
    assert isinstance(parsed.text, str) and isinstance(parsed.reply_text, str)
    for attachment in parsed.attachments:
        assert attachment.size == len(attachment.data)


@FAST
@given(st.binary(max_size=4096))
def test_arbitrary_bytes(raw: bytes) -> None:
    _check(parse_message(raw))


_HEADERISH = st.lists(
    st.sampled_from(
        [
            b"From: ",
            b"To: ",
            b"Subject: =?utf-8?b?",
            b"=?iso-2022-jp?B?GyRC?=",
            b"Content-Type: multipart/mixed; boundary=x\r\n",
            b"Content-Type: message/rfc822\r\n",
            b"Content-Type: multipart/report; report-type=delivery-status; boundary=x\r\n",
            b"Content-Transfer-Encoding: base64\r\n",
            b"Content-Transfer-Encoding: x-uuencode\r\n",
            b"Content-Disposition: attachment; filename*=utf-8''%E2%82",
            b"--x\r\n",
            b"--x--\r\n",
            b"\r\n",
            b"\n",
            b"begin 644 a.exe\n",
            b"\xff\xfe\x00",
            b"<html><blockquote><script>",
            b"Final-Recipient: rfc822; a@b\r\n",
            b"a@b.c",
            b"> ",
        ]
    )
    | st.binary(max_size=40),
    max_size=60,
)


@FAST
@given(_HEADERISH)
def test_mime_shaped_garbage(chunks: list[bytes]) -> None:
    _check(parse_message(b"".join(chunks)))


@cache
def _samples() -> tuple[bytes, ...]:
    root = corpora_or_skip()
    paths = sorted(path for path in root.rglob("*") if path.suffix in (".box", ".eml") and path.stat().st_size < 60_000)
    return tuple(path.read_bytes() for path in paths)


@FAST
@given(st.data())
def test_mutated_corpus_messages(data: st.DataObject) -> None:
    samples = _samples()
    raw = bytearray(data.draw(st.sampled_from(samples), label="message"))
    for _ in range(data.draw(st.integers(1, 8), label="mutations")):
        kind = data.draw(st.sampled_from(["flip", "cut", "insert", "delete", "duplicate"]))
        if not raw:
            break
        at = data.draw(st.integers(0, len(raw) - 1))
        if kind == "flip":
            raw[at] = data.draw(st.integers(0, 255))
        elif kind == "cut":
            del raw[at:]
        elif kind == "insert":
            raw[at:at] = data.draw(st.binary(min_size=1, max_size=64))
        elif kind == "delete":
            del raw[at : at + data.draw(st.integers(1, 200))]
        else:
            length = data.draw(st.integers(1, 400))
            raw[at:at] = raw[at : at + length]
    _check(parse_message(bytes(raw)))


@FAST
@given(st.text(max_size=2000))
def test_text_helpers_never_raise(text: str) -> None:
    assert isinstance(strip_reply(text), str)
    reference = find_reference(text)
    assert reference is None or reference == reference.upper()
    token = reply_token([text, f"reply+{text}@shop.test"], "shop.test")
    assert token is None or token == token.lower()


def test_corpus_samples_are_there() -> None:
    assert len(_samples()) > 100
