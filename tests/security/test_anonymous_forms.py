"""Anonymous forms can't grow the database (issue 13, item 3). The order and report forms keep what
was typed in the visitor's session, so it survives a reload; what they keep is measured here in rows
and stored bytes of the session table, after requests a script could send, never in time."""

from __future__ import annotations

import random
import string
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.db.models import Sum
from django.db.models.functions import Length
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from tests.portal.story import CONTACT, catalog
from touchpoint.portal.drafts import BODY_MAX, NEW_SESSIONS
from touchpoint.worker.loop import Worker

pytestmark = pytest.mark.django_db

ORDER = {
    **CONTACT,
    "model": "nano-player-4g",
    "problem": "not_sure",
    "shipping": "box",
    "nonce": "a-script-s-nonce",
}


def noise(size: int, seed: int = 13) -> str:
    """Text that doesn't compress (the session's signed data is zlib-compressed), the same every run."""
    rng = random.Random(seed)
    return "".join(rng.choices(string.ascii_letters + string.digits, k=size))


BIG = noise(2_400_000)  # the 2.4 MB description


def stored() -> tuple[int, int]:
    """Session rows, and the bytes their data takes."""
    total = Session.objects.aggregate(bytes=Sum(Length("session_data")))["bytes"]
    return Session.objects.count(), int(total or 0)


def stranger() -> Client:
    """A script's client: no cookies kept from one request to the next."""
    return Client()


def test_big_invalid_orders_without_a_session_store_nothing() -> None:
    catalog()
    answers = [stranger().post(reverse("portal:intake"), {**ORDER, "name": "", "description": BIG}) for _ in range(10)]

    assert stored() == (0, 0)
    assert {a.status_code for a in answers} == {413}
    html = answers[0].content.decode()
    assert "more than the order form takes" in html and "2000 characters" in html


def test_big_field_checks_store_nothing() -> None:
    catalog()
    htmx = {"HX-Request": "true", "HX-Trigger-Name": "description"}
    answers = [
        stranger().post(reverse("portal:intake_check"), {"description": noise(2_000_000, seed=14)}, headers=htmx)
        for _ in range(10)
    ]

    assert stored() == (0, 0)
    assert {a.status_code for a in answers} == {413}


def test_a_field_over_its_length_is_refused_beside_it_and_not_kept() -> None:
    catalog()
    client = Client()
    long_name = "N" * 5000  # within the body limit, over the field's 200 characters

    answer = client.post(reverse("portal:intake"), {**ORDER, "name": long_name})

    html = answer.content.decode()
    assert answer.status_code == 422
    assert "Ensure this value has at most 200 characters (it has 5000)." in html
    assert long_name in html  # shown back, so nothing typed is lost on the page
    rows, size = stored()
    assert rows == 1 and size < 4000  # the draft keeps the rest, not the oversized name
    reload = client.get(reverse("portal:intake")).content.decode()
    assert 'value="12 Mill Lane"' in reload and long_name not in reload


@pytest.mark.parametrize("url", ["portal:intake", "portal:report"])
def test_invalid_posts_without_a_session_make_a_bounded_number_of_rows(url: str) -> None:
    catalog()
    posts = NEW_SESSIONS.count + 15

    answers = [stranger().post(reverse(url), {**ORDER, "name": ""}) for _ in range(posts)]

    # Every one is told what's wrong (the report form counts refused reports too, hence some 429s).
    assert {a.status_code for a in answers} <= {422, 429}
    rows, size = stored()
    assert rows == NEW_SESSIONS.count
    assert size <= NEW_SESSIONS.count * 4000


def test_a_visitor_with_a_session_keeps_one_row_however_often_they_post() -> None:
    catalog()
    client = Client()
    client.get(reverse("portal:intake"))

    for n in range(NEW_SESSIONS.count + 5):
        client.post(reverse("portal:intake"), {**ORDER, "name": "", "description": f"try {n}"})

    rows, _ = stored()
    assert rows == 1
    assert "try 24" in client.get(reverse("portal:intake")).content.decode()


def test_the_body_limit_is_above_everything_the_order_form_can_hold() -> None:
    # Every field at its maximum, in four-byte characters, URL-encoded (three bytes per byte).
    from touchpoint.portal.forms.intake import FIELDS, IntakeForm

    fields = IntakeForm(models=[]).fields
    longest = sum(getattr(fields[name], "max_length", None) or 100 for name in FIELDS) + 64
    assert longest * 4 * 3 <= BODY_MAX


def test_the_worker_clears_expired_sessions(settings: Any) -> None:
    catalog()
    settings.SESSION_COOKIE_AGE = -60  # every session saved now ended a minute ago
    Client().post(reverse("portal:intake"), {**ORDER, "name": ""})
    settings.SESSION_COOKIE_AGE = 3600
    Client().post(reverse("portal:intake"), {**ORDER, "name": ""})
    assert stored()[0] == 2

    Worker(worker_id="w1").run(max_passes=1)

    assert stored()[0] == 1
    assert Session.objects.get().expire_date > timezone.now()  # the live one stays


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=None)
def test_django_s_own_cap_is_not_what_stops_a_big_order() -> None:
    # With Django's 2.5 MB cap off, the form's own limit still refuses before anything is read.
    catalog()
    answer = stranger().post(reverse("portal:intake"), {**ORDER, "description": noise(3_000_000, seed=15)})

    assert answer.status_code == 413
    assert stored() == (0, 0)
