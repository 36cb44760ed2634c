"""What the console says when the journey refuses something, in people's words.

The journey core explains a refusal to the people who write journeys (``staff (agent in care) may
not trigger `offline_payment_received` here; allowed: team:intake``). A person at the console reads
the same refusal with the journey's own words: the event's label, the state's label, team names."""

from __future__ import annotations

from touchpoint.cases.models import Case
from touchpoint.cases.selectors.case_view import keys_in_words
from touchpoint.journeys import Journey
from touchpoint.staff.selectors import owner_words

ROLE_WORDS = {"agent": "any member of staff", "lead": "a lead", "admin": "an admin"}


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
