"""sender_proof: what a trusted relay's Authentication-Results prove about the From address.

The rule lives in touchpoint.mail.authentication (RFC 8601 §5, §7.1): only the topmost fields from
a trusted authserv-id count; the one From address must be the sender we act on; a DMARC pass for
its domain, or a DKIM pass by its domain or a parent of it, proves it; a DMARC result that is not
a pass for that domain cancels everything."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from touchpoint.mail.authentication import sender_proof

RELAY = "mx.shop.example"
BODY = b"To: Norm <norm@shop.example>\r\nSubject: Re: TP-4K7Q9\r\n\r\nYes, go ahead.\r\n"


def message(*results: str, sender: str = "Ian <ian@example.com>") -> bytes:
    fields = b"".join(f"Authentication-Results: {value}\r\n".encode() for value in results)
    return fields + f"From: {sender}\r\n".encode() + BODY


def proof(raw: bytes, sender: str = "ian@example.com", trusted: tuple[str, ...] = (RELAY,)) -> str | None:
    return sender_proof(raw, sender=sender, trusted=trusted)


def test_a_relay_that_adds_one_field_per_check_is_read_as_one_block() -> None:
    # OpenDKIM and OpenDMARC behind Postfix each add their own field with the same authserv-id.
    raw = message(
        f"{RELAY}; dmarc=pass (p=reject dis=none) header.from=example.com", f"{RELAY}; dkim=pass header.d=example.com"
    )
    assert proof(raw) == "dmarc"


def test_a_folded_field_with_comments_and_a_version_is_read() -> None:
    raw = message(
        f"{RELAY} 1;\r\n\tdkim=pass (2048-bit key; unprotected) header.d=example.com\r\n\theader.s=s1 header.b=AbC"
    )
    assert proof(raw) == "dkim"


def test_dkim_by_header_i_and_by_a_parent_domain_count_but_not_by_a_child_domain() -> None:
    assert proof(message(f"{RELAY}; dkim=pass header.i=@example.com")) == "dkim"
    raw = message(f"{RELAY}; dkim=pass header.d=example.com", sender="ian@mail.example.com")
    assert proof(raw, sender="ian@mail.example.com") == "dkim"
    assert proof(message(f"{RELAY}; dkim=pass header.d=mail.example.com")) is None
    assert proof(message(f"{RELAY}; dkim=pass header.d=com")) is None  # a bare top-level domain signs nobody


def test_authserv_ids_and_domains_compare_without_case_and_international_names_by_their_ascii_form() -> None:
    assert proof(message("MX.SHOP.EXAMPLE; DMARC=Pass header.from=Example.COM")) == "dmarc"
    raw = message(f"{RELAY}; dmarc=pass header.from=xn--bcher-kva.example", sender="ian@bücher.example")
    assert proof(raw, sender="ian@bücher.example") == "dmarc"


@pytest.mark.parametrize(
    ("raw", "sender"),
    [
        (message(f"{RELAY}; dmarc=pass header.from=example.com", sender="ian@example.com, eve@evil.example"), ""),
        (
            message(f"{RELAY}; dmarc=pass header.from=example.com").replace(b"From:", b"From: x@evil.example\r\nFrom:"),
            "",
        ),
        (message(f"{RELAY}; dmarc=pass header.from=example.com", sender="someone@example.com"), ""),
        (message(f"{RELAY}; dmarc=pass header.from=example.com").replace(b"From: Ian <ian@example.com>\r\n", b""), ""),
        (message(f"{RELAY}; dmarc=pass header.from=example.com"), "ian@example.com."),
    ],
    ids=["two addresses", "two From fields", "another address at the domain", "no From", "another sender"],
)
def test_from_must_be_the_one_address_acted_on(raw: bytes, sender: str) -> None:
    assert proof(raw, sender=sender or "ian@example.com") is None


def test_nothing_is_trusted_without_a_configured_relay() -> None:
    assert proof(message(f"{RELAY}; dmarc=pass header.from=example.com"), trusted=()) is None
    assert proof(message(f"{RELAY}; dmarc=pass header.from=example.com"), trusted=(" ",)) is None


def test_only_the_first_ten_fields_and_fields_of_readable_length_are_read() -> None:
    # authres takes tens of ms on a long field: a flood of fields, or a huge one, must not stall the inbox.
    flood = [f"{RELAY}; none"] * 10 + [f"{RELAY}; dmarc=pass header.from=example.com"]
    assert proof(message(*flood)) is None
    assert proof(message(*flood[1:])) == "dmarc"
    padded = f"{RELAY}; dmarc=pass ({'x' * 1100}) header.from=example.com"
    assert proof(message(padded)) is None


AUTHSERV = st.from_regex(r"[a-z][a-z0-9-]{0,20}(\.[a-z][a-z0-9-]{0,20}){0,3}", fullmatch=True)


@given(
    untrusted=AUTHSERV.filter(lambda value: value != RELAY),
    below=st.lists(
        st.sampled_from(["dmarc=pass header.from=example.com", "dkim=pass header.d=example.com"]), min_size=1
    ),
)
def test_nothing_below_a_field_we_do_not_trust_counts(untrusted: str, below: list[str]) -> None:
    raw = message(f"{untrusted}; none", *(f"{RELAY}; {result}" for result in below))
    assert proof(raw) is None


@given(values=st.lists(st.text(max_size=200), max_size=4), sender=st.text(max_size=60))
def test_any_field_value_is_read_without_raising(values: list[str], sender: str) -> None:
    raw = b"".join(
        b"Authentication-Results: " + value.encode("utf-8", "surrogatepass").replace(b"\n", b" ") + b"\r\n"
        for value in values
    )
    assert proof(raw + b"From: " + sender.encode("utf-8", "surrogatepass") + b"\r\n" + BODY) in (None, "dmarc", "dkim")
