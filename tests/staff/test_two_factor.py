"""Staff two-factor sign-in, through the pages: leads and admins set it up before reaching anything,
the password alone reaches nothing once it is on, a code works once, recovery codes work once and
are replaced when new ones are asked for, wrong codes count toward the lockout, agents are offered
it, and a lead's reset (audited) sends the colleague to set it up again. The Django admin too."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.test import Client

from tests.support.factories import CustomerFactory, StaffFactory
from tests.support.two_factor import Phone
from touchpoint.cases.actors import SYSTEM
from touchpoint.cases.models import Case
from touchpoint.flows.advance import case_open
from touchpoint.staff.models import Role, StaffUser, TwoFactorReset

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"
SETUP = "/console/two-factor/"
CODE = "/console/login/code/"


def password(client: Client, username: str, **extra: str) -> Any:
    return client.post("/console/login/", {"username": username, "password": PASSWORD, **extra})


def set_up(client: Client) -> tuple[Phone, list[str]]:
    """Set up two-factor on the setup page as a person does: read the key, type the app's code."""
    page = client.get(SETUP)
    assert page.status_code == 200
    secret = re.search(r'<code class="secret" id="secret">([A-Z2-7 ]+)</code>', page.content.decode())
    assert secret is not None
    phone = Phone(secret.group(1))
    done = client.post(SETUP, {"code": phone.code()})
    assert done.status_code == 200, done.content.decode()
    return phone, codes_on(done.content.decode())


def codes_on(page: str) -> list[str]:
    listed = re.search(r'<ul class="codes" id="recovery-codes">(.*?)</ul>', page)
    assert listed is not None
    return re.findall(r"<code>([a-z2-7]+)</code>", listed.group(1))


def signed_in_with_two_factor(username: str, **staff: Any) -> tuple[Client, StaffUser, Phone, list[str]]:
    user = StaffFactory(username=username, **staff)
    client = Client()
    password(client, username)
    phone, codes = set_up(client)
    return client, user, phone, codes


@pytest.fixture
def case() -> Case:
    from tests.conftest import SUPPORT
    from touchpoint.cases.journeys import journey_register

    path = SUPPORT / "mini-repair.yaml"
    journey_register(source=path.read_text(), filename=str(path))
    return case_open(journey="mini-repair", customer=CustomerFactory(), actor=SYSTEM, data={"model": "nano-4g"}).case


def test_a_lead_without_two_factor_is_sent_to_set_it_up_and_reaches_nothing_else(case: Case) -> None:
    # Given a lead with only a password
    StaffFactory(username="priya", role=Role.LEAD, teams=["care"])
    client = Client()
    # When they sign in
    response = password(client, "priya", next="/console/?q=exceptions")
    # Then they are sent to set up two-factor, and the page they asked for waits
    assert response["Location"] == f"{SETUP}?next=%2Fconsole%2F%3Fq%3Dexceptions"
    page = client.get(response["Location"]).content.decode()
    assert "Your role needs two-factor sign-in: set it up now to carry on." in page
    assert ">Queues</a>" not in page and ">Admin</a>" not in page  # no links it can't follow
    # and no other page opens: the console, the scan station, a case, the leads' pages, the admin
    for url in (
        "/console/",
        "/console/scan/",
        f"/console/cases/{case.reference}/",
        "/console/people/",
        "/console/remedies/requests/",
        "/console/insights/",
        "/console/journeys/",
        "/console/two-factor/recovery-codes/",
        "/admin/",
        "/admin/staff/staffuser/",
        "/admin/cases/case/",
    ):
        refused = client.get(url)
        assert (refused.status_code, refused["Location"]) == (302, f"{SETUP}?next={url.replace('/', '%2F')}"), url
    # a form posted anyway changes nothing
    before = case.state
    posted = client.post(f"/console/cases/{case.reference}/note/", {"text": "hello"})
    assert (posted.status_code, posted["Location"]) == (302, SETUP)
    case.refresh_from_db()
    assert case.state == before
    # and the queue's background refresh is told to go there too
    background = client.get("/console/", headers={"HX-Request": "true"})
    assert (background.status_code, background.content, background["HX-Redirect"]) == (200, b"", SETUP)


