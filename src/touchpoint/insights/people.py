"""People: what each staff member did and what customers said about it; who deserves recognition
and, for leads only, where complaints cluster on one person (a prompt to coach, not a verdict)."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from touchpoint.cases.models import Case, TimelineEntry
from touchpoint.feedback.models import Feedback
from touchpoint.remedies.models import Remedy
from touchpoint.staff.models import StaffUser
from touchpoint.text.redact import redact

COMPLIMENT = 4  # CSAT from which feedback is a compliment
COMPLAINT = 2  # CSAT up to which it is a complaint
COACH_MIN_RATED = 3  # rated cases a person needs before a flag is fair
COACH_MIN_COMPLAINTS = 2
COACH_FACTOR = 2.0  # a person's complaint rate this many times everyone's


@dataclass(frozen=True)
class Quote:
    text: str
    csat: int
    at: datetime
    reference: str
    names_them: bool  # the comment names the person, not only their case


@dataclass
class Person:
    user: StaffUser
    cases: set[int] = field(default_factory=set)
    ratings: list[int] = field(default_factory=list)
    compliments: list[Quote] = field(default_factory=list)
    complaints: list[Quote] = field(default_factory=list)
    remedies: dict[str, int] = field(default_factory=dict)
    remedy_cost: Decimal = Decimal("0")

    @property
    def average(self) -> float | None:
        return round(sum(self.ratings) / len(self.ratings), 2) if self.ratings else None

    @property
    def complaint_rate(self) -> float:
        return len(self.complaints) / len(self.ratings) if self.ratings else 0.0


@dataclass(frozen=True)
class CoachingFlag:
    user: StaffUser
    complaints: int
    rated: int
    rate: float
    overall_rate: float

    @property
    def reason(self) -> str:
        return (
            f"{self.complaints} of the {self.rated} rated cases {self.user.first_name or self.user} acted on were "
            f"complaints ({self.rate:.0%}, against {self.overall_rate:.0%} for everyone)"
        )


def _names(user: StaffUser, text: str) -> bool:
    first = (user.first_name or "").strip()
    return bool(first) and re.search(rf"\b{re.escape(first)}\b", text, re.IGNORECASE) is not None


def people(*, since: datetime | None = None) -> dict[int, Person]:
    """Every active staff member with what they did on cases opened since ``since``."""
    staff = {
        user.pk: Person(user) for user in StaffUser.objects.filter(is_active=True).order_by("first_name", "username")
    }
    cases = Case.objects.all() if since is None else Case.objects.filter(opened_at__gte=since)
    acted = (
        TimelineEntry.objects.filter(actor_user__isnull=False, case__in=cases)
        .values_list("actor_user_id", "case_id")
        .distinct()
    )
    by_case: dict[int, set[int]] = defaultdict(set)
    for user_id, case_id in acted.iterator(chunk_size=2000):
        if user_id in staff:
            staff[user_id].cases.add(case_id)
            by_case[case_id].add(user_id)
    feedback = Feedback.objects.filter(case__in=cases).select_related("case", "customer")
    for item in feedback.iterator(chunk_size=1000):
        text = redact(item.comment, known_names=[item.customer.name]).text if item.comment else ""
        for user_id in by_case.get(item.case_id, set()):
            person = staff[user_id]
            person.ratings.append(item.csat)
            quote = Quote(text, item.csat, item.created_at, item.case.reference, _names(person.user, item.comment))
            if item.csat >= COMPLIMENT:
                person.compliments.append(quote)
            elif item.csat <= COMPLAINT:
                person.complaints.append(quote)
        if item.csat >= COMPLIMENT and item.comment:  # praise that names someone who didn't touch the case
            for person in staff.values():
                if item.case_id not in person.cases and _names(person.user, item.comment):
                    quote = Quote(
                        redact(item.comment, known_names=[item.customer.name]).text,
                        item.csat,
                        item.created_at,
                        item.case.reference,
                        True,
                    )
                    person.compliments.append(quote)
    remedies = Remedy.objects.filter(case__in=cases).values_list("applied_by_id", "kind", "amount")
    for user_id, kind, amount in remedies.iterator(chunk_size=2000):
        if user_id in staff:
            person = staff[user_id]
            person.remedies[kind] = person.remedies.get(kind, 0) + 1
            person.remedy_cost += amount or Decimal("0")
    for person in staff.values():
        person.compliments.sort(key=lambda q: (not q.names_them, -q.at.timestamp()))
        person.complaints.sort(key=lambda q: -q.at.timestamp())
    return staff


def recognition_board(everyone: dict[int, Person], *, top: int = 5) -> list[Person]:
    """Most compliments first (naming them counts double), then the best average."""
    ranked = [p for p in everyone.values() if p.compliments]
    ranked.sort(
        key=lambda p: (
            -(len(p.compliments) + sum(1 for q in p.compliments if q.names_them)),
            -(p.average or 0),
            p.user.username,
        )
    )
    return ranked[:top]


def coaching_flags(everyone: dict[int, Person]) -> list[CoachingFlag]:
    """People whose rated cases end in complaints at least twice as often as everyone's, with at
    least two complaints among three or more rated cases. Leads see these; nobody else does."""
    rated = sum(len(p.ratings) for p in everyone.values())
    complaints = sum(len(p.complaints) for p in everyone.values())
    overall = complaints / rated if rated else 0.0
    flags = [
        CoachingFlag(p.user, len(p.complaints), len(p.ratings), p.complaint_rate, overall)
        for p in everyone.values()
        if len(p.ratings) >= COACH_MIN_RATED
        and len(p.complaints) >= COACH_MIN_COMPLAINTS
        and p.complaint_rate >= COACH_FACTOR * overall
    ]
    flags.sort(key=lambda f: (-f.rate, -f.complaints, f.user.username))
    return flags
