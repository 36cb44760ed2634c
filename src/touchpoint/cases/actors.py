"""Who acts on a case, in the Django layer's terms, and how the journey core sees them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from touchpoint.journeys import Actor
from touchpoint.staff.models import StaffUser

ActorKind = Literal["customer", "staff", "system", "carrier", "timer"]
StaffRole = Literal["agent", "lead", "admin"]
# A stored role as the journey core types it; an unknown one (edited by hand) grants no role rights.
ROLES: dict[str, StaffRole] = {"agent": "agent", "lead": "lead", "admin": "admin"}


@dataclass(frozen=True)
class CaseActor:
    """``kind`` is who the journey sees; ``user`` the member of staff acting in their own right.

    ``recorder`` is the person who recorded a carrier's or the system's step by hand ("the customer
    says the parcel arrived"): the journey sees the carrier (or system), the timeline keeps the person.
    """

    kind: ActorKind
    user: StaffUser | None = None
    name: str = ""
    recorder: StaffUser | None = None

    def for_journey(self) -> Actor:
        if self.user is None:
            return Actor(self.kind)
        teams = frozenset(self.user.teams.values_list("slug", flat=True))
        return Actor("staff", role=ROLES.get(self.user.role), teams=teams)

    @property
    def person(self) -> StaffUser | None:
        """The member of staff behind this action, acting or recording: the timeline's author."""
        return self.user or self.recorder

    def describe(self) -> str:
        """Who did it, in words: the person (also the one who recorded a step by hand), else the kind."""
        if self.person is not None:
            return str(self.person)
        return self.name or self.kind


def staff_actor(user: StaffUser) -> CaseActor:
    return CaseActor("staff", user=user)


def recorded_by_hand(kind: Literal["carrier", "system"], *, recorder: StaffUser) -> CaseActor:
    """The carrier's or the system's step, recorded by ``recorder`` (pass the reason to ``case_advance``)."""
    return CaseActor(kind, recorder=recorder)


SYSTEM = CaseActor("system")
TIMER = CaseActor("timer", name="wait limit")
CUSTOMER = CaseActor("customer")
CARRIER = CaseActor("carrier")
