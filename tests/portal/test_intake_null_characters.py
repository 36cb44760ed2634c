"""A null character posted in the order form was kept in its draft, and the next visit to the page
looked the draft's device up with it: PostgreSQL refuses NUL in text (DataError, a 500; found by the
fuzzing, tests/fuzz). Nobody can type one, so a value with one is never kept; the rest of the draft is."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.portal.test_intake_service import shop  # noqa: F401 - the fixture
from tests.portal.test_intake_views import GOOD, URL, field_html, start

pytestmark = pytest.mark.usefixtures("shop")


def test_a_value_with_a_null_character_is_not_kept_and_the_page_opens_again(client: Client) -> None:
    posted = client.post(URL, {**GOOD, "nonce": start(client), "model": "slate\x00", "name": "Tom\x00Riley"})
    assert posted.status_code == 422

    again = client.get(URL)

    assert again.status_code == 200
    html = again.content.decode()
    assert 'value="Tom' not in field_html(html, "name")  # not kept
    assert 'value="3 Station Road"' in field_html(html, "address_line1")  # the rest is
