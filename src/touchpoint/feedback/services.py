"""Writes of customers' feedback."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction

from touchpoint.cases.actors import CUSTOMER
from touchpoint.cases.errors import CaseConflict
from touchpoint.cases.models import Case
from touchpoint.core.clock import now
from touchpoint.feedback.models import Feedback
from touchpoint.flows.advance import case_advance
from touchpoint.wall.services import wall_item_prepare

FEEDBACK_EVENT = "feedback_given"
COMMENT_MAX = 4000
NAME_MAX = 60
TOWN_MAX = 100


class FeedbackError(Exception):
    """Feedback that can't be taken; ``str(error)`` is meant for the customer."""


class FeedbackAlreadyGiven(FeedbackError):
    def __init__(self, feedback: Feedback) -> None:
        self.feedback = feedback
        super().__init__("You've already told us how we did on this repair — thank you.")


class FeedbackInvalid(FeedbackError):
    """A value out of bounds (the portal's form says so beside the field before it gets here)."""


@dataclass(frozen=True)
class FeedbackGiven:
    feedback: Feedback
    case: Case  # the case after the move (``completed`` or ``complaint``)


def feedback_give(
    *,
    case: Case,
    version: int,
    csat: int,
    comment: str = "",
    consent_publish: bool = False,
    display_name: str = "",
    town: str = "",
) -> FeedbackGiven:
    """Record the customer's feedback on ``case`` and move it on with ``feedback_given`` (the journey
    decides from ``rating`` whether it ends or becomes a complaint), both in one transaction.

    ``version`` is the case version the customer's page was rendered with. Raises
    :class:`FeedbackAlreadyGiven` (one per case), :class:`CaseConflict` when the case moved on
    since, ``TransitionRefused`` when the journey isn't asking for feedback, :class:`FeedbackInvalid`
    for out-of-range values; in every refusal nothing is written."""
    comment, display_name, town = comment.strip(), display_name.strip(), town.strip()
    if not 1 <= csat <= 5:
        raise FeedbackInvalid("The rating must be from 1 to 5.")
    if len(comment) > COMMENT_MAX or len(display_name) > NAME_MAX or len(town) > TOWN_MAX:
        raise FeedbackInvalid("Part of the feedback is too long.")
    if consent_publish and not display_name:
        raise FeedbackInvalid("A first name is needed to publish the feedback.")
    try:
        with transaction.atomic():
            existing = Feedback.objects.filter(case=case).first()
            if existing is not None:
                raise FeedbackAlreadyGiven(existing)
            if case.version != version:
                raise CaseConflict(case.reference, version, case.version)
            feedback = Feedback.objects.create(
                case=case,
                customer_id=case.customer_id,
                csat=csat,
                comment=comment,
                consent_publish=consent_publish,
                display_name=display_name if consent_publish else "",
                town=town if consent_publish else "",
                created_at=now(),
            )
            moved = case_advance(
                case=case,
                event=FEEDBACK_EVENT,
                actor=CUSTOMER,
                given={"rating": csat},
                idempotency_key=f"feedback:{case.pk}:given",
            )
            # With consent, it waits for a lead on the wall, already redacted, from this moment.
            wall_item_prepare(feedback=feedback)
            return FeedbackGiven(feedback, moved.case)
    except IntegrityError:
        # A second tab won the race for the one-per-case row; its feedback is the answer.
        existing = Feedback.objects.filter(case=case).first()
        if existing is None:
            raise
        raise FeedbackAlreadyGiven(existing) from None


def wall_sync() -> int:
    """Prepare items for any consenting feedback that has none (e.g. given before the wall existed)."""
    created = 0
    missing = Feedback.objects.filter(consent_publish=True, wall_item__isnull=True).select_related("customer")
    for feedback in missing.iterator(chunk_size=200):
        with transaction.atomic():
            if wall_item_prepare(feedback=feedback) is not None:
                created += 1
    return created
