"""The case data and event rules (J220-J227), rule by rule: a small journey that breaks each, with
the exact code, place and words; and the mistake of issue 12 (a `repaired` nothing sets true).

Most journeys here are :data:`FIX` with one thing changed; its lines are counted in the comment
under it, so the lines named in each test can be checked by eye.
"""

from __future__ import annotations

import pytest
from tests.journeys.conftest import findings, where

from touchpoint.journeys.checker import check, definitely_set
from touchpoint.journeys.diagnostics import Severity
from touchpoint.journeys.library import library_file
from touchpoint.journeys.loader import load_journey, parse_journey

FIX = """
name: fix
version: 1
max_silence: 3d
start: checking
touchpoints:
  done: It's done.
  sorry: We couldn't fix it.
data:
  device:
    type: text
    meaning: What the customer brought in.
    intake: true
  fixed:
    type: boolean
    meaning: True once it works again.
    initial: false
events:
  repaired: Repaired
  gave_up: Can't fix it
  collected: Collected
states:
  checking:
    owner: team:bench
    label: Being checked
    wait_limit: 1d
    on_timeout: gave_up
  ready:
    owner: customer
    label: Ready to collect
    wait_limit: 2d
    on_timeout: collected
  done:
    owner: system
    label: Done
    outcome: success
  failed:
    owner: system
    label: Not fixed
    outcome: failure
transitions:
  - from: checking
    on: repaired
    to: ready
    by: team:bench
    sets: {fixed: true}
    touchpoint: done
  - from: checking
    on: gave_up
    to: ready
    by: [system, team:bench]
    touchpoint: sorry
  - from: ready
    on: collected
    to: done
    guard: fixed
    by: [system, team:counter]
    touchpoint: done
  - from: ready
    on: collected
    to: failed
    guard: not fixed
    by: [system, team:counter]
    touchpoint: sorry
"""
"""A bench checks a device; `repaired` sets `fixed`, and collecting it ends by `fixed`. Lines:
`data:` 8 (`device` 9, `fixed` 13, its `initial` 16), `events:` 17, `states:` 21, `transitions:` 40;
transition #1 at 41 (`sets` 45), #2 at 47 (`by` 50), #3 at 52 (guard 55), #4 at 58 (guard 61)."""

NO_INITIAL = FIX.replace("    initial: false\n", "")
"""FIX without `initial: false`: every line after 15 moves up one (#3's guard at 54, #4's at 60)."""


def test_the_fixture_is_clean() -> None:
    assert findings(FIX) == []


# --- J220 data-undeclared --------------------------------------------------------------------


def test_j220_a_misspelt_field_is_located_at_it_with_a_suggestion() -> None:
    found = [d for d in findings(FIX.replace("guard: fixed\n", "guard: fxed\n")) if d.code == "J220"]
    assert where(found) == [("J220", 55, 12)]
    assert found[0].severity == Severity.ERROR
    assert found[0].message == "the guard `fxed` reads `fxed`, which isn't declared under `data:`"
    assert found[0].fix == "did you mean `fixed`?"


def test_j220_each_undeclared_field_of_a_guard_is_reported_where_it_is_written() -> None:
    # given a quoted guard reading `fixed` (declared), `devise` (a typo) and `colour` (unknown)
    text = FIX.replace("guard: fixed\n", "guard: \"fixed and devise in ['phone', 'tablet'] and colour\"\n")
    found = [d for d in findings(text) if d.code == "J220"]
    # then one finding per undeclared field, on its first character inside the quotes
    assert where(found) == [("J220", 55, 23), ("J220", 55, 57)]
    assert [d.fix for d in found] == [
        "did you mean `device`?",
        "declare it under `data:`: `colour: {type: …, meaning: …}`",
    ]


def test_j220_a_journey_without_data_has_each_field_its_guards_read_reported() -> None:
    # given the journey as it would have been written before case data was declared
    text = FIX.replace(FIX[FIX.index("data:") : FIX.index("events:")], "").replace("    sets: {fixed: true}\n", "")
    found = findings(text)
    # then each guard's read is J220 (lines 45 and 51 once `data:` and `sets` are gone) and the
    # rules that need declarations (J221, J222, J227) say nothing
    assert where(found) == [("J220", 45, 12), ("J220", 51, 16)]
    assert found[0].message == "the guard `fixed` reads `fixed`, but the journey declares no case data"
    assert found[0].fix == (
        "add a `data:` section declaring `fixed` (its `type`, its `meaning`, and where it is set: "
        "`intake: true`, an `initial` value, or a move's `sets:` or `asks:`)"
    )


