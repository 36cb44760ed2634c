"""The third-party corpora in ../shared/corpora: parsed without an exception, and matched where
they state what the result should be. Each test prints its share, and asserts a floor at the
share reached when it was written, so that a regression shows and an improvement can raise it.

Normalisations (Zammad's expected values are its own rendering, not a standard):

* ``from_email`` is compared lower-cased (we lower-case addresses; Zammad keeps the case).
* Zammad writes ``no visible content`` for an empty body; that matches an empty text.
* The body is compared loosely: the first 40 characters of Zammad's body, tags, entities and
  whitespace removed, must appear in our text or in our sanitised HTML, treated alike.
* Attachments: Zammad's synthetic ``message.html`` (its copy of the HTML alternative) is ignored;
  the other names must be among ours, accepted or rejected (a refused file keeps its name).
"""

from __future__ import annotations

# The shares are printed on purpose (run with -s to see them): T201 is silenced per line.
import re
from pathlib import Path

import pytest

from tests.mail.corpus import corpora_or_skip, load_zammad_yml, loose
from tests.support.report import report
from touchpoint.mail.html import html_to_text
from touchpoint.mail.parse import ParsedMail, parse_message, strip_reply

ZAMMAD_FLOORS = {"from": 104, "name": 102, "subject": 107, "body": 102, "attachments": 101}
BOUNCES = {
    "mail018.box",
    "mail033-undelivered-mail-returned-to-sender.box",
    "mail052.box",  # a classic (non-DSN) bounce: From mailer-daemon, "Undelivered Mail Returned to Sender"
    "mail053.box",
    "mail055.box",
    "mail063.box",
    "mail078.box",
    "mail092.box",
}
# Auto-Submitted or equivalent: the DSNs that carry the header, the two service-now notices, and
# mail043, a newsletter sent with "Precedence: bulk".
AUTO_SUBMITTED = {
    "mail033-undelivered-mail-returned-to-sender.box",
    "mail043.box",
    "mail053.box",
    "mail055.box",
    "mail063.box",
    "mail078.box",
    "mail089.box",
    "mail090.box",
    "mail092.box",
}
BOUNCED_RECIPIENTS = {
    "mail018.box": ("m.smith@example.com",),
    "mail033-undelivered-mail-returned-to-sender.box": ("not_existing@znuny.com",),
    "mail053.box": ("john_example@example.com",),
    "mail055.box": ("ticket-bounce-trigger2@example.com",),
    "mail063.box": ("notextisting@example.com",),
    "mail078.box": (),  # "Action: delayed": still on its way, so the address is not failing
    "mail092.box": ("receiver@example.org",),
}


def _all_files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


def test_every_corpus_file_parses_without_an_exception() -> None:
    root = corpora_or_skip()
    files = _all_files(root)
    assert len(files) >= 290
    for path in files:
        parsed = parse_message(path.read_bytes())
        assert isinstance(parsed, ParsedMail), path
        strip_reply(path.read_bytes().decode("utf-8", "replace"))
    report(f"corpora: {len(files)} files parsed, none raised")


def _zammad_shares() -> tuple[dict[str, int], int, list[str]]:
    root = corpora_or_skip() / "zammad-mail"
    counts = dict.fromkeys(ZAMMAD_FLOORS, 0)
    misses: list[str] = []
    boxes = sorted(root.glob("*.box"))
    for box in boxes:
        expected = load_zammad_yml(box.with_suffix(".yml"))
        parsed = parse_message(box.read_bytes())
        checks = {
            "from": parsed.from_email == str(expected.get("from_email") or "").lower(),
            "name": parsed.from_name == str(expected.get("from_display_name") or ""),
            "subject": parsed.subject == str(expected.get("subject") or ""),
        }
        want = loose(str(expected.get("body") or ""))[:40]
        ours = loose(parsed.text)
        checks["body"] = want in ours or want in loose(parsed.html or "") or (want == "novisiblecontent" and not ours)
        names = {str(item["filename"]) for item in expected.get("attachments") or []} - {"message.html"}
        checks["attachments"] = names <= {a.filename for a in parsed.attachments} | {
            r.filename for r in parsed.rejected
        }
        for key, ok in checks.items():
            counts[key] += ok
            if not ok:
                misses.append(f"{box.name}: {key}")
    return counts, len(boxes), misses


def test_zammad_mail_matches_the_expected_results() -> None:
    counts, total, misses = _zammad_shares()
    assert total == 108
    report(
        f"zammad-mail: from {counts['from']}/{total}, display name {counts['name']}/{total}, "
        f"subject {counts['subject']}/{total}, body {counts['body']}/{total}, "
        f"attachments {counts['attachments']}/{total}"
    )
    report("zammad-mail misses: " + ", ".join(misses))
    for key, floor in ZAMMAD_FLOORS.items():
        assert counts[key] >= floor, (key, counts[key], floor, misses)


