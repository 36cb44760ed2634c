"""The ETA on the tracking page: p50/p90 from this shop's own closed cases, worked out by the worker
and stored (the page reads one row), honest when thin."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from tests.portal.history import past_case, worker_works_out_eta
from tests.quotes.repair import answer_quote, diagnose, repair_case, walk_to
from tests.support.factories import CustomerFactory
from tests.support.timers import time_runs_out
from touchpoint.cases import eta as cases_eta
from touchpoint.cases.eta import done_states, journey_guess
from touchpoint.cases.journeys import journey_of, journey_register
from touchpoint.cases.models import Case, EtaFigure, EtaStale
from touchpoint.core.clock import at
from touchpoint.demo.loader import demo_load
from touchpoint.feedback.services import feedback_give
from touchpoint.portal.reads.eta import case_eta, eta_sentence, spoken

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)
# Days from entering surgery to the device being home (the feedback ask), one past case each.
HISTORY_DAYS = [10, 1, 2, 2, 3, 3, 3, 4, 5, 6]
# Sorted: 1 2 2 3 3 3 4 5 6 10. Nearest rank: p50 = 5th value = 3 days; p90 = 9th value = 6 days.


def test_history_gives_exact_nearest_rank_percentiles_less_the_time_already_spent() -> None:
    # Given ten closed repairs (one of them 10 days, an outlier), and a failed and an open one that must not count
    for n, days in enumerate(HISTORY_DAYS):
        past_case(T0 + timedelta(hours=n), days, feedback_days=2.5)
    with at(T0):
        open_one = repair_case(CustomerFactory(), "in_surgery")
        walk_to(open_one, "repairing")
    with at(T0 + timedelta(days=30)):
        case = repair_case(CustomerFactory(), "in_surgery")
    # Until the worker has worked the figures out, the page has the journey's rough guess only
    with at(T0 + timedelta(days=31)):
        before = case_eta(case=case)
    assert before is not None and (before.basis, before.samples) == ("journey", 0)
    # When the worker's pass has run, and the new case has been in surgery for a day
    assert worker_works_out_eta() == 1  # one journey worked out again
    with at(T0 + timedelta(days=31)):
        eta = case_eta(case=case)
    # Then p50 is 3 days and p90 is 6 days, and a day less of each remains
    assert eta is not None
    assert (eta.basis, eta.samples, eta.p50, eta.p90) == ("history", 10, 3 * DAY, 6 * DAY)
    assert (eta.low, eta.high, eta.thin, eta.overdue) == (2 * DAY, 5 * DAY, False, False)
    assert eta_sentence(eta) == (
        "Usually 2 to 5 more days. Of our last 10 cases at this step, 9 in 10 were done within 6 days of reaching it."
    )


def test_samples_are_the_time_to_done_not_to_the_feedback() -> None:
    past_case(T0, 2, feedback_days=2.5)
    journey = journey_of(Case.objects.get().journey)
    assert done_states(journey) == frozenset({"feedback_asked"})
    worker_works_out_eta()
    figure = EtaFigure.objects.get(state="in_surgery")
    assert (figure.samples, figure.p50_seconds, figure.p90_seconds) == (1, 2 * 86400.0, 2 * 86400.0)
    # Every state the case went through before it was home has its figure; none for done or ended states
    assert set(EtaFigure.objects.values_list("state", flat=True)) == {
        "awaiting_payment", "awaiting_device", "device_in_transit", "resting", "in_surgery",
        "repairing", "quality_check", "return_to_pack", "return_in_post",
    }  # fmt: skip


def test_thin_history_falls_back_to_the_journeys_assumptions_and_says_so() -> None:
    # Given nine past cases only
    for n, days in enumerate(HISTORY_DAYS[:9]):
        past_case(T0 + timedelta(hours=n), days)
    worker_works_out_eta()
    with at(T0 + timedelta(days=30)):
        case = repair_case(CustomerFactory(), "in_surgery")
        eta = case_eta(case=case)
    # Then the most likely route's sim times are summed: diagnosed (no extra work) 3h/10h, repair 5h/20h,
    # check 3h/12h, packing 5h/20h, post home 1d/2d → median 40h, p90 110h
    assert eta is not None
    assert (eta.basis, eta.samples, eta.p50, eta.p90) == ("journey", 9, timedelta(hours=40), timedelta(hours=110))
    assert eta.thin
    assert eta_sentence(eta) == "We've only done a few of these, so this is a rough guess. Usually 2 to 5 more days."


def test_the_route_guess_follows_what_the_case_knows_and_needs_a_successful_end() -> None:
    with at(T0):
        case = repair_case(CustomerFactory(), "in_surgery")
    journey = journey_of(case.journey)
    done = done_states(journey)
    # In surgery nothing is quoted yet (the diagnosis asks for the total): the likelier branch, no
    # extra work, and the check-up that passes makes it repaired, so it comes home to the feedback ask
    assert (case.data["quote_total"], case.data["repaired"]) == (0, False)
    assert journey_guess(journey, "in_surgery", done, case.data) == (40 * 3600.0, 110 * 3600.0)
    # On its way home unrepaired, the route ends in a failure: no number
    assert journey_guess(journey, "return_in_post", done, case.data) is None
    # With £40 of extra work approved, the device waits for its balance (1d/2d) before the trip home:
    # repair 5+3+24+5+24 = 61h and 20+12+48+20+48 = 148h
    case = walk_to(answer_quote(diagnose(case, [("New battery", "40.00")]), approve=True), "repairing")
    assert case.data["quote_total"] == 40.0
    assert journey_guess(journey, "repairing", done, case.data) == (61 * 3600.0, 148 * 3600.0)


def test_a_case_past_its_p90_is_told_it_is_taking_longer() -> None:
    for n, days in enumerate(HISTORY_DAYS):
        past_case(T0 + timedelta(hours=n), days)
    worker_works_out_eta()
    with at(T0 + timedelta(days=30)):
        case = repair_case(CustomerFactory(), "in_surgery")
    with at(T0 + timedelta(days=37)):
        eta = case_eta(case=case)
    assert eta is not None
    assert (eta.low, eta.high, eta.overdue) == (timedelta(0), timedelta(0), True)
    assert eta_sentence(eta) == "This step is taking longer than it usually does. We'll tell you as soon as it moves."


def test_no_estimate_once_the_work_is_done_or_the_case_ended() -> None:
    with at(T0):
        home = repair_case(CustomerFactory(), "feedback_asked")
        assert case_eta(case=home) is None
        ended = feedback_give(case=home, version=home.version, csat=4).case
        assert case_eta(case=ended) is None


def test_a_running_late_loop_does_not_restart_the_clock() -> None:
    for n, days in enumerate(HISTORY_DAYS):
        past_case(T0 + timedelta(hours=n), days)
    worker_works_out_eta()
    with at(T0 + timedelta(days=30)):
        case = repair_case(CustomerFactory(), "in_surgery")
    case = time_runs_out(case)  # a day in surgery: running late, back into the same state
    assert (case.state, case.state_entered_at) == ("in_surgery", T0 + timedelta(days=31))
    with at(T0 + timedelta(days=32)):
        eta = case_eta(case=case)
    assert eta is not None
    assert (eta.low, eta.high) == (1 * DAY, 4 * DAY)


@pytest.mark.parametrize(
    ("duration", "words"),
    [
        (timedelta(minutes=20), "less than an hour"),
        (timedelta(minutes=80), "1 hour"),
        (timedelta(hours=20), "20 hours"),
        (timedelta(hours=36), "2 days"),
        (timedelta(days=2, hours=1), "3 days"),
    ],
)
def test_durations_are_spoken_no_more_precisely_than_the_data(duration: timedelta, words: str) -> None:
    assert spoken(duration) == words


def test_a_newly_finished_case_changes_the_figure_once_the_worker_has_run() -> None:
    # Given ten repairs home in 1 to 10 days, worked out by the worker
    for n, days in enumerate(HISTORY_DAYS):
        past_case(T0 + timedelta(hours=n), days)
    worker_works_out_eta()
    assert worker_works_out_eta() == 0  # nothing stale: an idle pass works nothing out
    with at(T0 + timedelta(days=40)):
        case = repair_case(CustomerFactory(), "in_surgery")
        before = case_eta(case=case)
    assert before is not None and (before.samples, before.p50, before.p90) == (10, 3 * DAY, 6 * DAY)
    # When two more repairs come home after 12 and 14 days and are closed by their feedback
    past_case(T0 + timedelta(days=20), 12)
    past_case(T0 + timedelta(days=21), 14)
    with at(T0 + timedelta(days=40)):
        unchanged = case_eta(case=case)
    assert unchanged == before  # the page reads the stored figure until the worker has run
    assert worker_works_out_eta() == 1
    # Then sorted 1 2 2 3 3 3 4 5 6 10 12 14: nearest rank p50 = 6th = 3 days, p90 = ceil(10.8) = 11th = 12 days
    with at(T0 + timedelta(days=40)):
        after = case_eta(case=case)
    assert after is not None and (after.samples, after.p50, after.p90) == (12, 3 * DAY, 12 * DAY)


def test_the_figures_come_from_the_newest_closed_cases_only(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a window of three cases, and five repairs closed one after another (1, 2, 3, 4, 5 days)
    monkeypatch.setattr("touchpoint.cases.eta.WINDOW", 3)
    for n, days in enumerate([1, 2, 3, 4, 5]):
        past_case(T0 + timedelta(days=10 * n), days)
    worker_works_out_eta()
    # Then only the newest three (3, 4, 5 days) count: the work is bounded however long the history
    figure = EtaFigure.objects.get(state="in_surgery")
    assert (figure.samples, figure.p50_seconds, figure.p90_seconds) == (3, 4 * 86400.0, 5 * 86400.0)


def test_a_new_version_of_the_journey_gets_its_figures_from_the_whole_journeys_history() -> None:
    # Given ten repairs of mail-in-repair worked out by the worker
    for n, days in enumerate(HISTORY_DAYS):
        past_case(T0 + timedelta(hours=n), days)
    worker_works_out_eta()
    first = Case.objects.first()
    assert first is not None
    # When a new version of the journey is registered, the worker works its figures out too
    source = first.journey.source.replace("version: 4", "version: 5", 1)
    assert source != first.journey.source
    newer = journey_register(source=source, filename="mail-in-repair.yaml")
    assert not EtaFigure.objects.filter(journey=newer).exists()
    assert worker_works_out_eta() == 1
    figure = EtaFigure.objects.get(journey=newer, state="in_surgery")
    assert (figure.samples, figure.p50_seconds, figure.p90_seconds) == (10, 3 * 86400.0, 6 * 86400.0)


def test_the_figures_can_be_worked_out_on_demand_and_read_in_the_terminal() -> None:
    # Given ten repairs home, and no worker pass yet
    for n, days in enumerate(HISTORY_DAYS):
        past_case(T0 + timedelta(hours=n), days)
    assert not EtaFigure.objects.exists()
    # When someone asks for the figures to be worked out now
    out = StringIO()
    call_command("eta", "--refresh", stdout=out)
    # Then they are stored, listed in hours, nothing is left for the worker, and the thin ones say so
    lines = out.getvalue().splitlines()
    assert lines[0] == "mail-in-repair: 9 figures worked out"
    assert "mail-in-repair@4        in_surgery                       10     72.0    144.0" in lines
    assert worker_works_out_eta() == 0
    call_command("eta", stdout=(again := StringIO()))
    assert again.getvalue().splitlines() == lines[1:]


def test_the_demos_finished_cases_give_the_case_pages_their_figures(settings: Any) -> None:
    # Given the demo shop loaded with its finished history (taken through the product's services)
    settings.TOUCHPOINT_PAYMENT_PROVIDERS = ["offline", "demo"]
    settings.STRIPE_WEBHOOK_SECRET = "whsec_demo_tests"
    demo_load(password="touchpoint-demo", cases=0, history=12)
    # Then the worker's job has worked their figures out, as its next pass would: nothing is left stale
    finished = Case.objects.filter(outcome="success").count()
    surgery = EtaFigure.objects.get(state="in_surgery")
    assert 0 < surgery.samples <= finished
    assert not EtaStale.objects.exists()


def test_a_case_that_finishes_while_the_worker_works_is_counted_on_its_next_pass(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given ten repairs home, and one more that comes home while the worker is reading the history
    for n, days in enumerate(HISTORY_DAYS):
        past_case(T0 + timedelta(hours=n), days)
    compute = cases_eta.eta_figures_compute

    def meanwhile(*, journey_name: str) -> int:
        stored = compute(journey_name=journey_name)
        past_case(T0 + timedelta(days=20), 12)
        return stored

    monkeypatch.setattr(cases_eta, "eta_figures_compute", meanwhile)
    assert worker_works_out_eta() == 1
    assert EtaFigure.objects.get(state="in_surgery").samples == 10
    # Then its mark outlives the pass, and the next pass counts it
    monkeypatch.undo()
    assert EtaStale.objects.count() == 1
    assert worker_works_out_eta() == 1
    assert EtaFigure.objects.get(state="in_surgery").samples == 11
    assert worker_works_out_eta() == 0