# --- J221 data-unset -------------------------------------------------------------------------


def test_j221_a_field_set_on_one_route_only_names_the_route_without_it() -> None:
    # given `fixed` without an initial value: `repaired` sets it, `gave_up` doesn't
    found = findings(NO_INITIAL)
    # then both guards reading it are reported, on the field, with the shortest route that skips it
    assert where(found) == [("J221", 54, 12), ("J221", 60, 16)]
    assert found[0].severity == Severity.ERROR
    assert found[0].message == (
        "the guard `fixed` reads `fixed` before anything may have set it: transition #3 leaves `ready`, "
        "and nothing sets it on the route `checking` ─gave_up→ `ready`"
    )
    assert found[0].fix == (
        "set `fixed` on every route into `ready` (a move's `sets:` or `asks:`), gather it at intake "
        "(`intake: true`) or give it an `initial` value; or have this move ask for it (`asks: [fixed]`)"
    )
    assert found[0].path == ("checking", "ready")


def test_j221_setting_it_on_every_route_is_enough() -> None:
    text = NO_INITIAL.replace(
        "    by: [system, team:bench]\n    touchpoint: sorry\n",
        "    by: [system, team:bench]\n    sets: {fixed: false}\n    touchpoint: sorry\n",
    )
    assert findings(text) == []
    assert definitely_set(parse_journey(text).journey) == {
        "checking": frozenset({"device"}),
        "ready": frozenset({"device", "fixed"}),
        "done": frozenset({"device", "fixed"}),
        "failed": frozenset({"device", "fixed"}),
    }


def test_j221_intake_and_initial_fields_are_set_when_the_case_opens() -> None:
    text = FIX.replace("    guard: fixed\n", "    guard: fixed and device != ''\n").replace(
        "    guard: not fixed\n", "    guard: not (fixed and device != '')\n"
    )
    assert findings(text) == []
    assert definitely_set(parse_journey(FIX).journey)["checking"] == frozenset({"device", "fixed"})


def test_j221_a_move_asking_for_the_field_reads_what_it_is_given() -> None:
    # given `collected` asking for `fixed` (whoever records it says whether it works)
    text = NO_INITIAL.replace("    guard: fixed\n", "    guard: fixed\n    asks: [fixed]\n").replace(
        "    guard: not fixed\n", "    guard: not fixed\n    asks: [fixed]\n"
    )
    # then its own guard sees the value; but a timer gives no values (J223, on each `asks`)
    assert where(findings(text)) == [("J223", 55, 5), ("J223", 62, 5)]


def test_j221_a_moves_own_sets_do_not_count_for_its_guard() -> None:
    # given `repaired` guarded by `fixed`, which it sets itself: the guard is read before the move
    text = NO_INITIAL.replace("    by: team:bench\n    sets:", "    guard: fixed\n    by: team:bench\n    sets:")
    found = [d for d in findings(text) if d.code == "J221" and d.location.line == 43]
    assert where(found) == [("J221", 43, 12)]
    assert found[0].message.endswith("transition #1 leaves `checking`, and a case opens in `checking` without it")
    assert found[0].path == ("checking",)


def test_j221_a_loop_that_sets_the_field_before_it_is_read_is_fine() -> None:
    # given a case going round `checking` → `ready` → `checking` (not fixed yet): `fixed` is set by
    # every way into `ready`, whichever way round the loop it came
    text = NO_INITIAL.replace(
        "    by: [system, team:bench]\n    touchpoint: sorry\n",
        "    by: [system, team:bench]\n    sets: {fixed: false}\n    touchpoint: sorry\n",
    ) + (
        "  - from: ready\n    on: try_again\n    to: checking\n    guard: not fixed\n    by: team:counter\n"
        "    touchpoint: sorry\n"
    )
    text = text.replace("  collected: Collected\n", "  collected: Collected\n  try_again: Try again\n").replace(
        "    wait_limit: 1d\n", "    accept_within: 4h\n    wait_limit: 1d\n"
    )
    assert findings(text) == []


# --- J222 data-unused ------------------------------------------------------------------------


