"""The checker, rule by rule: a failing journey for each, with the exact code, place and words.

Most journeys here are :data:`CLEAN` with one thing changed, so the lines named in each test are
those of ``CLEAN`` (see conftest) unless the test writes the journey out in full.
"""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

import pytest
from tests.journeys.conftest import CLEAN, FILE, declared, findings, intake, labelled, load, more_transitions, where

from touchpoint.journeys.checker import RULES, Rule, SilenceBound, check, silence_bound
from touchpoint.journeys.diagnostics import Severity
from touchpoint.journeys.library import library_files
from touchpoint.journeys.loader import load_journey, parse_journey
from touchpoint.journeys.model import Journey

DAY = 86400


def test_a_clean_minimal_journey_has_no_findings() -> None:
    assert findings(CLEAN) == []


def test_the_rule_table_is_stable() -> None:
    # Given the published rules, then their codes, slugs and severities never change
    assert {code: (rule.slug, rule.severity) for code, rule in RULES.items()} == {
        "J101": ("unknown-state", Severity.ERROR),
        "J102": ("unknown-event", Severity.ERROR),
        "J103": ("unknown-touchpoint", Severity.ERROR),
        "J104": ("unused-touchpoint", Severity.WARNING),
        "J201": ("unreachable-state", Severity.ERROR),
        "J202": ("trap-state", Severity.ERROR),
        "J203": ("no-wait-limit", Severity.ERROR),
        "J204": ("nondeterministic", Severity.ERROR),
        "J205": ("handoff-without-limit", Severity.ERROR),
        "J206": ("untold-visible-transition", Severity.ERROR),
        "J207": ("exception-not-people", Severity.ERROR),
        "J208": ("untold-failure", Severity.ERROR),
        "J209": ("silence-bound", Severity.ERROR),
        "J210": ("exit-from-terminal", Severity.WARNING),
        "J211": ("guard-never-holds", Severity.WARNING),
        "J212": ("timeout-may-be-refused", Severity.ERROR),
        "J213": ("timeout-sim-time", Severity.WARNING),
        "J220": ("data-undeclared", Severity.ERROR),
        "J221": ("data-unset", Severity.ERROR),
        "J222": ("data-unused", Severity.WARNING),
        "J223": ("data-bad-write", Severity.ERROR),
        "J224": ("event-unrecordable", Severity.ERROR),
        "J225": ("event-unlabelled", Severity.WARNING),
        "J226": ("event-label-unused", Severity.WARNING),
        "J227": ("guard-never-holds-for-data", Severity.WARNING),
        "J230": ("carrier-unknown-status", Severity.ERROR),
        "J231": ("carrier-not-owner", Severity.ERROR),
        "J232": ("carrier-status-unmapped", Severity.ERROR),
        "J233": ("carrier-unknown-event", Severity.ERROR),
        "J234": ("carrier-not-allowed", Severity.ERROR),
        "J235": ("carrier-bad-news-unattended", Severity.ERROR),
    }
    assert all(isinstance(rule, Rule) and rule.summary.endswith(".") for rule in RULES.values())


# --- J101 unknown-state ----------------------------------------------------------------------


def test_j101_a_misspelt_target_is_located_at_to_with_a_suggestion() -> None:
    # Given a transition to `doen`
    text = CLEAN + more_transitions(
        """
        - from: waiting
          on: paid
          to: doen
          by: customer
          touchpoint: thanks
        """
    )
    # When checked
    [finding] = findings(text)
    # Then the `to:` value is named, with the state it probably meant
    assert where([finding]) == [("J101", 37, 9)]
    assert finding.slug == "unknown-state"
    assert finding.severity == Severity.ERROR
    assert finding.message == "unknown state `doen`: transition #3 goes to a state that isn't under `states:`"
    assert finding.fix == "did you mean `done`?"
    assert finding.format() == (
        "journey.yaml:37:9: error J101 unknown-state: unknown state `doen`: transition #3 goes to a state "
        "that isn't under `states:` — did you mean `done`?"
    )


def test_j101_arived_suggests_arrived() -> None:
    text = CLEAN.replace("  done:", "  arrived:").replace("to: done", "to: arrived") + more_transitions(
        """
        - from: waiting
          on: scanned
          to: arived
          by: system
          touchpoint: thanks
        """
    )
    [finding] = findings(text)
    assert (finding.code, finding.location.line, finding.location.column) == ("J101", 37, 9)
    assert finding.message.startswith("unknown state `arived`")
    assert finding.fix == "did you mean `arrived`?"


def test_j101_an_unknown_start_is_located_at_start_and_later_rules_skip_the_graph() -> None:
    [finding] = findings(CLEAN.replace("start: waiting", "start: wating"))
    assert where([finding]) == [("J101", 4, 8)]
    assert finding.message == "unknown state `wating`: `start` names a state that isn't under `states:`"
    assert finding.fix == "did you mean `waiting`?"


def test_j101_an_unknown_source_in_a_list_is_located_at_the_list_item() -> None:
    text = labelled(CLEAN, paid="Paid") + more_transitions(
        """
        - from: [waiting, wating]
          on: paid
          to: done
          by: customer
          touchpoint: thanks
        """
    )
    [finding] = findings(text)
    assert where([finding]) == [("J101", 35, 21)]
    assert finding.message == "unknown state `wating`: transition #3 leaves from a state that isn't under `states:`"


