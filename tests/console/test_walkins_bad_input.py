"""A walk-in's customer chosen as "²" (or any id that isn't plain digits): ``"²".isdigit()`` is true,
so the lookup by id raised ValueError (a 500). Found by the fuzzing (tests/fuzz); now said beside
the field, with what was typed kept and nothing opened."""

from __future__ import annotations

import re

import pytest

from tests.console.given import signed_in
from tests.console.test_walkins import URL, counts, form
from tests.support.factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def journey(db: object) -> None:
    from tests.console.given import register

    register("walk-in-warranty")


@pytest.mark.parametrize("chosen", ["²", "٣", "1_0", "9" * 20, "-1"])
def test_a_customer_that_isnt_an_id_is_said_beside_the_field(chosen: str) -> None:
    client = signed_in(StaffFactory(username="alex", teams=["counter"]))
    before = counts()
    response = client.post(URL, form(customer=chosen))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was opened: see below." in html
    assert re.search(
        r'<ul class="errorlist" id="customer-error"><li>Choose the customer from the list, or add them as a new '
        r"customer\.</li>",
        html,
    )
    assert 'value="SN-88213"' in html
    assert counts() == before
