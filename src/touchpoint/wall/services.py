"""Writes for the wall: prepare an item (redacted) when consenting feedback arrives, publish it,
hide it for one of the two allowed reasons, answer it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from touchpoint.core.clock import now
from touchpoint.staff.access import has_role
from touchpoint.staff.models import StaffUser
from touchpoint.text.redact import redact
from touchpoint.wall.models import HiddenReason, Kind, Status, WallItem

if TYPE_CHECKING:  # feedback sits above the wall (it prepares the wall's items); the type only
    from touchpoint.feedback.models import Feedback

COMPLIMENT_FROM = 4  # CSAT 4 and 5 are compliments; 1 to 3 "could have been better" go beside them


class WallRefused(Exception):
    """A moderation step that isn't allowed; ``str(error)`` says why and what to do instead."""


def kind_for(csat: int) -> Kind:
    return Kind.COMPLIMENT if csat >= COMPLIMENT_FROM else Kind.COMPLAINT


def wall_item_prepare(*, feedback: Feedback) -> WallItem | None:
    """The pending wall item for ``feedback`` (created once), or None when its author didn't agree
    to publication. The comment is redacted here, before any person sees it for approval. Call
    inside the transaction that stored the feedback."""
    if not feedback.consent_publish:
        return None
    existing = WallItem.objects.filter(feedback=feedback).first()
    if existing is not None:
        return existing
    customer = feedback.customer
    staff_names = [name for name in (u.get_full_name() for u in StaffUser.objects.filter(is_active=True)) if name]
    result = redact(feedback.comment, known_names=[customer.name, *staff_names])
    return WallItem.objects.create(
        feedback=feedback,
        kind=kind_for(feedback.csat),
        text=result.text,
        redactions=[{"kind": f.kind, "replacement": f.replacement} for f in result.findings],
        created_at=now(),
    )


def _moderator(user: StaffUser) -> None:
    if not has_role(user, "lead"):
        raise WallRefused("Only a lead or an admin moderates the wall.")


def wall_item_publish(*, item: WallItem, user: StaffUser, text: str | None = None) -> WallItem:
    """Publish ``item``, with the moderator's further redaction of ``text`` if given (it may only
    remove: the words kept must be the customer's own, in order)."""
    _moderator(user)
    with transaction.atomic():
        item = WallItem.objects.select_for_update().get(pk=item.pk)
        if text is not None and text.strip() != item.text:
            if not _only_removes(item.text, text.strip()):
                raise WallRefused(
                    "An edit may only take personal data out (replace it with [redacted]); "
                    "the customer's own words can't be changed."
                )
            item.text = text.strip()
            item.redactions = [*item.redactions, {"kind": "moderator", "replacement": "[redacted]"}]
        item.status, item.hidden_reason, item.hidden_note = Status.PUBLISHED, "", ""
        item.moderated_by, item.moderated_at = user, now()
        item.save()
    return item


def wall_item_hide(*, item: WallItem, user: StaffUser, reason: str, note: str) -> WallItem:
    """Keep ``item`` off the wall, for personal data or abuse only, with a note saying what."""
    _moderator(user)
    if reason not in HiddenReason.values:
        raise WallRefused(
            "An item can be hidden only for personal data or abuse. A complaint we don't like is published, "
            "with our answer."
        )
    if not note.strip():
        raise WallRefused("Say in a few words what the personal data or the abuse is; it is kept with the item.")
    with transaction.atomic():
        item = WallItem.objects.select_for_update().get(pk=item.pk)
        item.status, item.hidden_reason, item.hidden_note = Status.HIDDEN, reason, note.strip()[:500]
        item.moderated_by, item.moderated_at = user, now()
        item.save()
    return item


def wall_item_answer(*, item: WallItem, user: StaffUser, answer: str) -> WallItem:
    """The shop's answer under the item (any staff member may draft; a lead publishes it with the item)."""
    if not answer.strip():
        raise WallRefused("The answer is empty.")
    with transaction.atomic():
        item = WallItem.objects.select_for_update().get(pk=item.pk)
        item.answer, item.answered_by, item.answered_at = answer.strip()[:4000], user, now()
        item.save()
    return item


def _only_removes(before: str, after: str) -> bool:
    """True when ``after`` is ``before`` with some stretches replaced by ``[redacted]``."""
    pieces = [piece.strip() for piece in after.split("[redacted]")]
    position = 0
    for piece in pieces:
        if not piece:
            continue
        found = before.find(piece, position)
        if found < 0:
            return False
        position = found + len(piece)
    return True
