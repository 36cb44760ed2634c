"""The route walker: one planned route (``touchpoint.journeys.walk``) driven through the product's
own surfaces, step by step, checking every promise on the way.

Each step is taken by whoever the plan says, on the surface they would use (``drivers.py``): the
customer on their case page (reached by the link in their latest email, never from the database),
staff in the console or at the scan station, the payment provider by a signed webhook, the wait
limit by the real worker once the clock has moved past it. After each step the walker checks:

- the case's state and outcome are the plan's, and the timeline says who took it (a hand-recorded
  carrier or system step with the person and their reason);
- the messages sent are exactly the step's touch point, to the customer, in the tone the journey's
  tone rule gives for where the case now is;
- every link in every email opens (200 through the test client), and every ``#fragment`` lands on
  an element with that id that is or holds a working control;
- money promises: a step with ``refund:`` records the refund the journey promises, an email that
  says "refund" has one behind it (of the amount it names), "nothing was charged" means nothing
  kept; time promises: a "by 14:30" in an email is the due time of a pending timer or task.

A broken promise that doesn't stop the route (a wrong tone, a dead link) is kept and reported at the
end with every other; one that does (no surface takes the step, the case went elsewhere) stops the
route there. Every report names the journey, the route (its states), the step and what differed."""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.test import Client
from django.utils import timezone

from tests.acceptance.mailbox import Mailbox, Received
from tests.acceptance.shop import Shop
from tests.support.pages import Page, path_of
from touchpoint.cases.journeys import journey_latest, journey_of
from touchpoint.cases.models import Case, Task, TaskStatus, TimelineEntry, TimelineKind, Timer, TimerStatus
from touchpoint.core import clock
from touchpoint.journeys import Journey
from touchpoint.journeys.walk import PlannedRoute, Step
from touchpoint.outbox.models import MessageStatus, OutboxMessage
from touchpoint.touchpoints.tone import tone_decide
from touchpoint.worker.loop import Worker

STEP_GAP = timedelta(minutes=3)  # time between two people's steps: enough to tell them apart
PUBLIC = "http://testserver"


class Stop(Exception):
    """The route can't go on: what differed, in words."""


@dataclass
class Trace:
    """What the walk did, for the report: each step with the surface that took it."""

    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


