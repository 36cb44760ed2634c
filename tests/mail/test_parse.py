"""Hand-made messages, one per behaviour of the parsing API, with exact values."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta, timezone

from touchpoint.mail.parse import (
    DEFAULT_ALLOWED_TYPES,
    Attachment,
    ParsedMail,
    RejectedAttachment,
    find_reference,
    parse_message,
    reply_token,
    strip_reply,
)


def _mail(headers: str, body: str = "Hello\r\n") -> bytes:
    return (headers.strip().replace("\n", "\r\n") + "\r\n\r\n" + body).encode("utf-8")


PLAIN = _mail(
    """
From: "Ana Lima" <Ana.Lima@Example.COM>
To: Repairs <reply+0A1b2C3d@mail.shop.test>, other@example.org
Cc: Boss <BOSS@example.org>
Reply-To: ana.private@example.net
Subject: =?utf-8?q?Re=3A_Your_repair_tp-4k7q9_is_ready_=E2=9C=94?=
Date: Tue, 03 Mar 2026 10:15:00 +0100
Message-ID: <abc.123@mail.example.com>
In-Reply-To: <out-1@shop.test>
References: <out-0@shop.test>
 <out-1@shop.test>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
""",
    "Thanks, I'll pick it up on Friday.\r\n\r\n"
    "On Mon, 2 Mar 2026 at 09:00, Norm <reply+0a1b2c3d@mail.shop.test> wrote:\r\n"
    "> Your player is right as rain.\r\n",
)


def test_headers_threading_and_addresses() -> None:
    parsed = parse_message(PLAIN)
    assert parsed.message_id == "<abc.123@mail.example.com>"
    assert parsed.in_reply_to == ("<out-1@shop.test>",)
    assert parsed.references == ("<out-0@shop.test>", "<out-1@shop.test>")
    assert parsed.from_email == "ana.lima@example.com"
    assert parsed.from_name == "Ana Lima"
    assert parsed.to == ("reply+0a1b2c3d@mail.shop.test", "other@example.org")
    assert parsed.cc == ("boss@example.org",)
    assert parsed.reply_to == ("ana.private@example.net",)
    assert parsed.subject == "Re: Your repair tp-4k7q9 is ready ✔"
    assert parsed.date == datetime(2026, 3, 3, 9, 15, tzinfo=UTC)
    assert parsed.date is not None and parsed.date.utcoffset() == timedelta(hours=1)
    assert parsed.text == (
        "Thanks, I'll pick it up on Friday.\n\n"
        "On Mon, 2 Mar 2026 at 09:00, Norm <reply+0a1b2c3d@mail.shop.test> wrote:\n"
        "> Your player is right as rain.\n"
    )
    assert parsed.html is None
    assert parsed.reply_text == "Thanks, I'll pick it up on Friday."
    assert parsed.attachments == () and parsed.rejected == ()
    assert not parsed.auto_submitted and not parsed.is_bounce
    assert parsed.bounced_recipients == ()
    assert parsed.defects == ()


def test_message_ids_are_normalised() -> None:
    parsed = parse_message(
        _mail("From: a@example.com\nMessage-ID: bare.id@example.com\nIn-Reply-To: <x@y> (comment) <z@w>")
    )
    assert parsed.message_id == "<bare.id@example.com>"
    assert parsed.in_reply_to == ("<x@y>", "<z@w>")


def test_find_reference() -> None:
    assert find_reference("Re: Your repair TP-4k7q9 …") == "TP-4K7Q9"
    assert find_reference("AW: [tp-ab12c] Frage") == "TP-AB12C"
    assert find_reference(parse_message(PLAIN).subject) == "TP-4K7Q9"
    assert find_reference("Re: STP-4K7Q9") is None
    assert find_reference("Re: TP-4K7Q9X") is None
    assert find_reference("my TP-Link router, case TP-4k7qo") == "TP-4K7Q0"
    assert find_reference("TP-UUUUU") is None
    assert find_reference("no reference here") is None
    assert find_reference("") is None


def test_reply_token() -> None:
    parsed = parse_message(PLAIN)
    assert reply_token(parsed.to, "mail.shop.test") == "0a1b2c3d"
    assert reply_token(["Norm <REPLY+DEADBEEF@Mail.Shop.Test>"], "mail.shop.test") == "deadbeef"
    assert reply_token(["reply+deadbeef@other.test"], "mail.shop.test") is None
    assert reply_token(["reply+not-hex@mail.shop.test"], "mail.shop.test") is None
    assert reply_token([], "mail.shop.test") is None


def _multipart(*parts: str, subtype: str = "mixed", extra: str = "") -> bytes:
    boundary = "BOUNDARY42"
    head = (
        "From: a@example.com\r\nTo: b@example.com\r\nSubject: files\r\nMIME-Version: 1.0\r\n"
        f'Content-Type: multipart/{subtype}; boundary="{boundary}"{extra}\r\n\r\n'
    )
    body = "".join(f"--{boundary}\r\n{part}\r\n" for part in parts) + f"--{boundary}--\r\n"
    return (head + body).encode("utf-8")


def _file_part(filename: str, content_type: str, data: bytes, *, extra: str = "") -> str:
    encoded = base64.encodebytes(data).decode().replace("\n", "\r\n")
    return (
        f'Content-Type: {content_type}; name="{filename}"\r\nContent-Transfer-Encoding: base64\r\n'
        f'Content-Disposition: attachment; filename="{filename}"\r\n{extra}\r\n{encoded}'
    )


TEXT_PART = "Content-Type: text/plain; charset=utf-8\r\n\r\nSee the photos."
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


def test_attachments_accepted_and_rejected_with_a_reason() -> None:
    raw = _multipart(
        TEXT_PART,
        _file_part("screen.png", "image/png", PNG),
        _file_part("big.pdf", "application/pdf", b"%PDF-" + b"x" * 2000),
        _file_part(
            "notes.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", b"PK\x03\x04"
        ),
        _file_part("invoice.pdf.exe", "application/pdf", b"MZ\x90\x00"),
        _file_part("photo.jpg", "image/jpeg", b"MZ this is a program"),
    )
    parsed = parse_message(raw, max_attachment_bytes=1000)
    assert parsed.text == "See the photos."
    assert parsed.attachments == (
        Attachment(filename="screen.png", content_type="image/png", size=108, data=PNG, content_id=None, inline=False),
    )
    assert [(item.filename, item.content_type, item.size) for item in parsed.rejected] == [
        ("big.pdf", "application/pdf", 2005),
        ("notes.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", 4),
        ("invoice.pdf.exe", "application/pdf", 4),
        ("photo.jpg", "image/jpeg", 20),
    ]
    reasons = [item.reason for item in parsed.rejected]
    assert reasons[0] == "big.pdf is 2 KB, more than our limit of 1000 bytes; please send a smaller file."
    assert reasons[1].startswith("We can't accept notes.docx (application/vnd.openxml")
    assert "PDF documents or plain text" in reasons[1]
    assert reasons[2] == "We can't accept invoice.pdf.exe because it is a program, and programs can carry viruses."
    assert reasons[3] == "We can't accept photo.jpg because it is a program, and programs can carry viruses."
    assert all(isinstance(item, RejectedAttachment) for item in parsed.rejected)


def test_default_allowed_types_and_limit() -> None:
    assert (
        frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "image/heic", "application/pdf", "text/plain"})
        == DEFAULT_ALLOWED_TYPES
    )
    big = b"%PDF-" + b"x" * (10 * 1024 * 1024)
    parsed = parse_message(_multipart(TEXT_PART, _file_part("manual.pdf", "application/pdf", big)))
    assert parsed.attachments == ()
    assert (
        parsed.rejected[0].reason
        == "manual.pdf is 10.0 MB, more than our limit of 10.0 MB; please send a smaller file."
    )
    allowed = parse_message(
        _multipart(TEXT_PART, _file_part("notes.docx", "application/msword", b"doc")),
        allowed_types=DEFAULT_ALLOWED_TYPES | {"application/msword"},
    )
    assert [item.filename for item in allowed.attachments] == ["notes.docx"]


def test_inline_image_keeps_its_content_id() -> None:
    html = 'Content-Type: text/html; charset=utf-8\r\n\r\n<p>Look: <img src="cid:img1@x"></p>'
    image = _file_part("img.png", "image/png", PNG, extra="Content-ID: <img1@x>\r\n").replace(
        "Content-Disposition: attachment", "Content-Disposition: inline"
    )
    parsed = parse_message(_multipart(html, image, subtype="related"))
    assert parsed.attachments[0].content_id == "<img1@x>"
    assert parsed.attachments[0].inline is True
    assert parsed.html == '<p>Look: <img src="cid:img1@x"></p>'
    assert parsed.text == "Look:"


def test_html_is_sanitised_and_text_derived() -> None:
    html = (
        "Content-Type: text/html; charset=utf-8\r\n\r\n"
        "<html><head><style>p{}</style><script>alert(1)</script></head><body>"
        '<p onclick="steal()">Hello <b>Norm</b></p><a href="javascript:alert(2)">x</a>'
        '<a href="https://shop.test/">shop</a><iframe src="https://evil.test"></iframe>'
        '<a href="data:text/html;base64,PHNjcmlwdD4=">d</a>'
        "<blockquote>old text</blockquote></body></html>"
    )
    parsed = parse_message(_multipart(html, subtype="mixed"))
    assert parsed.html is not None
    assert "script" not in parsed.html and "alert" not in parsed.html
    assert "onclick" not in parsed.html and "iframe" not in parsed.html and "javascript" not in parsed.html
    assert "data:" not in parsed.html
    assert "<p>Hello <b>Norm</b></p>" in parsed.html
    assert '<a href="https://shop.test/" rel="noopener noreferrer nofollow">shop</a>' in parsed.html
    assert parsed.text == "Hello Norm\nxshopd\nold text"
    assert parsed.reply_text == "Hello Norm\nxshopd"


def test_plain_and_html_alternative() -> None:
    raw = _multipart(
        "Content-Type: text/plain; charset=utf-8\r\n\r\nplain body",
        "Content-Type: text/html; charset=utf-8\r\n\r\n<p>html body</p>",
        subtype="alternative",
    )
    parsed = parse_message(raw)
    assert parsed.text == "plain body"
    assert parsed.html == "<p>html body</p>"
    assert parsed.attachments == ()


def test_message_without_from() -> None:
    parsed = parse_message(_mail("To: b@example.com\nSubject: who am I"))
    assert parsed.from_email == ""
    assert parsed.from_name == ""
    assert parsed.subject == "who am I"
    assert parsed.text == "Hello\n"
    assert "The message has no sender address in From." in parsed.defects


def test_from_falls_back_to_the_mbox_line() -> None:
    raw = b"From envelope@example.com Mon Jan  1 00:00:00 2024\nSubject: x\n\nbody\n"
    parsed = parse_message(raw)
    assert parsed.from_email == "envelope@example.com"
    assert parsed.subject == "x"


def test_empty_and_garbage() -> None:
    empty = parse_message(b"")
    assert empty == ParsedMail(
        message_id=None,
        in_reply_to=(),
        references=(),
        from_email="",
        from_name="",
        to=(),
        cc=(),
        reply_to=(),
        subject="",
        date=None,
        text="",
        html=None,
        reply_text="",
        attachments=(),
        rejected=(),
        auto_submitted=False,
        is_bounce=False,
        bounced_recipients=(),
        returned_message_ids=(),
        defects=("The message is empty.",),
    )
    garbage = parse_message(bytes(range(256)) * 4)
    assert isinstance(garbage, ParsedMail)
    assert garbage.from_email == ""
    assert garbage.defects
    broken = parse_message(
        b"From: a@example.com\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n"
        b"Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8\r\n"
    )
    assert broken.text == "hello"
    assert broken.defects == (
        "A multipart section is not closed; it was read to the end of the message.",
        "Base64 content had wrong padding; it was decoded anyway.",
    )


def test_broken_charset_and_encoding_are_defects_not_errors() -> None:
    raw = _mail(
        "From: =?x-unknown?q?J=F6rg?= <j@example.com>\nSubject: =?utf-8?b?broken!!?=\n"
        "Content-Type: text/plain; charset=no-such-charset\nContent-Transfer-Encoding: base64",
        "w6TDtsO8!!!not base64\r\n",
    )
    parsed = parse_message(raw)
    assert parsed.from_email == "j@example.com"
    assert parsed.defects
    latin = parse_message(
        _mail("From: a@example.com\nContent-Type: text/plain; charset=iso-8859-1", "") + "Grüße".encode("latin-1")
    )
    assert latin.text == "Grüße"
    undeclared = parse_message(b"From: a@example.com\r\nSubject: Gr\xfc\xdfe\r\n\r\nGr\xfc\xdfe")
    assert undeclared.subject == "Grüße"
    assert undeclared.text == "Grüße"


def test_date_without_zone_or_broken() -> None:
    assert parse_message(_mail("From: a@example.com\nDate: Tue, 03 Mar 2026 10:15:00")).date is None
    assert parse_message(_mail("From: a@example.com\nDate: yesterday-ish")).date is None
    aware = parse_message(_mail("From: a@example.com\nDate: Tue, 03 Mar 2026 10:15:00 -0500")).date
    assert aware == datetime(2026, 3, 3, 10, 15, tzinfo=timezone(timedelta(hours=-5)))


def test_uuencoded_attachment_in_the_text() -> None:
    import binascii

    data = b"hello uuencode\n"
    block = "begin 644 notes.txt\r\n" + binascii.b2a_uu(data).decode().replace("\n", "\r\n") + "`\r\nend\r\n"
    parsed = parse_message(_mail("From: a@example.com", "See attached.\r\n\r\n" + block))
    assert parsed.text.strip() == "See attached."
    assert [(a.filename, a.content_type, a.data) for a in parsed.attachments] == [("notes.txt", "text/plain", data)]


def test_forwarded_message_attachment_and_its_files() -> None:
    inner = (
        "From: shop@example.com\r\nSubject: Invoice 42\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="IN"\r\n\r\n--IN\r\nContent-Type: text/plain\r\n\r\ninner text\r\n'
        "--IN\r\n" + _file_part("invoice.pdf", "application/pdf", b"%PDF-1") + "\r\n--IN--\r\n"
    )
    raw = _multipart(TEXT_PART, "Content-Type: message/rfc822\r\n\r\n" + inner)
    parsed = parse_message(raw)
    assert parsed.text == "See the photos."
    assert [a.filename for a in parsed.attachments] == ["invoice.pdf"]
    assert [(r.filename, r.content_type) for r in parsed.rejected] == [("Invoice 42.eml", "message/rfc822")]


def test_dsn_bounce() -> None:
    report = (
        "Content-Type: text/plain\r\n\r\nYour message could not be delivered.",
        "Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.com\r\n\r\n"
        "Final-Recipient: rfc822; Gone@Example.org\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
        "Final-Recipient: rfc822; later@example.org\r\nAction: delayed\r\nStatus: 4.4.1",
    )
    raw = _multipart(*report, subtype="report", extra="; report-type=delivery-status")
    parsed = parse_message(raw.replace(b"From: a@example.com", b"From: MAILER-DAEMON@mx.example.com"))
    assert parsed.is_bounce
    assert parsed.bounced_recipients == ("gone@example.org",)
    assert parsed.text == "Your message could not be delivered."


def test_a_bounce_names_the_mail_it_returns() -> None:
    """Its copy (text/rfc822-headers or message/rfc822) carries the failed mail's Message-ID: the one
    thing that ties a bounce to mail we sent, since a stranger can't guess it."""
    status = "Content-Type: message/delivery-status\r\n\r\nFinal-Recipient: rfc822; gone@example.org\r\nAction: failed"
    headers = "Content-Type: text/rfc822-headers\r\n\r\nFrom: norm@shop.test\r\nMessage-ID: <TP-ABCDE.3.00ff@shop.test>"
    copy = "Content-Type: message/rfc822\r\n\r\nFrom: norm@shop.test\r\nMessage-ID: <x.1@shop.test>\r\n\r\nHello"
    for returned, expected in ((headers, "<TP-ABCDE.3.00ff@shop.test>"), (copy, "<x.1@shop.test>")):
        raw = _multipart(TEXT_PART, status, returned, subtype="report", extra="; report-type=delivery-status")
        assert parse_message(raw).returned_message_ids == (expected,)
    # A customer forwarding our mail is not a bounce: nothing is read from the copy.
    forwarded = parse_message(_multipart(TEXT_PART, copy))
    assert not forwarded.is_bounce and forwarded.returned_message_ids == ()