def test_j101_without_a_close_name_lists_the_states() -> None:
    text = CLEAN + more_transitions(
        """
        - from: waiting
          on: paid
          to: zzz
          by: customer
          touchpoint: thanks
        """
    )
    [finding] = findings(text)
    assert finding.fix == "add it under `states:`, or use one of `waiting`, `done`, `closed`"


# --- J102 unknown-event ----------------------------------------------------------------------


def test_j102_a_timeout_event_no_transition_takes() -> None:
    [finding] = findings(CLEAN.replace("on_timeout: expired", "on_timeout: expird"))
    assert where([finding]) == [("J102", 15, 17)]
    assert finding.message == (
        "unknown event `expird`: `waiting` fires it when its wait limit runs out, "
        "but no transition leaves `waiting` on `expird`"
    )
    assert finding.fix == "did you mean `expired`?"


def test_j102_a_misspelt_event_on_the_timeout_transition_is_placed_on_the_transition() -> None:
    # given `expired` declared under `events:` and fired by `waiting`, but misspelt on its transition
    text = labelled(CLEAN, expired="Expired").replace("    on: expired\n", "    on: expird\n")
    # then the finding is on that transition's `on:` and suggests the declared event, not the typo
    [finding] = findings(text)
    assert where([finding]) == [("J102", 31, 9)]
    assert finding.message == (
        "unknown event `expird`: transition #2 leaves `waiting` on `expird`, but `waiting` fires `expired` "
        "when its wait limit runs out, and no transition leaves `waiting` on `expired`"
    )
    assert finding.fix == "did you mean `expired`?"


def test_j102_a_misspelt_event_on_any_transition_suggests_the_declared_one() -> None:
    # given `paid` declared under `events:`, and a transition that takes `payd` instead
    text = labelled(CLEAN, paid="Paid") + more_transitions(
        """
        - from: waiting
          on: payd
          to: done
          by: customer
          touchpoint: thanks
        """
    )
    # then J102 says so at its `on:`, and nothing asks for a label for the typo (J225) or suggests
    # the typo for the declared event (J226)
    [finding] = findings(text)
    assert where([finding]) == [("J102", 36, 9)]
    assert finding.message == (
        "unknown event `payd`: transition #3 takes an event that isn't under `events:` "
        "and that no state fires when its wait limit runs out"
    )
    assert finding.fix == "did you mean `paid`? (a new event goes under `events:`, with its label)"


def test_j102_an_event_taken_more_often_than_its_near_miss_in_events_is_not_the_typo() -> None:
    # given `events:` describing `replied` (a typo of `reply`, which two transitions take)
    text = CLEAN.replace("events: {reply: Send my reply}", "events: {replied: Send my reply}") + more_transitions(
        """
        - from: waiting
          on: reply
          to: done
          by: customer
          guard: request == "x"
          touchpoint: thanks
        """
    )
    found = findings(text)
    # then no J102: J226 points at the description, suggesting the event the transitions take
    assert "J102" not in {d.code for d in found}
    [unused] = [d for d in found if d.code == "J226"]
    assert unused.fix == "did you mean `reply`?"


# --- J103 unknown-touchpoint, J104 unused-touchpoint -----------------------------------------


def test_j103_an_undeclared_touchpoint() -> None:
    text = labelled(CLEAN, paid="Paid") + more_transitions(
        """
        - from: waiting
          on: paid
          to: done
          by: customer
          touchpoint: receipt
        """
    )
    [finding] = findings(text)
    assert where([finding]) == [("J103", 39, 17)]
    assert finding.fix == "declare it under `touchpoints:` as `receipt: <what the message says>`"


def test_j103_a_misspelt_touchpoint_also_leaves_the_real_one_unused() -> None:
    found = findings(CLEAN.replace("touchpoint: thanks", "touchpoint: thank"))
    assert where(found) == [("J104", 6, 3), ("J103", 29, 17)]
    assert found[1].fix == "did you mean `thanks`?"
    assert found[0].severity == Severity.WARNING
    assert found[0].message == "touch point `thanks` is declared but no transition sends it"


def test_j104_a_declared_touchpoint_nobody_sends() -> None:
    text = CLEAN.replace(
        "  sorry: We closed your request.\n", "  sorry: We closed your request.\n  nudge: Still there?\n"
    )
    [finding] = findings(text)
    assert where([finding]) == [("J104", 8, 3)]
    assert finding.fix == "send it from a transition (`touchpoint: nudge`), or remove it"


def test_j103_an_undeclared_start_touchpoint_is_located_at_it_with_a_suggestion() -> None:
    # given a journey that opens with `thank`, a misspelling of the declared `thanks`
    text = CLEAN.replace("start: waiting\n", "start: waiting\nstart_touchpoint: thank\n")
    # when checked
    found = findings(text)
    # then J103 sits on the value of `start_touchpoint` (line 5, column 19) and suggests the real key
    assert where(found) == [("J103", 5, 19)]
    assert found[0].message == (
        "unknown touch point `thank`: `start_touchpoint` names a message that isn't under `touchpoints:`"
    )
    assert found[0].fix == "did you mean `thanks`?"


def test_j104_a_touchpoint_sent_only_on_opening_counts_as_used() -> None:
    # given a declared `welcome` that no transition sends, but the journey opens with it
    text = CLEAN.replace("start: waiting\n", "start: waiting\nstart_touchpoint: welcome\n").replace(
        "touchpoints:\n", "touchpoints:\n  welcome: We have your request.\n"
    )
    # when checked, then nothing is reported: it is sent, on opening
    assert findings(text) == []
    # and without `start_touchpoint` the same key is unused (J104 on its key, line 6)
    assert where(findings(text.replace("start_touchpoint: welcome\n", ""))) == [("J104", 6, 3)]


