"""The live journey map: open cases and the oldest per state, pile-ups, late states and overdue
timers (against a hand-made fixture), staff only, in a fixed number of queries, each state a link."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.db.models import F
from django.shortcuts import resolve_url
from django.test import Client

from tests.console.given import repair_data
from tests.support.factories import CustomerFactory, StaffFactory
from touchpoint.cases.actors import SYSTEM
from touchpoint.cases.journeys import journey_register
from touchpoint.cases.models import Case, JourneyVersion, Timer, TimerStatus
from touchpoint.console.selectors import JourneyLive, StateLive, journey_live
from touchpoint.core.clock import at
from touchpoint.flows.advance import case_open
from touchpoint.journeys.library import library_file
from touchpoint.staff.models import StaffUser

pytestmark = pytest.mark.django_db
MAP = "/console/journeys/mail-in-repair/4/"
NOW = datetime.fromisoformat("2026-11-20T12:00:00+00:00")


@pytest.fixture
def version(db: Any) -> JourneyVersion:
    path = library_file("mail-in-repair")
    assert path is not None
    return journey_register(source=path.read_text(), filename=str(path))


@pytest.fixture
def agent(db: Any) -> StaffUser:
    return StaffFactory(username="sam", teams=["shipping"])


def place(state: str, *, waited: timedelta, opened: datetime = NOW - timedelta(days=20)) -> Case:
    """A case opened at ``opened`` (its only history), then put straight into ``state`` ``waited`` ago."""
    with at(opened):
        case = case_open(journey="mail-in-repair", customer=CustomerFactory(), actor=SYSTEM, data=repair_data()).case
    Case.objects.filter(pk=case.pk).update(state=state, state_entered_at=NOW - waited)
    Timer.objects.filter(case=case).update(status=TimerStatus.CANCELLED)  # only the timers a test sets count
    return case


def by_state(live: JourneyLive) -> dict[str, StateLive]:
    return {s.state: s for s in live.states}


def test_counts_oldest_ages_and_highlights_follow_the_rules(version: JourneyVersion) -> None:
    # Given three devices resting (wait limit 1d), the oldest for 30 hours: more than twice the
    # one case a day that usually arrives there, and past its wait limit
    for hours in (2, 5, 30):
        place("resting", waited=timedelta(hours=hours))
    # and twenty orders placed this fortnight, of which three still wait for payment (wait limit 2d):
    # busy, but about 2.9 usually arrive per wait limit, so three is no pile-up
    for n in range(20):
        case = place("awaiting_payment", waited=timedelta(hours=n + 1), opened=NOW - timedelta(days=1, hours=n))
        if n >= 3:
            Case.objects.filter(pk=case.pk).update(state="in_surgery", state_entered_at=NOW - timedelta(hours=1))
    # and a device in transit whose wait timer is two hours past due, plus a stale timer of a left state
    transit = place("device_in_transit", waited=timedelta(hours=3))
    Case.objects.filter(pk=transit.pk).update(state_seq=F("state_seq") + 1)
    transit.refresh_from_db()
    for seq, due in ((transit.state_seq, NOW - timedelta(hours=2)), (transit.state_seq - 1, NOW - timedelta(days=3))):
        Timer.objects.create(
            case=transit,
            purpose="wait",
            event="device_overdue",
            state="device_in_transit",
            state_seq=seq,
            due_at=due,
            created_at=NOW - timedelta(days=3),
        )
    # and a finished case, which is not open
    done = place("completed", waited=timedelta(days=9))
    Case.objects.filter(pk=done.pk).update(outcome="success")

    # When the map counts
    states = by_state(journey_live(version=version, at=NOW))

    # Then each state has its open cases, its oldest, and the flags the rules give
    resting, paying, transit_s = states["resting"], states["awaiting_payment"], states["device_in_transit"]
    assert (resting.cases, resting.oldest_age, resting.usual) == (3, timedelta(hours=30), 0.0)
    assert (resting.pile_up, resting.late, resting.overdue_timers, resting.flags) == (
        True,
        True,
        0,
        ("pile-up", "late"),
    )
    assert (paying.cases, paying.oldest_age) == (3, timedelta(hours=3))
    assert paying.usual == pytest.approx(20 * 2 / 14)
    assert (paying.pile_up, paying.late, paying.flags) == (False, False, ())
    assert (transit_s.cases, transit_s.overdue_timers, transit_s.flags) == (1, 1, ("overdue",))
    assert (states["in_surgery"].cases, states["in_surgery"].flags) == (17, ("pile-up",))
    assert (states["completed"].cases, states["completed"].pile_up) == (0, False)
    assert sum(s.cases for s in states.values()) == 24


def test_the_count_takes_three_queries_however_many_cases(
    version: JourneyVersion, django_assert_num_queries: Any
) -> None:
    place("resting", waited=timedelta(hours=1))
    with django_assert_num_queries(3):
        journey_live(version=version, at=NOW)
    for n in range(15):
        place(["resting", "in_surgery", "device_lost"][n % 3], waited=timedelta(hours=n))
    with django_assert_num_queries(3):
        assert journey_live(version=version, at=NOW).open_cases == 16


def test_the_page_takes_a_fixed_number_of_queries(
    client: Client, version: JourneyVersion, agent: StaffUser, django_assert_num_queries: Any
) -> None:
    client.force_login(agent)
    place("resting", waited=timedelta(hours=1))
    client.get(MAP)  # warm the journey parse cache
    # session, user, the version, its three counts, the team names (owners in words)
    with django_assert_num_queries(7):
        client.get(MAP)
    for n in range(12):
        place("in_surgery", waited=timedelta(hours=n))
    with django_assert_num_queries(7):
        assert client.get(MAP).status_code == 200


@pytest.mark.parametrize("url", [MAP, MAP + "?partial=live", "/console/journeys/"])
def test_anonymous_visitors_are_sent_to_sign_in(client: Client, version: JourneyVersion, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL) + "?next=")


def test_the_map_shows_counts_and_links_each_state_to_its_queue(
    client: Client, version: JourneyVersion, agent: StaffUser
) -> None:
    # Given two devices resting, one for a day and a half
    place("resting", waited=timedelta(hours=4))
    place("resting", waited=timedelta(hours=36))
    client.force_login(agent)
    # When Sam opens the live map at noon
    with at(NOW):
        response = client.get(MAP)
    html = response.content.decode()
    assert response.status_code == 200
    # Then the resting box says how many and how old, is highlighted as late, and links to its queue
    queue = resolve_url("console:queue")
    resting = re.search(r'<a href="([^"]+)" aria-label="([^"]+)"><g class="([^"]+)" id="state-resting"', html)
    assert resting is not None
    assert resting.group(1) == f"{queue}?q=all&amp;state=resting&amp;journey=mail-in-repair"
    assert resting.group(2) == (
        "Resting before surgery (the bench team) — 2 open cases, oldest waiting 1d 12h, past its wait limit"
    )
    assert resting.group(3) == "state team live late"
    assert ">2 · oldest 1d 12h</text>" in html
    # and the table below says the same in words, with the same link
    row = re.search(r'<tr id="row-resting" class="late ">(.*?)</tr>', html, re.S)
    assert row is not None
    link = f'<a href="{queue}?q=all&amp;state=resting&amp;journey=mail-in-repair">Resting before surgery</a>'
    assert link in row.group(1)
    assert '<td class="num">2</td>' in row.group(1)
    assert "<td>Shipping</td>" not in row.group(1) and "<td>the bench team</td>" in row.group(1)  # no such team yet
    assert "<code>" not in row.group(1)
    assert ">1d 12h</time>" in row.group(1)
    assert '<td><span class="flag flag-late">late</span> </td>' in row.group(1)
    # and nothing is styled inline (strict CSP)
    assert not re.search(r"\sstyle=", html) and "<style" not in html


def test_the_live_partial_is_just_the_counts_for_polling(
    client: Client, version: JourneyVersion, agent: StaffUser
) -> None:
    client.force_login(agent)
    place("device_lost", waited=timedelta(hours=1))
    html = client.get(MAP + "?partial=live").content.decode()
    assert html.startswith('<div id="journey-live" class="journey-live" hx-get="/console/journeys/mail-in-repair/4/')
    assert 'hx-trigger="every 15s"' in html
    assert "<html" not in html and "<h1" not in html
    assert "1 open case," in html


def test_an_unknown_version_is_not_found(client: Client, version: JourneyVersion, agent: StaffUser) -> None:
    client.force_login(agent)
    assert client.get("/console/journeys/mail-in-repair/9/").status_code == 404
    assert client.get("/console/journeys/nope/1/").status_code == 404


def test_a_customers_magic_link_session_does_not_open_the_map(client: Client, version: JourneyVersion) -> None:
    from touchpoint.links.services import link_issue

    case = place("resting", waited=timedelta(hours=1))
    assert client.get(f"/c/{link_issue(case=case)}/").status_code == 200
    for url in (MAP, MAP + "?partial=live"):
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (
            302,
            f"{resolve_url(settings.LOGIN_URL)}?next={url.replace('?', '%3F').replace('=', '%3D')}",
        )
