"""J235: the carrier's bad news (a problem, sent back, no longer tracked) reaches people: it isn't the
event the delivery fires, and it leads to a state a team owns. Together with J203 (a wait limit on
every carrier-owned state: the watchdog) and J232 (every end-of-the-road status mapped), every
canonical status of a carrier-owned state has somewhere to go, and the bad ones go to a person."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.journeys.conftest import findings
from tests.journeys.test_carrier import PARCEL

from touchpoint.journeys.checker import check
from touchpoint.journeys.library import library_files
from touchpoint.journeys.loader import load_journey


def j235(text: str) -> list[str]:
    return [d.message for d in findings(text) if d.code == "J235"]


def test_the_example_parcel_journey_sends_its_bad_news_to_a_team() -> None:
    assert j235(PARCEL) == []


def test_bad_news_mapped_to_the_delivery_is_refused() -> None:
    text = PARCEL.replace("      exception: not_arrived\n", "      exception: arrived\n")
    assert j235(text) == [
        "state `in_post` maps `exception` to `arrived`, the event its delivery fires: "
        "a parcel the carrier reports in trouble would count as arrived"
    ]


def test_bad_news_that_ends_where_no_person_owns_the_case_is_refused_once_for_its_statuses() -> None:
    text = PARCEL.replace(
        "  - { from: in_post, on: not_arrived, to: tracing, by: [carrier, system], touchpoint: late }",
        "  - { from: in_post, on: not_arrived, to: lost, by: [carrier, system], touchpoint: lost }",
    )
    assert j235(text) == [
        "state `in_post` maps `exception`, `return_to_sender` and `expired` to `not_arrived`, which leads to "
        "`lost` (owned by `system`): nobody would trace the parcel"
    ]
    [found] = [d for d in findings(text) if d.code == "J235"]
    assert found.location.line == 23  # on `exception:` under `carrier:`, the first status reported


@pytest.mark.parametrize("path", library_files(), ids=lambda p: p.stem)
def test_the_shipped_journeys_send_the_carriers_bad_news_to_a_team(path: Path) -> None:
    loaded = load_journey(path)
    assert [d.format() for d in check(loaded) if d.code == "J235"] == []
