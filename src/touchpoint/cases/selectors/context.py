"""The customer context card: who this customer is and what happened before (the "passenger manifest").

Read in a fixed number of queries whatever the customer's history: their cases (one), lifetime value
(one), last feedback (one), open complaint tasks (one) and the sentiment of their messages (one)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Q

from touchpoint.cases.journeys import journey_of
from touchpoint.cases.models import Case, Task, TaskKind, TaskStatus
from touchpoint.customers.models import Customer

if TYPE_CHECKING:
    from touchpoint.feedback.models import Feedback

EARLIER_SHOWN = 8  # the card lists the latest few; the count says how many there are in all
SENTIMENT_POINTS = 20  # the trend of the latest messages; older ones don't change what an agent does now
SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 120, 32, 3


@dataclass(frozen=True)
class EarlierCase:
    reference: str
    journey: str
    state_label: str
    opened_at: datetime
    closed_at: datetime | None
    outcome: str  # "success", "failure" or "" while still open
    complaint: bool  # open and in a complaint state now


@dataclass(frozen=True)
class Sparkline:
    """A sentiment trend drawn server-side as an SVG polyline (no script, no inline style)."""

    values: list[float]
    points: str  # "x,y x,y …" in a SPARK_WIDTH × SPARK_HEIGHT box
    zero_y: float
    last_x: float
    last_y: float
    width: int = SPARK_WIDTH
    height: int = SPARK_HEIGHT

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
    def description(self) -> str:
        n = len(self.values)
        return (
            f"Sentiment of the last {n} message{'s' if n != 1 else ''}, oldest to newest: "
            f"from {self.first:+.2f} to {self.last:+.2f} ({self.trend})"
        )


@dataclass(frozen=True)
class CustomerContext:
    customer: Customer
    lifetime_value: Decimal
    earlier_cases: list[EarlierCase]  # newest first, at most EARLIER_SHOWN
    earlier_total: int
    successes: int
    failures: int
    last_feedback: Feedback | None
    open_complaints: list[str]  # one sentence each, naming the case
    sentiment: Sparkline | None

    @property
    def lifetime_value_display(self) -> str:
        from django.conf import settings

        currency = str(getattr(settings, "TOUCHPOINT_CURRENCY", "gbp")).lower()
        symbol = {"gbp": "£", "eur": "€", "usd": "$"}.get(currency)
        amount = f"{self.lifetime_value:,.2f}"
        return f"{symbol}{amount}" if symbol else f"{amount} {currency.upper()}"

    @property
    def tier(self) -> str:
        return self.customer.get_tier_display()

    @property
    def preferred_channel(self) -> str:
        return self.customer.get_preferred_channel_display()


def sparkline(values: list[float]) -> Sparkline | None:
    """Scale VADER scores (−1 … 1) into the box; ``None`` when there is nothing to draw."""
    if not values:
        return None
    inner_w, inner_h = SPARK_WIDTH - 2 * SPARK_PAD, SPARK_HEIGHT - 2 * SPARK_PAD
    step = inner_w / (len(values) - 1) if len(values) > 1 else 0.0

    def y(value: float) -> float:
        clamped = max(-1.0, min(1.0, value))
        return round(SPARK_PAD + (1 - (clamped + 1) / 2) * inner_h, 1)

    xs = [round(SPARK_PAD + i * step, 1) if len(values) > 1 else SPARK_WIDTH / 2 for i in range(len(values))]
    ys = [y(v) for v in values]
    points = " ".join(f"{x:g},{yy:g}" for x, yy in zip(xs, ys, strict=True))
    return Sparkline(values=values, points=points, zero_y=y(0.0), last_x=xs[-1], last_y=ys[-1])


def _is_complaint_state(name: str, label: str) -> bool:
    return "complaint" in name.lower() or "complaint" in label.lower()


def customer_context(*, customer: Customer, exclude_case: Case | None = None) -> CustomerContext:
    """Everything the card shows for ``customer``; ``exclude_case`` (the case being viewed) is left
    out of "earlier cases" but still counts for complaints and sentiment."""
    from touchpoint.feedback.selectors import last_feedback
    from touchpoint.inbox.models import InboundMessage
    from touchpoint.payments.selectors import customer_lifetime_value

    cases = list(Case.objects.filter(customer=customer).select_related("journey").order_by("-opened_at", "-pk"))
    earlier: list[EarlierCase] = []
    complaints: list[str] = []
    listed: set[str] = set()  # cases already named as complaints by their state
    for case in cases:
        journey = journey_of(case.journey)
        state = journey.states.get(case.state)
        label = state.label if state is not None else case.state
        in_complaint = case.is_open and _is_complaint_state(case.state, label)
        if in_complaint:
            complaints.append(f"{case.reference} is in “{label}”")
            listed.add(case.reference)
        if exclude_case is not None and case.pk == exclude_case.pk:
            continue
        earlier.append(
            EarlierCase(
                reference=case.reference,
                journey=journey.title or journey.name,
                state_label=label,
                opened_at=case.opened_at,
                closed_at=case.closed_at,
                outcome=case.outcome,
                complaint=in_complaint,
            )
        )
    # An urgent customer message is what the tone rule treats as a complaint; a task can say so too.
    # The tasks of a complaint state itself (its exception, its handoff) are already said by the state.
    tasks = (
        Task.objects.filter(case__customer=customer, status=TaskStatus.OPEN)
        .exclude(kind__in=[TaskKind.EXCEPTION, TaskKind.HANDOFF, TaskKind.HANDOFF_OVERDUE])
        .filter(Q(kind=TaskKind.CUSTOMER_MESSAGE, priority=1) | Q(title__icontains="complaint"))
    )
    for reference, title in tasks.order_by("created_at", "pk").values_list("case__reference", "title"):
        if reference not in listed:
            complaints.append(f"{reference}: open task “{title}”")
    scores: list[float | None] = list(
        InboundMessage.objects.filter(customer=customer, sentiment__isnull=False)
        .order_by("-received_at", "-pk")
        .values_list("sentiment", flat=True)[:SENTIMENT_POINTS]
    )
    if not scores:  # no stored messages: each case's latest reading still tells a trend
        scores = [c.customer_sentiment for c in cases][:SENTIMENT_POINTS]
    values = [float(s) for s in reversed(scores) if s is not None]
    return CustomerContext(
        customer=customer,
        lifetime_value=customer_lifetime_value(customer=customer),
        earlier_cases=earlier[:EARLIER_SHOWN],
        earlier_total=len(earlier),
        successes=sum(1 for c in earlier if c.outcome == "success"),
        failures=sum(1 for c in earlier if c.outcome == "failure"),
        last_feedback=last_feedback(customer=customer),
        open_complaints=complaints,
        sentiment=sparkline(values),
    )