def test_setting_up_shows_a_qr_code_and_the_key_then_ten_recovery_codes_once() -> None:
    StaffFactory(username="priya", role=Role.LEAD)
    client = Client()
    password(client, "priya", next="/console/scan/")
    page = client.get(f"{SETUP}?next=/console/scan/").content.decode()
    assert '<img class="qr" src="data:image/svg+xml' in page
    secret = re.search(r'<code class="secret" id="secret">([A-Z2-7 ]+)</code>', page)
    assert secret is not None and len(secret.group(1).replace(" ", "")) == 32  # 20 random bytes
    assert client.get(SETUP).content.decode().count(secret.group(1)) == 1  # a reload keeps the same key
    # When they type the code their app shows
    done = client.post(SETUP, {"code": Phone(secret.group(1)).code(), "next": "/console/scan/"})
    # Then two-factor is on, ten recovery codes are shown, and they carry on where they were going
    body = done.content.decode()
    codes = codes_on(body)
    assert len(codes) == 10 and len(set(codes)) == 10 and all(len(c) == 8 for c in codes)
    assert "They are shown only now" in body
    assert 'download="touchpoint-recovery-codes.txt"' in body
    assert '<a class="primary-link" href="/console/scan/">' in body
    assert client.get("/console/scan/").status_code == 200
    # and the codes are never shown again
    again = client.get(SETUP).content.decode()
    assert "Two-factor sign-in is on" in again and '<dd id="codes-left">10</dd>' in again
    assert not any(code in again for code in codes)


def test_a_wrong_code_at_set_up_is_refused_and_the_key_stays() -> None:
    StaffFactory(username="priya", role=Role.LEAD)
    client = Client()
    password(client, "priya")
    secret = re.search(r'id="secret">([A-Z2-7 ]+)<', client.get(SETUP).content.decode())
    assert secret is not None
    wrong = f"{(int(Phone(secret.group(1)).code()) + 1) % 1_000_000:06d}"
    refused = client.post(SETUP, {"code": wrong})
    assert refused.status_code == 400
    body = html.unescape(refused.content.decode())
    assert "That code didn't match." in body
    assert secret.group(1) in body  # the same key: the phone that scanned it still matches
    assert client.get("/console/")["Location"] == f"{SETUP}?next=%2Fconsole%2F"  # still not through


def test_once_on_the_password_alone_reaches_nothing_until_a_code_is_given(case: Case) -> None:
    # Given a lead with two-factor on, signed out
    client, _, phone, _ = signed_in_with_two_factor("priya", role=Role.LEAD)
    client.post("/console/logout/")
    # When they sign in with their password
    response = password(client, "priya", next="/console/people/")
    # Then a code is asked for, and nothing else opens (not even their own two-factor settings)
    assert response["Location"] == f"{CODE}?next=%2Fconsole%2Fpeople%2F"
    assert 'autocomplete="one-time-code"' in client.get(response["Location"]).content.decode()
    for url in ("/console/", f"/console/cases/{case.reference}/", "/console/two-factor/", "/admin/", "/repair/"):
        refused = client.get(url)
        assert (refused.status_code, refused["Location"]) == (302, f"{CODE}?next={url.replace('/', '%2F')}"), url
    refused = client.post("/console/two-factor/recovery-codes/")
    assert (refused.status_code, refused["Location"]) == (302, CODE)
    # When they type the code their app shows
    half_signed_in = client.session.session_key
    through = client.post(CODE, {"code": phone.code(), "next": "/console/people/"})
    # Then they are through, to the page they asked for, on a new session key (the session gained rights)
    assert (through.status_code, through["Location"]) == (302, "/console/people/")
    assert client.session.session_key != half_signed_in
    assert client.get("/console/people/").status_code == 200
    assert client.get(f"/console/cases/{case.reference}/").status_code == 200


def test_after_the_code_a_next_pointing_elsewhere_is_ignored() -> None:
    client, _, phone, _ = signed_in_with_two_factor("priya", role=Role.LEAD)
    client.post("/console/logout/")
    password(client, "priya", next="https://evil.example/steal")
    assert client.post(CODE, {"code": phone.code(), "next": "https://evil.example/steal"})["Location"] == "/console/"


