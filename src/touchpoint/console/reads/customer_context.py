"""The customer context card: who this customer is and what happened before (the "passenger manifest").

Read in three queries whatever the customer's history: their cases, each with what was paid on it and
its feedback (one); their open complaint tasks (one); the sentiment of their latest messages (one).
Journey titles and state labels come from the parsed journey version, cached per process by the
version's id and content hash (a version row never changes, so nothing needs invalidating)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache, lru_cache
from typing import Any

from django.db.models import DecimalField, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from touchpoint.cases.journeys import journey_parsed
from touchpoint.cases.models import Case, Task, TaskKind, TaskStatus
from touchpoint.console.reads.links import case_url
from touchpoint.console.reads.when import When
from touchpoint.core.money import money_text
from touchpoint.customers.models import Customer
from touchpoint.inbox.models import InboundMessage
from touchpoint.payments.models import Payment, Refund
from touchpoint.payments.selectors import TAKEN
from touchpoint.shop.selectors import shop_currency

EARLIER_SHOWN = 8  # the card lists the latest few; the count says how many there are in all
SENTIMENT_POINTS = 20  # the trend of the latest messages; older ones don't change what an agent does now


@dataclass(frozen=True, slots=True)
class EarlierCase:
    reference: str
    href: str
    journey: str
    state_label: str
    opened: When
    closed: When | None
    outcome: str  # "success", "failure" or "" while still open
    complaint: bool  # open and in a complaint state now


@dataclass(frozen=True, slots=True)
class LastFeedback:
    csat: int
    comment: str
    given: When
    case_reference: str


@dataclass(frozen=True)
class Sentiment:
    """The trend of a customer's latest messages (VADER scores, −1 … 1, oldest first), in words; the
    card draws it with ``{% sparkline %}``."""

    values: list[float]

    @property
    def first(self) -> float:
        return self.values[0]

    @property
    def last(self) -> float:
        return self.values[-1]

    @property
    def trend(self) -> str:
        change = self.last - self.first
        if len(self.values) < 2 or abs(change) < 0.1:
            return "steady"
        return "improving" if change > 0 else "worsening"

    @property
    def _messages(self) -> str:
        n = len(self.values)
        return f"{n} message{'s' if n != 1 else ''}"

    @property
    def description(self) -> str:
        """What the line shows, for a screen reader."""
        return (
            f"Sentiment of the last {self._messages}, oldest to newest: "
            f"from {self.first:+.2f} to {self.last:+.2f} ({self.trend})"
        )

    @property
    def caption(self) -> str:
        """The same in a few words under the line."""
        return f"{self.trend.capitalize()}: {self.first:.2f} → {self.last:.2f} over {self._messages}"


@dataclass(frozen=True)
class CustomerContext:
    customer: Customer
    lifetime_value: Decimal
    earlier_cases: list[EarlierCase]  # newest first, at most EARLIER_SHOWN
    earlier_total: int
    successes: int
    failures: int
    last_feedback: LastFeedback | None
    open_complaints: list[str]  # one sentence each, naming the case
    sentiment: Sentiment | None

    @property
    def lifetime_value_display(self) -> str:
        return money_text(self.lifetime_value, shop_currency())

    @property
    def tier(self) -> str:
        return self.customer.get_tier_display()

    @property
    def preferred_channel(self) -> str:
        return self.customer.get_preferred_channel_display()


def _is_complaint_state(name: str, label: str) -> bool:
    return "complaint" in name.lower() or "complaint" in label.lower()


@lru_cache(maxsize=256)
def _journey_names(version_id: int, sha256: str) -> tuple[str, dict[str, str]]:
    """A journey version's title and its states' labels. A version row never changes, and its content
    hash is in the key, so this holds for the life of the process."""
    journey = journey_parsed(version_id, sha256)
    return journey.title or journey.name, {name: state.label for name, state in journey.states.items()}


_AMOUNT = DecimalField(max_digits=12, decimal_places=2)


def _taken_on_case() -> Subquery:
    """What was paid on the outer case (the order and any balance), less what was refunded against
    those payments (NULL when nothing was paid)."""
    total = Sum("amount") - Sum("amount_refunded")
    paid = Payment.objects.filter(case_id=OuterRef("pk"), status__in=TAKEN).order_by().values("case_id")
    return Subquery(paid.annotate(taken=total).values("taken"), output_field=_AMOUNT)


def _refunded_apart() -> Subquery:
    """Refunds of the outer case that return no payment of ours (an order paid elsewhere, e.g. an
    order problem's total): they come off what the customer is worth to us too."""
    refunds = Refund.objects.filter(case_id=OuterRef("pk"), payment__isnull=True).order_by().values("case_id")
    return Subquery(refunds.annotate(total=Sum("amount")).values("total"), output_field=_AMOUNT)


@cache
def _case_rows_base() -> QuerySet[Case, tuple[Any, ...]]:
    """The card's statement for every customer's cases, built once per process: building it (the two
    sums' subqueries resolved, the columns and the feedback join named) costs three times what each
    request's filter and compile do. Each request filters a clone; this one is never evaluated."""
    return (
        Case.objects.annotate(taken=_taken_on_case(), refunded_apart=_refunded_apart())
        .order_by("-opened_at", "-pk")
        .values_list(
            "pk", "reference", "journey_id", "journey__sha256", "state", "opened_at", "closed_at", "outcome",
            "customer_sentiment", "taken", "refunded_apart", "feedback__pk", "feedback__csat", "feedback__comment",
            "feedback__created_at",
        )
    )  # fmt: skip


def _case_rows(customer_id: int) -> list[tuple[Any, ...]]:
    """The customer's cases newest first; each with its journey version (id and hash: the labels are
    cached), what was paid on it and its feedback (a case has at most one)."""
    return list(_case_rows_base().filter(customer_id=customer_id))


@cache
def _complaint_tasks_base() -> QuerySet[Task, tuple[Any, ...]]:
    """Open tasks that say the customer complains: an urgent customer message (what the tone rule treats
    as a complaint) or a task that says so. The tasks of a complaint state itself (its exception, its
    handoff) are already said by the state. Built once per process, as :func:`_case_rows_base`."""
    return (
        Task.objects.filter(status=TaskStatus.OPEN)
        .exclude(kind__in=[TaskKind.EXCEPTION, TaskKind.HANDOFF, TaskKind.HANDOFF_OVERDUE])
        .filter(Q(kind=TaskKind.CUSTOMER_MESSAGE, priority=1) | Q(title__icontains="complaint"))
        .order_by("created_at", "pk")
        .values_list("case__reference", "title")
    )


def _complaint_tasks(customer_id: int) -> list[tuple[str, str]]:
    return list(_complaint_tasks_base().filter(case__customer_id=customer_id))


@cache
def _sentiments_base() -> QuerySet[InboundMessage, float | None]:
    return (
        InboundMessage.objects.filter(sentiment__isnull=False)
        .order_by("-received_at", "-pk")
        .values_list("sentiment", flat=True)
    )


def _sentiments(customer_id: int) -> list[float | None]:
    """The sentiment of the customer's latest messages, newest first."""
    return list(_sentiments_base().filter(customer_id=customer_id)[:SENTIMENT_POINTS])


def customer_context(*, customer: Customer, exclude_case: Case | None = None) -> CustomerContext:
    """Everything the card shows for ``customer``; ``exclude_case`` (the case being viewed) is left
    out of "earlier cases" but still counts for complaints and sentiment."""
    zone = timezone.get_current_timezone()
    rows = _case_rows(customer.pk)
    earlier: list[EarlierCase] = []
    complaints: list[str] = []
    listed: set[str] = set()  # cases already named as complaints by their state
    lifetime = Decimal("0")
    feedback: tuple[Any, ...] | None = None  # (created_at, pk, csat, comment, reference) of the newest
    for row in rows:
        pk, reference, version_id, sha256, state, opened, closed, outcome, _, taken, apart, *given = row
        fb_pk, csat, comment, given_at = given
        title, labels = _journey_names(version_id, sha256)
        label = labels.get(state, str(state))
        in_complaint = not outcome and _is_complaint_state(state, label)
        if in_complaint:
            complaints.append(f"{reference} is in “{label}”")
            listed.add(reference)
        # What was actually paid, net of every refund recorded (owed or done).
        lifetime += (taken or 0) - (apart or 0)
        if fb_pk is not None and (feedback is None or (given_at, fb_pk) > feedback[:2]):
            feedback = (given_at, fb_pk, csat, comment, reference)
        if exclude_case is not None and pk == exclude_case.pk:
            continue
        if len(earlier) < EARLIER_SHOWN:
            shut = When.day(closed, zone) if closed is not None else None
            href = case_url("case", reference)
            earlier.append(
                EarlierCase(reference, href, title, label, When.day(opened, zone), shut, outcome, in_complaint)
            )
        else:  # only counted: no words needed
            earlier.append(EarlierCase(reference, "", title, label, When("", ""), None, outcome, in_complaint))
    for reference, title in _complaint_tasks(customer.pk):
        if reference not in listed:
            complaints.append(f"{reference}: open task “{title}”")
    scores = _sentiments(customer.pk)
    if not scores:  # no stored messages: each case's latest reading still tells a trend
        scores = [row[8] for row in rows][:SENTIMENT_POINTS]
    values = [float(s) for s in reversed(scores) if s is not None]
    last = None
    if feedback is not None:
        given_at, _, csat, comment, reference = feedback
        last = LastFeedback(csat=csat, comment=comment, given=When.day(given_at, zone), case_reference=reference)
    return CustomerContext(
        customer=customer,
        lifetime_value=lifetime,
        earlier_cases=earlier[:EARLIER_SHOWN],
        earlier_total=len(earlier),
        successes=sum(1 for c in earlier if c.outcome == "success"),
        failures=sum(1 for c in earlier if c.outcome == "failure"),
        last_feedback=last,
        open_complaints=complaints,
        sentiment=Sentiment(values) if values else None,
    )
