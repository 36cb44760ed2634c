"""The rules, each with a stable code, a slug, a severity and a one-line summary."""

from __future__ import annotations

from dataclasses import dataclass

from touchpoint.journeys.diagnostics import Severity


@dataclass(frozen=True)
class Rule:
    code: str
    slug: str
    severity: Severity
    summary: str


_E, _W = Severity.ERROR, Severity.WARNING
RULES: dict[str, Rule] = {
    rule.code: rule
    for rule in (
        Rule("J101", "unknown-state", _E, "`start`, `from` and `to` must name states the journey defines."),
        Rule(
            "J102",
            "unknown-event",
            _E,
            "A state's `on_timeout` is an event a transition takes from it; no event misspells a declared one.",
        ),
        Rule("J103", "unknown-touchpoint", _E, "Every touch point sent must be declared under `touchpoints:`."),
        Rule("J104", "unused-touchpoint", _W, "Every declared touch point should be sent: by a move or on opening."),
        Rule("J201", "unreachable-state", _E, "Every state must be reachable from `start`."),
        Rule("J202", "trap-state", _E, "From every reachable state, some end (a state with `outcome`) is reachable."),
        Rule("J203", "no-wait-limit", _E, "Every state but an end needs a `wait_limit`: no case waits forever."),
        Rule("J204", "nondeterministic", _E, "Moves on the same state and event need guards that exclude each other."),
        Rule("J205", "handoff-without-limit", _E, "A handoff to a team or carrier needs `accept_within` on arrival."),
        Rule("J206", "untold-visible-transition", _E, "A move the customer can see needs a touch point or a reason."),
        Rule("J207", "exception-not-people", _E, "An exception state is owned by a team of people (`team:<name>`)."),
        Rule("J208", "untold-failure", _E, "A move into a failure end sends a touch point: bad news is always told."),
        Rule("J209", "silence-bound", _E, "The longest a customer can go unheard stays within `max_silence`."),
        Rule("J210", "exit-from-terminal", _W, "Nothing leaves an end state: a case that has ended never moves."),
        Rule("J211", "guard-never-holds", _W, "A guard that can never be true makes its transition dead."),
        Rule("J212", "timeout-may-be-refused", _E, "When a timer fires, one of its transitions is always allowed."),
        Rule("J213", "timeout-sim-time", _W, "A timeout fires at its wait limit: a time in its `sim` is ignored."),
        Rule("J220", "data-undeclared", _E, "A guard reads only fields declared under `data:`."),
        Rule("J221", "data-unset", _E, "A guard reads a field only where every route to it has set the field."),
        Rule("J222", "data-unused", _W, "Every declared field is set somewhere, and read by a guard or at intake."),
        Rule("J223", "data-bad-write", _E, "`sets`, `asks` and `refund` name declared fields a move can write."),
        Rule("J224", "event-unrecordable", _E, "Every event has a recorder: a person, a carrier, a timer, or `via`."),
        Rule("J225", "event-unlabelled", _W, "An event people record has a `label` under `events:`, not a raw key."),
        Rule("J226", "event-label-unused", _W, "Every event under `events:` is one some transition takes."),
        Rule("J227", "guard-never-holds-for-data", _W, "A guard can hold for the values its fields really take."),
        Rule("J230", "carrier-unknown-status", _E, "A `carrier:` mapping names only canonical carrier statuses."),
        Rule("J231", "carrier-not-owner", _E, "Only a carrier-owned state (`owner: carrier`) maps carrier statuses."),
        Rule(
            "J232",
            "carrier-status-unmapped",
            _E,
            "A carrier-owned state maps `delivered`, `exception`, `return_to_sender` and `expired` to events.",
        ),
        Rule("J233", "carrier-unknown-event", _E, "A mapped event is one a transition takes from that state."),
        Rule("J234", "carrier-not-allowed", _E, "A mapped event's transitions list `carrier` in their `by`."),
        Rule(
            "J235",
            "carrier-bad-news-unattended",
            _E,
            "The carrier's bad news goes to people: not its delivery's event, into a state a team owns.",
        ),
    )
}