def test_a_wrong_code_is_refused_saying_what_to_do() -> None:
    client, _, phone, _ = signed_in_with_two_factor("priya", role=Role.LEAD)
    client.post("/console/logout/")
    password(client, "priya")
    wrong = f"{(int(phone.code()) + 1) % 1_000_000:06d}"
    refused = client.post(CODE, {"code": wrong})
    assert refused.status_code == 400
    body = html.unescape(refused.content.decode())
    assert "That code didn't work. Type the 6 digits your authenticator app shows now" in body
    assert f'value="{wrong}" aria-invalid="true" aria-describedby="code-error"' in body
    assert client.get("/console/")["Location"] == f"{CODE}?next=%2Fconsole%2F"


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("", "Type the 6-digit code from your authenticator app, or a recovery code."),
        ("9" * 65, "That is longer than any code"),
        ("12\x0034", "Null characters are not allowed."),
    ],
)
def test_a_code_that_is_not_one_gets_a_clear_answer_not_a_500(typed: str, says: str) -> None:
    client, _, _, _ = signed_in_with_two_factor("priya", role=Role.LEAD)
    client.post("/console/logout/")
    password(client, "priya")
    refused = client.post(CODE, {"code": typed})
    assert refused.status_code == 400
    assert says in html.unescape(refused.content.decode())


def test_the_same_code_from_the_app_works_once() -> None:
    client, _, phone, _ = signed_in_with_two_factor("priya", role=Role.LEAD)
    client.post("/console/logout/")
    password(client, "priya")
    code = phone.code()
    assert client.post(CODE, {"code": code})["Location"] == "/console/"
    # When someone who saw it types the same code again (another sign-in with the password)
    other = Client()
    password(other, "priya")
    replay = other.post(CODE, {"code": code})
    # Then it is refused
    assert replay.status_code == 400
    assert other.get("/console/")["Location"] == f"{CODE}?next=%2Fconsole%2F"


def test_a_recovery_code_signs_in_once() -> None:
    client, _, _, codes = signed_in_with_two_factor("priya", role=Role.LEAD)
    client.post("/console/logout/")
    password(client, "priya")
    # typed as people copy it: upper case, with a space
    through = client.post(CODE, {"code": f" {codes[3][:4].upper()} {codes[3][4:]}"})
    assert through["Location"] == "/console/"
    assert '<dd id="codes-left">9</dd>' in client.get(SETUP).content.decode()
    client.post("/console/logout/")
    password(client, "priya")
    assert client.post(CODE, {"code": codes[3]}).status_code == 400
    assert client.get("/console/")["Location"] == f"{CODE}?next=%2Fconsole%2F"


def test_new_recovery_codes_replace_every_old_one() -> None:
    client, _, _, old = signed_in_with_two_factor("priya", role=Role.LEAD)
    # When they ask for new codes
    response = client.post("/console/two-factor/recovery-codes/")
    new = codes_on(response.content.decode())
    assert response.status_code == 200 and len(new) == 10 and not set(new) & set(old)
    assert "the earlier codes no longer work" in response.content.decode()
    # Then a new code signs in, and an old one doesn't
    client.post("/console/logout/")
    password(client, "priya")
    assert client.post(CODE, {"code": new[0]})["Location"] == "/console/"
    client.post("/console/logout/")
    password(client, "priya")
    assert client.post(CODE, {"code": old[1]}).status_code == 400


NEW_PHONE = "/console/two-factor/new-phone/"


def test_a_new_phone_is_set_up_by_its_owner_with_the_old_one_and_the_old_app_stops_working() -> None:
    # Given priya signed in with her old phone's code
    client, _, old_phone, codes = signed_in_with_two_factor("priya", role=Role.LEAD)
    client.post("/console/logout/")
    password(client, "priya")
    assert client.post(CODE, {"code": old_phone.code()})["Location"] == "/console/"
    # When she moves two-factor to her new phone from her own two-factor page
    assert NEW_PHONE in client.get(SETUP).content.decode()
    page = client.get(NEW_PHONE).content.decode()
    assert "Move two-factor sign-in to a new phone" in page
    secret = re.search(r'<code class="secret" id="secret">([A-Z2-7 ]+)</code>', page)
    assert secret is not None
    new_phone = Phone(secret.group(1))
    moved = client.post(NEW_PHONE, {"code": new_phone.code()})
    assert moved["Location"] == f"{SETUP}?moved=1"
    assert "the old phone's codes no longer work" in client.get(moved["Location"]).content.decode()
    # Then the new phone signs in, her recovery codes still do, and the old phone doesn't
    client.post("/console/logout/")
    password(client, "priya")
    assert client.post(CODE, {"code": new_phone.code()})["Location"] == "/console/"
    client.post("/console/logout/")
    password(client, "priya")
    assert client.post(CODE, {"code": codes[1]})["Location"] == "/console/"
    client.post("/console/logout/")
    password(client, "priya")
    assert client.post(CODE, {"code": old_phone.code()}).status_code == 400