def test_zammad_bounces_and_auto_replies_are_recognised_exactly() -> None:
    root = corpora_or_skip() / "zammad-mail"
    for box in sorted(root.glob("*.box")):
        parsed = parse_message(box.read_bytes())
        assert parsed.is_bounce == (box.name in BOUNCES), box.name
        assert parsed.auto_submitted == (box.name in AUTO_SUBMITTED), box.name
        if box.name in BOUNCED_RECIPIENTS:
            assert parsed.bounced_recipients == BOUNCED_RECIPIENTS[box.name], box.name
        if not parsed.is_bounce:
            assert parsed.bounced_recipients == (), box.name
            assert parsed.returned_message_ids == (), box.name


# What ties each corpus bounce to the mail it returns (its copy's Message-ID). mail052 quotes no
# headers and mail092's copy is empty: those prove nothing and are judged without it.
RETURNED_IDS = {
    "mail018.box": ("<20131115125507.4636.975502@portal.znuny.com>",),
    "mail033-undelivered-mail-returned-to-sender.box": ("<20150830145601.30.608881@edenhofer.zammad.com>",),
    "mail052.box": (),
    "mail053.box": ("<20170227103514.188.920664@help.example.com>",),
    "mail055.box": ("<20170526150141.232.13312@example.zammad.loc>",),
    "mail063.box": ("<E8C3CD7C-8350-4E48-97C5-AE18EE900ECD@example.com>",),
    "mail078.box": ("<20150830145601.30.608881@example.com>",),
    "mail092.box": (),
}


def test_zammad_bounces_name_the_mail_they_return() -> None:
    root = corpora_or_skip() / "zammad-mail"
    found = {
        box.name: parsed.returned_message_ids
        for box in sorted(root.glob("*.box"))
        if (parsed := parse_message(box.read_bytes())).is_bounce
    }
    assert found == RETURNED_IDS


def test_zammad_threading_headers_are_read() -> None:
    root = corpora_or_skip() / "zammad-mail"
    with_threading = 0
    for box in sorted(root.glob("*.box")):
        raw = box.read_bytes()
        parsed = parse_message(raw)
        declared = re.search(
            rb"^(In-Reply-To|References):", re.split(rb"\r?\n\r?\n", raw, maxsplit=1)[0], re.IGNORECASE | re.MULTILINE
        )
        if declared:
            with_threading += 1
            assert parsed.in_reply_to or parsed.references, box.name
        for message_id in (*parsed.in_reply_to, *parsed.references):
            assert message_id.startswith("<") and message_id.endswith(">")
    assert with_threading == 14  # the README counts 18 with nested messages; 14 carry them at the top


def test_django_helpdesk_edge_cases() -> None:
    root = corpora_or_skip() / "django-helpdesk"
    parsed = {path.name: parse_message(path.read_bytes()) for path in sorted(root.glob("*.eml"))}
    assert len(parsed) == 6
    assert parsed["all-special-chars.eml"].subject == "Testovácí email"
    assert parsed["quoted_printable.eml"].subject == "Český test"
    assert parsed["blank-body-with-attachment.eml"].text.strip() == ""
    assert (
        len(parsed["blank-body-with-attachment.eml"].attachments)
        + len(parsed["blank-body-with-attachment.eml"].rejected)
        == 1
    )
    assert "�" not in parsed["utf-nondecodable.eml"].subject
    for mail in parsed.values():
        assert mail.from_email


def _cut_signature(text: str) -> str:
    """Talon keeps signatures in its expected replies; ``strip_reply`` removes them by contract."""
    lines: list[str] = []
    for line in text.strip().splitlines():
        if line.strip() == "--" or re.match(r"^(sent from|sent with) ", line.strip(), re.IGNORECASE):
            break
        lines.append(line)
    return "\n".join(lines).strip()


def test_talon_standard_replies() -> None:
    from email import message_from_bytes, policy
    from email.message import EmailMessage

    root = corpora_or_skip() / "talon" / "standard_replies"
    matched, total, misses = 0, 0, []
    for path in sorted(root.glob("*.eml")):
        expected_file = root / f"{path.stem}_reply_text"
        expected = expected_file.read_text().strip() if expected_file.exists() else "Hello"
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        assert isinstance(message, EmailMessage)
        body = message.get_body(("plain",))
        assert body is not None
        total += 1
        ours = strip_reply(body.get_content())
        if ours == _cut_signature(expected):
            matched += 1
        else:
            misses.append(path.name)
        # Through the whole parser too: the reply text is the same.
        assert parse_message(path.read_bytes()).reply_text == ours
    report(f"talon standard_replies: {matched}/{total} (misses: {misses})")
    assert matched >= 12


def test_talon_html_replies() -> None:
    root = corpora_or_skip() / "talon" / "html_replies"
    want = re.sub(r"\s", "", "Hi. I am fine.\n\nThanks,\nAlex")
    matched, total, misses = 0, 0, []
    for path in sorted(root.glob("*.html")):
        total += 1
        ours = strip_reply(html_to_text(path.read_bytes().decode("utf-8", "replace"), mark_quotes=True))
        if re.sub(r"\s", "", ours) == want:
            matched += 1
        else:
            misses.append(path.name)
        # The same HTML as the only part of a mail gives the same reply text.
        raw = b"From: a@example.com\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + path.read_bytes()
        assert re.sub(r"\s", "", parse_message(raw).reply_text) == re.sub(r"\s", "", ours)
    report(f"talon html_replies: {matched}/{total} (misses: {misses})")
    assert matched >= 9


