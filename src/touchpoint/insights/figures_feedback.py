"""Figures about what customers felt and what we gave: CSAT by journey, step and agent; automated
versus personal messages; remedies and their cost. Same shape as :mod:`.figures`."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from touchpoint.cases.models import TimelineEntry, TimelineKind
from touchpoint.feedback.models import Feedback
from touchpoint.insights.figures import Cell, Chart, Figure, Scope, _Journeys
from touchpoint.outbox.models import OutboxMessage
from touchpoint.remedies.models import Remedy
from touchpoint.staff.models import StaffUser

REPLY_EVENT = "staff_reply"  # the timeline event of a staff reply (outbox.replies)


def _csat_row(ratings: list[int]) -> tuple[int, float, float]:
    """(responses, average, share of 4s and 5s in %)."""
    good = sum(1 for r in ratings if r >= 4)
    return len(ratings), round(sum(ratings) / len(ratings), 2), round(100 * good / len(ratings), 1)


def _feedback(scope: Scope) -> dict[int, int]:
    """Case id -> CSAT for the cases in scope that have feedback."""
    rows = Feedback.objects.filter(scope.case_q()).values_list("case_id", "csat")
    return dict(rows.iterator(chunk_size=2000))


def csat_by_journey(scope: Scope) -> Figure:
    ratings: dict[str, list[int]] = defaultdict(list)
    rows_in = Feedback.objects.filter(scope.case_q()).values_list("case__journey__name", "csat")
    for name, csat in rows_in.iterator(chunk_size=2000):
        ratings[name].append(csat)
    rows: list[tuple[Cell, ...]] = [(name, *_csat_row(values)) for name, values in sorted(ratings.items())]
    return Figure(
        "csat_by_journey",
        "CSAT by journey",
        "Average rating (1–5) and the share of 4s and 5s, per journey.",
        ("journey", "responses", "average", "share_4_or_5_pct"),
        rows,
        Chart(label=(0,), value=2),
    )


def csat_by_step(scope: Scope) -> Figure:
    """Each rating counted once for every step its case went through: low averages show where
    the cases that ended badly had been."""
    journeys = _Journeys()
    csat = _feedback(scope)
    visited: dict[int, set[str]] = defaultdict(set)
    journey_of_case: dict[int, int] = {}
    entries = (
        TimelineEntry.objects.filter(case_id__in=list(csat), kind__in=[TimelineKind.OPENED, TimelineKind.TRANSITION])
        .exclude(to_state="")
        .values_list("case_id", "case__journey_id", "to_state")
    )
    for case_id, journey_id, state in entries.iterator(chunk_size=2000):
        visited[case_id].add(state)
        journey_of_case[case_id] = journey_id
    ratings: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for case_id, states in visited.items():
        version, journey = journeys.get(journey_of_case[case_id])
        for state in states:
            definition = journey.states.get(state)
            if definition is None or definition.outcome is not None:
                continue
            ratings[(version.name, state, definition.label or state)].append(csat[case_id])
    rows: list[tuple[Cell, ...]] = [(*key, *_csat_row(values)) for key, values in ratings.items()]
    rows.sort(key=lambda row: (float(row[4] or 0), str(row[0]), str(row[1])))
    return Figure(
        "csat_by_step",
        "CSAT by step",
        "Average rating of the cases that went through each step, lowest first.",
        ("journey", "state", "label", "responses", "average", "share_4_or_5_pct"),
        rows,
        Chart(label=(2,), value=4),
    )


def csat_by_agent(scope: Scope) -> Figure:
    """Each rating counted for every person who acted on its case (moved it, wrote, noted)."""
    csat = _feedback(scope)
    people: dict[int, set[int]] = defaultdict(set)
    actors = (
        TimelineEntry.objects.filter(case_id__in=list(csat), actor_user__isnull=False)
        .values_list("case_id", "actor_user_id")
        .distinct()
    )
    for case_id, user_id in actors.iterator(chunk_size=2000):
        if user_id is not None:
            people[user_id].add(case_id)
    names = {user.pk: str(user) for user in StaffUser.objects.filter(pk__in=list(people))}
    rows: list[tuple[Cell, ...]] = [
        (names[user_id], *_csat_row([csat[c] for c in cases])) for user_id, cases in people.items()
    ]
    rows.sort(key=lambda row: (-float(row[2] or 0), str(row[0])))
    return Figure(
        "csat_by_agent",
        "CSAT by person",
        "Average rating of the cases each person acted on.",
        ("person", "responses", "average", "share_4_or_5_pct"),
        rows,
        Chart(label=(0,), value=2),
    )


def messages_by_kind(scope: Scope) -> Figure:
    """Messages to customers: sent by the journey on its own, chosen by a person from the
    persona's templates, or written by a person in their own words."""
    replies = TimelineEntry.objects.filter(scope.case_q(), event=REPLY_EVENT).values_list(
        "case__journey__name", "detail"
    )
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    by_person: set[int] = set()
    for name, detail in replies.iterator(chunk_size=2000):
        personal = bool((detail or {}).get("personal"))
        counts[name][2 if personal else 1] += 1
        if isinstance((detail or {}).get("message"), int):
            by_person.add(detail["message"])
    messages = OutboxMessage.objects.filter(scope.case_q(), case__isnull=False).values_list(
        "pk", "case__journey__name", "touchpoint"
    )
    for pk, name, touchpoint in messages.iterator(chunk_size=2000):
        if touchpoint:
            counts[name][0] += 1
        elif pk not in by_person:
            counts[name][3] += 1
    rows: list[tuple[Cell, ...]] = []
    for name, (journey_sent, chosen, own, notices) in sorted(counts.items()):
        total = journey_sent + chosen + own + notices
        rows.append((name, journey_sent, notices, chosen, own, round(100 * own / total, 1) if total else 0.0))
    return Figure(
        "messages_by_kind",
        "Automated and personal messages",
        "Messages to customers: sent by the journey, automatic notices, a persona template a person chose, "
        "and a person's own words (and their share).",
        (
            "journey",
            "journey_touch_points",
            "automatic_notices",
            "persona_templates_by_staff",
            "own_words",
            "own_words_pct",
        ),
        rows,
        Chart(label=(0,), value=4),
    )


def remedies_cost(scope: Scope) -> Figure:
    given: dict[tuple[str, str], int] = defaultdict(int)
    cost: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    asked: dict[tuple[str, str], int] = defaultdict(int)
    remedies = Remedy.objects.filter(scope.case_q()).values_list("kind", "currency", "amount", "approved_by_id")
    for kind, currency, amount, approved_by in remedies.iterator(chunk_size=2000):
        key = (kind, currency.upper())
        given[key] += 1
        cost[key] += amount or Decimal("0")
        asked[key] += 1 if approved_by is not None else 0
    rows: list[tuple[Cell, ...]] = [
        (
            kind.replace("_", " "),
            count,
            float(cost[(kind, currency)]),
            currency,
            count - asked[(kind, currency)],
            asked[(kind, currency)],
        )
        for (kind, currency), count in given.items()
    ]
    rows.sort(key=lambda row: (-float(row[2] or 0), str(row[0])))
    return Figure(
        "remedies_cost",
        "Remedies and their cost",
        "Remedies given, what they cost, and how many were within the giver's own limit or approved by a lead.",
        ("remedy", "given", "cost", "currency", "within_own_limit", "approved_by_lead"),
        rows,
        Chart(label=(0,), value=2),
    )
