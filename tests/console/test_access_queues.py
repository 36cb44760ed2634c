"""Who may open the console pages built here: signed-in active staff only. Anonymous visitors and a
customer holding a magic link are sent to sign in; the role check names the role a page needs; and
"mine" is always the signed-in person's, whatever the URL says."""

from __future__ import annotations

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory

from tests.staff.queue_cases import make_case
from tests.support.factories import StaffFactory
from touchpoint.cases.models import Case, JourneyVersion
from touchpoint.customers.models import Customer
from touchpoint.links.services import link_issue
from touchpoint.staff.access import staff_required
from touchpoint.staff.models import Role

pytestmark = pytest.mark.django_db
STAFF_URLS = ["/console/", "/console/?q=all", "/console/?q=exceptions&search=TP-00001"]


@pytest.mark.parametrize("url", STAFF_URLS)
def test_anonymous_visitors_are_sent_to_sign_in(url: str, new_case: Case) -> None:
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/console/login/?next=/console/")
    assert new_case.reference not in response.content.decode()


def test_the_live_refresh_refuses_anonymous_visitors_too(new_case: Case) -> None:
    response = Client().get("/console/?q=all", headers={"HX-Request": "true"})
    assert response.status_code == 302
    assert new_case.reference.encode() not in response.content


def test_a_customers_magic_link_opens_their_case_but_not_the_console(new_case: Case) -> None:
    # given a customer who has opened their case through their link
    client = Client()
    token = link_issue(case=new_case)
    assert client.get(f"/c/{token}/").status_code == 200
    # when they try the console with the same browser
    for url in STAFF_URLS:
        response = client.get(url)
        # then they are asked to sign in as staff, and see no case
        assert response.status_code == 302, url
        assert response["Location"].startswith("/console/login/")
    assert "_auth_user_id" not in client.session


def test_a_deactivated_account_is_refused_even_with_a_session(mini_journey: JourneyVersion, customer: Customer) -> None:
    make_case(mini_journey, customer, "on_bench", reference="TP-00001")
    gone = StaffFactory(username="gone")
    client = Client()
    client.force_login(gone)
    gone.is_active = False
    gone.save()
    response = client.get("/console/?q=all")
    assert response.status_code == 302  # the auth backend no longer accepts the session's user
    assert b"TP-00001" not in response.content


def test_mine_is_always_the_signed_in_persons(mini_journey: JourneyVersion, customer: Customer) -> None:
    alex = StaffFactory(username="alex")
    sam = StaffFactory(username="sam")
    make_case(mini_journey, customer, "on_bench", reference="TP-00001", assignee=sam)
    client = Client()
    client.force_login(alex)
    response = client.get(f"/console/?q=mine&user={sam.pk}&assignee_id={sam.pk}")
    assert response.context["page"].rows == []


def _needs_lead(request: HttpRequest) -> HttpResponse:
    return HttpResponse("lead page")


@pytest.mark.parametrize(
    ("role", "superuser", "status"),
    [(Role.AGENT, False, 403), (Role.LEAD, False, 200), (Role.ADMIN, False, 200), (Role.AGENT, True, 200)],
)
def test_a_page_that_needs_lead_refuses_an_agent_and_says_why(role: str, superuser: bool, status: int) -> None:
    view = staff_required("lead")(_needs_lead)
    request = RequestFactory().get("/console/lead-only/")
    request.user = StaffFactory(role=role, is_superuser=superuser)
    request.session = {}  # type: ignore[assignment]
    response = view(request)
    assert response.status_code == status
    if status == 403:
        assert "This page needs the lead role" in response.content.decode()
    else:
        assert response.content == b"lead page"