def test_classic_bounce_names_the_recipient_in_its_text() -> None:
    raw = _mail(
        "From: Mail Delivery Subsystem <mailer-daemon@mx.example.com>\nTo: norm@shop.test\n"
        "Subject: Undelivered Mail Returned to Sender",
        "I'm sorry to have to inform you that your message could not\r\nbe delivered to one or more recipients.\r\n\r\n"
        "<nobody@example.org>: host mx.example.org said: 550 no such user\r\n",
    )
    parsed = parse_message(raw)
    assert parsed.is_bounce
    assert parsed.bounced_recipients == ("nobody@example.org",)
    assert parsed.returned_message_ids == ()
    quoting = parse_message(
        raw.replace(b"550 no such user\r\n", b"550 no such user\r\n\r\n> Message-ID: <TP-ABCDE.1.ab@shop.test>\r\n")
    )
    assert quoting.returned_message_ids == ("<TP-ABCDE.1.ab@shop.test>",)


def test_auto_replies() -> None:
    def auto(headers: str) -> bool:
        return parse_message(_mail("From: a@example.com\n" + headers)).auto_submitted

    assert auto("Auto-Submitted: auto-replied")
    assert auto("Auto-Submitted: auto-generated")
    assert not auto("Auto-Submitted: no")
    assert auto("X-Autoreply: yes")
    assert auto("X-Autorespond: on vacation")
    assert auto("Precedence: bulk")
    assert auto("Precedence: auto_reply")
    assert auto("Precedence: junk")
    assert not auto("Precedence: list")
    assert auto("X-Auto-Response-Suppress: All")
    assert auto("X-Auto-Response-Suppress: DR, OOF, AutoReply")
    assert not auto("X-Auto-Response-Suppress: DR, RN, NRN")
    assert not auto("Subject: Vacation booking question")
    assert not auto("Subject: Absence of a charger in the box")
    assert auto("Subject: Automatic reply: Your repair")
    assert auto("Subject: Out of Office: Re: your repair")
    assert auto("Subject: Automatische Antwort: Reparatur")
    assert not auto("Subject: Re: your repair")
    assert not parse_message(PLAIN).is_bounce