def test_the_opening_touchpoint_leaves_the_silence_bound_as_it_is() -> None:
    # given the clean journey (one 2d wait from the opening), with and without an opening message
    with_opening = CLEAN.replace("start: waiting\n", "start: waiting\nstart_touchpoint: thanks\n")
    # then the silence starts at the opening either way: the bound is the same 2d along `waiting`
    assert silence_bound(load(with_opening).journey) == SilenceBound(2 * DAY, ("waiting",), None)
    assert silence_bound(load(CLEAN).journey) == SilenceBound(2 * DAY, ("waiting",), None)


# --- J201 unreachable-state, J202 trap-state -------------------------------------------------

ARCHIVED = "  archived:\n    owner: system\n    label: Archived\n    outcome: success\ntransitions:\n"


def test_j201_a_state_with_no_way_in() -> None:
    [finding] = findings(CLEAN.replace("transitions:\n", ARCHIVED))
    assert where([finding]) == [("J201", 24, 3)]
    assert finding.message == "state `archived` can't be reached: no route leads to it from `waiting`"


def test_j201_a_way_in_that_can_never_fire_does_not_count() -> None:
    # Given `archived` is entered only from an end, and by a guard that can never hold
    text = declared(CLEAN, flag=intake()).replace("transitions:\n", ARCHIVED) + more_transitions(
        """
        - from: done
          on: archive
          to: archived
          by: system
          silent: housekeeping
        - from: waiting
          on: archive
          to: archived
          by: system
          guard: flag and not flag
          touchpoint: thanks
        """
    )
    # Then it is still unreachable, and each dead way in is reported where it is
    assert where(findings(text)) == [("J201", 24, 3), ("J210", 39, 11), ("J211", 48, 12)]


TRAP = """
name: tiny
version: 1
max_silence: 3d
start: waiting
touchpoints:
  thanks: Thanks, all done.
  nudge: Still waiting for your reply.
data: {flag: {type: boolean, meaning: Given at intake, intake: true}}
events: {reply: Send my reply}
states:
  waiting:
    owner: customer
    label: Waiting for you
    wait_limit: 2d
    on_timeout: pause
  paused:
    owner: customer
    label: Waiting for you
    wait_limit: 1d
    on_timeout: nudge
  done:
    owner: system
    label: Done
    outcome: success
transitions:
  - from: waiting
    on: reply
    to: done
    by: customer
    touchpoint: thanks
  - from: waiting
    on: pause
    to: paused
    by: system
    silent: nothing changes for the customer
  - from: paused
    on: nudge
    to: paused
    by: system
    touchpoint: nudge
"""


def test_j202_a_reachable_state_from_which_no_end_can_be_reached() -> None:
    [finding] = findings(TRAP)
    assert where([finding]) == [("J202", 16, 3)]
    assert finding.message == (
        "state `paused` is a trap: no route leads from it to an end (a state with `outcome`), "
        "so a case there can never finish"
    )


def test_j202_every_state_of_a_closed_loop_is_a_trap() -> None:
    text = TRAP.replace(
        "  - from: paused\n    on: nudge\n    to: paused", "  - from: paused\n    on: nudge\n    to: waiting"
    )
    text = text.replace("    on: reply\n", "    on: reply\n    guard: flag and not flag\n")
    # `reply` can never fire, so neither `waiting` nor `paused` can reach `done`
    assert where(findings(text)) == [("J202", 11, 3), ("J202", 16, 3), ("J201", 21, 3), ("J211", 28, 12)]


# --- J203 no-wait-limit ----------------------------------------------------------------------


def test_j203_a_state_without_a_wait_limit_and_the_unbounded_silence_it_causes() -> None:
    found = findings(CLEAN.replace("    wait_limit: 2d\n    on_timeout: expired\n", ""))
    assert where(found) == [("J209", 3, 14), ("J203", 11, 3)]
    assert found[1].message == (
        "state `waiting` has no `wait_limit`: a case could wait there forever and fall through the gaps"
    )
    assert found[0].message == (
        "the silence has no bound: `waiting` has no `wait_limit` (J203), "
        "so a case can wait there forever without a message"
    )
    assert found[0].fix == "give `waiting` a `wait_limit` and an `on_timeout` transition (see J203)"
    assert found[0].path == ("waiting",)


# --- J204 nondeterministic -------------------------------------------------------------------


def test_j204_two_unguarded_transitions_on_one_event_are_reported_at_the_second() -> None:
    text = CLEAN + more_transitions(
        """
        - from: waiting
          on: reply
          to: closed
          by: customer
          touchpoint: sorry
        """
    )
    [finding] = findings(text)
    assert where([finding]) == [("J204", 36, 9)]
    assert finding.message == (
        "transitions #1 (line 25) and #3 both leave `waiting` on `reply`, and their guards can both hold "
        "(neither has a guard)"
    )
    assert finding.fix == (
        "give them guards that exclude each other (e.g. `guard: <condition>` on one and "
        "`guard: not (<condition>)` on the other), or merge the two transitions"
    )


RATED = declared(CLEAN, rating=intake("integer"))
"""CLEAN with an intake `rating`, for guards to read."""