def test_a_session_that_came_in_with_a_recovery_code_cannot_swap_in_a_phone() -> None:
    """Someone with a stolen password and a recovery code must not make their phone the app: a lost
    phone is a lead's reset, a second person."""
    client, _, old_phone, codes = signed_in_with_two_factor("priya", role=Role.LEAD)
    client.post("/console/logout/")
    password(client, "priya")
    assert client.post(CODE, {"code": codes[0]})["Location"] == "/console/"
    for refused in (client.get(NEW_PHONE), client.post(NEW_PHONE, {"code": "123456"})):
        assert refused.status_code == 403
        assert "You signed in with a recovery code" in html.unescape(refused.content.decode())
    client.post("/console/logout/")
    password(client, "priya")
    assert client.post(CODE, {"code": old_phone.code()})["Location"] == "/console/"  # still her app


def test_moving_to_a_new_phone_needs_a_session_that_gave_a_code() -> None:
    client, _, _, _ = signed_in_with_two_factor("priya", role=Role.AGENT)
    client.post("/console/logout/")
    password(client, "priya")  # the password alone: the code is still owed
    response = client.get(NEW_PHONE)
    assert response.status_code == 302 and response["Location"].startswith(CODE)
    nobody = Client()
    assert nobody.get(NEW_PHONE)["Location"].startswith("/console/login/")
    # and someone without two-factor is sent to set it up, not to move it
    StaffFactory(username="sam")
    fresh = Client()
    password(fresh, "sam")
    assert fresh.get(NEW_PHONE)["Location"] == SETUP


def test_five_wrong_codes_lock_the_account_like_five_wrong_passwords() -> None:
    client, _, _, codes = signed_in_with_two_factor("priya", role=Role.LEAD)
    client.post("/console/logout/")
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    password(attacker, "priya")
    for guess in ("000000", "111111", "222222", "333333"):
        assert attacker.post(CODE, {"code": guess}).status_code == 400
    fifth = attacker.post(CODE, {"code": "444444"})
    # Then the fifth answer signs them out and says until when, on the sign-in page
    assert fifth.status_code == 429
    assert "Too many attempts for this account from here; try again after " in fifth.content.decode()
    assert "_auth_user_id" not in attacker.session
    # and even the password with a right code is refused from there while locked
    assert password(attacker, "priya").status_code == 429
    assert "_auth_user_id" not in attacker.session
    # while priya, elsewhere, still signs in
    assert password(client, "priya")["Location"] == f"{CODE}?next=%2Fconsole%2F"
    assert client.post(CODE, {"code": codes[0]})["Location"] == "/console/"


def test_an_agent_is_offered_two_factor_and_may_turn_it_on() -> None:
    StaffFactory(username="jo", teams=["care"])
    client = Client()
    # An agent with a password only goes straight in, with an offer on every page
    assert password(client, "jo")["Location"] == "/console/"
    page = client.get("/console/").content.decode()
    assert 'Two-factor sign-in is off for you: <a href="/console/two-factor/">turn it on</a>' in page
    setup_page = client.get(SETUP).content.decode()
    assert "Two-factor sign-in is offered to you" in setup_page
    assert "Two-factor sign-in is off for you" not in setup_page
    # When they turn it on
    phone, _ = set_up(client)
    assert "Two-factor sign-in is off for you" not in client.get("/console/").content.decode()
    # Then their next sign-in asks for a code too
    client.post("/console/logout/")
    assert password(client, "jo")["Location"] == f"{CODE}?next=%2Fconsole%2F"
    assert client.post(CODE, {"code": phone.code()})["Location"] == "/console/"


