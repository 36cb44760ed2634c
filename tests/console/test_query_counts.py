"""Every console page costs an exact number of queries, whatever the amount of data behind it.

Each test makes its data through the product (the order and report services, the console's own
posts, the scan station, the feedback form, the email webhook's service, the worker's timer call),
reads a page, then makes several times as much and reads it again: the same N both times. The N is
pinned exactly, with what its queries are (a change that adds one fails here and says which).

The queries every signed-in page starts with: the session, and the signed-in person (2).
The case view and its panels are pinned in their own tests (tests/console/test_case_view.py)."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from tests.console.given import register, signed_in
from tests.inbox.mails import mail
from tests.insights.test_people import register_survey
from tests.quotes.repair import repair_case
from tests.support.factories import CustomerFactory, StaffFactory
from tests.support.timers import time_runs_out
from tests.support.two_factor import Phone
from touchpoint.cases.actors import SYSTEM, staff_actor
from touchpoint.cases.models import Case, JourneyVersion
from touchpoint.cases.services.assign import case_assign
from touchpoint.cases.services.notes import case_note_add
from touchpoint.feedback.services import feedback_give
from touchpoint.flows.advance import case_advance, case_open
from touchpoint.inbox.models import InboundAttachment
from touchpoint.inbox.services import inbound_receive
from touchpoint.links.services import link_token
from touchpoint.staff.models import Role, StaffUser

pytestmark = pytest.mark.django_db
Counted = Callable[[int], AbstractContextManager[Any]]
SESSION_AND_USER = 2
_serial = count(1)


def read_twice(client: Client, url: str, queries: int, counted: Counted, more: Callable[[], object]) -> None:
    """Read ``url`` (warm: the process's parse caches filled, the session's last-seen written), count
    its queries, make more data with ``more``, and count again: ``queries`` both times."""
    assert client.get(url).status_code == 200
    with counted(queries):
        assert client.get(url).status_code == 200
    more()
    assert client.get(url).status_code == 200
    with counted(queries):
        response = client.get(url)
    assert response.status_code == 200


# --- the queues -------------------------------------------------------------------------------------


def bench_cases(agent: StaffUser, n: int) -> None:
    """``n`` mini repairs as customers order them, paid and arrived (on the bench: a handoff to accept
    within 2 h, so at risk); every third runs past its day on the bench (the worker fires its wait
    limit: running late, an exception), every other one of the rest is given to ``agent``."""
    for i in range(n):
        case = case_open(
            journey="mini-repair", customer=CustomerFactory(), actor=SYSTEM, data={"model": "nano-4g"}
        ).case
        case = case_advance(case=case, event="payment_received", actor=SYSTEM).case
        case = case_advance(case=case, event="device_arrived", actor=staff_actor(agent)).case
        if i % 3 == 0:
            time_runs_out(case)
        elif i % 2 == 0:
            case_assign(case=case, assignee=agent, actor=agent)


@pytest.fixture
def agent(mini_journey: JourneyVersion) -> StaffUser:
    return StaffFactory(username="agent", teams=["bench"])


# session, user; the journey versions, the person's teams (the team queue, and the "New walk-in"
# button: read once per request), the cases (each with its soonest wait limit, its open tasks' earliest
# due time and whether a handoff waits, as subqueries), every team (owners by name, the team filter);
# the full page adds the active staff for the assignee filter.
QUEUE_PAGES = {
    "mine": 7,
    "team": 7,
    "exceptions": 7,
    "handoffs": 7,
    "at_risk": 7,
    "all": 7,
}


@pytest.mark.parametrize(("queue", "queries"), QUEUE_PAGES.items())
def test_each_queue_costs_the_same_queries_for_4_cases_as_for_16(
    agent: StaffUser, django_assert_num_queries: Counted, queue: str, queries: int
) -> None:
    bench_cases(agent, 4)
    read_twice(
        signed_in(agent), f"/console/?q={queue}", queries, django_assert_num_queries, lambda: bench_cases(agent, 12)
    )


def test_a_search_costs_the_same_queries_for_4_cases_as_for_16(
    agent: StaffUser, django_assert_num_queries: Counted
) -> None:
    bench_cases(agent, 4)
    # as a queue page; the person's teams are read to say which queues each result sits in
    read_twice(
        signed_in(agent),
        "/console/?q=mine&search=example",
        7,
        django_assert_num_queries,
        lambda: bench_cases(agent, 12),
    )


def test_the_filtered_queue_costs_the_same_queries(agent: StaffUser, django_assert_num_queries: Counted) -> None:
    bench_cases(agent, 4)
    url = "/console/?q=all&journey=mini-repair&state=on_bench&team=bench&assignee=agent&status=any"
    read_twice(signed_in(agent), url, 7, django_assert_num_queries, lambda: bench_cases(agent, 12))


def test_the_live_refresh_costs_the_same_queries(agent: StaffUser, django_assert_num_queries: Counted) -> None:
    bench_cases(agent, 4)
    client = signed_in(agent)
    client.defaults.update({"HTTP_HX_REQUEST": "true", "HTTP_X_TOUCHPOINT_BACKGROUND": "1"})
    # the full page's queries but the staff for the filters and the walk-in button's teams
    read_twice(client, "/console/?q=all", 5, django_assert_num_queries, lambda: bench_cases(agent, 12))


# --- pages without rows -----------------------------------------------------------------------------


def test_the_home_page_and_the_sign_in_page_cost_the_same_queries(
    agent: StaffUser, django_assert_num_queries: Counted
) -> None:
    bench_cases(agent, 2)
    read_twice(signed_in(agent), "/", SESSION_AND_USER, django_assert_num_queries, lambda: bench_cases(agent, 6))
    # nobody signed in: no session yet, no query at all
    read_twice(Client(), "/console/login/", 0, django_assert_num_queries, lambda: bench_cases(agent, 6))


# --- the scan station -------------------------------------------------------------------------------


def scanned(client: Client, n: int) -> None:
    """``n`` mail-in repairs posted by their customers, booked in at the scan station."""
    for _ in range(n):
        case = repair_case(CustomerFactory(), "device_in_transit")
        assert client.post("/console/scan/", {"code": case.reference, "action": "arrived"}).status_code == 302


def test_the_scan_station_costs_the_same_queries_after_2_scans_as_after_8(
    django_assert_num_queries: Counted,
) -> None:
    client = signed_in(StaffFactory(username="alex", teams=["intake"]))
    scanned(client, 2)
    # session, user: this session's scans are in the session itself
    read_twice(client, "/console/scan/", SESSION_AND_USER, django_assert_num_queries, lambda: scanned(client, 6))


# --- journeys and the live map ------------------------------------------------------------------------


def test_the_journeys_and_the_live_map_cost_the_same_queries(
    agent: StaffUser, django_assert_num_queries: Counted
) -> None:
    bench_cases(agent, 3)
    client = signed_in(agent)
    more = lambda: bench_cases(agent, 9)
    # session, user, every team (owners by name), the journey versions, open cases per state, the
    # cases that reached an end state in the last week
    read_twice(client, "/console/journeys/", 6, django_assert_num_queries, more)
    # session, user, the version; per state: open cases and the oldest, overdue timers, arrivals
    # lately (pile-ups); every team (owners by name). The live refresh reads the same.
    read_twice(client, "/console/journeys/mini-repair/1/", 7, django_assert_num_queries, more)
    read_twice(client, "/console/journeys/mini-repair/1/?partial=live", 7, django_assert_num_queries, more)


# --- people -------------------------------------------------------------------------------------------


def rated(staff: list[StaffUser], n: int) -> None:
    """``n`` after-care cases: someone acts on each (a note), the customer rates it on their page."""
    for i in range(n):
        case = case_open(journey="after-care-survey", customer=CustomerFactory(), actor=SYSTEM).case
        case_note_add(case=case, author=staff[i % len(staff)], text="Called the customer back.")
        case = Case.objects.get(pk=case.pk)
        feedback_give(case=case, version=case.version, csat=1 + i % 5, comment="Sam was brilliant" if i % 2 else "")


def test_the_people_pages_cost_the_same_queries_for_3_ratings_as_for_12(
    lead: StaffUser, django_assert_num_queries: Counted
) -> None:
    register_survey()
    staff = [StaffFactory(username="sam", first_name="Sam"), StaffFactory(username="jo", first_name="Jo")]
    rated(staff, 3)
    client = signed_in(lead)
    # session, user, the lead's authenticator (a lead's session gave its code); the window's figures
    # the worker keeps (insights.snapshots; the warm read worked them out: a small shop); the active
    # staff (the board) or the person (their page)
    read_twice(client, "/console/people/", 5, django_assert_num_queries, lambda: rated(staff, 9))
    read_twice(client, "/console/people/sam/", 5, django_assert_num_queries, lambda: rated(staff, 9))


# --- the wall, themes, insights (leads) ----------------------------------------------------------------


def feedback(n: int) -> None:
    """``n`` customers whose repaired devices are home leave feedback they agree to publish."""
    for i in range(n):
        case = repair_case(CustomerFactory(name=f"Pat Doe {i}"), "feedback_asked")
        feedback_give(
            case=case, version=case.version, csat=1 + i % 5, comment=f"Comment {i}: it came back working.",
            consent_publish=True, display_name="Pat", town="Leeds",
        )  # fmt: skip


def test_wall_moderation_costs_the_same_queries_for_2_items_as_for_6(
    lead: StaffUser, django_assert_num_queries: Counted
) -> None:
    feedback(2)
    # session, user, the lead's authenticator; the feedback counts, the wall's counts, the items
    # waiting for a lead, the published items not answered yet
    read_twice(signed_in(lead), "/console/wall/", 7, django_assert_num_queries, lambda: feedback(4))


def customers_write(n: int, rebuild: Client) -> None:
    """``n`` customers email about their repairs (as the email webhook receives them), then a lead
    regroups the themes from the themes page."""
    words = ["battery drains overnight", "screen cracked again", "parcel arrived late"]
    for i in range(n):
        customer = CustomerFactory()
        case = case_open(journey="mini-repair", customer=customer, actor=SYSTEM, data={"model": "nano-4g"}).case
        text = f"The {words[i % 3]}, {words[(i + 1) % 3]} too."
        inbound_receive(raw=mail(sender=f"{customer.name} <{customer.email}>", subject=f"Re: {case.reference}",
                                 body=text), source="webhook")  # fmt: skip
    assert rebuild.post("/console/themes/rebuild/").status_code == 302


def test_the_themes_page_costs_the_same_queries_for_6_texts_as_for_24(
    lead: StaffUser, mini_journey: JourneyVersion, django_assert_num_queries: Counted
) -> None:
    client = signed_in(lead)
    customers_write(6, client)
    # session, user, the lead's authenticator; the latest run, its themes
    read_twice(client, "/console/themes/", 5, django_assert_num_queries, lambda: customers_write(18, client))


def test_insights_cost_the_same_queries_for_4_cases_as_for_16(
    lead: StaffUser, agent: StaffUser, django_assert_num_queries: Counted
) -> None:
    bench_cases(agent, 4)
    # session, user, the lead's authenticator; the journeys' titles; the window's figures the worker
    # keeps (insights.snapshots; the warm read worked them out: a small shop)
    read_twice(signed_in(lead), "/console/insights/?days=all", 5, django_assert_num_queries,
               lambda: bench_cases(agent, 12))  # fmt: skip


# --- walk-ins -------------------------------------------------------------------------------------------


def walk_ins(client: Client, n: int) -> None:
    """``n`` customers come to the counter and are booked in on the walk-in form."""
    for _ in range(n):
        i = next(_serial)
        form = {"nonce": f"counter-{i}", "customer": "new", "name": f"Walker {i}", "email": f"walker{i}@example.com",
                "phone": "", "device": "Nano Player 4G earbuds", "serial": f"SN-{i}", "problem_notes": "Silent.",
                "in_warranty": "yes", "has_receipt": "no"}  # fmt: skip
        assert client.post("/console/walk-ins/new/", form).status_code == 302


def test_the_walk_in_form_and_its_customer_search_cost_the_same_queries(
    django_assert_num_queries: Counted,
) -> None:
    register("walk-in-warranty")
    client = signed_in(StaffFactory(username="alex", teams=["counter"]))
    walk_ins(client, 2)
    # session, user, the person's teams (the counter's form is theirs); a search adds the customers found
    read_twice(client, "/console/walk-ins/new/", 3, django_assert_num_queries, lambda: walk_ins(client, 6))
    read_twice(client, "/console/walk-ins/new/?find=walker", 4, django_assert_num_queries, lambda: walk_ins(client, 6))


# --- two-factor sign-in ---------------------------------------------------------------------------------

PASSWORD = "correct horse battery"


def set_up(client: Client) -> Phone:
    """Set two-factor up on its page as a person does: read the key, type the app's code."""
    page = client.get("/console/two-factor/").content.decode()
    secret = re.search(r'<code class="secret" id="secret">([A-Z2-7 ]+)</code>', page)
    assert secret is not None
    phone = Phone(secret.group(1))
    assert client.post("/console/two-factor/", {"code": phone.code()}).status_code == 200
    return phone


