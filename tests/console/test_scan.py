"""The scan station page: staff only, one POST per scan that redirects back ready for the next,
clear answers for bad input, the chosen action remembered, and this session's scans listed."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client

from tests.console.given import repair_data
from tests.support.factories import CustomerFactory, StaffFactory
from touchpoint.cases.actors import CUSTOMER, SYSTEM
from touchpoint.cases.journeys import journey_register
from touchpoint.cases.models import Case
from touchpoint.flows.advance import case_advance, case_open
from touchpoint.journeys.library import library_file
from touchpoint.links.services import link_issue
from touchpoint.staff.models import Role, StaffUser

pytestmark = pytest.mark.django_db
URL = "/console/scan/"


@pytest.fixture
def intake(db: Any) -> StaffUser:
    return StaffFactory(username="alex", first_name="Alex", last_name="", role=Role.AGENT, teams=["intake"])


@pytest.fixture
def posted(db: Any) -> Case:
    """A mail-in repair whose device is on its way to the shop."""
    path = library_file("mail-in-repair")
    assert path is not None
    journey_register(source=path.read_text(), filename=str(path))
    case = case_open(
        journey="mail-in-repair",
        customer=CustomerFactory(name="Ian Kearns"),
        actor=SYSTEM,
        data=repair_data(),
    ).case
    for event, actor in [("card_submitted", CUSTOMER), ("payment_succeeded", SYSTEM), ("device_posted", CUSTOMER)]:
        case = case_advance(case=case, event=event, actor=actor).case
    return case


def test_anonymous_visitors_are_sent_to_sign_in_and_nothing_is_recorded(client: Client, posted: Case) -> None:
    for response in (client.get(URL), client.post(URL, {"code": posted.reference, "action": "arrived"})):
        assert response.status_code == 302
        assert response["Location"] == f"{resolve_url(settings.LOGIN_URL)}?next={URL}"
    assert Case.objects.get(pk=posted.pk).state == "device_in_transit"


def test_a_customers_magic_link_session_does_not_open_the_scan_station(client: Client, posted: Case) -> None:
    # Given the customer has opened their own case page with its link
    assert client.get(f"/c/{link_issue(case=posted)}/").status_code == 200
    # When they try the scan station in the same browser
    response = client.post(URL, {"code": posted.reference, "action": "arrived"})
    # Then they are asked to sign in as staff, and the case did not move
    assert response.status_code == 302
    assert response["Location"] == f"{resolve_url(settings.LOGIN_URL)}?next={URL}"
    assert Case.objects.get(pk=posted.pk).state == "device_in_transit"


def test_the_page_has_a_focused_code_box_and_remembers_arrived_by_default(client: Client, intake: StaffUser) -> None:
    client.force_login(intake)
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<label for="id_code">Case reference or tracking number</label>' in html
    assert 'name="code" id="id_code" value=""' in html
    assert "autofocus" in html
    assert 'value="arrived" id="id_action_0" required checked' in html
    assert "No scans yet in this session." in html
    assert not re.search(r"\sstyle=", html) and "<script>" not in html


def test_a_scan_records_redirects_and_shows_the_result_once(client: Client, intake: StaffUser, posted: Case) -> None:
    client.force_login(intake)
    # When Alex scans the parcel in
    response = client.post(URL, {"code": posted.reference.lower(), "action": "arrived"})
    # Then the case moved, and the page comes back ready for the next scan
    assert (response.status_code, response["Location"]) == (302, URL)
    assert Case.objects.get(pk=posted.pk).state == "resting"
    html = client.get(URL).content.decode()
    assert '<section class="scan-result recorded" role="status"' in html
    assert f"{posted.reference} arrived: now “Resting before surgery”." in html
    assert "<dt>Customer</dt><dd>Ian Kearns</dd>" in html
    assert '<dd class="scan-next">Put it on the resting shelf: surgery starts tomorrow.</dd>' in html
    # and on the next visit the result panel is gone but the session's list keeps it
    again = client.get(URL).content.decode()
    assert "scan-result" not in again
    assert f"<td><code>{posted.reference.lower()}</code></td>" in again


def test_an_unknown_code_and_a_repeat_are_answered_in_the_running_list(
    client: Client, intake: StaffUser, posted: Case
) -> None:
    client.force_login(intake)
    client.post(URL, {"code": posted.reference, "action": "arrived"})
    client.post(URL, {"code": "NOPE-1", "action": "arrived"})
    html = client.get(URL).content.decode()
    assert '<section class="scan-result unknown" role="status"' in html
    assert "No case or parcel has the code NOPE-1 — check the label, or search the queues." in html
    client.post(URL, {"code": posted.reference, "action": "arrived"})
    html = client.get(URL).content.decode()
    assert '<section class="scan-result duplicate" role="status"' in html
    assert f"{posted.reference}: already recorded at " in html and " by Alex — nothing more to do." in html
    assert html.count('<tr class="scan-') == 3
    assert Case.objects.get(pk=posted.pk).version == posted.version + 1


def test_the_chosen_action_is_remembered_between_scans(client: Client, intake: StaffUser) -> None:
    client.force_login(intake)
    client.post(URL, {"code": "TP-00000", "action": "dispatched"})
    html = client.get(URL).content.decode()
    assert 'value="dispatched" id="id_action_1" required checked' in html


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"code": "  ", "action": "arrived"},
            "code",
            "Type or scan a code: a case reference such as TP-4K7Q9, or a tracking number.",
        ),
        ({"code": "TP-4K7Q9", "action": "eaten"}, "action", "Choose Arrived or Dispatched."),
        ({"code": "X" * 61, "action": "arrived"}, "code", "Ensure this value has at most 60 characters (it has 61)."),
    ],
)
def test_bad_input_is_shown_beside_its_field_and_what_was_typed_is_kept(
    client: Client, intake: StaffUser, data: dict[str, str], field: str, message: str
) -> None:
    client.force_login(intake)
    response = client.post(URL, {**data, "tracking_number": "RM 77", "carrier": "DPD"})
    html = response.content.decode()
    assert response.status_code == 200
    error_id = {"code": "code-error", "action": "action-error"}[field]
    assert f'<p class="error" id="{error_id}">{message}</p>' in html
    assert f'aria-describedby="{error_id}"' in html
    assert 'value="RM 77"' in html and 'value="DPD"' in html
    assert client.session.get("scan_log") is None


def test_a_post_without_the_csrf_token_is_refused(intake: StaffUser, posted: Case) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(intake)
    response = client.post(URL, {"code": posted.reference, "action": "arrived"})
    assert response.status_code == 403
    assert Case.objects.get(pk=posted.pk).state == "device_in_transit"