def test_strip_reply_rules() -> None:
    assert strip_reply("") == ""
    assert strip_reply("Yes please.\n\n-- \nAna\nwww.example.com") == "Yes please."
    assert strip_reply("Yes.\n\nSent from my iPhone") == "Yes."
    assert strip_reply("Ja, gerne.\n\nAm 02.03.2026 um 09:00 schrieb Norm <n@shop.test>:\n> Hallo") == "Ja, gerne."
    assert strip_reply("OK\n\n-----Original Message-----\nFrom: Norm\nSent: today\n\nold") == "OK"
    assert strip_reply("OK\n\nVon: Norm\nGesendet: Montag\nAn: Ana\nBetreff: x\n\nalt") == "OK"
    assert strip_reply("> only a quote\n> nothing else") == "only a quote\nnothing else"
    # A bare forward starts with the signature: no new text, so the whole message is shown.
    forward = "--\nAna\n\nVon: Norm\nGesendet: Montag\nAn: Ana\n\nforwarded text"
    assert strip_reply(forward) == forward
    assert strip_reply("Answers inline:\n> Which model?\nThe Nano.\n> Colour?\nBlue.") == (
        "Answers inline:\nThe Nano.\nBlue."
    )


def test_pathological_messages_parse_within_their_bounds() -> None:
    """Shapes that made a parser step quadratic once still parse, within the part and depth bounds.
    How long they take is bench/bench_mail_parse.py's figure (timed assertions are flaky here)."""
    cases = {
        "nested divs": b"From: a@example.com\r\nContent-Type: text/html\r\n\r\n" + b"<div>" * 100_000,
        "deep quotes": b"From: a@example.com\r\n\r\n" + (b"> " * 5000 + b"x\n") * 200,
        "many parts": b"From: a@example.com\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n"
        + b"--x\r\nContent-Type: image/png\r\nContent-Disposition: attachment; filename=a.png\r\n\r\nhi\r\n" * 1500
        + b"--x--\r\n",
        "deep multipart": b"From: a@example.com\r\n"
        + b"".join(b"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n" % (i, i) for i in range(500))
        + b"Content-Type: text/plain\r\n\r\nhi\r\n",
    }
    parsed = {name: parse_message(raw) for name, raw in cases.items()}
    assert parsed["nested divs"].from_email == "a@example.com"
    assert "x" in parsed["deep quotes"].text
    many = parsed["many parts"]
    assert len(many.attachments) == 999
    assert many.attachments[1].filename == "a1.png"
    assert "The message has more than 1000 parts; the rest were ignored." in many.defects
    assert "The message nests parts too deeply; the deepest were ignored." in parsed["deep multipart"].defects


