"""The ETA counts the same clock the team works by (issue 16 part 3): a repair's surgery is bench
work, done only while the shop is open, so the range on the customer's page skips the weekend.

The hours are set the way a lead sets them (the console's page), the history is made by repairs
walked home through the product, the worker's job works the figures out, and the customer reads
the page by magic link at frozen moments. November 2026 in London is GMT, so local = UTC."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from html import unescape
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tests.portal.history import past_case, worker_works_out_eta
from tests.quotes.repair import repair_case
from tests.support.factories import CustomerFactory, StaffFactory
from touchpoint.cases.models import Case, EtaFigure
from touchpoint.core.clock import at
from touchpoint.links.services import link_issue
from touchpoint.shop.opening_hours import opening_hours_forget
from touchpoint.staff.models import Role

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)


def moment(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=UTC)


# Each past repair: when it entered surgery, when it was home, and (by hand) the open hours between
# with Monday–Friday 09:00–17:00. Sorted open hours 2 3 3 4 4 5 5 6 10 11: p50 (5th) 4 h, p90 (9th)
# 10 h. By the calendar they took 2 3 3 5 6 20 20 26 43 69 hours: p50 6 h, p90 43 h.
HISTORY = [
    (moment(2, 10), moment(2, 12)),  # Mon 10:00 → 12:00: 2 h
    (moment(2, 15), moment(3, 11)),  # Mon 15:00 → Tue 11:00: 2 + 2 = 4 h (20 by the calendar)
    (moment(3, 9), moment(3, 12)),  # 3 h
    (moment(4, 13), moment(4, 16)),  # 3 h
    (moment(5, 14), moment(6, 10)),  # Thu 14:00 → Fri 10:00: 3 + 1 = 4 h (20)
    (moment(6, 15), moment(9, 12)),  # Fri 15:00 → Mon 12:00: 2 + 3 = 5 h (69)
    (moment(9, 9), moment(9, 14)),  # 5 h
    (moment(10, 12), moment(11, 14)),  # Tue 12:00 → Wed 14:00: 5 + 5 = 10 h (26)
    (moment(11, 16), moment(13, 11)),  # Wed 16:00 → Fri 11:00: 1 + 8 + 2 = 11 h (43)
    (moment(12, 9), moment(12, 15)),  # 6 h
]


@pytest.fixture(autouse=True)
def _fresh_hours() -> Iterator[None]:
    # the process keeps a copy of the hours: an earlier test's must not count here, nor ours later
    opening_hours_forget()
    yield
    opening_hours_forget()


def lead_sets_shop_hours(closed_dates: str = "", weekly: str = "Mon-Fri 09:00-17:00") -> None:
    lead = Client()
    lead.force_login(StaffFactory(role=Role.LEAD))
    url = reverse("console:shop_hours")
    stamp = lead.get(url).context["form"].initial["stamp"]
    sent = lead.post(
        url,
        {"stamp": stamp, "closed_dates": closed_dates, "weekly": weekly, "zone": "Europe/London"},
    )
    assert sent.status_code == 302, sent.content.decode()


def eta_on_the_page(case: Case, when: datetime) -> str:
    with at(when):
        response = Client().get(reverse("portal:case", args=[link_issue(case=case)]))
    assert response.status_code == 200
    found = re.search(r'<section class="eta[^"]*"[^>]*>.*?<p>(.*?)</p>', response.content.decode(), re.S)
    assert found is not None, "the page has no ETA"
    return re.sub(r"\s+", " ", unescape(found.group(1))).strip()


def test_a_repair_in_surgery_on_friday_at_four_is_told_monday_and_tuesday_not_the_weekend() -> None:
    # Given the shop opens Monday to Friday, 09:00 to 17:00, and ten repairs went through surgery
    lead_sets_shop_hours()
    for entered, home in HISTORY:
        past_case(entered, (home - entered) / timedelta(days=1))
    assert worker_works_out_eta() == 1
    figure = EtaFigure.objects.get(state="in_surgery")
    # Then surgery's figures are the open hours the bench worked, nights and weekends left out
    assert (figure.samples, figure.p50_seconds, figure.p90_seconds) == (10, 4 * 3600.0, 10 * 3600.0)
    split = (figure.p50_business_seconds, figure.p90_business_seconds, figure.hours_of)
    assert split == (4 * 3600.0, 10 * 3600.0, "bench")
    # and `touchpoint eta` lists the open-hours part beside each figure
    call_command("eta", stdout=(listed := StringIO()))
    assert (
        "mail-in-repair@4        in_surgery                       10      4.0     10.0"
        "  (of which open hours of team:bench: 4.0 and 10.0)"
    ) in listed.getvalue().splitlines()

    # When a repair goes into surgery on Friday 20 November at 16:00
    with at(moment(20, 16)):
        case = repair_case(CustomerFactory(), "in_surgery")

    # Then its page says Monday to Tuesday: 4 open hours is Fri 16–17 and Mon 09–12 (Monday noon,
    # 68 h away: 3 days); 10 is Fri 16–17, Mon 09–17, Tue 09–10 (Tuesday 10:00, 90 h: 4 days).
    # By the calendar it would have said 6 hours to 2 days: Friday night to Sunday.
    assert eta_on_the_page(case, moment(20, 16)) == (
        "Usually 3 to 4 more days, counting our opening hours: done between Monday 23 November and "
        "Tuesday 24 November. Of our last 10 cases at this step, 9 in 10 were done within 10 hours of "
        "reaching it, not counting the hours we're closed."
    )
    # And on Monday at 10:00 the two open hours already spent (Friday's last, Monday's first) are
    # taken off: 2 more open hours (noon today), 8 more (10:00 tomorrow, 24 h away)
    assert eta_on_the_page(case, moment(23, 10)).startswith(
        "Usually 2 to 24 more hours, counting our opening hours: done between today and tomorrow."
    )
    # And the weekend spent in surgery is not time spent: on Sunday it still says Monday to Tuesday
    assert "done between tomorrow and Tuesday 24 November" in eta_on_the_page(case, moment(22, 12))


def test_without_opening_hours_the_range_counts_every_hour_as_before() -> None:
    # Given the same history but no hours set: every hour is open, surgery's stays are calendar time
    for entered, home in HISTORY:
        past_case(entered, (home - entered) / timedelta(days=1))
    worker_works_out_eta()
    figure = EtaFigure.objects.get(state="in_surgery")
    assert (figure.p50_seconds, figure.p90_seconds) == (6 * 3600.0, 43 * 3600.0)
    assert (figure.p50_business_seconds, figure.p90_business_seconds) == (0.0, 0.0)
    with at(moment(20, 16)):
        case = repair_case(CustomerFactory(), "in_surgery")
    # (an hour later: 5 of the 6 hours and 42 of the 43 are left, Saturday morning at the latest)
    assert eta_on_the_page(case, moment(20, 16) + HOUR) == (
        "Usually 5 hours to 2 days more. Of our last 10 cases at this step, 9 in 10 were done within 2 days of "
        "reaching it."
    )


def test_a_shop_closed_for_over_a_year_gets_durations_not_an_error() -> None:
    # Given the figures worked out with Monday-to-Friday hours (4 and 10 open hours in surgery)
    lead_sets_shop_hours()
    for entered, home in HISTORY:
        past_case(entered, (home - entered) / timedelta(days=1))
    worker_works_out_eta()
    with at(moment(20, 16)):
        case = repair_case(CustomerFactory(), "in_surgery")
    # and then the shop open on Mondays only, and closed every Monday for the next 60 weeks
    mondays = "\n".join(str(moment(23, 0).date() + timedelta(weeks=n)) for n in range(60))
    lead_sets_shop_hours(mondays, weekly="Mon 09:00-17:00")
    # Then no day can be landed on within the 400 days the hours are searched: the page still
    # answers, with the figures' durations, not a server error
    assert eta_on_the_page(case, moment(20, 16)).startswith("Usually 4 to 10 more hours. Of our last 10 cases")


def test_the_rough_guess_of_a_new_shop_counts_the_opening_hours_too() -> None:
    # Given the shop opens Monday to Friday, 09:00 to 17:00, and has no history yet
    lead_sets_shop_hours()
    # When a repair goes into surgery on Friday 20 November at 16:00
    with at(moment(20, 16)):
        case = repair_case(CustomerFactory(), "in_surgery")
    # Then the journey's own assumptions give the guess (40 h median, 110 h p90 along the likeliest
    # route), of which the teams' steps (surgery, the check-up, packing: 16 h and 62 h) are open hours.
    # p50: 16 open hours from Fri 16:00 is Tue 16:00, then 24 h of post: Wed 25th 16:00, 120 h: 5 days.
    # p90: 62 open hours is Wed 2 December 14:00, then 48 h: Fri 4th 14:00, 334 h away: 14 days.
    # (By the calendar alone it said 2 to 5 days: done over the weekend.)
    assert eta_on_the_page(case, moment(20, 16)) == (
        "We've only done a few of these, so this is a rough guess. Usually 5 to 14 more days."
    )