def password(user: StaffUser) -> Client:
    client = Client()
    assert client.post("/console/login/", {"username": user.username, "password": PASSWORD}).status_code == 302
    return client


def with_two_factor(n: int) -> list[tuple[StaffUser, Phone]]:
    """``n`` colleagues who signed in and set two-factor up on its page."""
    made = []
    for _ in range(n):
        user = StaffFactory(username=f"member{next(_serial)}")
        made.append((user, set_up(password(user))))
    return made


def test_the_two_factor_pages_cost_the_same_queries_for_2_colleagues_as_for_8(
    django_assert_num_queries: Counted,
) -> None:
    members = with_two_factor(2)
    more = lambda: with_two_factor(6)
    # a lead without two-factor, signed in with the password: the setup page
    setting_up = password(StaffFactory(username="priya", role=Role.LEAD))
    # session, user, the authenticator (none confirmed: the gate sends a lead here), the recovery-code
    # device, the authenticator being set up, the user again (django-otp's device lookup)
    read_twice(setting_up, "/console/two-factor/", 6, django_assert_num_queries, more)
    # a colleague with two-factor on, after the password: the code page
    user, phone = members[0]
    owing = password(user)
    # session, user, their authenticator
    read_twice(owing, "/console/login/code/", 3, django_assert_num_queries, more)
    # signed in with both: their own page (on, recovery codes left), and a lead's page for a colleague
    done = password(user)
    assert done.post("/console/login/code/", {"code": phone.code()}).status_code == 302
    # session, user, the authenticator three times (the gate, the verified check, the page), the
    # recovery codes left, the resets recorded for them
    read_twice(done, "/console/two-factor/", 7, django_assert_num_queries, more)
    boss_client = password(StaffFactory(username="boss", role=Role.LEAD))
    set_up(boss_client)
    # session, user, the lead's authenticator; the colleague, their authenticator, their recovery codes
    # left, their resets (twice: the latest, and the list)
    read_twice(boss_client, f"/console/people/{user.username}/two-factor/", 8, django_assert_num_queries, more)


