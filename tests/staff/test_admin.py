"""Staff and teams in the admin: roles, teams and members, filtered and edited in a few clicks."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.factories import StaffFactory, TeamFactory
from touchpoint.staff.models import Role, StaffUser, Team

pytestmark = pytest.mark.django_db


def test_the_team_list_shows_the_owner_journeys_use_and_its_member_count(admin_client: Any) -> None:
    StaffFactory(username="alex", teams=["shipping", "intake"])
    StaffFactory(username="sam", teams=["shipping"])
    TeamFactory(slug="bench", name="Bench")
    html = admin_client.get("/admin/staff/team/").content.decode()
    assert '<td class="field-owner_as_written">team:shipping</td><td class="field-member_count">2</td>' in html
    assert '<td class="field-owner_as_written">team:bench</td><td class="field-member_count">0</td>' in html


def test_staff_are_filtered_by_role_and_team_and_list_their_teams(admin_client: Any) -> None:
    StaffFactory(username="alex", role=Role.LEAD, teams=["intake", "shipping"])
    StaffFactory(username="sam", role=Role.AGENT, teams=["shipping"])
    StaffFactory(username="jo", role=Role.AGENT, teams=["bench"])
    shipping = Team.objects.get(slug="shipping")
    listing = admin_client.get(f"/admin/staff/staffuser/?teams__id__exact={shipping.pk}&role__exact=agent")
    html = listing.content.decode()
    assert listing.status_code == 200
    assert ">sam</a>" in html and ">alex</a>" not in html and ">jo</a>" not in html
    assert '<td class="field-team_list">shipping</td>' in html
    everyone = admin_client.get("/admin/staff/staffuser/").content.decode()
    assert '<td class="field-team_list">intake, shipping</td>' in everyone


def test_a_member_is_added_to_a_team_from_the_team_page(admin_client: Any) -> None:
    # Given the warehouse team with no one in it, and Jo
    team = TeamFactory(slug="warehouse", name="Warehouse")
    jo = StaffFactory(username="jo", teams=["bench"])
    # When an admin adds Jo on the team's page
    response = admin_client.post(
        f"/admin/staff/team/{team.pk}/change/",
        {
            "slug": "warehouse",
            "name": "Warehouse",
            "description": "Picks and packs replacements",
            "StaffUser_teams-TOTAL_FORMS": "1",
            "StaffUser_teams-INITIAL_FORMS": "0",
            "StaffUser_teams-0-staffuser": str(jo.pk),
            "StaffUser_teams-0-team": str(team.pk),
            "_save": "Save",
        },
    )
    # Then Jo is in both teams
    assert response.status_code == 302, response.content.decode()[:2000]
    assert sorted(jo.teams.values_list("slug", flat=True)) == ["bench", "warehouse"]


def test_a_new_staff_member_gets_a_role_and_teams_when_added(admin_client: Any) -> None:
    TeamFactory(slug="care", name="Care")
    care = Team.objects.get(slug="care")
    response = admin_client.post(
        "/admin/staff/staffuser/add/",
        {
            "username": "priya",
            "password1": "a long pass phrase 2026",
            "password2": "a long pass phrase 2026",
            "usable_password": "true",
            "first_name": "Priya",
            "last_name": "Shah",
            "email": "priya@example.com",
            "role": "lead",
            "teams": [str(care.pk)],
            "_save": "Save",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    priya = StaffUser.objects.get(username="priya")
    teams = list(priya.teams.values_list("slug", flat=True))
    assert (priya.role, priya.first_name, teams) == ("lead", "Priya", ["care"])
