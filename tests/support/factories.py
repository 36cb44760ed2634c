from __future__ import annotations

from typing import Any

import factory
from factory.django import DjangoModelFactory

from touchpoint.customers.models import Customer
from touchpoint.staff.models import Role, StaffUser, Team


class TeamFactory(DjangoModelFactory[Team]):
    class Meta:
        model = Team
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"team{n}")
    name = factory.LazyAttribute(lambda o: o.slug.title())


class StaffFactory(DjangoModelFactory[StaffUser]):
    class Meta:
        model = StaffUser
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    first_name = "Sam"
    role = Role.AGENT
    password = factory.django.Password("correct horse battery")

    @factory.post_generation
    def teams(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        for slug in extracted or []:
            self.teams.add(TeamFactory(slug=slug))


class CustomerFactory(DjangoModelFactory[Customer]):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"Ian Customer{n}")
    email = factory.Sequence(lambda n: f"customer{n}@example.com")