def test_a_forwarded_bounce_is_not_a_bounce() -> None:
    """A customer forwarding a bounce to us still reads us fine: their address is not failing."""
    inner = (
        "From: MAILER-DAEMON@mx.example.com\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="R"\r\n\r\n'
        "--R\r\nContent-Type: text/plain\r\n\r\nNot delivered.\r\n"
        "--R\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n\r\n"
        "Final-Recipient: rfc822; friend@example.org\r\nAction: failed\r\n\r\n--R--\r\n"
    )
    raw = _multipart(
        "Content-Type: text/plain\r\n\r\nMy mail to you bounced, see below.",
        "Content-Type: message/rfc822\r\n\r\n" + inner,
    )
    parsed = parse_message(raw)
    assert not parsed.is_bounce
    assert parsed.bounced_recipients == ()
    assert parsed.text == "My mail to you bounced, see below."


def test_a_read_receipt_is_automatic_not_a_bounce() -> None:
    raw = _multipart(
        "Content-Type: text/plain\r\n\r\nYour message was displayed.",
        "Content-Type: message/disposition-notification\r\n\r\nFinal-Recipient: rfc822; a@example.com\r\n"
        "Disposition: automatic-action/MDN-sent-automatically; displayed",
        subtype="report",
        extra="; report-type=disposition-notification",
    )
    parsed = parse_message(raw)
    assert parsed.auto_submitted
    assert not parsed.is_bounce
