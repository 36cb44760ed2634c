"""The customer context card: who this customer is and what happened before (the "passenger manifest").

Read in three queries whatever the customer's history (each compiled once, :mod:`touchpoint.core.reads`):
their cases, each with what was paid on it and its feedback (one); their open complaint tasks (one);
the sentiment of their latest messages (one). Journey titles and state labels come from the parsed
journey version, cached per process by id and content hash (a version row never changes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from decimal import Decimal
from functools import lru_cache
from html import escape
from typing import Any

from django.db.models import DecimalField, OuterRef, Q, Subquery, Sum
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from touchpoint.cases.journeys import journey_parsed
from touchpoint.cases.models import Case, Task, TaskKind, TaskStatus
from touchpoint.core.reads import Read
from touchpoint.customers.models import Customer

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
class LastFeedback:
    csat: int
    comment: str
    created_at: datetime
    case_reference: str


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

    @property
    def html(self) -> SafeString:
        """The figure: the SVG (named by :attr:`description`) and a caption saying the same in words."""
        w, h, n = self.width, self.height, len(self.values)
        dot = "#a4262c" if self.last < 0 else "#1f5fa8"
        caption = (
            f"{self.trend.capitalize()}: {floatformat(self.first, 2)} → {floatformat(self.last, 2)} "
            f"over {n} message{'s' if n != 1 else ''}"
        )
        return mark_safe(  # noqa: S308 - numbers formatted here, and the words escaped
            f'<figure class="spark">\n'
            f'    <svg width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" '
            f'aria-label="{escape(self.description)}">\n'
            f'      <line class="zero" x1="0" x2="{w}" y1="{self.zero_y}" y2="{self.zero_y}" stroke="#8a96a3" '
            f'stroke-dasharray="2 2" stroke-width="1"/>\n'
            f'      <polyline points="{escape(self.points)}" fill="none" stroke="#1f5fa8" stroke-width="2" '
            f'stroke-linejoin="round"/>\n'
            f'      <circle cx="{self.last_x}" cy="{self.last_y}" r="3" fill="{dot}"/>\n'
            f"    </svg>\n"
            f"    <figcaption>{escape(caption)}</figcaption>\n"
            f"  </figure>"
        )


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
    sentiment: Sparkline | None

    @property
    def lifetime_value_display(self) -> str:
        from touchpoint.payments.money import money

        return money(self.lifetime_value)

    @property
    def tier(self) -> str:
        return self.customer.get_tier_display()

    @property
    def preferred_channel(self) -> str:
        return self.customer.get_preferred_channel_display()

    @property
    def feedback_html(self) -> SafeString:
        """The last feedback in a sentence (the card's template shows "None given." without one)."""
        f = self.last_feedback
        if f is None:
            return mark_safe("")
        comment = f": “{escape(Truncator(f.comment).chars(200))}”" if f.comment else ""
        return mark_safe(  # noqa: S308 - every value escaped
            f"<p>{f.csat}/5 on {escape(f.case_reference)}, {_time(f.created_at)}{comment}</p>"
        )

    @property
    def earlier_html(self) -> SafeString:
        """The earlier cases' list items, built here rather than in a template loop (a loop of links
        and dates through the template engine costs the page about as much as reading the card)."""
        placeholder = "TP-00000"
        case_url = reverse("console:case", args=[placeholder])
        tz = timezone.get_current_timezone()
        items = []
        for c in self.earlier_cases:
            href = escape(case_url.replace(placeholder, c.reference))
            closed = f"–{_time(c.closed_at, tz)}" if c.closed_at is not None else ""
            ended = {"success": "ended well", "failure": "<strong>ended badly</strong>"}.get(c.outcome, "open")
            badge = ' <span class="badge">complaint</span>' if c.complaint else ""
            items.append(
                f'<li><a href="{href}">{escape(c.reference)}</a> {escape(c.journey)},\n'
                f"      {_time(c.opened_at, tz)}{closed}:\n"
                f"      {ended} ({escape(c.state_label)}){badge}</li>"
            )
        return mark_safe("\n    ".join(items))  # noqa: S308 - every value from the database escaped


def _time(moment: datetime, tz: tzinfo | None = None) -> str:
    """``<time>`` as the template's ``|date:'c'`` and ``|date:"j M Y"`` write it, in local time."""
    local = moment.astimezone(tz or timezone.get_current_timezone()) if timezone.is_aware(moment) else moment
    return f'<time datetime="{local.isoformat()}">{local.day} {str(MONTHS_3[local.month]).title()} {local.year}</time>'


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


@lru_cache(maxsize=256)
def _journey_names(version_id: int, sha256: str) -> tuple[str, dict[str, str]]:
    """A journey version's title and its states' labels. A version row never changes, and its content
    hash is in the key, so this holds for the life of the process."""
    journey = journey_parsed(version_id, sha256)
    return journey.title or journey.name, {name: state.label for name, state in journey.states.items()}


def _taken_on_case() -> Subquery:
    """What was paid on the outer case (the order and any balance), less what was refunded against
    those payments (NULL when nothing was paid)."""
    from touchpoint.payments.models import Payment
    from touchpoint.payments.selectors import TAKEN

    total = Sum("amount") - Sum("amount_refunded")
    return Subquery(
        Payment.objects.filter(case_id=OuterRef("pk"), status__in=TAKEN)
        .order_by()
        .values("case_id")
        .annotate(taken=total)
        .values("taken"),
        output_field=DecimalField(max_digits=12, decimal_places=2),
    )


def _refunded_apart() -> Subquery:
    """Refunds of the outer case that return no payment of ours (an order paid elsewhere, e.g. an
    order problem's total): they come off what the customer is worth to us too."""
    from touchpoint.payments.models import Refund

    return Subquery(
        Refund.objects.filter(case_id=OuterRef("pk"), payment__isnull=True)
        .order_by()
        .values("case_id")
        .annotate(total=Sum("amount"))
        .values("total"),
        output_field=DecimalField(max_digits=12, decimal_places=2),
    )


# The customer's cases newest first; each with its journey version (id and hash: the labels are
# cached), what was paid on it and its feedback (a case has at most one).
_CASES = Read(
    lambda customer_id: Case.objects.filter(customer_id=customer_id)
    .annotate(taken=_taken_on_case(), refunded_apart=_refunded_apart())
    .order_by("-opened_at", "-pk")
    .values_list(
        "pk", "reference", "journey_id", "journey__sha256", "state", "opened_at", "closed_at", "outcome",
        "customer_sentiment", "taken", "refunded_apart", "feedback__pk", "feedback__csat", "feedback__comment",
        "feedback__created_at",
    ),
    int,
)  # fmt: skip
# An urgent customer message is what the tone rule treats as a complaint; a task can say so too.
# The tasks of a complaint state itself (its exception, its handoff) are already said by the state.
_COMPLAINT_TASKS = Read(
    lambda customer_id: (
        Task.objects.filter(case__customer_id=customer_id, status=TaskStatus.OPEN)
        .exclude(kind__in=[TaskKind.EXCEPTION, TaskKind.HANDOFF, TaskKind.HANDOFF_OVERDUE])
        .filter(Q(kind=TaskKind.CUSTOMER_MESSAGE, priority=1) | Q(title__icontains="complaint"))
        .order_by("created_at", "pk")
        .values_list("case__reference", "title")
    ),
    int,
)


def _inbound() -> Any:
    from touchpoint.inbox.models import InboundMessage

    return InboundMessage


_SENTIMENTS = Read(
    lambda customer_id: (
        _inbound()
        .objects.filter(customer_id=customer_id, sentiment__isnull=False)
        .order_by("-received_at", "-pk")
        .values_list("sentiment")[:SENTIMENT_POINTS]
    ),
    int,
)


def customer_context(*, customer: Customer, exclude_case: Case | None = None) -> CustomerContext:
    """Everything the card shows for ``customer``; ``exclude_case`` (the case being viewed) is left
    out of "earlier cases" but still counts for complaints and sentiment."""
    rows = _CASES(customer.pk)
    earlier: list[EarlierCase] = []
    complaints: list[str] = []
    listed: set[str] = set()  # cases already named as complaints by their state
    lifetime = Decimal("0")
    feedback: tuple[Any, ...] | None = None  # (created_at, pk, csat, comment, reference) of the newest
    for row in rows:
        (
            pk,
            reference,
            version_id,
            sha256,
            state,
            opened,
            closed,
            outcome,
            _,
            taken,
            apart,
            fb_pk,
            csat,
            comment,
            given,
        ) = row
        title, labels = _journey_names(version_id, sha256)
        label = labels.get(state, str(state))
        in_complaint = not outcome and _is_complaint_state(state, label)
        if in_complaint:
            complaints.append(f"{reference} is in “{label}”")
            listed.add(reference)
        # What was actually paid, net of every refund recorded (owed or done).
        lifetime += (taken or 0) - (apart or 0)
        if fb_pk is not None and (feedback is None or (given, fb_pk) > feedback[:2]):
            feedback = (given, fb_pk, csat, comment, reference)
        if exclude_case is not None and pk == exclude_case.pk:
            continue
        earlier.append(EarlierCase(reference, title, label, opened, closed, outcome, in_complaint))
    for reference, title in _COMPLAINT_TASKS(customer.pk):
        if reference not in listed:
            complaints.append(f"{reference}: open task “{title}”")
    scores: list[float | None] = [score for (score,) in _SENTIMENTS(customer.pk)]
    if not scores:  # no stored messages: each case's latest reading still tells a trend
        scores = [row[8] for row in rows][:SENTIMENT_POINTS]
    values = [float(s) for s in reversed(scores) if s is not None]
    last = None
    if feedback is not None:
        given, _, csat, comment, reference = feedback
        last = LastFeedback(csat=csat, comment=comment, created_at=given, case_reference=reference)
    return CustomerContext(
        customer=customer,
        lifetime_value=lifetime,
        earlier_cases=earlier[:EARLIER_SHOWN],
        earlier_total=len(earlier),
        successes=sum(1 for c in earlier if c.outcome == "success"),
        failures=sum(1 for c in earlier if c.outcome == "failure"),
        last_feedback=last,
        open_complaints=complaints,
        sentiment=sparkline(values),
    )
