"""The opening hours page: a lead sets the shop's week and a team's own, imports a calendar's closed
days, sees the public holidays and closed days of the coming months, and every change is audited.
Each bad input is said beside its field with what was typed kept and nothing saved; agents are
refused, strangers sent to sign in, and an unknown team is not found."""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.shop.given import lead_client
from tests.support.factories import StaffFactory, TeamFactory
from touchpoint.core.clock import at
from touchpoint.shop.models import SettingChange, TeamHours
from touchpoint.shop.opening_hours import opening_hours_forget, team_clock

pytestmark = pytest.mark.django_db

HOURS = reverse("console:shop_hours")
CALENDAR = reverse("console:shop_hours_calendar")
NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)  # a Monday
GOOD = {"weekly": "Mon-Fri 09:00-17:00", "zone": "Europe/London", "country": "GB", "region": "ENG", "closed_dates": ""}
ICS = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Test//EN\r
BEGIN:VEVENT\r
UID:1@test\r
DTSTART;VALUE=DATE:20261229\r
DTEND;VALUE=DATE:20261231\r
SUMMARY:Stocktake\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:2@test\r
DTSTART:20261222T140000Z\r
DTEND:20261222T160000Z\r
SUMMARY:Team lunch\r
END:VEVENT\r
END:VCALENDAR\r
"""


@pytest.fixture(autouse=True)
def _now() -> Iterator[None]:
    opening_hours_forget()
    with at(NOW):
        yield
    opening_hours_forget()


def text(page: str) -> str:
    words = html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))
    return re.sub(r"\( ", "(", re.sub(r" ([,.:;)])", r"\1", words))


def error_of(page: str, field: str) -> str:
    found = re.search(rf'<ul class="errorlist field-error" id="id_{field}_error"><li>(.*?)</li>', page, re.S)
    assert found is not None, f"no error beside {field}"
    return html_lib.unescape(found.group(1))


def save(client: Client, url: str = HOURS, **changed: str) -> tuple[int, str]:
    stamp = client.get(url).context["form"].initial["stamp"]
    response = client.post(url, {"stamp": stamp, **GOOD, **changed})
    if response.status_code == 302:
        return 302, client.get(response["Location"]).content.decode()
    return response.status_code, response.content.decode()


def test_a_lead_sets_the_shops_hours_and_sees_what_counts() -> None:
    client = lead_client()
    status, page = save(client, closed_dates="2026-12-24 Christmas Eve")
    assert status == 302

    row = TeamHours.objects.get()
    assert (row.team, row.weekly, row.zone, row.country, row.region) == (
        None,
        "Mon-Fri 09:00-17:00",
        "Europe/London",
        "GB",
        "ENG",
    )
    words = text(page)
    assert "Saved: " in words
    assert "Counted as: Mon–Fri 09:00–17:00 (Europe/London)" in words
    # the next six months' closed days, each with where it comes from
    assert "Thu 24 Dec 2026 Christmas Eve closed date" in words
    assert "Fri 25 Dec 2026 Christmas Day public holiday" in words
    assert "Mon 28 Dec 2026 Boxing Day (observed) public holiday" in words
    assert "Fri 1 Jan 2027 New Year's Day public holiday" in words
    assert "Fri 3 Apr 2026" not in words  # in the past: not listed
    # audited field by field, from nothing
    audit = {(c.area, c.subject, c.field, c.before, c.after) for c in SettingChange.objects.all()}
    assert audit == {
        ("hours", "shop", "weekly", "", "Mon-Fri 09:00-17:00"),
        ("hours", "shop", "zone", "", "Europe/London"),
        ("hours", "shop", "country", "", "GB"),
        ("hours", "shop", "region", "", "ENG"),
        ("hours", "shop", "closed_dates", "", "2026-12-24 Christmas Eve"),
    }
    # and the clock every team without its own hours counts in
    clock = team_clock("care")
    assert clock is not None
    assert clock.describe() == "Mon–Fri 09:00–17:00 (Europe/London)"
    assert {date(2026, 12, 24), date(2026, 12, 25), date(2026, 12, 28)} <= clock.closed


def test_a_change_is_audited_with_before_and_after_and_the_clock_follows_it_at_once() -> None:
    client = lead_client()
    save(client)
    assert team_clock(None) is not None  # a copy kept by this process
    status, _ = save(client, weekly="Mon-Sat 08:00-18:00")
    assert status == 302
    change = SettingChange.objects.filter(field="weekly").order_by("-pk").first()
    assert change is not None
    assert (change.before, change.after, change.by_name) == ("Mon-Fri 09:00-17:00", "Mon-Sat 08:00-18:00", "lena")
    clock = team_clock(None)
    assert clock is not None and clock.describe() == "Mon–Sat 08:00–18:00 (Europe/London)"


def test_saving_the_same_hours_again_saves_nothing() -> None:
    client = lead_client()
    save(client)
    before = SettingChange.objects.count()
    status, page = save(client)
    assert status == 302
    assert "Nothing had changed, so nothing was saved." in text(page)
    assert SettingChange.objects.count() == before


@pytest.mark.parametrize(
    ("field", "typed", "said"),
    [
        ("zone", "London", "“London” is not a time zone: write one by its IANA name, e.g. Europe/London"),
        ("weekly", "weekdays 9 to 5", "“weekdays 9 to 5”: “weekdays” is not a day or a range of days"),
        ("weekly", "Mon-Fri 09:00-13:00, 12:00-17:00", "Monday: 12:00 starts before 13:00 ends: the times overlap"),
        ("weekly", "Mon 17:00-09:00", "17:00-09:00 closes before it opens"),
        ("weekly", "Mon-Fri 09:00-17:00; Fri 18:00-20:00", "Friday is given twice"),
        ("closed_dates", "24/12/2026", "line 1: “24/12/2026” is not a date: write one date a line as 2026-12-24"),
    ],
)
def test_bad_input_is_said_beside_its_field_and_nothing_is_saved(field: str, typed: str, said: str) -> None:
    client = lead_client()
    status, page = save(client, **{field: typed})
    assert status == 400
    assert said in error_of(page, field)
    assert "Nothing was saved: see below." in text(page)
    assert f'value="{html_lib.escape(typed)}"' in page or html_lib.escape(typed) in page  # what was typed is kept
    assert TeamHours.objects.count() == 0
    assert SettingChange.objects.count() == 0


def test_a_country_or_region_without_holidays_known_is_refused() -> None:
    client = lead_client()
    status, page = save(client, country="XX", region="")
    assert status == 400
    assert "no public holidays are known for “XX”: write the country's two-letter code" in error_of(page, "country")
    status, page = save(client, country="", region="ENG")
    assert status == 400
    assert "A region needs its country" in error_of(page, "country")
    status, page = save(client, region="ZZZ")
    assert status == 400
    assert "no public holidays are known for “GB/ZZZ”" in error_of(page, "region")
    assert TeamHours.objects.count() == 0


def test_a_form_drawn_before_someone_elses_save_is_refused_with_what_was_typed_kept() -> None:
    lena, omar = lead_client("lena"), lead_client("omar")
    save(lena)
    old_stamp = omar.get(HOURS).context["form"].initial["stamp"]
    save(lena, weekly="Mon-Fri 08:00-16:00")
    response = omar.post(HOURS, {"stamp": old_stamp, **GOOD, "weekly": "Mon-Sat 10:00-18:00"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "someone else saved these hours while you were editing" in text(page)
    assert 'value="Mon-Sat 10:00-18:00"' in page
    assert TeamHours.objects.get().weekly == "Mon-Fri 08:00-16:00"


def test_a_team_gets_hours_of_its_own_and_others_keep_the_shops() -> None:
    TeamFactory(slug="care", name="Care")
    TeamFactory(slug="bench", name="Bench")
    client = lead_client()
    save(client)
    care = reverse("console:shop_hours_team", args=["care"])
    page = client.get(care).content.decode()
    assert "Care keeps the shop's hours (Mon-Fri 09:00-17:00, Europe/London)" in text(page)
    status, page = save(client, care, weekly="Mon-Sun 08:00-20:00", country="", region="")
    assert status == 302
    words = text(page)
    assert "Care (team:care): Mon-Sun 08:00-20:00 (Europe/London)" in words
    assert "Bench (team:bench): keeps the shop's" in words
    care_clock, bench_clock = team_clock("care"), team_clock("bench")
    assert care_clock is not None and care_clock.describe() == "Mon–Sun 08:00–20:00 (Europe/London)"
    assert bench_clock is not None and bench_clock.describe() == "Mon–Fri 09:00–17:00 (Europe/London)"
    assert SettingChange.objects.filter(subject="team:care").count() == 2  # weekly and zone; nothing else typed


def test_a_calendar_files_all_day_events_become_closed_days_and_timed_ones_are_listed() -> None:
    client = lead_client()
    save(client)
    response = client.post(CALENDAR, {"calendar": SimpleUploadedFile("closures.ics", ICS, "text/calendar")})
    assert response.status_code == 302
    words = text(client.get(response["Location"]).content.decode())
    assert "Imported closures.ics: 2 closed days." in words
    assert "Not used: “Team lunch”: has a time of day, so it closes no whole day" in words
    assert "Now: closures.ics, 2 closed days." in words
    assert "Tue 29 Dec 2026 Stocktake closures.ics" in words
    assert "Wed 30 Dec 2026 Stocktake closures.ics" in words
    change = SettingChange.objects.get(field="calendar")
    assert (change.subject, change.before, change.after) == ("shop", "", "closures.ics (2 days)")
    clock = team_clock(None)
    assert clock is not None and {date(2026, 12, 29), date(2026, 12, 30)} <= clock.closed


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"Not a calendar at all", "This is not an iCalendar file"),
        (b"\xff\xfe\x00garbage\x00", "This is not an iCalendar file"),
        (b"", "That file is empty."),
    ],
    ids=["text", "binary", "empty"],
)
def test_a_bad_calendar_file_is_refused_beside_the_field_and_the_old_days_are_kept(content: bytes, said: str) -> None:
    client = lead_client()
    save(client)
    client.post(CALENDAR, {"calendar": SimpleUploadedFile("closures.ics", ICS, "text/calendar")})
    changes = SettingChange.objects.count()
    response = client.post(CALENDAR, {"calendar": SimpleUploadedFile("photo.ics", content, "text/calendar")})
    assert response.status_code == 400
    page = response.content.decode()
    assert said in error_of(page, "calendar")
    assert "Nothing was imported" in text(page)
    row = TeamHours.objects.get()
    assert (row.calendar_name, sorted(row.calendar_days)) == ("closures.ics", ["2026-12-29", "2026-12-30"])
    assert SettingChange.objects.count() == changes


def test_a_calendar_before_any_hours_is_refused_saying_to_set_them_first() -> None:
    client = lead_client()
    response = client.post(CALENDAR, {"calendar": SimpleUploadedFile("closures.ics", ICS, "text/calendar")})
    assert response.status_code == 400
    assert "Nothing was imported. Set the weekly hours and time zone first" in text(response.content.decode())
    assert TeamHours.objects.count() == 0


def test_agents_are_refused_strangers_sent_to_sign_in_and_unknown_teams_not_found() -> None:
    TeamFactory(slug="care", name="Care")
    agent = Client()
    agent.force_login(StaffFactory(username="ari"))
    for url in (HOURS, reverse("console:shop_hours_team", args=["care"])):
        assert agent.get(url).status_code == 403
        assert agent.post(url, GOOD).status_code == 403
    assert agent.post(CALENDAR, {"calendar": SimpleUploadedFile("c.ics", ICS)}).status_code == 403
    stranger = Client().get(HOURS)
    assert stranger.status_code == 302 and stranger["Location"].startswith("/console/login")
    assert lead_client().get(reverse("console:shop_hours_team", args=["nobody"])).status_code == 404
    assert TeamHours.objects.count() == 0


def test_the_shop_nav_leads_to_the_page() -> None:
    page = lead_client().get(reverse("console:shop")).content.decode()
    assert f'<a href="{HOURS}">Opening hours</a>' in page
