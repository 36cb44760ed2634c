"""The journey language as typed data. A YAML file is loaded into :class:`Journey` (see ``loader``).

The JSON Schema shipped in ``schema/journey.schema.json`` is generated from these classes
(``touchpoint journey schema``), so editors complete and check journey files as they are typed.
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, WithJsonSchema, model_validator

from touchpoint.journeys.carrier import CANONICAL_STATUSES
from touchpoint.journeys.data import DataError, DataType, coerce
from touchpoint.journeys.durations import format_duration, parse_duration

NAME_PATTERN = r"^[a-z][a-z0-9_]*$"
JOURNEY_NAME_PATTERN = r"^[a-z][a-z0-9_-]*$"  # journeys are named like files: mail-in-repair
OWNER_PATTERN = r"^(customer|carrier|system|team:[a-z][a-z0-9_-]*)$"
ACTOR_PATTERN = r"^(customer|carrier|system|staff|team:[a-z][a-z0-9_-]*|role:(agent|lead|admin))$"
DURATION_SCHEMA = {
    "type": "string",
    "pattern": r"^(\d+w)?\s*(\d+d)?\s*(\d+h)?\s*(\d+m)?\s*(\d+s)?$|^P",
    "description": "A duration: `30m`, `4h`, `2d`, `1w`, `1d12h`, or ISO 8601 like `P2DT4H`.",
    "examples": ["4h", "2d", "1d12h"],
}


def _seconds(value: Any) -> Any:
    if isinstance(value, str):
        return parse_duration(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("a duration is written as text with a unit, e.g. `4h` or `2d`")
    raise ValueError(f"`{value}` has no unit — write e.g. `{value}h` or `{value}d`")


Clock = Literal["business", "calendar"]
Duration = Annotated[
    int,
    BeforeValidator(_seconds),
    PlainSerializer(format_duration, return_type=str),
    WithJsonSchema(DURATION_SCHEMA),
]
Name = Annotated[str, Field(pattern=NAME_PATTERN, max_length=80)]
Text = Annotated[str, Field(min_length=1, max_length=1000)]

# Keys are checked by the checker (J230, with a "did you mean"); the schema lists them for editors.
CarrierMap = Annotated[
    dict[Name, Name],
    WithJsonSchema(
        {
            "type": "object",
            "propertyNames": {"enum": list(CANONICAL_STATUSES)},
            "additionalProperties": {"type": "string", "pattern": NAME_PATTERN, "maxLength": 80},
            "examples": [{"delivered": "box_delivered", "exception": "box_not_delivered"}],
        }
    ),
]


def _one_or_many(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


Who = Annotated[str, Field(pattern=ACTOR_PATTERN)]
Names = Annotated[list[Name], Field(min_length=1)]
Whos = Annotated[list[Who], Field(min_length=1)]
# `from: a` and `from: [a, b]` both load (as a list); `json_schema_input_type` makes the generated
# JSON Schema say so too (one value or a list), so editors don't flag the single-value form.
OneOrMoreNames = Annotated[Names, BeforeValidator(_one_or_many, json_schema_input_type=Name | Names)]
OneOrMoreWhos = Annotated[Whos, BeforeValidator(_one_or_many, json_schema_input_type=Who | Whos)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, str_strip_whitespace=True)


class Sim(_Strict):
    """What simulation assumes for a transition until history can be measured."""

    weight: Annotated[float, Field(ge=0, le=1, description="Chance this transition is the one taken from its state.")]
    after: Duration | None = Field(default=None, description="Fixed time spent before it happens.")
    median: Duration | None = Field(default=None, description="Median time before it happens (log-normal).")
    p90: Duration | None = Field(default=None, description="90th percentile of that time (log-normal).")

    @model_validator(mode="after")
    def _shape(self) -> Sim:
        if self.after is not None and (self.median is not None or self.p90 is not None):
            raise ValueError("give either `after` or `median` with `p90`, not both")
        if (self.median is None) != (self.p90 is None):
            raise ValueError("`median` and `p90` go together — give both, or `after` alone")
        if self.median is not None and self.p90 is not None and self.p90 < self.median:
            raise ValueError("`p90` is shorter than `median` — the 90th percentile can't be below the median")
        return self


Const = str | int | float | bool | None


class DataField(_Strict):
    """One field of case data: its type, what it means, and whether intake or the opening sets it."""

    type: DataType = Field(description="text | boolean | integer | number | money | choice | address")
    meaning: Text = Field(description="What the field holds, in words for the people who read the journey.")
    intake: bool = Field(default=False, description="Gathered when the case opens (asked once, at intake).")
    initial: Const = Field(default=None, description="A value every case starts with, e.g. `0` for a total.")
    choices: list[Annotated[str, Field(min_length=1, max_length=80)]] | None = Field(
        default=None, description="For `type: choice`: the values it may take."
    )
    min: float | None = Field(default=None, description="For numbers: the smallest value allowed.")
    max: float | None = Field(default=None, description="For numbers: the largest value allowed.")

    @model_validator(mode="after")
    def _shape(self) -> DataField:
        if (self.type == "choice") != (self.choices is not None):
            raise ValueError("`choices` goes with `type: choice`, and a choice needs its `choices`")
        if self.choices is not None and len(set(self.choices)) != len(self.choices):
            raise ValueError("`choices` lists a value twice")
        if (self.min is not None or self.max is not None) and self.type not in ("integer", "number", "money"):
            raise ValueError("`min` and `max` are for numbers (integer, number, money)")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("`min` is larger than `max`")
        if self.intake and self.initial is not None:
            raise ValueError("a field is either gathered at `intake` or given an `initial` value, not both")
        if self.initial is not None:
            self.check(self.initial)
        return self

    def check(self, value: Any) -> Any:
        """``value`` as this field stores it; raises ``ValueError`` (:class:`DataError`) saying what fits."""
        return coerce(self.type, value, choices=self.choices, minimum=self.min, maximum=self.max)

    @property
    def set_on_open(self) -> bool:
        return self.intake or self.initial is not None


class EventInfo(_Strict):
    """How people see an event: the words on its button, and who reports it when no person does."""

    label: Text = Field(description="What its button says to staff, e.g. `Quality check passed`.")
    customer: Text | None = Field(
        default=None, description="What its button says on the customer's page, e.g. `Send it back to me`."
    )
    help: Text | None = Field(default=None, description="One sentence on what happens when it is recorded.")
    via: Name | None = Field(
        default=None,
        description="For an event only `system` triggers: the integration that reports it, e.g. `payments`.",
    )
    in_messages: bool = Field(
        default=True,
        description='Listed under "What you can do now" in messages. `false` for a customer\'s action the '
        "page always offers, such as a complaint, which would crowd every cheerful message.",
    )


def _label_only(value: Any) -> Any:
    return {"label": value} if isinstance(value, str) else value


EventEntry = Annotated[EventInfo, BeforeValidator(_label_only, json_schema_input_type=Text | EventInfo)]


class State(_Strict):
    """Where a case can be, who must act there, and how long it may wait."""

    owner: Annotated[str, Field(pattern=OWNER_PATTERN, description="customer | team:<name> | carrier | system")]
    label: Text = Field(description="What the customer sees for this step on their tracking page.")
    next_step: Text | None = Field(default=None, description="One sentence: what happens next, for the customer.")
    wait_limit: Duration | None = Field(default=None, description="How long a case may sit here.")
    on_timeout: Name | None = Field(default=None, description="The event fired when the wait limit runs out.")
    accept_within: Duration | None = Field(
        default=None, description="For a team or carrier receiving a handoff: time to accept it."
    )
    clock: Clock | None = Field(
        default=None,
        description="Which clock `wait_limit` and `accept_within` count in: `business` (the owning team's opening "
        "hours; the shop's for a state no team owns) or `calendar`. Unset: business for a team-owned state, "
        "calendar otherwise.",
    )
    wait_clock: Clock | None = Field(
        default=None,
        description="The clock `wait_limit` alone counts in, when it differs from `clock`: e.g. `calendar` for a "
        "team's wait that decides when the customer next hears from us (customers don't keep our hours), "
        "while the team's `accept_within` still counts its opening hours.",
    )
    outcome: Literal["success", "failure"] | None = Field(default=None, description="Set on terminal states only.")
    exception: bool = Field(default=False, description="Something has gone wrong; people must own it.")
    carrier: CarrierMap | None = Field(
        default=None,
        description="For a carrier-owned state: each canonical tracking status → the event it fires here, "
        "or `stay`. Progress statuses left out stay; delivered, exception, return_to_sender and expired "
        "must be given.",
    )

    @property
    def terminal(self) -> bool:
        return self.outcome is not None

    @property
    def owner_kind(self) -> str:
        return self.owner.split(":", 1)[0]

    @property
    def team(self) -> str | None:
        return self.owner.split(":", 1)[1] if self.owner.startswith("team:") else None

    @property
    def limit_clock(self) -> Clock:
        """The clock this state's limits count in: as written, else business time for a team's state
        (a team keeps its hours) and calendar time for the rest (customers and carriers don't)."""
        return self.clock or ("business" if self.team else "calendar")

    @property
    def wait_clock_used(self) -> Clock:
        """The clock `wait_limit` counts in: `wait_clock` when given, else the state's."""
        return self.wait_clock or self.limit_clock

    @model_validator(mode="after")
    def _shape(self) -> State:
        if self.on_timeout is not None and self.wait_limit is None:
            raise ValueError("`on_timeout` needs a `wait_limit` — say how long the case may wait before it fires")
        if self.wait_limit is not None and self.on_timeout is None:
            raise ValueError("`wait_limit` needs `on_timeout` — name the event that fires when the limit runs out")
        if self.outcome is not None and self.wait_limit is not None:
            raise ValueError(
                "a terminal state (with `outcome`) can't have a `wait_limit` — nothing waits after the end"
            )
        if self.wait_clock is not None and self.wait_limit is None:
            raise ValueError("`wait_clock` says which clock the `wait_limit` counts in, but there is none")
        if self.clock is not None and self.wait_limit is None and self.accept_within is None:
            raise ValueError(
                "`clock` says which clock the state's limits count in, but it has none — "
                "give a `wait_limit` or drop `clock`"
            )
        if self.accept_within is not None and self.wait_limit is not None and self.accept_within > self.wait_limit:
            raise ValueError(
                "`accept_within` is longer than `wait_limit` — the handoff must be accepted before the wait runs out"
            )
        return self


class Transition(_Strict):
    """On an event in one of the ``from`` states, move to ``to``."""

    from_: OneOrMoreNames = Field(alias="from", description="The state it leaves, or a list of states.")
    on: Name = Field(description="The event that causes this move.")
    to: Name
    guard: str | None = Field(default=None, description="A condition over case data, e.g. `quote_total > 150`.")
    by: OneOrMoreWhos = Field(
        description="Who may trigger it: customer, staff, team:<name>, role:<agent|lead|admin>, carrier, system."
    )
    touchpoint: Name | None = Field(default=None, description="The message to the customer this move sends.")
    silent: Text | None = Field(default=None, description="Why this move sends no message.")
    sim: Sim | None = None
    note: str | None = Field(default=None, max_length=2000)
    sets: dict[Name, Const] = Field(
        default_factory=dict, description="Case data this move writes, as constants: `sets: {repaired: true}`."
    )
    asks: list[Name] = Field(
        default_factory=list,
        description="Case data whoever records the event supplies with it (typed and checked): `asks: [rating]`.",
    )
    refund: Name | None = Field(
        default=None,
        description="Money this move gives back, in the same transaction: `all` (everything paid on the case, "
        "less what was refunded) or a `money` field of the case data (e.g. `order_total`).",
    )

    @model_validator(mode="after")
    def _shape(self) -> Transition:
        if self.touchpoint is not None and self.silent is not None:
            raise ValueError("a transition has either a `touchpoint` or `silent: <reason>`, not both")
        both = sorted(set(self.sets) & set(self.asks))
        if both:
            raise ValueError(f"`{both[0]}` is both set and asked for: a move either sets a field or asks for it")
        if len(set(self.asks)) != len(self.asks):
            raise ValueError("`asks` names a field twice")
        return self


class Journey(_Strict):
    """A versioned definition of one service process."""

    model_config = ConfigDict(json_schema_extra={"title": "Touchpoint journey"})

    name: Annotated[str, Field(pattern=JOURNEY_NAME_PATTERN, max_length=80)]
    version: Annotated[int, Field(ge=1, strict=True)]
    title: Text | None = None
    persona: Name = "norm"
    max_silence: Duration = Field(description="The longest a customer may go without hearing from us.")
    start: Name = Field(description="The state a new case starts in.")
    start_touchpoint: Name | None = Field(
        default=None,
        description="The message sent when a case opens (a key under `touchpoints:`), e.g. `order_received`.",
    )
    touchpoints: dict[Name, Text] = Field(
        default_factory=dict, description="Each message to the customer, by key, with a one-line summary."
    )
    data: dict[Name, DataField] = Field(
        default_factory=dict,
        description="The case data: each field's type and meaning. Guards read only these fields.",
    )
    events: dict[Name, EventEntry] = Field(
        default_factory=dict, description="How people see each event: its button's words (`label`), `help`, `via`."
    )
    states: Annotated[dict[Name, State], Field(min_length=1)]
    transitions: list[Transition] = Field(default_factory=list)

    @model_validator(mode="after")
    def _data_shape(self) -> Journey:
        """Constants in ``sets`` must fit their declared field (a field that isn't declared is the
        checker's to report, with its location and a suggestion)."""
        for transition in self.transitions:
            for name, value in transition.sets.items():
                declared = self.data.get(name)
                if declared is None:
                    continue
                try:
                    declared.check(value)
                except DataError as exc:
                    raise ValueError(
                        f"`{transition.on}` sets `{name}` to {value!r}, which a {declared.type} field can't hold: {exc}"
                    ) from None
        return self

    def event_label(self, event: str) -> str:
        """The words people see for ``event``: its declared ``label``, else its name made readable."""
        info = self.events.get(event)
        return info.label if info is not None else event.replace("_", " ").capitalize()

    def in_messages(self, event: str) -> bool:
        """Do messages list ``event`` among what the customer can do now?"""
        info = self.events.get(event)
        return info is None or info.in_messages

    def customer_label(self, event: str) -> str:
        """The words on the customer's button for ``event``: ``customer``, else its ``label``."""
        info = self.events.get(event)
        return (info.customer or info.label) if info is not None else self.event_label(event)

    def initial_data(self) -> dict[str, Any]:
        """The values every case starts with (fields declared with ``initial``)."""
        return {name: f.check(f.initial) for name, f in self.data.items() if f.initial is not None}

    @property
    def key(self) -> str:
        return f"{self.name}@{self.version}"

    @cached_property
    def index(self) -> dict[tuple[str, str], list[int]]:
        """(state, event) → indexes of the transitions that may fire, in file order."""
        out: dict[tuple[str, str], list[int]] = {}
        for i, transition in enumerate(self.transitions):
            for source in transition.from_:
                out.setdefault((source, transition.on), []).append(i)
        return out

    def events_from(self, state: str) -> list[str]:
        """The events a case in ``state`` can take, in file order."""
        seen: dict[str, None] = {}
        for source, event in self.index:
            if source == state:
                seen[event] = None
        return list(seen)

    def customer_visible(self, transition: Transition, source: str) -> bool:
        """A move the customer can see: their tracking page shows a different step, or the case ends."""
        before, after = self.states.get(source), self.states.get(transition.to)
        if before is None or after is None:
            return False
        return before.label != after.label or (after.terminal and not before.terminal)


SLUG = re.compile(NAME_PATTERN)
