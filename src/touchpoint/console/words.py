"""What the console says in people's words: who did something, a declared field by its meaning, a
stored summary without its keys, and why the journey refused something.

The journey core explains a refusal to the people who write journeys (``staff (agent in care) may
not trigger `offline_payment_received` here; allowed: team:intake``). A person at the console reads
the same refusal with the journey's own words: the event's label, the state's label, team names.
No internal key (``box_not_delivered``, ``team:care``) is shown."""

from __future__ import annotations

import re

from touchpoint.cases.models import Case
from touchpoint.journeys import Journey
from touchpoint.staff.selectors import owner_words

ROLE_WORDS = {"agent": "any member of staff", "lead": "a lead", "admin": "an admin"}
OUTCOME_WORDS = {"success": "ended well", "failure": "ended badly"}
_ACTOR_KINDS = {"timer": "wait limit", "system": "Touchpoint", "customer": "customer", "carrier": "carrier"}
_FOR = {"carrier": "the carrier", "system": "Touchpoint"}


def actor_name(kind: str, first: str | None, last: str | None, username: str | None) -> str:
    """Who wrote an entry: a person as ``str(StaffUser)`` would say it, else what kind of actor."""
    if username is not None:
        person = f"{first or ''} {last or ''}".strip() or username
        # A carrier's or the system's step a person recorded by hand: both are said.
        return f"{person}, for {_FOR.get(kind, kind)}" if kind in _FOR else person
    return _ACTOR_KINDS.get(kind, kind)


def choice_words(value: str) -> str:
    """A choice's value as people read it: ``wrong_item`` → "Wrong item"."""
    return value.replace("_", " ").strip().capitalize()


_CLAUSE = re.compile(r" \(|, |; |: ")
_KEY = re.compile(r"`([a-z][a-z0-9_]*)`")
_OWNER = re.compile(r"\bteam:([a-z][a-z0-9_-]*)")
_VERSION = re.compile(r"\b([a-z][a-z0-9_-]*)@\d+\b")


def field_label(meaning: str, kind: str) -> str:
    """Short words for a declared field, from its ``meaning``: its first clause that names no key
    ("The customer's own description of the problem (may be empty)." → "The customer's own
    description of the problem"; "Given by the packer with `packed`, the scanned part is the one
    the customer ordered." → "The scanned part is the one the customer ordered"), and for a yes/no
    field the statement it answers ("True when a receipt was found" → "A receipt was found")."""
    clauses = [c.strip().rstrip(".)").strip() for c in _CLAUSE.split(meaning)]
    words = next((c for c in clauses if c and "`" not in c), "") or meaning.rstrip(".")
    if kind == "boolean":
        for lead in ("True when ", "True once ", "True if "):
            if words.startswith(lead):
                words = words[len(lead) :]
                break
    return words[:1].upper() + words[1:]


def keys_in_words(journey: Journey, text: str) -> str:
    """``text`` (a journey author's sentence or the engine's) with each `field` or `event` it names said
    in the journey's words: a field by its meaning, an event by its label."""

    def words(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in journey.data:
            declared = journey.data[name]
            return f"“{field_label(declared.meaning, declared.type)}”"
        if name in journey.events or any(event == name for _, event in journey.index):
            return f"“{journey.event_label(name)}”"
        if name in journey.touchpoints:
            return f"“{journey.touchpoints[name]}”"
        return f"“{name.replace('_', ' ')}”"

    return _KEY.sub(words, text)


def owners_in_words(text: str, names: dict[str, str]) -> str:
    """``text`` with each ``team:<slug>`` said as the team's name."""
    return _OWNER.sub(lambda m: owner_words(m.group(0), names), text)


def summary_words(journey: Journey, names: dict[str, str], text: str) -> str:
    """A stored timeline summary as people read it: a team by its name, a journey by its title, and
    any `key` by the journey's words. (Entries written before the services said it in words keep
    their wording; this reads them without their keys.)"""
    text = owners_in_words(text, names)
    text = _VERSION.sub(lambda m: journey.title or m.group(1) if m.group(1) == journey.name else m.group(0), text)
    return keys_in_words(journey, text)


def who_words(allowed: list[str], names: dict[str, str]) -> str:
    """A transition's ``by`` entries in words: "Intake or a lead"."""
    out: list[str] = []
    for who in allowed:
        if who.startswith("role:"):
            words = ROLE_WORDS.get(who[5:], who[5:])
        elif who == "staff":
            words = ROLE_WORDS["agent"]
        else:
            words = owner_words(who, names)
        if words not in out:
            out.append(words)
    if len(out) > 1:
        return f"{', '.join(out[:-1])} or {out[-1]}"
    return out[0] if out else "nobody"


def refusal_words(*, journey: Journey, case: Case, event: str, code: str, reason: str, names: dict[str, str]) -> str:
    """Why the journey refused ``event`` on ``case`` (``code`` and ``reason`` from the refusal), in the
    journey's words and without its internal keys."""
    label = f"“{journey.event_label(event)}”"
    state = journey.states.get(case.state)
    where = f"“{state.label}”" if state is not None else "its current step"
    if code == "terminal":
        return "the case has ended; nothing more can happen to it"
    if code == "unknown-event":
        return f"{label} can't happen while the case is at {where}"
    if code == "actor-not-allowed":
        allowed = sorted({b for i in journey.index.get((case.state, event), []) for b in journey.transitions[i].by})
        people = [b for b in allowed if b not in ("system", "carrier", "customer")] or allowed
        return f"{label} isn't yours to record at {where}: it is for {who_words(people, names)}"
    if code == "no-guard-matched":
        return f"{label} doesn't apply to this case as it stands (at {where})"
    if code in ("bad-input", "missing-input"):
        return keys_in_words(journey, reason.split(": ", 1)[-1])
    return keys_in_words(journey, reason)
