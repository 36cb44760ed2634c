"""Staff and teams in the console: a lead invites a colleague by email (a one-time link through the
outbox), the colleague sets a password and is signed in (leads then set up two-factor), leads change
roles and teams and deactivate people, teams are added and renamed; every change audited; the guard
rails (the last admin, a lead making an admin, a used or expired link, the rate limits) each answered
plainly, with nothing changed."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.hashers import get_hasher, identify_hasher
from django.test import Client
from django.urls import reverse

from tests.shop.given import lead_client
from tests.support.factories import StaffFactory, TeamFactory
from touchpoint.outbox.models import OutboxMessage
from touchpoint.shop.models import SettingChange
from touchpoint.staff.models import Role, StaffInvite, StaffUser, Team

pytestmark = pytest.mark.django_db
STAFF = reverse("console:shop_staff")
INVITE = reverse("console:shop_staff_invite")
STRONG = "quiet-harbour-lantern-47"


def invite(client: Client, email: str = "sam@fixit.example", role: str = "agent", **extra: Any) -> Any:
    return client.post(INVITE, {"email": email, "first_name": "Sam", "last_name": "Okafor", "role": role, **extra})


def invite_link(email: str = "sam@fixit.example") -> str:
    """The link in the newest invitation email to ``email``, as a path on this site."""
    message = OutboxMessage.objects.filter(recipient=email).order_by("-id").first()
    assert message is not None
    found = re.search(r"http://[^/\s]+(/console/invite/[A-Za-z0-9_-]+/)", message.body_text)
    assert found is not None, message.body_text
    return found.group(1)


def member_url(user: StaffUser) -> str:
    return reverse("console:shop_staff_member", args=[user.pk])


def test_a_lead_invites_a_colleague_who_sets_a_password_and_signs_in() -> None:
    bench = TeamFactory(slug="bench", name="Bench")
    lead = lead_client()
    response = invite(lead, email="Sam@Fixit.example", teams=[bench.pk])
    assert response.status_code == 302
    # The account waits, inactive, for its password; the email waits in the outbox (nothing sent here)
    sam = StaffUser.objects.get(email="sam@fixit.example")
    assert (sam.username, sam.is_active, sam.has_usable_password(), sam.role) == (
        "sam@fixit.example",
        False,
        False,
        "agent",
    )
    assert list(sam.teams.values_list("slug", flat=True)) == ["bench"]
    message = OutboxMessage.objects.get(recipient="sam@fixit.example")
    assert message.status == "pending"
    assert message.subject == "You're invited to The Repair Shop on Touchpoint"
    assert "the link works once, for 7 days" in message.body_text
    # in the shop's layout like every email: its name, the language, the same words as the text part
    assert '<html lang="en"' in message.body_html and "The Repair Shop" in message.body_html
    assert "the link works once, for 7 days" in message.body_html
    change = SettingChange.objects.get()
    assert (change.by_name, change.subject, change.field, change.after) == (
        "lena",
        "staff:sam@fixit.example",
        "staff invited",
        "Agent; teams: bench",
    )
    page = lead.get(STAFF).content.decode()
    assert "Invitation on its way to sam@fixit.example" in page
    assert "Invited, link until" in page
    # Sam opens the link: only the password page, for Sam
    sam_browser = Client()
    link = invite_link()
    opened = sam_browser.get(link)
    assert opened.status_code == 200
    assert opened["Referrer-Policy"] == "no-referrer"
    assert "You will sign in with <strong>sam@fixit.example</strong>" in opened.content.decode()
    weak = sam_browser.post(link, {"new_password1": "password", "new_password2": "password"})
    assert weak.status_code == 400
    assert "This password is too common." in weak.content.decode()
    assert not StaffUser.objects.get(pk=sam.pk).is_active
    done = sam_browser.post(link, {"new_password1": STRONG, "new_password2": STRONG})
    assert done.status_code == 302 and done["Location"] == reverse("console:home")
    sam.refresh_from_db()
    assert sam.is_active and sam.check_password(STRONG)
    # Hashed with the first of PASSWORD_HASHERS: argon2 in every setting but the tests' fast one
    assert identify_hasher(sam.password).algorithm == get_hasher().algorithm
    assert sam_browser.get(reverse("console:queue")).status_code == 200  # an agent works at once
    # And signs in again later with the address and the password
    again = Client()
    signed = again.post(reverse("console:login"), {"username": "sam@fixit.example", "password": STRONG})
    assert signed.status_code == 302
    assert "Active" in lead.get(STAFF).content.decode()


def test_an_invited_lead_sets_up_two_factor_before_anything_else() -> None:
    admin = Client()
    admin.force_login(StaffFactory(username="ada", role=Role.ADMIN))
    assert invite(admin, email="li@fixit.example", role="lead").status_code == 302
    browser = Client()
    link = invite_link("li@fixit.example")
    assert "Next, you will set up two-factor sign-in" in browser.get(link).content.decode()
    done = browser.post(link, {"new_password1": STRONG, "new_password2": STRONG}, follow=True)
    assert done.redirect_chain[-1][0].startswith(reverse("console:two_factor"))
    assert browser.get(STAFF).status_code == 302  # the shop's pages wait for two-factor


def test_the_link_works_once_and_opens_nothing_else() -> None:
    invite(lead_client())
    link = invite_link()
    browser = Client()
    assert browser.post(link, {"new_password1": STRONG, "new_password2": STRONG}).status_code == 302
    stranger = Client()
    used = stranger.get(link)
    assert used.status_code == 404
    assert "This invitation link doesn't work" in used.content.decode()
    reused = stranger.post(link, {"new_password1": "other-long-phrase-99", "new_password2": "other-long-phrase-99"})
    assert reused.status_code == 404
    assert StaffUser.objects.get(email="sam@fixit.example").check_password(STRONG)
    # The link itself never signs anyone in, nor opens a staff page
    fresh = Client()
    invite(lead_client("omar"), email="kim@fixit.example")
    kim_link = invite_link("kim@fixit.example")
    assert fresh.get(kim_link).status_code == 200
    assert fresh.get(STAFF).status_code == 302
    assert fresh.get(reverse("console:queue")).status_code == 302


def test_an_expired_link_says_so_and_a_lead_sends_a_new_one(settings: Any) -> None:
    lead = lead_client()
    invite(lead)
    old = invite_link()
    StaffInvite.objects.update(expires_at=StaffInvite.objects.get().created_at - timedelta(seconds=1))
    assert Client().get(old).status_code == 404
    sam = StaffUser.objects.get(email="sam@fixit.example")
    page = lead.get(STAFF).content.decode()
    assert "Invited, link expired" in page
    resent = lead.post(reverse("console:shop_staff_reinvite", args=[sam.pk]), follow=True)
    assert "A new link is on its way to sam@fixit.example" in resent.content.decode()
    new = invite_link()
    assert new != old
    assert OutboxMessage.objects.filter(recipient="sam@fixit.example").count() == 2
    assert Client().get(new).status_code == 200
    assert Client().get(old).status_code == 404
    assert SettingChange.objects.filter(field="staff invited again").count() == 1


def test_a_second_link_replaces_the_first() -> None:
    lead = lead_client()
    invite(lead)
    first = invite_link()
    sam = StaffUser.objects.get(email="sam@fixit.example")
    lead.post(reverse("console:shop_staff_reinvite", args=[sam.pk]))
    assert Client().get(first).status_code == 404
    assert Client().get(invite_link()).status_code == 200


def test_a_duplicate_address_is_refused_and_nothing_is_sent() -> None:
    StaffFactory(username="sam", email="sam@fixit.example")
    lead = lead_client()
    response = invite(lead, email="SAM@fixit.example")
    assert response.status_code == 400
    page = response.content.decode()
    assert "sam@fixit.example already has an account" in page
    assert 'value="SAM@fixit.example"' in page  # what was typed is kept
    assert OutboxMessage.objects.count() == 0
    assert SettingChange.objects.count() == 0
    assert StaffUser.objects.filter(email__iexact="sam@fixit.example").count() == 1


@pytest.mark.parametrize(
    ("email", "said"),
    [
        ("", "Write the address to send the invitation to."),
        ("sam at fixit", "Write the address as name@domain, e.g. sam@your-shop.example."),
    ],
)
def test_a_bad_address_is_said_beside_the_field(email: str, said: str) -> None:
    response = invite(lead_client(), email=email)
    assert response.status_code == 400
    assert said in response.content.decode()
    assert StaffUser.objects.count() == 1 and OutboxMessage.objects.count() == 0


def test_a_lead_cannot_make_an_admin_but_an_admin_can() -> None:
    lead = lead_client()
    refused = invite(lead, role="admin")
    assert refused.status_code == 400
    assert "Choose one of the roles offered." in refused.content.decode()
    assert 'value="admin"' not in lead.get(STAFF).content.decode()
    agent = StaffFactory(username="ana", role=Role.AGENT)
    promoted = lead.post(member_url(agent), {"role": "admin", "active": "on"})
    assert promoted.status_code == 400
    agent.refresh_from_db()
    assert agent.role == "agent"
    admin = Client()
    admin.force_login(StaffFactory(username="ada", role=Role.ADMIN))
    assert admin.post(member_url(agent), {"role": "admin", "active": "on"}).status_code == 302
    agent.refresh_from_db()
    assert agent.role == "admin"
    change = SettingChange.objects.get()
    assert (change.by_name, change.subject, change.field, change.before, change.after) == (
        "ada",
        "staff:ana",
        "staff role",
        "Agent",
        "Admin",
    )


def test_a_lead_cannot_change_an_admin() -> None:
    ada = StaffFactory(username="ada", role=Role.ADMIN)
    StaffFactory(username="abe", role=Role.ADMIN)
    response = lead_client().post(member_url(ada), {"role": "admin"})  # deactivating
    assert response.status_code == 409
    assert "Only an admin can change" in response.content.decode()
    ada.refresh_from_db()
    assert ada.is_active and ada.role == "admin"


def test_nobody_demotes_or_deactivates_the_last_admin() -> None:
    ada = StaffFactory(username="ada", role=Role.ADMIN)
    abe = StaffFactory(username="abe", role=Role.ADMIN)
    client = Client()
    client.force_login(ada)
    # With two admins, one may go
    assert client.post(member_url(abe), {"role": "lead", "active": "on"}).status_code == 302
    # Then ada is the last: neither demoted nor deactivated (by herself or anyone)
    demote = client.post(member_url(ada), {"role": "lead", "active": "on"})
    assert demote.status_code == 409
    assert "Sam is the shop&#x27;s last admin: make someone else an admin first" in demote.content.decode()
    ada.refresh_from_db()
    assert ada.role == "admin" and ada.is_active
    assert SettingChange.objects.count() == 1


def test_a_lead_changes_teams_and_deactivates_a_colleague_who_then_cannot_sign_in() -> None:
    TeamFactory(slug="bench", name="Bench")
    desk = TeamFactory(slug="desk", name="Front desk")
    ana = StaffFactory(username="ana", role=Role.AGENT, teams=["bench"])
    ana_browser = Client()
    ana_browser.force_login(ana)
    assert ana_browser.get(reverse("console:queue")).status_code == 200
    lead = lead_client()
    response = lead.post(member_url(ana), {"role": "agent", "teams": [desk.pk], "active": ""})
    assert response.status_code == 302
    changes = {c.field: (c.before, c.after) for c in SettingChange.objects.all()}
    assert changes == {"staff active": ("yes", "no"), "staff teams": ("bench", "desk")}
    ana.refresh_from_db()
    assert not ana.is_active and StaffUser.objects.filter(pk=ana.pk).exists()  # never deleted
    assert ana_browser.get(reverse("console:queue")).status_code == 302  # signed out
    signed = Client().post(reverse("console:login"), {"username": "ana", "password": "correct horse battery"})
    assert signed.status_code != 302
    page = lead.get(member_url(ana)).content.decode()
    assert "Saved ana: active, teams." in page or "Saved Sam: active, teams." in page


def test_a_lead_cannot_deactivate_themself() -> None:
    lena = StaffFactory(username="lena", role=Role.LEAD)
    client = Client()
    client.force_login(lena)
    response = client.post(member_url(lena), {"role": "lead"})
    assert response.status_code == 409
    assert "You can&#x27;t deactivate yourself" in response.content.decode()
    lena.refresh_from_db()
    assert lena.is_active


def test_teams_are_added_with_a_fixed_slug_and_renamed() -> None:
    lead = lead_client()
    added = lead.post(reverse("console:shop_team_new"), {"slug": "Front-Desk", "name": "Front desk"}, follow=True)
    assert "Team Front desk added: journeys reach it as team:front-desk." in added.content.decode()
    team = Team.objects.get(slug="front-desk")
    duplicate = lead.post(reverse("console:shop_team_new"), {"slug": "front-desk", "name": "Again"})
    assert duplicate.status_code == 400
    assert "There is already a team with the slug front-desk" in duplicate.content.decode()
    bad = lead.post(reverse("console:shop_team_new"), {"slug": "front desk!", "name": "X"})
    assert bad.status_code == 400
    assert "A slug has only lower-case letters, digits and hyphens" in bad.content.decode()
    url = reverse("console:shop_team", args=["front-desk"])
    renamed = lead.post(url, {"name": "The counter", "slug": "counter", "description": "Walk-ins"})
    assert renamed.status_code == 302
    team.refresh_from_db()
    assert (team.slug, team.name, team.description) == ("front-desk", "The counter", "Walk-ins")
    fields = [(c.subject, c.field, c.before, c.after) for c in SettingChange.objects.order_by("pk")]
    assert fields == [
        ("team:front-desk", "team added", "", "Front desk"),
        ("team:front-desk", "team name", "Front desk", "The counter"),
        ("team:front-desk", "team description", "", "Walk-ins"),
    ]
    assert Team.objects.count() == 1
    assert lead.get(reverse("console:shop_team", args=["nope"])).status_code == 404


def test_invitations_are_rate_limited_per_lead(settings: Any) -> None:
    from touchpoint.console.views import shop_staff

    lead = lead_client()
    limit = shop_staff.INVITES.count
    for n in range(limit):
        assert invite(lead, email=f"p{n}@fixit.example").status_code == 302
    over = invite(lead, email="one-more@fixit.example")
    assert over.status_code == 429
    assert f"You have sent {limit} invitations this hour" in over.content.decode()
    assert not StaffUser.objects.filter(email="one-more@fixit.example").exists()


def test_wrong_links_are_rate_limited_per_client() -> None:
    browser = Client()
    answers = [browser.get(f"/console/invite/guess{n}/").status_code for n in range(21)]
    assert answers[:20] == [404] * 20
    assert answers[20] == 429


def test_agents_are_refused_and_strangers_sent_to_sign_in() -> None:
    ana = StaffFactory(username="ana", role=Role.AGENT)
    agent = Client()
    agent.force_login(ana)
    for url in (STAFF, member_url(ana), reverse("console:shop_team", args=["x"])):
        assert agent.get(url).status_code == 403
    assert invite(agent).status_code == 403
    assert agent.post(member_url(ana), {"role": "lead", "active": "on"}).status_code == 403
    assert agent.post(reverse("console:shop_team_new"), {"slug": "x", "name": "X"}).status_code == 403
    ana.refresh_from_db()
    assert ana.role == "agent" and OutboxMessage.objects.count() == 0 and Team.objects.count() == 0
    stranger = Client().get(STAFF)
    assert stranger.status_code == 302 and stranger["Location"].startswith(reverse("console:login"))
    assert Client().post(INVITE, {"email": "x@y.example", "role": "agent"}).status_code == 302
    assert not StaffUser.objects.filter(email="x@y.example").exists()
    assert Client().get(reverse("console:shop_staff_member", args=[999999])).status_code == 302
    assert lead_client().get(reverse("console:shop_staff_member", args=[999999])).status_code == 404


def test_changing_an_invitees_role_before_they_join_keeps_their_link() -> None:
    TeamFactory(slug="bench", name="Bench")
    lead = lead_client()
    invite(lead)
    sam = StaffUser.objects.get(email="sam@fixit.example")
    page = lead.get(member_url(sam)).content.decode()
    assert "has not set a password yet" in page and "May sign in" not in page
    assert lead.post(member_url(sam), {"role": "lead"}).status_code == 302
    sam.refresh_from_db()
    assert (sam.role, sam.is_active) == ("lead", False)
    assert Client().get(invite_link()).status_code == 200


def test_a_team_that_cant_be_one_is_refused_beside_the_field_not_a_500() -> None:
    lead = Client()
    lead.force_login(StaffFactory(username="lena", role=Role.LEAD))
    page = lead.get("/console/shop/staff/")
    token = page.cookies["csrftoken"].value if "csrftoken" in page.cookies else ""
    refused = lead.post(
        "/console/shop/staff/invite/",
        {"email": "sam@fixit.example", "role": "agent", "teams": "99999999999999999999", "csrfmiddlewaretoken": token},
    )
    assert refused.status_code == 400
    assert refused.context["invite_form"].errors["teams"] == ["“99999999999999999999” is not a valid value."]
    assert not StaffUser.objects.filter(email="sam@fixit.example").exists()
