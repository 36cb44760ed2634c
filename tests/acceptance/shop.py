"""The shop the route walker walks through: the demo business's configuration (its journeys, teams,
staff, catalog and customers), set up as an administrator would, before any case exists.

Configuration, not case data: nothing here touches a case. Cases are opened and moved only through
the product's surfaces (see ``walker.py``)."""

from __future__ import annotations

from dataclasses import dataclass

from touchpoint.cases.journeys import journeys_sync
from touchpoint.catalog.models import DeviceModel, Problem
from touchpoint.customers.models import Customer
from touchpoint.demo import business
from touchpoint.journeys import Actor
from touchpoint.staff.models import Role, StaffUser, Team

PASSWORD = "walker-password-1"


@dataclass
class Shop:
    staff: dict[str, StaffUser]
    customers: list[Customer]

    def customer_with(self, *, tier: str) -> Customer:
        """A demo customer of ``tier`` who takes the default (playful) messages."""
        found = next((c for c in self.customers if c.tier == tier and not c.plain_messages), None)
        if found is None:
            raise LookupError(f"the demo has no customer of tier {tier!r}")
        return found

    def person_for(self, wanted: Actor, fits: object = None) -> StaffUser:
        """The demo's staff member the journey sees as ``wanted`` would be seen (the same role or
        higher and one of its teams), the one with fewest teams first; someone made for it when
        the demo has nobody (a finding: the demo can't take that step)."""
        from touchpoint.cases.actors import ROLES

        rank = {"agent": 1, "lead": 2, "admin": 3}
        options = []
        for user in self.staff.values():
            teams = set(user.teams.values_list("slug", flat=True))
            role = ROLES.get(user.role) or "agent"
            if rank[role] < rank[wanted.role or "agent"]:
                continue
            if wanted.teams and not wanted.teams <= teams:
                continue
            options.append((rank[role], len(teams), user.username, user))
        options.sort(key=lambda o: o[:3])
        if fits is not None:
            options = [o for o in options if fits(o[3])]  # type: ignore[operator]
        if options:
            return options[0][3]
        return self.extra(wanted)

    def extra(self, wanted: Actor) -> StaffUser:
        name = "walker-" + "-".join([wanted.role or "agent", *sorted(wanted.teams)])
        user = self.staff.get(name)
        if user is None:
            user = StaffUser.objects.create(
                username=name[:150],
                first_name="Walker",
                last_name=(" ".join(sorted(wanted.teams)) or wanted.role or "staff").title(),
                role=wanted.role or Role.AGENT,
                email=f"{name}@repairshop.test",
                is_staff=True,
            )
            user.teams.set([_team(slug) for slug in wanted.teams])
            self.staff[name] = user
        return user


def _team(slug: str) -> Team:
    return Team.objects.get_or_create(slug=slug, defaults={"name": business.TEAMS.get(slug, slug.title())})[0]


def shop_open() -> Shop:
    """The demo business's configuration, as `touchpoint demo` sets it up (without its cases)."""
    journeys_sync()
    for slug, name, kind, diagnosis in business.DEVICE_MODELS:
        DeviceModel.objects.create(slug=slug, name=name, kind=kind, diagnosis_price=business.price(diagnosis))
    for position, (slug, label, typical) in enumerate(business.PROBLEMS):
        Problem.objects.create(slug=slug, label=label, typical_price=business.price(typical), position=position)
    staff = {}
    for username, first, last, role, teams in business.STAFF:
        user = StaffUser.objects.create(
            username=username,
            first_name=first,
            last_name=last,
            role=role,
            email=f"{username}@repairshop.test",
            is_staff=True,
            is_superuser=role == "admin",
        )
        user.teams.set([_team(slug) for slug in teams])
        staff[username] = user
    customers = []
    for n, (name, town) in enumerate(business.CUSTOMERS):
        customers.append(
            Customer.objects.create(
                name=name,
                email=name.lower().replace(" ", ".").replace("'", "") + "@example.com",
                tier=business.TIERS[n % len(business.TIERS)],
                phone=f"07700 900{n:03d}",
                plain_messages=n % 9 == 8,
                address_line1=f"{10 + n} Station Road",
                town=town,
                postcode=f"AB{n + 1} 2CD",
            )
        )
    return Shop(staff, customers)