def test_a_lead_resets_a_colleagues_two_factor_recorded_and_they_set_it_up_again() -> None:
    # Given Kim, a lead with two-factor on and signed in, and Priya, another lead
    kim_client, kim, _, kim_codes = signed_in_with_two_factor("kim", role=Role.LEAD, first_name="Kim")
    priya_client, priya, _, _ = signed_in_with_two_factor("priya", role=Role.LEAD, first_name="Priya")
    assert 'href="/console/people/kim/two-factor/">Two-factor sign-in</a>' in (
        priya_client.get("/console/people/kim/").content.decode()
    )
    page = priya_client.get("/console/people/kim/two-factor/").content.decode()
    assert '<dd id="member-app">set up ' in page
    # When Priya resets it without a reason, she is asked for one and nothing changes
    refused = priya_client.post("/console/people/kim/two-factor/", {"reason": ""})
    assert refused.status_code == 400
    assert "Say why (for example “lost phone”)" in refused.content.decode()
    assert kim_client.get("/console/").status_code == 200
    # When she resets it because Kim lost her phone
    done = priya_client.post("/console/people/kim/two-factor/", {"reason": "lost phone"})
    # Then it is recorded: who, whom, when, why
    assert done["Location"] == "/console/people/kim/two-factor/?reset=1"
    reset = TwoFactorReset.objects.get()
    assert (reset.member, reset.reset_by, reset.reason) == (kim, priya, "lost phone")
    shown = priya_client.get(done["Location"]).content.decode()
    assert "Reset. Kim sets two-factor sign-in up again before reaching anything else." in shown
    assert '<dd id="member-app">not set up</dd>' in shown
    assert f"by {priya}: lost phone</li>" in shown
    # and Kim's open session must set it up again before anything else
    assert kim_client.get("/console/")["Location"] == f"{SETUP}?next=%2Fconsole%2F"
    # as must her next sign-in; her old recovery codes are gone
    kim_client.post("/console/logout/")
    assert password(kim_client, "kim")["Location"] == f"{SETUP}?next=%2Fconsole%2F"
    assert kim_client.post(CODE, {"code": kim_codes[0]})["Location"] == SETUP  # no code step to try it on
    assert not kim.staticdevice_set.exists()
    set_up(kim_client)
    assert kim_client.get("/console/").status_code == 200


def test_an_agent_cannot_reset_anyone() -> None:
    _, kim, _, _ = signed_in_with_two_factor("kim", role=Role.LEAD)
    agent, _, _, _ = signed_in_with_two_factor("jo")
    assert agent.get("/console/people/kim/two-factor/").status_code == 403
    refused = agent.post("/console/people/kim/two-factor/", {"reason": "lost phone"})
    assert refused.status_code == 403
    assert "This page needs the lead role" in refused.content.decode()
    assert not TwoFactorReset.objects.exists()
    assert kim.totpdevice_set.filter(confirmed=True).count() == 1


@pytest.mark.parametrize(
    ("member", "why"),
    [
        ({"username": "ada", "role": Role.ADMIN}, "Only an admin can reset an admin's two-factor sign-in."),
        ({"username": "root", "is_superuser": True}, "Only an admin can reset an admin's two-factor sign-in."),
        ({"username": "priya"}, "You can't reset your own two-factor sign-in: ask another lead or an admin."),
    ],
)
def test_a_lead_cannot_reset_an_admin_or_themselves(member: dict[str, Any], why: str) -> None:
    lead, priya, _, _ = signed_in_with_two_factor("priya", role=Role.LEAD)
    target = priya if member["username"] == "priya" else StaffFactory(**member)
    url = f"/console/people/{target.username}/two-factor/"
    assert why in html.unescape(lead.get(url).content.decode())
    refused = lead.post(url, {"reason": "lost phone"})
    assert refused.status_code == 403
    assert why in html.unescape(refused.content.decode())
    assert not TwoFactorReset.objects.exists()


def test_an_admin_resets_an_admin() -> None:
    admin, ada, _, _ = signed_in_with_two_factor("ada", role=Role.ADMIN)
    _, bo, _, _ = signed_in_with_two_factor("bo", role=Role.ADMIN)
    assert admin.post("/console/people/bo/two-factor/", {"reason": "new phone"}).status_code == 302
    assert TwoFactorReset.objects.filter(member=bo, reset_by=ada).count() == 1
    assert not bo.totpdevice_set.exists()


@pytest.mark.parametrize("staff", [{"is_superuser": True, "is_staff": True}, {"is_staff": True}])
def test_the_django_admin_needs_two_factor_too(staff: dict[str, Any]) -> None:
    # Given a superuser, or an agent allowed into the admin, with a password only
    StaffFactory(username="ada", **staff)
    client = Client()
    # When they sign in on the admin's own page
    response = client.post("/admin/login/?next=/admin/", {"username": "ada", "password": PASSWORD, "next": "/admin/"})
    assert response["Location"] == "/admin/"
    # Then the admin doesn't open until two-factor is set up
    for url in ("/admin/", "/admin/staff/staffuser/", "/admin/otp_totp/totpdevice/"):
        assert client.get(url)["Location"] == f"{SETUP}?next={url.replace('/', '%2F')}", url
    set_up(client)
    assert client.get("/admin/").status_code == 200
    # and next time, the admin's sign-in asks for the code as well
    client.post("/console/logout/")
    client.post("/admin/login/", {"username": "ada", "password": PASSWORD, "next": "/admin/"})
    assert client.get("/admin/")["Location"] == f"{CODE}?next=%2Fadmin%2F"
