"""Rebuild the themes from what customers wrote; a lead names them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction

from touchpoint.core.clock import now
from touchpoint.feedback.models import Feedback
from touchpoint.inbox.models import InboundMessage, Kind
from touchpoint.staff.models import StaffUser
from touchpoint.text.redact import redact
from touchpoint.text.themes import find_themes
from touchpoint.themes.models import Theme, ThemeMember, ThemeRun

WEEKS = 8
CARRY_OVER = 0.5  # a new theme this close to a named one keeps its name and note


@dataclass(frozen=True)
class Said:
    """One thing a customer told us, in their own words."""

    text: str
    customer_id: int
    case_id: int | None
    at: datetime
    customer_name: str


def customer_texts(*, since: datetime | None = None, case_id: int | None = None) -> list[Said]:
    """Feedback comments and customers' own messages (without quoted history), oldest first; all of
    them, or those since a moment, or those on one case."""
    said: list[Said] = []
    feedback = Feedback.objects.exclude(comment="").select_related("customer")
    messages = (
        InboundMessage.objects.filter(kind=Kind.REPLY, customer__isnull=False)
        .exclude(reply_text="")
        .select_related("customer")
    )
    if since is not None:
        feedback, messages = feedback.filter(created_at__gte=since), messages.filter(received_at__gte=since)
    if case_id is not None:
        feedback, messages = feedback.filter(case_id=case_id), messages.filter(case_id=case_id)
    for item in feedback.iterator(chunk_size=500):
        said.append(Said(item.comment, item.customer_id, item.case_id, item.created_at, item.customer.name))
    for message in messages.iterator(chunk_size=500):
        who = message.customer
        if who is not None:
            said.append(Said(message.reply_text, who.pk, message.case_id, message.received_at, who.name))
    said.sort(key=lambda s: s.at)
    return said


def _weekly(moments: list[datetime], at: datetime) -> list[int]:
    counts = [0] * WEEKS
    for moment in moments:
        age = (at - moment).days // 7
        if 0 <= age < WEEKS:
            counts[WEEKS - 1 - age] += 1
    return counts


def themes_rebuild(*, seed: int = 0) -> ThemeRun:
    """Group everything customers wrote into themes and store the run; names and fix notes given to
    the previous run's themes carry over to the new theme closest to each (cosine ≥ 0.5)."""
    said = customer_texts()
    model = find_themes([s.text for s in said], seed=seed)
    at = now()
    previous = ThemeRun.objects.first()
    named = list(previous.themes.exclude(name="")) if previous is not None else []
    with transaction.atomic():
        run = ThemeRun.objects.create(
            created_at=at, seed=seed, texts=len(said), vocabulary=model.vocabulary, idf=model.idf
        )
        for position, found in enumerate(model.themes):
            members = [said[i] for i in found.members]
            theme = Theme.objects.create(
                run=run,
                position=position,
                terms=list(found.terms),
                centroid=found.centroid,
                size=len(members),
                customers=len({m.customer_id for m in members}),
                examples=[redact(said[i].text, known_names=[said[i].customer_name]).text[:400] for i in found.examples],
                weekly=_weekly([m.at for m in members], at),
            )
            ThemeMember.objects.bulk_create(
                ThemeMember(theme=theme, customer_id=m.customer_id, case_id=m.case_id, at=m.at) for m in members
            )
            _carry_over(theme, named)
    return run


def _carry_over(theme: Theme, named: list[Theme]) -> None:
    """Give ``theme`` the name and fix note of the previously named theme most like it, if any is close."""
    scored = [(_cosine(theme.centroid, old.centroid), old.pk, old) for old in named]
    if not scored:
        return
    score, _, best = max(scored, key=lambda item: (item[0], -item[1]))
    if score >= CARRY_OVER:
        theme.name, theme.fix_note = best.name, best.fix_note
        theme.named_by, theme.named_at = best.named_by, best.named_at
        theme.save(update_fields=["name", "fix_note", "named_by", "named_at"])


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    dot = sum(weight * b.get(term, 0.0) for term, weight in a.items())
    norm_a = sum(w * w for w in a.values()) ** 0.5
    norm_b = sum(w * w for w in b.values()) ** 0.5
    return dot / (norm_a * norm_b) if norm_a and norm_b else 0.0


def theme_name(*, theme: Theme, user: StaffUser, name: str, fix_note: str) -> Theme:
    """A lead names a theme and says what is being done about it."""
    from touchpoint.staff.access import has_role

    if not has_role(user, "lead"):
        raise PermissionError("Only a lead names themes.")
    if not name.strip():
        raise ValueError("Give the theme a short name, e.g. 'Battery drains after repair'.")
    theme.name, theme.fix_note, theme.named_by, theme.named_at = name.strip()[:120], fix_note.strip(), user, now()
    theme.save(update_fields=["name", "fix_note", "named_by", "named_at"])
    return theme


def themes_due(*, every: timedelta = timedelta(hours=24)) -> bool:
    last = ThemeRun.objects.first()
    return last is None or now() - last.created_at >= every


def themes_refresh(*, every: timedelta = timedelta(hours=24)) -> ThemeRun | None:
    """Regroup when the last run is older than ``every`` and customers have written since; the
    worker calls this in its housekeeping. Returns the new run, or None when nothing was due."""
    last = ThemeRun.objects.first()
    if last is not None and now() - last.created_at < every:
        return None
    if last is not None and last.texts == len(customer_texts()):
        return None
    return themes_rebuild(seed=last.seed if last is not None else 0)