def test_j204_overlapping_guards_name_the_first_transition_they_overlap() -> None:
    text = RATED.replace("    on: reply\n", "    on: reply\n    guard: rating >= 3\n") + more_transitions(
        """
            - from: waiting
              on: reply
              to: closed
              by: customer
              guard: rating < 3
              touchpoint: sorry
            - from: waiting
              on: reply
              to: closed
              by: customer
              guard: rating > 4
              touchpoint: sorry
            """
    )
    # #3 excludes #1; #4 overlaps #1 (rating 5) and is reported naming it
    [finding] = findings(text)
    assert where([finding]) == [("J204", 43, 9)]
    assert finding.message.startswith("transitions #1 (line 25) and #4 both leave `waiting` on `reply`")


def test_j204_the_example_is_data_that_makes_both_guards_hold_and_the_fix_uses_the_guards() -> None:
    # given two moves on `reply` whose guards overlap for ratings 3 and 4
    text = RATED.replace("    on: reply\n", "    on: reply\n    guard: rating >= 3\n") + more_transitions(
        """
        - from: waiting
          on: reply
          to: closed
          by: customer
          guard: rating < 5
          touchpoint: sorry
        """
    )
    [finding] = findings(text)
    # then the example is worked out from these guards, and so is the fix
    assert finding.message == (
        "transitions #1 (line 25) and #3 both leave `waiting` on `reply`, and their guards can both hold "
        "(e.g. when rating is 3)"
    )
    assert finding.fix == (
        "make the guards exclude each other, e.g. write the guard of #3 as `rating < 5 and not (rating >= 3)`, "
        "or merge the two transitions"
    )


def test_j204_the_example_keeps_to_the_declared_type_and_range() -> None:
    # given a rating from 1 to 5, and guards that overlap for 4 and 5 but also for 7.5 and "x"
    rated = declared(CLEAN, score="type: integer, meaning: Given at intake, intake: true, min: 1, max: 5")
    text = rated.replace("    on: reply\n", "    on: reply\n    guard: score > 3\n") + more_transitions(
        """
        - from: waiting
          on: reply
          to: closed
          by: customer
          guard: not (score < 4) and score != 4
          touchpoint: sorry
        """
    )
    [finding] = findings(text)
    # then the example is a whole number within the range
    assert finding.message.endswith("and their guards can both hold (e.g. when score is 5)")


def test_j204_guards_that_overlap_only_outside_the_declared_range_exclude_each_other() -> None:
    # given a rating from 1 to 5 (checked wherever it is given): `score > 4` and `score != 5`
    # can both hold only for a score the journey never stores (4.5, 6, …)
    rated = declared(CLEAN, score="type: integer, meaning: Given at intake, intake: true, min: 1, max: 5")
    text = rated.replace("    on: reply\n", "    on: reply\n    guard: score > 4\n") + more_transitions(
        """
        - from: waiting
          on: reply
          to: closed
          by: customer
          guard: score != 5
          touchpoint: sorry
        """
    )
    # then they exclude each other for every value a case can hold: no finding
    assert findings(text) == []


def test_j204_an_unguarded_move_holds_whenever_the_other_does() -> None:
    # given #1 unguarded, and #3 guarded by the request's text
    text = CLEAN + more_transitions(
        """
        - from: waiting
          on: reply
          to: closed
          by: customer
          guard: request == "cancel"
          touchpoint: sorry
        """
    )
    [finding] = findings(text)
    assert finding.message == (
        "transitions #1 (line 25) and #3 both leave `waiting` on `reply`, and their guards can both hold "
        "(#1 has no guard; e.g. when request is 'cancel')"
    )
    assert finding.fix == 'give transition #1 the guard `not (request == "cancel")`, or merge the two transitions'


def test_j204_says_so_when_no_example_can_be_worked_out() -> None:
    # given a guard too large to expand into cases (2^9 combinations)
    huge = " and ".join(f"(request == 'a{k}' or request == 'b{k}')" for k in range(9))
    text = CLEAN.replace("    on: reply\n", f"    on: reply\n    guard: {huge}\n") + more_transitions(
        """
        - from: waiting
          on: reply
          to: closed
          by: customer
          guard: request == "cancel"
          touchpoint: sorry
        """
    )
    [finding] = [d for d in findings(text) if d.code == "J204"]
    assert finding.message.endswith(
        "their guards may both hold (no example could be worked out: the guards are too large to expand)"
    )


def test_j204_a_guard_and_its_negation_exclude_each_other() -> None:
    text = RATED.replace("    on: reply\n", "    on: reply\n    guard: rating >= 3\n") + more_transitions(
        """
        - from: waiting
          on: reply
          to: closed
          by: customer
          guard: not (rating >= 3)
          touchpoint: sorry
        """
    )
    assert findings(text) == []


# --- J205 handoff-without-limit --------------------------------------------------------------

HANDOFF = """
name: tiny
version: 1
max_silence: 3d
start: waiting
touchpoints:
  thanks: Thanks, all done.
  sorry: We closed your request.
events: {reply: Send my reply, approve: Approve}
states:
  waiting:
    owner: customer
    label: Waiting for you
    wait_limit: 2d
    on_timeout: expired
  review:
    owner: team:desk
    label: Being reviewed
    wait_limit: 1d
    on_timeout: approve
  done:
    owner: system
    label: Done
    outcome: success
  closed:
    owner: system
    label: Closed
    outcome: failure
transitions:
  - from: waiting
    on: reply
    to: review
    by: customer
    touchpoint: thanks
  - from: waiting
    on: expired
    to: closed
    by: system
    touchpoint: sorry
  - from: review
    on: approve
    to: done
    by: [team:desk, system]
    touchpoint: thanks
"""


