"""Settings read from the environment: a number that isn't one is refused at start-up, saying what to set."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from touchpoint.settings.env import env_float


def test_a_fraction_of_an_hour_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOUCHPOINT_WATCHDOG_FLOOR_HOURS", "0.1")
    assert env_float("TOUCHPOINT_WATCHDOG_FLOOR_HOURS", 24) == 0.1
    monkeypatch.setenv("TOUCHPOINT_WATCHDOG_FLOOR_HOURS", " ")
    assert env_float("TOUCHPOINT_WATCHDOG_FLOOR_HOURS", 24) == 24


@pytest.mark.parametrize("raw", ["six minutes", "nan", "inf", "1,5"])
def test_a_number_that_isnt_one_is_refused_saying_what_to_set(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv("TOUCHPOINT_WATCHDOG_FLOOR_HOURS", raw)
    with pytest.raises(ImproperlyConfigured) as refused:
        env_float("TOUCHPOINT_WATCHDOG_FLOOR_HOURS", 24)
    said = str(refused.value)
    assert f"TOUCHPOINT_WATCHDOG_FLOOR_HOURS={raw!r}" in said and "set it to e.g. 24" in said
