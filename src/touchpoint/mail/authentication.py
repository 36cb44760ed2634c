"""Is the From address authentic? What a receiving relay the shop trusts recorded in
``Authentication-Results`` (RFC 8601), read with the ``authres`` library.

The rule (RFC 8601 §5 and §7.1: only results from our own administrative domain count, and any
field below the ones our relay added may have come with the message):

* Fields are read from the top of the header block down. Those whose authserv-id is trusted
  count, until the first field that isn't trusted or can't be read: everything from there down
  could have been written by the sender or by a hop we don't trust. At most the first ten fields
  of at most 1,024 characters each are read: a relay adds a few short ones.
* The message has exactly one ``From`` field holding exactly one address; otherwise the relay
  may have checked a different address than the one we read, and nothing is proven.
* ``dmarc=pass`` with ``header.from`` equal to the From domain proves the sender ("dmarc"); else
  ``dkim=pass`` with ``header.d`` (or the domain of ``header.i``) equal to the From domain or a
  parent of it ("dkim"). SPF alone proves nothing about From.
* A trusted DMARC result that is not a pass for the From domain (``fail``, a result for another
  domain, two different answers) means no proof at all, whatever else the fields say.

The relay must remove fields claiming its own authserv-id from incoming mail (RFC 8601 §5);
Touchpoint can't tell those apart from the relay's own. Pure functions: no Django."""

from __future__ import annotations

import re
from collections.abc import Collection
from email import policy
from email.parser import BytesHeaderParser
from email.utils import getaddresses
from typing import Any, Literal

import authres  # type: ignore[import-untyped]  # ships no type information
import authres.dmarc  # type: ignore[import-untyped]

__all__ = ["SenderProof", "sender_proof"]

SenderProof = Literal["dmarc", "dkim"]

_FEATURES = authres.FeatureContext(authres.dmarc)
_HEADER_BYTES = 262144  # the header block of any real mail fits; a bigger one proves nothing
# authres takes tens of milliseconds on a long field (its parse slices the rest of the text at every
# token): a relay adds a few short fields, so more, or longer, end the trusted block unread.
_MAX_FIELDS = 10
_MAX_FIELD_CHARS = 1024
_AUTHSERV_ID = re.compile(r"\s*(?:\([^()]*\)\s*)*([^\s;()]+)")


def sender_proof(raw: bytes, *, sender: str, trusted: Collection[str]) -> SenderProof | None:
    """How a trusted relay authenticated the From domain of ``raw`` ("dmarc" or "dkim"), when its one
    From address is ``sender`` (the address the caller acts on); else None. Never raises on the
    content of the mail."""
    wanted = {authserv.strip().lower() for authserv in trusted if authserv.strip()}
    if not wanted or not sender:
        return None
    try:
        headers = BytesHeaderParser(policy=policy.compat32).parsebytes(bytes(raw[:_HEADER_BYTES]))
        fields = list(headers.raw_items())  # as written, top first
        address = _from_address([value for name, value in fields if name.lower() == "from"])
        if address is None or address != sender.strip().lower():
            return None
        domain = _domain(address.rpartition("@")[2])
        results = _trusted_results(
            [value for name, value in fields if name.lower() == "authentication-results"], wanted
        )
    except Exception:  # headers we can't read prove nothing; the message still reaches a person
        return None
    return _proof(results, domain)


def _from_address(values: list[str]) -> str | None:
    if len(values) != 1:
        return None
    addresses = [address for _, address in getaddresses([_unfold(values[0])]) if address]
    if len(addresses) != 1 or addresses[0].count("@") != 1:
        return None
    return addresses[0].strip().lower()


def _trusted_results(values: list[str], wanted: set[str]) -> list[Any]:
    """The results of the topmost fields with a trusted authserv-id."""
    results: list[Any] = []
    for value in values[:_MAX_FIELDS]:
        text = _unfold(value)
        named = _AUTHSERV_ID.match(text)
        if len(text) > _MAX_FIELD_CHARS or named is None or named.group(1).lower() not in wanted:
            break  # checked before parsing: an untrusted field costs nothing
        try:
            field = _FEATURES.parse_value(text)
        except Exception:  # authres.SyntaxError and kin: a field we can't read ends the trusted block
            break
        if str(field.authserv_id or "").lower() not in wanted:
            break
        results.extend(field.results)
    return results


def _proof(results: list[Any], domain: str) -> SenderProof | None:
    dmarc = [(_lower(r.result), _domain(_property(r, "from"))) for r in results if _lower(r.method) == "dmarc"]
    if any(outcome != "pass" or checked != domain for outcome, checked in dmarc):
        return None  # failed, or about another From than ours: the relay and we disagree
    if dmarc:
        return "dmarc"
    for result in results:
        if _lower(result.method) != "dkim" or _lower(result.result) != "pass":
            continue
        signer = _domain(_property(result, "d") or _property(result, "i").rpartition("@")[2])
        if signer and "." in signer and (domain == signer or domain.endswith(f".{signer}")):
            return "dkim"
    return None


def _property(result: Any, name: str) -> str:
    for prop in getattr(result, "properties", []):
        if _lower(prop.type) == "header" and _lower(prop.name) == name:
            return str(prop.value or "")
    return ""


def _domain(value: str) -> str:
    """Lower case, no trailing dot, international names as their ASCII form (as relays record them)."""
    name = value.strip().strip('"').rstrip(".").lower()
    try:
        return name.encode("idna").decode("ascii")
    except UnicodeError:
        return name


def _lower(value: object) -> str:
    return str(value or "").lower()


def _unfold(value: object) -> str:
    text = str(value)
    if any("\udc80" <= char <= "\udcff" for char in text):  # raw UTF-8 (RFC 6532), kept as surrogates
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return re.sub(r"\r?\n[ \t]*", " ", text)