def test_j222_a_field_nothing_sets() -> None:
    text = NO_INITIAL.replace("    sets: {fixed: true}\n", "")
    found = findings(text)
    # the guards reading it are J221 too: they read a field no route sets
    assert where(found) == [("J222", 13, 3), ("J221", 53, 12), ("J221", 59, 16)]
    assert found[0].severity == Severity.WARNING
    assert found[0].message == (
        "`fixed` is declared, but nothing sets it: not intake, no `initial` value, "
        "and no move `sets` it or `asks` for it"
    )
    assert found[0].fix == (
        "set it where it becomes known (`sets: {fixed: …}` or `asks: [fixed]` on a move, `intake: true`, "
        "or an `initial` value), or remove it"
    )


def test_j222_a_field_set_but_never_read() -> None:
    # given the two ways out of `ready` as two events, reading nothing
    text = FIX.replace("    guard: fixed\n", "").replace(
        "    on: collected\n    to: failed\n    guard: not fixed\n", "    on: gave_up\n    to: failed\n"
    )
    found = findings(text)
    assert where(found) == [("J222", 13, 3)]
    assert found[0].message == (
        "`fixed` is set, but no guard or `refund` reads it, and it isn't intake data shown to staff"
    )
    assert found[0].fix == "read it where it decides something (a guard such as `fixed`), or remove it and what sets it"


def test_j222_intake_data_and_a_refunded_amount_are_used() -> None:
    # `device` is read by nothing but intake (staff see it); `paid` is read by a refund
    text = FIX.replace(
        "  fixed:\n", "  paid:\n    type: money\n    meaning: What was paid.\n    intake: true\n  fixed:\n"
    ).replace("    touchpoint: sorry\n", "    refund: paid\n    touchpoint: sorry\n")
    assert findings(text) == []


# --- J223 data-bad-write ---------------------------------------------------------------------


def test_j223_sets_an_undeclared_field() -> None:
    found = findings(FIX.replace("sets: {fixed: true}", "sets: {fixd: true}"))
    # and with nothing setting `fixed` true, the guard reading it can't hold (J227)
    assert where(found) == [("J223", 45, 12), ("J227", 55, 12)]
    assert found[0].message == "transition #1 sets `fixd`, which isn't declared under `data:`"
    assert found[0].fix == "did you mean `fixed`?"


def test_j223_asks_for_undeclared_fields_and_refunds_an_unknown_one() -> None:
    text = FIX.replace(
        "    sets: {fixed: true}\n", "    sets: {fixed: true}\n    asks: [price, device_notes]\n    refund: price\n"
    )
    found = findings(text)
    assert where(found) == [("J223", 46, 12), ("J223", 46, 19), ("J223", 47, 13)]
    assert [d.message for d in found] == [
        "transition #1 asks for `price`, which isn't declared under `data:`",
        "transition #1 asks for `device_notes`, which isn't declared under `data:`",
        "transition #1 refunds `price`, which is neither `all` nor a declared field",
    ]
    assert [d.fix for d in found] == [
        "declare it under `data:`: `price: {type: …, meaning: …}`",
        "did you mean `device`?",
        "write `refund: all`, or name a `money` field of `data:`",
    ]


def test_j223_a_refund_of_a_field_that_is_not_money() -> None:
    text = FIX.replace(
        "  fixed:\n", "  paid:\n    type: money\n    meaning: What was paid.\n    intake: true\n  fixed:\n"
    ).replace("    by: team:bench\n", "    by: team:bench\n    refund: device\n")
    [finding] = findings(text)
    assert where([finding]) == [("J223", 49, 13)]
    assert finding.message == "transition #1 refunds `device`, a text field: a refund pays back money"
    assert finding.fix == "write `refund: all`, or name a `money` field of `data:` (`paid`)"


def test_j223_a_refund_of_everything_paid_needs_no_field() -> None:
    assert findings(FIX.replace("    by: team:bench\n", "    by: team:bench\n    refund: all\n")) == []


def test_j223_a_timeout_that_asks_for_values_would_be_refused() -> None:
    text = FIX.replace("    by: [system, team:bench]\n", "    by: [system, team:bench]\n    asks: [device]\n")
    [finding] = findings(text)
    assert where([finding]) == [("J223", 51, 5)]
    assert finding.message == (
        "transition #2 is the timeout of `checking` and asks for `device`, but a timer gives no values: "
        "it would be refused, and the case would stay where it is"
    )


def test_j223_a_journey_without_data_that_sets_a_field() -> None:
    text = FIX.replace(FIX[FIX.index("data:") : FIX.index("events:")], "")
    found = [d for d in findings(text) if d.code == "J223"]
    assert where(found) == [("J223", 36, 12)]
    assert found[0].message == "transition #1 sets `fixed`, but the journey declares no case data"
    assert found[0].fix == "add a `data:` section declaring `fixed` (its `type` and `meaning`)"