def test_j205_a_handoff_to_a_team_without_accept_within() -> None:
    [finding] = findings(HANDOFF)
    assert where([finding]) == [("J205", 31, 9)]
    assert finding.message == (
        "transition #1 hands the case from `waiting` (customer) to `review` (team `desk`), "
        "but `review` has no `accept_within`"
    )
    assert finding.fix == "add `accept_within: <e.g. 4h>` to `review`, so its new owner must accept the case in time"


def test_j205_a_handoff_to_a_carrier_needs_it_too_and_accept_within_fixes_it() -> None:
    carrier = (
        HANDOFF.replace("owner: team:desk", "owner: carrier")
        .replace("[team:desk, system]", "[carrier, system]")
        .replace(
            "    on_timeout: approve\n",
            "    on_timeout: approve\n"
            "    carrier: { delivered: approve, exception: approve, return_to_sender: approve, expired: approve }\n",
        )
    )
    # (J235 too: this carrier's bad news fires the event its delivery does)
    assert where(findings(carrier)) == [("J235", 20, 47), ("J205", 32, 9)]
    assert findings(HANDOFF.replace("    wait_limit: 1d\n", "    wait_limit: 1d\n    accept_within: 4h\n")) == []


def test_j205_no_handoff_when_the_owner_stays_the_same() -> None:
    same = HANDOFF.replace("    owner: customer\n", "    owner: team:desk\n")
    assert findings(same) == []


# --- J206 untold-visible-transition ----------------------------------------------------------


def test_j206_a_visible_move_without_a_touchpoint_or_reason() -> None:
    found = findings(CLEAN.replace("    touchpoint: thanks\n", "    note: forgot to tell them\n"))
    assert where(found) == [("J104", 6, 3), ("J206", 27, 9)]
    assert found[1].message == (
        "transition #1 changes what the customer sees (“Waiting for you” becomes “Done”) but sends no message"
    )


def test_j206_a_stated_reason_is_enough() -> None:
    found = findings(CLEAN.replace("    touchpoint: thanks\n", "    silent: they pressed the button themselves\n"))
    assert where(found) == [("J104", 6, 3)]


def test_j206_ending_the_case_is_visible_even_with_the_same_label() -> None:
    text = CLEAN.replace("    label: Done\n", "    label: Waiting for you\n").replace("    touchpoint: thanks\n", "")
    found = findings(text.replace("  thanks: Thanks, all done.\n", ""))
    assert where(found) == [("J206", 26, 9)]
    assert "(the case ends)" in found[0].message


# --- J207 exception-not-people ---------------------------------------------------------------


def test_j207_an_exception_owned_by_the_system() -> None:
    [finding] = findings(CLEAN.replace("    outcome: failure\n", "    outcome: failure\n    exception: true\n"))
    assert where([finding]) == [("J207", 21, 12)]
    assert finding.fix == "set `owner: team:<name>` so a person owns it"


# --- J208 untold-failure ---------------------------------------------------------------------


def test_j208_bad_news_is_not_excused_by_silent() -> None:
    found = findings(CLEAN.replace("    touchpoint: sorry\n", "    silent: nobody to tell\n"))
    assert where(found) == [("J104", 7, 3), ("J208", 32, 9)]
    assert found[1].message == (
        "transition #2 ends the case in failure at `closed` without telling the customer "
        "(`silent` doesn't excuse bad news)"
    )


def test_j208_replaces_j206_on_an_untold_failure() -> None:
    found = findings(CLEAN.replace("    touchpoint: sorry\n", ""))
    assert where(found) == [("J104", 7, 3), ("J208", 32, 9)]


# --- J209 silence-bound ----------------------------------------------------------------------


def test_j209_a_wait_longer_than_max_silence() -> None:
    [finding] = findings(CLEAN.replace("max_silence: 3d", "max_silence: 1d"))
    assert where([finding]) == [("J209", 3, 14)]
    assert finding.message == (
        "a customer can go 2d without hearing from us, more than `max_silence` (1d): `waiting` (2d)"
    )
    assert finding.path == ("waiting",)


def test_j209_a_loop_of_silent_moves_is_unbounded() -> None:
    text = TRAP.replace("    touchpoint: nudge\n", "    silent: still waiting\n").replace(
        "  nudge: Still", "  later: Still"
    )
    text += "  - from: paused\n    on: reply\n    to: done\n    by: customer\n    touchpoint: later\n"
    [finding] = findings(text)
    assert where([finding]) == [("J209", 3, 14)]
    assert finding.message == (
        "the silence has no bound: the moves `paused` → `paused` send no message and go round forever "
        "(reached by `waiting` → `paused`)"
    )
    assert finding.path == ("waiting", "paused", "paused")


# --- J210 exit-from-terminal, J211 guard-never-holds -----------------------------------------


def test_j210_a_transition_out_of_an_end() -> None:
    text = CLEAN + more_transitions(
        """
        - from: done
          on: reopen
          to: waiting
          by: customer
          touchpoint: thanks
        """
    )
    [finding] = findings(text)
    assert where([finding]) == [("J210", 35, 11)]
    assert finding.severity == Severity.WARNING
    assert finding.message == (
        "transition #3 leaves `done`, an end (outcome: success); "
        "a case that has ended never moves again, so it never fires"
    )