class RouteWalker:
    def __init__(self, *, route: PlannedRoute, number: int, shop: Shop, edge: Any) -> None:
        self.route = route
        self.number = number
        self.shop = shop
        self.edge = edge  # the internet's edge: the payment provider (see drivers.ProviderEdge)
        name = route.journey.split("@", 1)[0]
        self.version = journey_latest(name)
        self.journey: Journey = journey_of(self.version)
        self.customer = Client()  # the customer's phone
        self.desks: dict[str, Client] = {}  # staff, by username: each logged in on their own browser
        self.mailbox = Mailbox()
        self.moment: datetime | None = timezone.now().replace(microsecond=0)
        self.public = settings.TOUCHPOINT_PUBLIC_URL
        self.phone: Any = None  # a BrowserPage: the customer's steps are taken in Chromium (see browser.py)
        self.case: Case | None = None
        self.link = ""  # the case page, from the customer's latest email
        self.inbox: list[Received] = []  # every email the customer received, oldest first
        self.trace = Trace()
        self.label = "opening the case"
        self.step: Step | None = None
        self.worker = Worker(worker_id=f"walker-{number}")
        self.email = f"walker.{name}.{number}@example.com"
        self.timings: dict[str, float] = {}

        self.turns: dict[str, int] = {}
        self.written: set[int] = set()  # outbox rows already checked
        self.counts: Counter[str] = Counter()  # what was checked, for the run's report
        self.customer_view: tuple[tuple[str, int], Page] | None = None  # the case page last opened, at which state_seq

    def turn(self, key: str) -> int:
        """How many times the walk did ``key`` before: surfaces that record the same step take turns."""
        count = self.turns.get(key, 0)
        self.turns[key] = count + 1
        return count + self.number

    def last_email_with_reply_to(self) -> Received | None:
        return next((e for e in reversed(self.inbox) if e.reply_to and e.touchpoint), None)

    # --- reporting --------------------------------------------------------------------------

    def where(self) -> str:
        head = f"{self.route.journey} route {self.number}: {self.route.describe()}"
        state = f"case {self.case.reference} in `{self.case.state}`" if self.case is not None else "no case yet"
        return f"{head}\n  at {self.label} ({state})"

    def problem(self, what: str) -> None:
        """A broken promise the route can go on after: reported at the end with the others."""
        self.trace.problems.append(f"{self.label}: {what}")

    @contextmanager
    def now(self) -> Iterator[None]:
        """Everything the walker does happens at the walk's moment: the clock moves on with each step,
        and jumps past a timer's due time to fire it. In a browser walk the live server's thread
        keeps the real clock, so the walk does too (its main routes fire no timer)."""
        if self.moment is None:
            yield
            return
        with clock.at(self.moment):
            yield

    # --- the walk -----------------------------------------------------------------------------

    def walk(self) -> Trace:
        from tests.acceptance import drivers

        started = time.perf_counter()
        try:
            with self.now():
                drivers.open_case(self)
            self.settle(expected=[self.route.start_touchpoint] if self.route.start_touchpoint else [])
            self.check_state(self.route.start)
            for index, step in enumerate(self.route.steps, 1):
                self.step = step
                self.label = f"step {index}/{len(self.route.steps)} {step.describe()}"
                self.take(step)
            self.label = "the end of the route"
            self.check_refunds_worked()
        except Stop as stop:
            raise AssertionError(self.report(f"STOPPED: {stop}")) from None
        finally:
            self.timings["walk"] = time.perf_counter() - started
        if self.trace.problems:
            raise AssertionError(self.report(""))
        return self.trace

    def report(self, stopped: str) -> str:
        lines = [self.where()]
        if stopped:
            lines.append(f"  {stopped}")
        if self.trace.problems:
            lines.append(f"  {len(self.trace.problems)} broken promise(s) on the way:")
            lines.extend(f"    - {p}" for p in self.trace.problems)
        lines.append("  steps taken:")
        lines.extend(f"    {line}" for line in self.trace.lines)
        return "\n".join(lines)

    def take(self, step: Step) -> None:
        from tests.acceptance import drivers

        case = self.fresh()
        if case.state != step.source:
            raise Stop(f"the case is in `{case.state}`, not `{step.source}` where this step starts")
        if step.who.kind != "timer" and self.moment is not None:
            self.moment += STEP_GAP
        with self.now():
            surface = drivers.drive(self, step)
        self.trace.lines.append(f"{step.describe()} — on {surface}")
        case = self.fresh()
        if case.state != step.target:
            raise Stop(
                f"after {surface} the case is in `{case.state}`, not `{step.target}` "
                "(nothing or something else moved it)"
            )
        self.check_entry(step)
        self.settle(expected=[step.touchpoint] if step.touchpoint else [])
        self.check_state(step.target)
        self.check_refund(step)
        self.check_records(step)
        self.check_balance_agrees()

    # --- after each step ----------------------------------------------------------------------

    def fresh(self) -> Case:
        assert self.case is not None
        self.case = Case.objects.select_related("journey", "customer").get(pk=self.case.pk)
        return self.case

    def check_state(self, state: str) -> None:
        case = self.fresh()
        if case.state != state:
            raise Stop(f"the case is in `{case.state}`, the plan says `{state}`")
        outcome = self.journey.states[state].outcome or ""
        if case.outcome != outcome:
            self.problem(f"the case's outcome is {case.outcome!r}, the journey says {outcome!r} in `{state}`")
        if bool(case.closed_at) != bool(outcome):
            self.problem(f"closed_at is {case.closed_at}, though the case {'has' if outcome else 'has not'} ended")

    def check_entry(self, step: Step) -> None:
        """The timeline's entry for the move says who took it, as the journey sees them."""
        entry = (
            TimelineEntry.objects.select_related("actor_user")
            .filter(case=self.case, kind=TimelineKind.TRANSITION)
            .order_by("-seq")
            .first()
        )
        if entry is None or entry.event != step.event:
            self.problem(f"the timeline's latest move is {entry.event if entry else None!r}, not `{step.event}`")
            return
        wanted = {"timer": "timer", "customer": "customer", "staff": "staff", "carrier": "carrier", "system": "system"}[
            step.who.kind
        ]
        if step.who.manual:
            manual = (entry.detail or {}).get("manual")
            if entry.actor_kind != step.who.kind:
                self.problem(f"a hand-recorded {step.who.kind} step is on the timeline as {entry.actor_kind!r}")
            if not manual:
                self.problem("a hand-recorded step has no reason on the timeline (detail.manual)")
            if entry.actor_user is None:
                self.problem("a hand-recorded step doesn't name the person who recorded it (actor_user)")
        elif entry.actor_kind != wanted:
            self.problem(f"the timeline says `{step.event}` was taken by {entry.actor_kind!r}, not {wanted!r}")

    def settle(self, *, expected: list[str]) -> None:
        """Let the worker send what the step wrote, then read the customer's new emails."""
        assert self.case is not None
        before = self.written
        with self.now():
            self.edge.before_worker(self)
            self.worker.run_once()
        self.release_held(expected)
        self.read_mail(expected, before)

    def release_held(self, expected: list[str]) -> None:
        """A feedback request held after a complaint waits for a person to write first: the case's
        team writes in their own words, as the held-survey task asks, and it goes."""
        held = OutboxMessage.objects.filter(case=self.case, status=MessageStatus.HELD)
        if not held.exists():
            return
        from tests.acceptance import drivers

        with self.now():
            drivers.write_personally(self)
            self.edge.before_worker(self)
            self.worker.run_once()
        if held.exists():
            self.problem("a held feedback request was not released by a personal reply")

    def read_mail(self, expected: list[str], before: set[int]) -> None:
        assert self.case is not None
        received = self.mailbox.new()
        self.inbox.extend(received)
        rows = list(OutboxMessage.objects.filter(case=self.case).exclude(pk__in=before).order_by("id"))
        self.written |= {row.pk for row in rows}
        written = [row for row in rows if row.touchpoint]
        keys = [row.touchpoint for row in written]
        if keys != expected:
            self.problem(f"touch points written {keys}, the journey says {expected}")
        unsent = [row for row in written if row.status != MessageStatus.SENT]
        for row in unsent:
            self.problem(f"the message {row.touchpoint!r} was not sent ({row.status}: {row.last_error[:200]})")
        tone = self.expected_tone()
        opened: dict[str, tuple[int, Page | None]] = {}
        self.counts["emails"] += len(received)
        for email in received:
            ours = email.row is not None and email.row.case_id == self.case.pk
            if ours and self.case.customer.email not in email.to:
                self.problem(f"{email.describe()} went to {email.to}, not the customer {self.case.customer.email}")
            if ours and email.touchpoint and email.tone != tone[0]:
                self.problem(f"{email.describe()} is {email.tone}; the tone rule says {tone[0]} ({tone[1]})")
            self.check_links(email, opened)
            self.check_money_words(email)
            self.check_time_words(email)
        for email in received:
            for url in email.links:
                if re.match(rf"^{re.escape(self.public)}/c/[A-Za-z0-9_-]+/?$", url.split("#", 1)[0]):
                    self.link = url.split("#", 1)[0]

    def expected_tone(self) -> tuple[str, str]:
        assert self.case is not None
        from touchpoint.cases.models import TaskKind

        urgent = Task.objects.filter(
            case=self.case, kind=TaskKind.CUSTOMER_MESSAGE, status=TaskStatus.OPEN, priority=1
        ).exists()
        decision = tone_decide(
            journey=self.journey,
            state=self.case.state,
            complaint_task_open=urgent,
            sentiment=self.case.customer_sentiment,
            plain_messages=self.case.customer.plain_messages,
        )
        return decision.tone, decision.reason

    # --- promises in what the customer reads ----------------------------------------------------

    def check_links(self, email: Received, opened: dict[str, tuple[int, Page | None]]) -> None:
        """Every link opens; every ``#fragment`` lands on a working control. ``opened`` keeps the
        pages this round of mail opened (a case page linked five times is opened once)."""
        assert self.case is not None
        for url in email.links:
            if not url.startswith(self.public):
                if url.startswith(("http://127.0.0.1", "http://localhost")):
                    self.problem(
                        f"{email.describe()} links {url}, not the address the shop is served at ({self.public})"
                    )
                continue
            address, _, fragment = url.partition("#")
            if address not in opened:
                with self.now():
                    response = self.customer.get(path_of(address), follow=True)
                html = "html" in response.get("Content-Type", "")
                page = (
                    Page.parse(response.content.decode(), url=address) if html and response.status_code == 200 else None
                )
                opened[address] = (response.status_code, page)
                if page is not None and re.match(rf"^{re.escape(self.public)}/c/[A-Za-z0-9_-]+/?$", address):
                    self.customer_view = ((address, self.case.state_seq), page)
                    with self.now():
                        from touchpoint.core.clock import now

                        self.check_times(page.text, now(), f"the case page ({address})")
            status, page = opened[address]
            self.counts["links"] += 1
            if status != 200:
                self.problem(f"{email.describe()}: the link {url} answers {status}")
                continue
            if not fragment:
                continue
            if page is None:
                self.problem(f"{email.describe()}: {url} has #{fragment} but is not a page")
                continue
            self.counts["anchors"] += 1
            if page.by_id(fragment) is None:
                self.problem(f"{email.describe()}: {url} lands on nothing (no id={fragment!r} on the page)")
            elif not page.controls_at(fragment):
                self.problem(f"{email.describe()}: #{fragment} on {address} holds no working control")

    REFUND_WORDS = re.compile(r"\b(refund(?:ed)?|money back|pay(?:ing)? (?:it |you )?back)\b", re.IGNORECASE)
    NOTHING_CHARGED = re.compile(r"nothing (?:was|is|has been|will be) charged|free of charge|won't be charged", re.I)
    CONDITIONAL = re.compile(r"\b(no refund|if|can|could|would|should|may|when you|unless)\b", re.I)
    AMOUNT = re.compile(r"£\s?(\d[\d,]*(?:\.\d{2})?)")

    def check_money_words(self, email: Received) -> None:
        """ "Refunded £29.00" has a refund of £29.00 behind it; "nothing was charged", nothing kept."""
        if email.row is None or email.row.case_id != getattr(self.case, "pk", None):
            return
        from touchpoint.payments.models import Refund

        text = email.text
        refunds = list(Refund.objects.filter(case=self.case).values_list("amount", flat=True))
        for sentence in re.split(r"(?<=[.!?])\s+", text):
            if self.CONDITIONAL.search(sentence):
                continue  # a promise about what may happen, not what has
            if self.NOTHING_CHARGED.search(sentence):
                self.counts["money promises"] += 1
                self.check_nothing_charged(email, sentence, refunds)
            if not self.REFUND_WORDS.search(sentence):
                continue
            self.counts["money promises"] += 1
            amounts = [Decimal(a.replace(",", "")) for a in self.AMOUNT.findall(sentence)]
            if not refunds and self.paid_total() > 0:
                self.problem(f"{email.describe()} says “{sentence.strip()[:160]}”, and no refund is recorded")
            for amount in amounts:
                if amount not in refunds and amount != sum(refunds, Decimal(0)):
                    self.problem(
                        f"{email.describe()} says “{sentence.strip()[:160]}”; refunds recorded: {refunds or 'none'}"
                    )

    def check_nothing_charged(self, email: Received, sentence: str, refunds: list[Decimal]) -> None:
        """ "Nothing was charged": nothing paid is kept. "We've waived the balance: you won't be
        charged it": no balance is left to pay."""
        said = sentence.strip()[:160]
        if re.search(r"\bextra work\b", sentence, re.I) and not re.search(r"\bbalance\b", sentence, re.I):
            from touchpoint.quotes.models import Quote

            latest = Quote.objects.filter(case=self.case).order_by("-id").first()
            if latest is not None and latest.status == "approved":
                self.problem(f"{email.describe()} says “{said}”, but the extra work is approved (it will be charged)")
            return
        if re.search(r"\bbalance\b|won't be charged", sentence, re.I):
            from touchpoint.payments.selectors import case_money

            assert self.case is not None
            due = case_money(case=self.case).balance_due
            if due > 0:
                self.problem(f"{email.describe()} says “{said}”, but £{due} of the balance is still due")
            return
        kept = self.paid_total() - sum(refunds, Decimal(0))
        if kept > 0:
            self.problem(f"{email.describe()} says “{said}”, but £{kept} paid is kept (no refund for it)")

    def paid_total(self) -> Decimal:
        from touchpoint.payments.models import Payment, PaymentStatus

        rows = Payment.objects.filter(case=self.case, status__in=[PaymentStatus.PAID, PaymentStatus.REFUNDED])
        return sum((p.amount for p in rows), Decimal(0))

    BY_TIME = re.compile(
        r"\bby (\d{1,2}):(\d{2}) "
        r"(today|tomorrow|on (?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day (\d{1,2}) (\w+)(?: (\d{4}))?)"
    )

    def check_time_words(self, email: Received) -> None:
        """A "by 14:30 today" in an email is when a pending timer or open task holds the team to it."""
        if email.row is None or email.row.case_id != getattr(self.case, "pk", None):
            return
        self.check_times(email.text, email.row.created_at, email.describe())

    def check_times(self, text: str, said_at: datetime, what: str) -> None:
        from touchpoint.core.promises import shop_zone

        zone = shop_zone()
        dues = [timezone.localtime(due, zone) for due in self.pending_dues()]
        today = timezone.localtime(said_at, zone).date()
        for match in self.BY_TIME.finditer(text):
            self.counts["time promises"] += 1
            hour, minute, day = int(match.group(1)), int(match.group(2)), match.group(3)
            if day == "today":
                date = today
            elif day == "tomorrow":
                date = today + timedelta(days=1)
            else:
                parsed = datetime.strptime(
                    f"{match.group(4)} {match.group(5)} {match.group(6) or today.year}", "%d %B %Y"
                )
                date = parsed.date()
            if not any((d.date(), d.hour, d.minute) == (date, hour, minute) for d in dues):
                shown = sorted(f"{d:%a %d %b %H:%M}" for d in dues)
                self.problem(
                    f"{what} promises “{match.group(0)}”, but nothing pending is due then "
                    f"(timers and tasks due: {shown or 'none'})"
                )

    def pending_dues(self) -> list[datetime]:
        timers = Timer.objects.filter(case=self.case, status=TimerStatus.PENDING).values_list("due_at", flat=True)
        tasks = Task.objects.filter(case=self.case, status=TaskStatus.OPEN, due_at__isnull=False).values_list(
            "due_at", flat=True
        )
        return [*timers, *tasks]

    def check_balance_agrees(self) -> None:
        """Where the journey tracks an open balance (``balance_open``), the money records agree: a
        balance is due exactly while the journey says one is open."""
        assert self.case is not None
        if "balance_open" not in self.journey.data:
            return
        from touchpoint.payments.selectors import case_money

        due = case_money(case=self.case).balance_due
        said = bool(self.case.data.get("balance_open"))
        self.counts["balance checks"] += 1
        if said != (due > 0):
            self.problem(f"the journey says balance_open={said}, but case_money says £{due} is due")

    def check_records(self, step: Step) -> None:
        """A move that stands for a record has it: the quote proposed, approved or declined; the
        feedback given. (A case moved while its record says otherwise tells the customer one thing
        and bills them another.)"""
        from touchpoint.quotes.models import Quote

        latest = Quote.objects.filter(case=self.case).order_by("-id").first()
        wanted = {"quote_approved": "approved", "quote_declined": "declined"}.get(step.event)
        if wanted is not None and (latest is None or latest.status != wanted):
            status = latest.status if latest is not None else "no quote at all"
            self.problem(f"`{step.event}` moved the case, but its quote is {status!r}, not {wanted!r}")
        if step.event in ("diagnosed", "quote_revised") and float(step.given.get("quote_total", 0)) > 0:
            total = float(latest.total) if latest is not None else None
            if latest is None or latest.status != "proposed" or total != float(step.given["quote_total"]):
                self.problem(f"`{step.event}` with £{step.given['quote_total']} left no proposed quote of that total")
        if step.event == "feedback_given":
            from touchpoint.feedback.models import Feedback

            given = Feedback.objects.filter(case=self.case).first()
            if given is None or given.csat != int(step.given.get("rating", 0)):
                self.problem(
                    f"feedback of {step.given.get('rating')} was taken, but the record says {given and given.csat}"
                )

    def check_refunds_worked(self) -> None:
        """Every refund promised on the way is back with the customer, or a person's task with its
        amount: none failed unseen, none still waiting for the worker."""
        from touchpoint.payments.models import Refund, RefundStatus

        for refund in Refund.objects.filter(case=self.case):
            self.counts["refunds"] += 1
            if refund.status == RefundStatus.TO_SEND:
                self.problem(f"the refund of £{refund.amount} for `{refund.event}` was never sent")
            elif refund.status == RefundStatus.FAILED and refund.task_id is None:
                self.problem(f"the refund of £{refund.amount} failed ({refund.problem}) and no one has a task for it")
            elif refund.status == RefundStatus.PAY_BACK and refund.task_id is None:
                self.problem(f"the refund of £{refund.amount} is a person's to pay back, but no one has a task for it")

    def check_refund(self, step: Step) -> None:
        """A move with ``refund:`` records the money it promises back, in the same transaction."""
        if step.refund is None:
            return
        from touchpoint.payments.models import Refund

        recorded = list(Refund.objects.filter(case=self.case, event=step.event))
        if step.refund == "all":
            wanted = self.paid_total() - sum(
                (r.amount for r in Refund.objects.filter(case=self.case).exclude(event=step.event)), Decimal(0)
            )
        else:
            assert self.case is not None
            wanted = Decimal(str(self.case.data.get(step.refund) or 0)).quantize(Decimal("0.01"))
        got = sum((r.amount for r in recorded), Decimal(0))
        if wanted > 0 and got != wanted:
            self.problem(f"`{step.event}` promises `refund: {step.refund}` = £{wanted}; refunds recorded: £{got}")