# --- J224 event-unrecordable -----------------------------------------------------------------


SYSTEM_ONLY = (
    FIX.replace("    by: [system, team:bench]\n", "    by: system\n")
    .replace("    on_timeout: gave_up\n", "    on_timeout: repaired\n")
    .replace("    by: team:bench\n    sets:", "    by: [system, team:bench]\n    sets:")
)
"""FIX where `repaired` is the bench's timeout and `gave_up` only the system's (lines unchanged)."""


def test_j224_an_event_only_the_system_records_without_a_timer_or_an_integration() -> None:
    [finding] = findings(SYSTEM_ONLY)
    # located at the state in `from:` it can't be recorded in
    assert where([finding]) == [("J224", 47, 11)]
    assert finding.severity == Severity.ERROR
    assert finding.message == (
        "nothing can record `gave_up` in `checking`: only `system` may, it isn't the timeout of `checking`, "
        "and no integration reports it (`via`)"
    )
    assert finding.fix == (
        "say who records it in `by` (e.g. `team:<name>`, `carrier` or `customer`), make it the state's "
        "`on_timeout`, or name the integration that reports it under `events:` "
        "(`gave_up: {label: …, via: payments}`)"
    )


def test_j224_an_integration_named_with_via_records_it() -> None:
    text = SYSTEM_ONLY.replace("  gave_up: Can't fix it\n", "  gave_up: {label: Can't fix it, via: diagnostics}\n")
    assert findings(text) == []


@pytest.mark.parametrize("by", ["carrier", "customer", "staff", "team:bench", "role:lead"])
def test_j224_anyone_but_the_system_can_record_an_event(by: str) -> None:
    assert findings(SYSTEM_ONLY.replace("    by: system\n", f"    by: {by}\n")) == []


def test_j224_only_in_the_states_it_cannot_be_recorded_in() -> None:
    # given `gave_up`, only the system's, from `checking` (whose timeout it is) and from `ready` (not)
    text = FIX.replace("    by: [system, team:bench]\n", "    by: system\n").replace(
        "  - from: checking\n    on: gave_up\n", "  - from: [checking, ready]\n    on: gave_up\n"
    )
    [finding] = findings(text)
    # then only `ready` is reported, at its place in the `from:` list
    assert where([finding]) == [("J224", 47, 22)]
    assert finding.message.startswith("nothing can record `gave_up` in `ready`:")


# --- J225 event-unlabelled -------------------------------------------------------------------


def test_j225_an_event_people_record_without_a_label() -> None:
    [finding] = findings(FIX.replace("  repaired: Repaired\n", ""))
    # located at its first transition's `on:` (one line up, as `events:` lost a line)
    assert where([finding]) == [("J225", 41, 9)]
    assert finding.severity == Severity.WARNING
    assert finding.message == (
        "`repaired` is recorded by `team:bench`, but has no `label` under `events:`, so they would see “Repaired”"
    )
    assert finding.fix == "add it under `events:` with the words on its button, e.g. `repaired: <what the button says>`"


def test_j225_names_the_customer_button_when_the_customer_records_it() -> None:
    text = FIX.replace("  gave_up: Can't fix it\n", "").replace(
        "    by: [system, team:bench]\n", "    by: [system, customer]\n"
    )
    [finding] = findings(text)
    assert finding.message == (
        "`gave_up` is recorded by `customer`, but has no `label` under `events:`, so they would see “Gave up”"
    )
    assert finding.fix.endswith("(and `customer:` for the customer's button)")


def test_j225_a_timer_event_needs_no_label() -> None:
    text = SYSTEM_ONLY.replace("  gave_up: Can't fix it\n", "  gave_up: {label: Can't fix it, via: diagnostics}\n")
    text = text.replace("  collected: Collected\n", "").replace("by: [system, team:counter]", "by: system")
    assert findings(text) == []


# --- J226 event-label-unused -----------------------------------------------------------------


def test_j226_a_label_for_an_event_no_transition_takes() -> None:
    [finding] = findings(FIX.replace("  collected: Collected\n", "  collected: Collected\n  colected: Collected\n"))
    assert where([finding]) == [("J226", 21, 3)]
    assert finding.severity == Severity.WARNING
    assert finding.message == "`events:` describes `colected`, but no transition takes it"
    assert finding.fix == "did you mean `collected`?"


# --- J227 guard-never-holds-for-data ---------------------------------------------------------