def test_talon_signatures() -> None:
    """Talon's expected body is the message minus the signature it names.

    Two of six need the sender's name to find a signature that is just the name ("Stavros
    Xxxxxx / via mobile", "Thank you, / Noam"); ``strip_reply`` works from text alone.
    """
    root = corpora_or_skip() / "talon" / "signature" / "emails" / "stripped"
    matched, total, misses = 0, 0, []
    for body_file in sorted(root.glob("*_body")):
        body = body_file.read_text()
        signature = (root / (body_file.name.removesuffix("_body") + "_signature")).read_text()
        expected = body.replace(signature, "") if signature.strip() else body
        total += 1
        if re.sub(r"\s", "", strip_reply(body)) == re.sub(r"\s", "", expected):
            matched += 1
        else:
            misses.append(body_file.name)
    report(f"talon signatures: {matched}/{total} (misses: {misses})")
    assert matched >= 4


def test_talon_unlabelled_samples_do_not_raise() -> None:
    root = corpora_or_skip() / "talon"
    for path in _all_files(root):
        text = path.read_bytes().decode("utf-8", "replace")
        assert isinstance(strip_reply(text), str)
        assert isinstance(strip_reply(html_to_text(text, mark_quotes=True)), str)


# email-reply-parser states no results in files (its expectations are a few loose assertions in
# its own test code). These are ours, from reading each fixture: (exact reply) or
# (starts with, must not contain).
ERP_EXACT = {
    "correct_sig.txt": "this is an email with a correct -- signature.",
    "email_1_3.txt": "Oh thanks.\n\nHaving the function would be great.\n\n-Abhishek Kona",
    "email_1_4.txt": "Awesome! I haven't had another problem with it.",
    "email_1_7.txt": ":+1:",
    "email_1_8.txt": "I will reply under this one\n\nand under this.",
    "email_2_1.txt": "Outlook with a reply",
    "email_2_2.txt": "Outlook with a reply directly above line",
    "email_2_3.txt": "Outlook with a reply above headers using unusual format",
    "email_BlackBerry.txt": "Here is another email",
    "email_gmail.txt": "This is a test for inbox replying to a github message.",
    "email_headers_no_delimiter.txt": "And another reply!",
    "email_iPhone.txt": "Here is another email",
    "email_multi_word_sent_from_my_mobile_device.txt": "Here is another email",
    "email_sent_from_my_not_signature.txt": (
        "Here is another email\n\nSent from my desk, is much easier then my mobile phone."
    ),
    "email_sig_delimiter_in_middle_of_line.txt": (
        "Hi there!\n\nStuff happened.\n\nAnd here is a fix -- this is not a signature.\n\nkthxbai"
    ),
    "pathological.txt": (
        "I think you're onto something. I will try to fix the problem as soon as I\nget back to a computer."
    ),
}
ERP_LOOSE = {
    "email_1_1.txt": ("Hi folks", ("riak-users mailing list",)),
    "email_1_2.txt": ("Hi,\n\nYou can list the keys for the bucket", ("> Hi folks", "Abhishek Kona wrote")),
    "email_1_5.txt": ("One: Here's what I've got.", ()),
    "email_1_6.txt": ("I get proper rendering as well.", ("Corey Donohoe", "caching related")),
    "email_bullets.txt": ("test 2 this should list second", ("Give us an example", "Joe Smith")),
    "email_one_is_not_on.txt": ("Thank, this is really helpful.", ("Dave Tapley", "lastLocation")),
    "email_partial_quote_header.txt": ("On your remote host you can run:", ("George Plymale", "odd issue")),
    "greedy_on.txt": ("On your remote host you can run:", ("George Plymale", "odd issue")),
}


def test_email_reply_parser_fixtures() -> None:
    root = corpora_or_skip() / "email-reply-parser"
    files = sorted(root.glob("*.txt"))
    assert {path.name for path in files} == set(ERP_EXACT) | set(ERP_LOOSE)
    matched, misses = 0, []
    for path in files:
        ours = strip_reply(path.read_text(encoding="utf-8"))
        if path.name in ERP_EXACT:
            ok = ours == ERP_EXACT[path.name]
        else:
            start, absent = ERP_LOOSE[path.name]
            ok = ours.startswith(start) and not any(item in ours for item in absent)
        matched += ok
        if not ok:
            misses.append(path.name)
    report(f"email-reply-parser: {matched}/{len(files)} (misses: {misses})")
    assert matched >= len(files)


@pytest.mark.parametrize("name", ["email_1_5.txt", "email_sig_delimiter_in_middle_of_line.txt"])
def test_a_message_without_quotes_is_kept_whole(name: str) -> None:
    text = (corpora_or_skip() / "email-reply-parser" / name).read_text(encoding="utf-8")
    assert re.sub(r"\s", "", strip_reply(text)) == re.sub(r"\s", "", text)