def test_j211_a_guard_that_contradicts_itself() -> None:
    text = labelled(RATED, paid="Paid") + more_transitions(
        """
        - from: waiting
          on: paid
          to: done
          by: customer
          guard: rating > 5 and rating < 3
          touchpoint: thanks
        """
    )
    [finding] = findings(text)
    assert where([finding]) == [("J211", 39, 12)]
    assert finding.message == "the guard `rating > 5 and rating < 3` can never be true, so transition #3 never fires"


# --- J212 timeout-may-be-refused -------------------------------------------------------------


GUARDED = declared(
    CLEAN,
    flag=intake(),
    rating=intake("integer"),
    tier="type: choice, choices: [gold, silver], meaning: Tier, intake: true",
)
"""CLEAN with intake fields of three types (line 8), for timeout guards to read."""


def _timeout_guards(first: str, second: str, base: str = GUARDED) -> str:
    return base.replace(
        "    by: system\n    touchpoint: sorry\n", f"    by: system\n    guard: {first}\n    touchpoint: sorry\n"
    ) + (
        more_transitions(
            f"""
            - from: waiting
              on: expired
              to: done
              by: system
              guard: {second}
              touchpoint: thanks
            """
        )
    )


def test_j212_guarded_timeouts_that_can_all_be_false() -> None:
    [finding] = findings(_timeout_guards("rating < 2", "rating > 3"))
    assert where([finding]) == [("J212", 15, 17)]
    assert finding.message == (
        "the timer in `waiting` may be refused: every transition on `expired` has a guard, "
        "and they can all be false at once (e.g. when rating is 2), leaving the case stuck"
    )
    assert finding.fix == (
        "add an unguarded transition `from: waiting`, `on: expired` as the fallback, "
        "or make the guards cover every case (e.g. `flag` and `not flag`)"
    )


def test_j212_names_a_gap_that_is_not_missing_data() -> None:
    [finding] = findings(_timeout_guards("not (rating > 3)", "rating > 5"))
    assert "(e.g. when rating is 4)" in finding.message


@pytest.mark.parametrize(
    ("first", "second"),
    [("flag", "not flag"), ("rating >= 3", "not (rating >= 3)"), ('tier in ["gold"]', 'tier not in ["gold"]')],
)
def test_j212_guards_that_cover_every_case_are_fine(first: str, second: str) -> None:
    assert findings(_timeout_guards(first, second)) == []


def test_j212_a_missing_value_makes_an_ordering_and_its_opposite_both_false() -> None:
    # given a journey that declares no data: `rating > 3` and `rating <= 3` are both false when
    # there is no rating at all, and nothing says there always is one
    found = findings(_timeout_guards("rating > 3", "rating <= 3", base=CLEAN))
    assert where(found) == [("J212", 15, 17), ("J220", 34, 12), ("J220", 40, 12)]
    assert "(e.g. when rating is missing)" in found[0].message
    # when `rating` is gathered at intake, every case has one, and the two guards cover them all
    assert findings(_timeout_guards("rating > 3", "rating <= 3")) == []


def test_j212_a_field_set_on_some_routes_only_may_be_missing() -> None:
    # given `rating`, asked for by `rate` (a move from `waiting` back to it), but not when a case opens
    base = labelled(declared(CLEAN, rating="type: integer, meaning: A rating, min: 1, max: 5"), rate="Rate us")
    text = _timeout_guards("rating > 3", "rating <= 3", base=base) + more_transitions(
        """
        - from: waiting
          on: rate
          to: waiting
          by: customer
          asks: [rating]
          touchpoint: thanks
        """
    )
    found = findings(text)
    # then the timer may meet a case without a rating, and each guard reads it before it is set
    assert where(found) == [("J212", 15, 17), ("J221", 34, 12), ("J221", 40, 12)]
    assert "(e.g. when rating is missing)" in found[0].message


# --- J213 timeout-sim-time --------------------------------------------------------------------


def _timeout_sim(sim: str) -> str:
    """CLEAN with a `sim` on its timeout transition (`expired`), on line 33."""
    return CLEAN.replace(
        "    by: system\n    touchpoint: sorry\n", f"    by: system\n    touchpoint: sorry\n    sim: {sim}\n"
    )


def test_j213_a_time_on_a_timeout_is_reported_at_it() -> None:
    # given the timeout of `waiting` (2d) with a sim that says it happens after 4h
    [finding] = findings(_timeout_sim("{weight: 0.3, after: 4h}"))
    # then a warning on `after`, saying the timer decides when
    assert where([finding]) == [("J213", 35, 24)]
    assert finding.severity == Severity.WARNING
    assert finding.message == (
        "transition #2 is the timeout of `waiting`, so in simulation it always fires when the wait limit (2d) "
        "runs out, and the time its `sim` gives (`after: 4h`) is ignored"
    )
    assert finding.fix == (
        "keep only `weight` in this `sim`; if people may also make this move before the wait runs out, "
        "give them an event of their own, with its own `sim`"
    )


def test_j213_a_weight_alone_on_a_timeout_is_fine() -> None:
    assert findings(_timeout_sim("{weight: 0.3}")) == []