# --- a customer's file ----------------------------------------------------------------------------------


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Iterator[Path]:
    settings.MEDIA_ROOT = tmp_path / "media"
    yield Path(settings.MEDIA_ROOT)


def photos_sent(case: Case, n: int) -> None:
    """The customer sends ``n`` photos from their case page."""
    client = Client()
    token = link_token(case=case)
    data = tiny_png()
    for _ in range(n):
        sent = client.post(f"/c/{token}/messages/", {"text": "Here it is.", "nonce": f"{next(_serial):032x}",
                                                      "photos": [SimpleUploadedFile("photo.png", data)]})  # fmt: skip
        assert sent.status_code == 302, sent.content.decode()[:300]


def tiny_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 40, 40)).save(out, "PNG")
    return out.getvalue()


def test_a_customers_file_costs_the_same_queries_among_2_as_among_8(
    media: Path, new_case: Case, django_assert_num_queries: Counted
) -> None:
    photos_sent(new_case, 2)
    first = InboundAttachment.objects.order_by("pk").first()
    assert first is not None
    url = f"/console/cases/{new_case.reference}/files/{first.pk}/"
    # session, user, the file with its message's case
    read_twice(signed_in(StaffFactory(username="agent1", teams=["care"])), url, 3, django_assert_num_queries,
               lambda: photos_sent(new_case, 6))  # fmt: skip
