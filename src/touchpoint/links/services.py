"""Issue, find and revoke the links that open a case for its customer."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from django.conf import settings
from django.db import transaction

from touchpoint.cases.models import Case
from touchpoint.core.clock import now
from touchpoint.links.models import CaseLink
from touchpoint.links.tokens import looks_like_token, token_for, token_hash


def _lifetime() -> timedelta:
    return timedelta(days=settings.TOUCHPOINT_LINK_DAYS)


def link_issue(*, case: Case, emailed: bool = True) -> str:
    """A new link to ``case``; returns its token (older links stay valid until revoked or expired).
    ``emailed``: the link goes to the customer's address; False for :func:`link_for_form`."""
    nonce = secrets.token_hex(16)
    token = token_for(nonce)
    at = now()
    CaseLink.objects.create(
        case=case,
        nonce=nonce,
        token_hash=token_hash(token),
        created_at=at,
        expires_at=at + _lifetime(),
        emailed=emailed,
    )
    return token


def _newest(case: Case, *, emailed: bool, opened: bool = False) -> str:
    if opened:  # the case was created by the caller's transaction: it has no link yet
        return link_issue(case=case, emailed=emailed)
    at = now()
    link = (
        CaseLink.objects.filter(
            case=case, emailed=emailed, revoked_at__isnull=True, expires_at__gt=at + timedelta(days=7)
        )
        .order_by("-created_at")
        .first()
    )
    return token_for(link.nonce) if link is not None else link_issue(case=case, emailed=emailed)


def link_token(*, case: Case, opened: bool = False) -> str:
    """The token of the case's newest working link sent by email, issuing one when there is none.
    Used to put the link in messages; safe to call inside the caller's transaction (``opened``: the
    transaction that created the case, so there is none to look for)."""
    return _newest(case, emailed=True, opened=opened)


def link_for_form(*, case: Case, opened: bool = False) -> str:
    """The link for whoever filled in the form that opened ``case`` (the page they land on; the same
    one when the form is sent twice). A form proves nothing about the email address typed in it, so
    this link's page leaves out the emails between us and that address (``CaseLink.emailed``); the
    links in our emails show them. ``opened``: the caller's transaction created the case (none to look for)."""
    return _newest(case, emailed=False, opened=opened)


def link_revoke(*, case: Case, reason: str) -> int:
    """Revoke every link to ``case`` (a forwarded email, a customer's request); returns how many."""
    with transaction.atomic():
        return CaseLink.objects.filter(case=case, revoked_at__isnull=True).update(
            revoked_at=now(), revoked_reason=reason[:200]
        )


def links_revoke(*, link_ids: list[int], reason: str) -> int:
    """Revoke the chosen links only (others to the same case keep working); returns how many."""
    with transaction.atomic():
        return CaseLink.objects.filter(pk__in=link_ids, revoked_at__isnull=True).update(
            revoked_at=now(), revoked_reason=reason[:200]
        )


LinkProblem = Literal["unknown", "revoked", "expired"]


@dataclass(frozen=True)
class Resolved:
    link: CaseLink | None
    problem: LinkProblem | None


def link_resolve(token: str) -> Resolved:
    """The link a token opens, or why it opens nothing. The same answer for a malformed token and a
    well-formed one that matches nothing, so guessing learns nothing."""
    if not looks_like_token(token):
        return Resolved(None, "unknown")
    link = (
        CaseLink.objects.select_related("case", "case__customer", "case__journey")
        .defer("case__journey__source")  # the YAML (kilobytes): journey_of() parsed it once per process
        .filter(token_hash=token_hash(token))
        .first()
    )
    if link is None:
        return Resolved(None, "unknown")
    at = now()
    if link.revoked_at is not None:
        return Resolved(None, "revoked")
    if link.expires_at <= at:
        return Resolved(None, "expired")
    if link.last_used_at is None or at - link.last_used_at > timedelta(minutes=10):
        CaseLink.objects.filter(pk=link.pk).update(last_used_at=at)  # coarse, so reads stay reads
    return Resolved(link, None)