def test_j213_names_every_state_it_is_the_timeout_of_and_only_those() -> None:
    # given one move on `late` from a (timeout, 1h), b (timeout, 2h) and c (whose timeout is another
    # event: there staff record `late`)
    text = """
    name: j213
    version: 1
    max_silence: 3d
    start: a
    touchpoints: {hi: Hello.}
    events: {go: Go on, late: Running late}
    states:
      a: {owner: customer, label: A, wait_limit: 1h, on_timeout: late}
      b: {owner: customer, label: B, wait_limit: 2h, on_timeout: late}
      c: {owner: customer, label: C, wait_limit: 1d, on_timeout: other}
      end: {owner: system, label: End, outcome: success}
    transitions:
      - {from: a, on: go, to: b, by: customer, touchpoint: hi}
      - {from: b, on: go, to: c, by: customer, touchpoint: hi}
      - {from: c, on: other, to: end, by: system, touchpoint: hi}
      - {from: [a, b, c], on: late, to: end, by: [system, staff], touchpoint: hi, sim: {weight: 0, median: 1h, p90: 2h}}
    """
    [finding] = findings(text)
    # then the finding names a and b, and says their limits differ
    assert where([finding]) == [("J213", 16, 96)]
    assert finding.message == (
        "transition #4 is the timeout of `a` and `b`, so in simulation it always fires when their wait limits "
        "run out, and the time its `sim` gives (`median` and `p90`) is ignored"
    )


# --- robustness ------------------------------------------------------------------------------


def test_unknown_references_are_reported_once_and_never_crash_later_rules() -> None:
    text = """
    name: broken
    version: 1
    max_silence: 1d
    start: nowhere
    touchpoints:
      hi: Hello.
    states:
      a:
        owner: customer
        label: A
        wait_limit: 1d
        on_timeout: ghost_event
    transitions:
      - from: [a, ghost]
        on: go
        to: ghost_target
        by: system
        touchpoint: ghost_message
    """
    assert where(findings(text)) == [
        ("J101", 4, 8),
        ("J104", 6, 3),
        ("J102", 12, 17),
        ("J101", 14, 15),
        ("J101", 16, 9),
        ("J103", 18, 17),
    ]


def test_findings_are_sorted_by_line_then_column_then_code() -> None:
    text = CLEAN.replace("max_silence: 3d", "max_silence: 1h") + more_transitions(
        """
        - from: [done, closed]
          on: reopen
          to: waiting
          by: customer
          touchpoint: thanks
        """
    )
    found = check(load(text))
    assert where(found) == [("J209", 3, 14), ("J210", 35, 12), ("J210", 35, 18)]


def test_each_finding_carries_its_rule() -> None:
    for finding in findings(CLEAN.replace("start: waiting", "start: wating")) + findings(TRAP):
        rule = RULES[finding.code]
        assert (finding.slug, finding.severity) == (rule.slug, rule.severity)
        assert finding.location.file == FILE


@pytest.mark.parametrize("path", library_files(), ids=lambda p: p.stem)
def test_the_shipped_journeys_are_clean(path: Any) -> None:
    assert [d.format() for d in check(load_journey(path))] == []


def test_a_large_generated_journey_is_checked() -> None:
    # Given 200 states and 600 transitions (the benchmark's size; timing lives in `make bench`)
    loaded = parse_journey(big_journey(200, 600, seed=7), "big.yaml")
    # When checked, then it finishes with findings that all point into the file
    found = check(loaded)
    assert all(d.location.line > 0 for d in found)


def big_journey(states: int, transitions: int, *, seed: int) -> str:
    """A generated journey: a spine from s0 to the end with random extra moves and guards."""
    rng = random.Random(seed)
    lines = ["name: big", "version: 1", "max_silence: 3d", "start: s0", "touchpoints:", "  hi: Hello.", "states:"]
    for i in range(states):
        lines += [f"  s{i}:", f"    owner: {rng.choice(['customer', 'team:desk', 'carrier', 'system'])}"]
        lines += [f"    label: Step {i % 17}"]
        if i == states - 1:
            lines += ["    outcome: success"]
        else:
            lines += [f"    wait_limit: {rng.randint(1, 48)}h", "    on_timeout: late", "    accept_within: 1h"]
    lines.append("transitions:")
    moves: list[tuple[int, int, str, str | None]] = [(i, i + 1, "late", None) for i in range(states - 1)]
    while len(moves) < transitions:
        a, b = rng.randrange(states - 1), rng.randrange(states)
        guard = rng.choice([None, "flag", "not flag", "amount > 10", "amount <= 10", 'tier == "gold"'])
        moves.append((a, b, rng.choice(["go", "back", "fail"]), guard))
    for a, b, event, guard in moves:
        lines += [f"  - from: s{a}", f"    on: {event}", f"    to: s{b}", "    by: system"]
        lines += [f"    guard: {guard}"] if guard else []
        lines += ["    touchpoint: hi"] if rng.random() < 0.5 else ["    silent: internal"]
    return "\n".join(lines) + "\n"


# --- the silence bound -----------------------------------------------------------------------


def journey(states: dict[str, dict[str, Any]], transitions: list[dict[str, Any]], start: str = "a") -> Journey:
    return Journey.model_validate(
        {
            "name": "j",
            "version": 1,
            "max_silence": "1w",
            "start": start,
            "touchpoints": {"hi": "Hello."},
            "states": {name: {"owner": "customer", "label": name, **fields} for name, fields in states.items()},
            "transitions": [{"by": "system", **t} for t in transitions],
        }
    )


def wait(limit: str) -> dict[str, str]:
    return {"wait_limit": limit, "on_timeout": "late"}


END = {"outcome": "success"}


def test_silence_of_the_clean_journey_is_its_one_wait() -> None:
    assert silence_bound(load(CLEAN).journey) == SilenceBound(2 * DAY, ("waiting",), None)


