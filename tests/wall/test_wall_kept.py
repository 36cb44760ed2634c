"""The public wall keeps its drawn page between visits (portal/views/wall.py), and a kept page is
never stale: every way the wall can change, done the way people do it (a customer's feedback on
their case page, a lead's publish, answer and hide on the console), shows on the very next visit."""

from __future__ import annotations

from html import unescape

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from tests.quotes.repair import repair_case
from tests.support.factories import CustomerFactory, StaffFactory
from touchpoint.links.services import link_issue
from touchpoint.staff.models import Role
from touchpoint.wall.models import WallItem

pytestmark = pytest.mark.django_db


def feedback_from(name: str, csat: int, comment: str) -> None:
    """A customer whose repaired device is home rates us on their case page, and lets us publish it."""
    case = repair_case(CustomerFactory(name=name), "feedback_asked")
    post = {"csat": str(csat), "comment": comment, "consent_publish": "on", "display_name": name.split()[0],
            "town": "Leeds", "version": case.version}  # fmt: skip
    response = Client().post(reverse("portal:feedback_send", args=[link_issue(case=case)]), post)
    assert response.status_code in (302, 303), response.status_code


def wall(visitor: Client) -> str:
    response = visitor.get("/reviews")
    assert response.status_code == 200, response.status_code
    return unescape(response.content.decode())


def test_a_visit_reads_only_the_mark_and_every_change_shows_on_the_next_one(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    lead = Client()
    lead.force_login(StaffFactory(username="priya", role=Role.LEAD))
    visitor = Client()
    feedback_from("Ann Lee", 5, "Norm kept me posted all the way")
    assert "None published yet." in wall(visitor)  # waiting for a lead
    with django_assert_num_queries(2):  # the same wall again: the mark only
        assert "We've had <strong>1</strong> piece of feedback" in wall(visitor)

    good = WallItem.objects.get(text="Norm kept me posted all the way")
    lead.post(f"/console/wall/{good.pk}/", {"action": "publish"})
    assert "Norm kept me posted all the way" in wall(visitor)

    lead.post(f"/console/wall/{good.pk}/", {"action": "answer", "answer": "Thank you, Ann!"})
    assert "Thank you, Ann!" in wall(visitor)

    feedback_from("Bob Roe", 1, "Took three weeks")
    html = wall(visitor)
    assert "We've had <strong>2</strong> pieces of feedback" in html
    assert "1 is waiting for a person to check it for personal data." in html

    bad = WallItem.objects.get(text="Took three weeks")
    lead.post(f"/console/wall/{bad.pk}/", {"action": "publish"})
    assert "Took three weeks" in wall(visitor)
    lead.post(f"/console/wall/{bad.pk}/", {"action": "hide", "reason": "abuse", "note": "names a colleague"})
    html = wall(visitor)
    assert "Took three weeks" not in html
    assert "and 1 for abuse" in html
    with django_assert_num_queries(2):
        assert wall(visitor) == html


def test_each_page_of_the_wall_is_kept_apart() -> None:
    lead = Client()
    lead.force_login(StaffFactory(username="priya", role=Role.LEAD))
    for n in range(21):
        feedback_from(f"Ann Lee{n}", 5, f"Kind words number {n}")
    for item in WallItem.objects.all():
        lead.post(f"/console/wall/{item.pk}/", {"action": "publish"})
    visitor = Client()
    first, second = wall(visitor), unescape(visitor.get("/reviews?page=2").content.decode())
    assert "Kind words number 20" in first and "Kind words number 0" not in first
    assert "Kind words number 0" in second and "Kind words number 20" not in second
    for typed in ("abc", "²", "٣", "-1"):  # not a page number: the first page, as Paginator.get_page says
        assert unescape(visitor.get("/reviews", {"page": typed}).content.decode()) == first, typed
