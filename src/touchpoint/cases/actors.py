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
    kind: ActorKind
    user: StaffUser | None = None
    name: str = ""

    def for_journey(self) -> Actor:
        if self.user is None:
            return Actor(self.kind)
        teams = frozenset(self.user.teams.values_list("slug", flat=True))
        return Actor("staff", role=ROLES.get(self.user.role), teams=teams)

    def describe(self) -> str:
        if self.user is not None:
            return str(self.user)
        return self.name or self.kind


def staff_actor(user: StaffUser) -> CaseActor:
    return CaseActor("staff", user=user)


SYSTEM = CaseActor("system")
TIMER = CaseActor("timer", name="wait limit")
CUSTOMER = CaseActor("customer")
CARRIER = CaseActor("carrier")