def test_silence_adds_up_along_silent_moves_and_a_touchpoint_resets_it() -> None:
    # a (1d) -silent-> b (2d) -told-> c (1d) -silent-> end
    j = journey(
        {"a": wait("1d"), "b": wait("2d"), "c": wait("1d"), "end": END},
        [
            {"from": "a", "on": "late", "to": "b", "silent": "internal"},
            {"from": "b", "on": "late", "to": "c", "touchpoint": "hi"},
            {"from": "c", "on": "late", "to": "end", "silent": "done"},
        ],
    )
    assert silence_bound(j) == SilenceBound(3 * DAY, ("a", "b"), None)


def test_the_worst_stretch_may_begin_after_a_message() -> None:
    # a (1h) -told-> b (2d) -silent-> c (2d) -told-> end
    j = journey(
        {"a": wait("1h"), "b": wait("2d"), "c": wait("2d"), "end": END},
        [
            {"from": "a", "on": "late", "to": "b", "touchpoint": "hi"},
            {"from": "b", "on": "late", "to": "c", "silent": "internal"},
            {"from": "c", "on": "late", "to": "end", "touchpoint": "hi"},
        ],
    )
    assert silence_bound(j) == SilenceBound(4 * DAY, ("b", "c"), None)


def test_the_longest_of_two_silent_branches_counts() -> None:
    j = journey(
        {"a": wait("1d"), "short": wait("1h"), "long": wait("3d"), "end": END},
        [
            {"from": "a", "on": "late", "to": "short", "silent": "x"},
            {"from": "a", "on": "other", "to": "long", "silent": "x"},
            {"from": ["short", "long"], "on": "late", "to": "end", "touchpoint": "hi"},
        ],
    )
    assert silence_bound(j) == SilenceBound(4 * DAY, ("a", "long"), None)


def test_a_silent_loop_is_unbounded_and_named() -> None:
    j = journey(
        {"a": wait("1d"), "b": wait("1d"), "end": END},
        [
            {"from": "a", "on": "late", "to": "b", "silent": "x"},
            {"from": "b", "on": "late", "to": "a", "silent": "x"},
            {"from": "b", "on": "done", "to": "end", "touchpoint": "hi"},
        ],
    )
    bound = silence_bound(j)
    assert (bound.worst_seconds, bound.path) == (None, ("a", "b", "a"))
    assert bound.unbounded_reason == "the moves `a` → `b` → `a` send no message and go round forever"


def test_a_state_without_a_wait_limit_on_the_way_is_unbounded() -> None:
    j = journey(
        {"a": wait("1d"), "b": {}, "end": END},
        [
            {"from": "a", "on": "late", "to": "b", "silent": "x"},
            {"from": "b", "on": "done", "to": "end", "touchpoint": "hi"},
        ],
    )
    bound = silence_bound(j)
    assert (bound.worst_seconds, bound.path) == (None, ("a", "b"))
    assert bound.unbounded_reason == (
        "`b` has no `wait_limit` (J203), so a case can wait there forever without a message (reached by `a` → `b`)"
    )


def test_silence_ends_at_an_end_and_ignores_what_cannot_happen() -> None:
    j = journey(
        {"a": wait("1d"), "end": END, "unreached": {}},
        [
            {"from": "a", "on": "late", "to": "end", "silent": "x"},
            {"from": "a", "on": "never", "to": "unreached", "guard": "x and not x", "silent": "x"},
        ],
    )
    assert silence_bound(j) == SilenceBound(DAY, ("a",), None)


def test_silence_when_the_case_starts_at_its_end_or_nowhere() -> None:
    assert silence_bound(journey({"end": END}, [], start="end")) == SilenceBound(0, (), None)
    bound = silence_bound(journey({"end": END}, [], start="nowhere"))
    assert bound == SilenceBound(None, (), "the start state `nowhere` isn't defined (J101)")


# --- the rules page stays true -----------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]
RULES_PAGE = ROOT / "docs" / "journey-rules.md"


def rule_sections() -> dict[str, tuple[str, list[str]]]:
    """Each `## Jxxx` section of the rules page: its example journey and the findings it prints."""
    sections = re.split(r"^## (?=J\d{3} )", RULES_PAGE.read_text(), flags=re.M)[1:]
    out = {}
    for section in sections:
        example = re.search(r"```yaml\n(.*?)```", section, re.S)
        printed = re.search(r"```text\n(.*?)```", section, re.S)
        assert example and printed, section[:40]
        out[section[:4]] = (example.group(1), printed.group(1).splitlines())
    return out


def test_the_rules_page_has_a_section_for_every_rule() -> None:
    assert list(rule_sections()) == list(RULES)


@pytest.mark.parametrize("code", list(RULES))
def test_each_example_on_the_rules_page_prints_what_the_page_says(code: str) -> None:
    example, printed = rule_sections()[code]
    found = check(parse_journey(example, "example.yaml"))
    assert [d.format() for d in found] == printed
    assert code in {d.code for d in found}


def test_the_rules_page_lists_every_load_error_the_loader_emits() -> None:
    # the loader's own codes, and the YAML problems it reads files with (journeys/yaml_lines.py), as L…
    folder = ROOT / "src" / "touchpoint" / "journeys"
    sources = "".join((folder / name).read_text() for name in ("loader.py", "yaml_lines.py"))
    emitted = set(re.findall(r'"(L0\d\d)"', sources))
    emitted |= {"L" + number for number in re.findall(r'YamlProblem\(\s*"(0\d\d)"', sources)}
    listed = set(re.findall(r"^\| (L0\d\d) \|", RULES_PAGE.read_text(), flags=re.M))
    assert emitted == listed