def test_j227_a_flag_nothing_sets_true_makes_its_move_dead() -> None:
    # given `fixed` starting false, and nothing setting it true: issue 12's "home safe" bug
    [finding] = findings(FIX.replace("    sets: {fixed: true}\n", ""))
    assert where([finding]) == [("J227", 54, 12)]
    assert finding.severity == Severity.WARNING
    assert finding.message == (
        "the guard `fixed` can never be true for the values its fields take: `fixed` is only ever false "
        "(its `initial` value; no move sets it otherwise); transition #3 never fires"
    )
    assert finding.fix == (
        "set the field where it becomes known (`sets:` on the move that makes it so, or `asks:` for a value "
        "a person gives), or correct the guard"
    )


def test_j227_values_written_only_from_unreachable_states_do_not_count() -> None:
    text = FIX.replace("  - from: checking\n    on: repaired\n", "  - from: done\n    on: repaired\n")
    found = [d for d in findings(text) if d.code == "J227"]
    assert where(found) == [("J227", 55, 12)]


def test_j227_a_value_asked_for_can_be_anything_of_its_type() -> None:
    text = FIX.replace("    sets: {fixed: true}\n", "    asks: [fixed]\n")
    assert findings(text) == []


CHOICE = "type: choice, choices: [standard, gold], meaning: Tier, intake: true"
STARS = "type: integer, min: 1, max: 5, meaning: Stars, intake: true"


@pytest.mark.parametrize(
    ("declaration", "guard", "why"),
    [
        (CHOICE, 'level == "platinum"', "`level` is one of `standard` or `gold`"),
        (CHOICE, 'level in ["gold", "platinum"]', None),
        ("type: money, min: 0, meaning: Paid, intake: true", "level < 0", "`level` is an amount of at least 0"),
        ("type: money, min: 0, meaning: Paid, intake: true", "level < 0.01", None),
        (STARS, "level > 1.2 and level < 1.9", "`level` is a whole number from 1 to 5"),
        (STARS, "level > 1.2 and level < 2.6", None),
        ("type: boolean, meaning: Flag, intake: true", "level == 1", "`level` is true or false"),
        ("type: text, meaning: Notes, intake: true", 'level > "zz" and level < "zz0"', None),
        ("type: integer, meaning: Count, initial: 3", "level == 3", None),
        (
            "type: integer, meaning: Count, initial: 3",
            "level != 3",
            "`level` is only ever 3 (its `initial` value; no move sets it otherwise)",
        ),
    ],
)
def test_j227_the_values_a_declaration_allows(declaration: str, guard: str, why: str | None) -> None:
    # given a field `level` declared as given, and the `collected` twins branching on it
    text = (
        FIX.replace("  fixed:\n", f"  level: {{{declaration}}}\n  fixed:\n")
        .replace("    guard: fixed\n", f"    guard: {guard} and fixed\n")
        .replace("    guard: not fixed\n", f"    guard: not ({guard} and fixed)\n")
    )
    found = findings(text)
    # then a guard no allowed value satisfies is reported, naming only the field that rules it out
    if why is None:
        assert found == []
    else:
        [finding] = found
        assert finding.code == "J227"
        assert finding.message == (
            f"the guard `{guard} and fixed` can never be true for the values its fields take: {why}; "
            "transition #3 never fires"
        )


# --- the shipped journey, with the mistake the issue found --------------------------------------


def test_mail_in_repair_without_repaired_set_by_the_check_up_is_warned_three_times() -> None:
    # given mail-in-repair as it was: "quality check passed" doesn't set `repaired`
    path = library_file("mail-in-repair")
    assert path is not None
    source = path.read_text(encoding="utf-8")
    assert source.count("    sets: { repaired: true }\n") == 2
    broken = parse_journey(source.replace("    sets: { repaired: true }\n", ""), "mail-in-repair.yaml")
    # when checked, then every move that needs a repaired device is reported dead: home safe (twice,
    # from the post and from a trace) and the trip home after a complaint
    found = check(broken)
    assert [d.code for d in found] == ["J227", "J227", "J227"]
    lines = source.replace("    sets: { repaired: true }\n", "").splitlines()
    assert [lines[d.location.line - 1].strip() for d in found] == [
        "guard: repaired",
        "guard: repaired",
        "guard: repaired and not at_home",
    ]
    assert all(
        "`repaired` is only ever false (its `initial` value and what moves `sets`; no move sets it otherwise)"
        in d.message
        for d in found
    )
    # and as shipped, it is clean
    assert check(load_journey(path)) == []
