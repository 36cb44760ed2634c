"""Reads of customers' feedback, and the honest counts the wall states (feedback sits above the wall:
the wall is made from it)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import Coalesce

from touchpoint.cases.models import Case
from touchpoint.customers.models import Customer
from touchpoint.feedback.models import Feedback
from touchpoint.wall.models import HiddenReason, Kind, Status, WallItem
from touchpoint.wall.services import COMPLIMENT_FROM


def last_feedback(*, customer: Customer) -> Feedback | None:
    """The customer's most recent feedback on any of their cases, or ``None``."""
    return Feedback.objects.filter(customer=customer).select_related("case").order_by("-created_at", "-pk").first()


def feedback_for_case(*, case: Case) -> Feedback | None:
    return Feedback.objects.filter(case=case).first()


@dataclass(frozen=True)
class WallCounts:
    feedback: int  # every piece of feedback received
    compliments: int  # of those, CSAT 4-5
    complaints: int  # of those, CSAT 1-3
    published: int
    published_compliments: int
    published_complaints: int
    no_consent: int  # the author didn't agree to publication
    pending: int  # waiting for a person
    hidden_personal_data: int
    hidden_abuse: int

    @property
    def published_share(self) -> float:
        return self.published / self.feedback if self.feedback else 0.0


def wall_mark() -> tuple[int, int, int, int]:
    """What moves whenever the public wall would show something else: how many items there are and
    the sum of their write counters (a new item, a publish, a hide, an answer: core/changes.py), and
    how many feedbacks were given and the newest one's id (the page's counts; a feedback is only ever
    created). The wall's page is kept under it (``portal/views/wall.py``). Two statements."""
    items = WallItem.objects.aggregate(n=Count("pk"), writes=Coalesce(Sum("changed"), 0))
    given = Feedback.objects.aggregate(n=Count("pk"), newest=Coalesce(Max("pk"), 0))
    return items["n"], items["writes"], given["n"], given["newest"]


def wall_counts() -> WallCounts:
    """Counts for the page's header, in two queries whatever the size."""
    feedback = Feedback.objects.aggregate(
        total=Count("id"),
        compliments=Count("id", filter=Q(csat__gte=COMPLIMENT_FROM)),
        no_consent=Count("id", filter=Q(consent_publish=False)),
    )
    items = WallItem.objects.aggregate(
        published=Count("id", filter=Q(status=Status.PUBLISHED)),
        published_compliments=Count("id", filter=Q(status=Status.PUBLISHED, kind=Kind.COMPLIMENT)),
        pending=Count("id", filter=Q(status=Status.PENDING)),
        personal=Count("id", filter=Q(status=Status.HIDDEN, hidden_reason=HiddenReason.PERSONAL_DATA)),
        abuse=Count("id", filter=Q(status=Status.HIDDEN, hidden_reason=HiddenReason.ABUSE)),
    )
    total, compliments = feedback["total"], feedback["compliments"]
    published, published_compliments = items["published"], items["published_compliments"]
    return WallCounts(
        feedback=total,
        compliments=compliments,
        complaints=total - compliments,
        published=published,
        published_compliments=published_compliments,
        published_complaints=published - published_compliments,
        no_consent=feedback["no_consent"],
        pending=items["pending"],
        hidden_personal_data=items["personal"],
        hidden_abuse=items["abuse"],
    )
