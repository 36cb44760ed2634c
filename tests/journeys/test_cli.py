"""`touchpoint journey ...`: exit codes 0/1/2, readable text, parseable JSON, and never a traceback."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from touchpoint.journeys.checker import check, silence_bound
from touchpoint.journeys.cli import main
from touchpoint.journeys.cli.files import resolve
from touchpoint.journeys.cli.output import progress
from touchpoint.journeys.durations import format_duration
from touchpoint.journeys.library import library_dir, library_files
from touchpoint.journeys.loader import load_journey

SMALL = """\
name: small
version: 1
max_silence: 1d
start: waiting
touchpoints:
  done: All done.
  spare: Never sent.
states:
  waiting:
    owner: customer
    label: Waiting for you
  handled:
    owner: team:care
    label: Being handled
    wait_limit: 2d
    on_timeout: give_up
  finished:
    owner: system
    label: Finished
    outcome: success
transitions:
  - from: waiting
    on: reply
    to: handled
    by: customer
  - from: handled
    on: give_up
    to: finished
    by: system
    touchpoint: done
"""

WARNING_ONLY = """\
name: warn
version: 1
max_silence: 1d
start: open
touchpoints:
  closed: Closed.
  spare: Never sent.
states:
  open:
    owner: system
    label: Open
    wait_limit: 1h
    on_timeout: close
  closed:
    owner: system
    label: Closed
    outcome: success
transitions:
  - from: open
    on: close
    to: closed
    by: system
    touchpoint: closed
"""

BROKEN = "name: broken\nversion: 1\nstates: [a, b\n"


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Work in a fresh folder holding the small files, so paths in messages are short."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "small.yaml").write_text(SMALL, encoding="utf-8")
    (tmp_path / "warn.yaml").write_text(WARNING_ONLY, encoding="utf-8")
    (tmp_path / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], list[str]]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err.splitlines()


# --- check -----------------------------------------------------------------------------------


def test_check_a_clean_library_journey_exits_0_with_one_summary_line(capsys: pytest.CaptureFixture[str]) -> None:
    journey = load_journey(library_dir() / "mail-in-repair.yaml").journey
    worst = silence_bound(journey).worst_seconds
    assert worst is not None

    code, out, err = run(capsys, "check", "mail-in-repair")

    assert code == 0
    assert out == [
        f"mail-in-repair@4: clean ({len(journey.states)} states, {len(journey.transitions)} transitions, "
        f"worst silence {format_duration(worst)} of 3d allowed)"
    ]
    assert err == []


def test_check_every_shipped_journey_at_once(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", *(str(p) for p in library_files()))
    assert code == 0
    assert [line.split(":")[0] for line in out] == ["mail-in-repair@4", "order-problem@4", "walk-in-warranty@3"]
    assert all(": clean (" in line for line in out)


def test_check_a_failing_file_exits_1_with_one_line_per_finding(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", "small.yaml")

    assert code == 1
    assert err == []
    prefixes = [
        "small.yaml:3:14: error J209 silence-bound: ",
        "small.yaml:7:3: warning J104 unused-touchpoint: touch point `spare` is declared but no transition sends it",
        "small.yaml:9:3: error J203 no-wait-limit: state `waiting` has no `wait_limit`",
        "small.yaml:23:9: warning J225 event-unlabelled: `reply` is recorded by `customer`, but has no `label`",
        "small.yaml:24:9: error J205 handoff-without-limit: ",
        "small.yaml:24:9: error J206 untold-visible-transition: ",
    ]
    assert len(out) == len(prefixes) + 1
    for line, prefix in zip(out, prefixes, strict=False):
        assert line.startswith(prefix), line
    # each finding line is exactly the checker's diagnostic, `file:line:col: severity code slug: what — fix`
    expected = [d.format() for d in sorted(check(load_journey("small.yaml")), key=lambda d: (d.location, d.code))]
    assert out[:-1] == expected
    assert all(" — " in line for line in out[:-1])
    assert out[-1] == "small@1: 4 errors, 2 warnings (3 states, 2 transitions, worst silence unbounded, 1d allowed)"


def test_warnings_alone_pass_unless_strict(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "warn.yaml")
    assert code == 0
    assert out[-1] == "warn@1: 0 errors, 1 warning (2 states, 1 transition, worst silence 1h of 1d allowed)"

    code, out_strict, _ = run(capsys, "check", "--strict", "warn.yaml")
    assert code == 1
    assert out_strict == out


def test_check_a_broken_file_exits_2_with_its_load_error_on_stderr(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "check", "broken.yaml")
    assert code == 2
    assert out == []
    assert err == [
        "broken.yaml:4:1: error L010 yaml-syntax: this is not valid YAML: did not find expected ',' or ']' — "
        "check the indentation and quoting at this spot (quote text holding `: ` or `#`)"
    ]


def test_worst_exit_code_wins_across_files(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", "warn.yaml", "small.yaml", "broken.yaml", "mail-in-repair")
    assert code == 2
    assert len(err) == 1
    assert out[-1].startswith("mail-in-repair@4: clean (")  # later files are still checked


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda d: str(d), ": error L000 unreadable: this is a folder, not a file — name the journey's .yaml file"),
        (lambda d: str(d / "missing.yaml"), ": error L000 unreadable: no such file — check the path"),
        (lambda d: _write(d / "binary.yaml", b"\x00\x01\x02\xff" * 64), ": error L001 not-text: the file is binary"),
        (lambda d: _write(d / "latin1.yaml", "name: caf\xe9\n".encode("latin-1")), ":1:1: error L001 not-text:"),
        (lambda d: _write(d / "empty.yaml", b""), ":1:1: error L003 empty: the file is empty"),
        (lambda d: _write(d / "list.yaml", b"- a\n- b\n"), ":1:1: error L012 not-a-mapping:"),
        (lambda d: _write(d / "deep.yaml", b"a: " + b"[" * 5000), ": error L0"),
        (lambda d: "no-such-journey", "no-such-journey: error L000 unreadable: no such file, and no shipped journey"),
    ],
    ids=["folder", "missing", "binary", "not-utf8", "empty", "list", "deep", "unknown-name"],
)
@pytest.mark.parametrize("command", ["check", "paths", "render", "simulate"])
def test_no_traceback_for_any_input(
    command: str, make: object, expected: str, here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = make(here)  # type: ignore[operator]
    code, out, err = run(capsys, command, target)
    assert code == 2
    assert out == []
    assert len(err) == 1, err
    assert expected in err[0]
    assert err[0].startswith(target)
    assert "Traceback" not in "\n".join(err)


def _write(path: Path, data: bytes) -> str:
    path.write_bytes(data)
    return str(path)


def test_check_json_is_machine_readable(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", "--format", "json", "mail-in-repair", "small.yaml", "broken.yaml"])
    captured = capsys.readouterr()
    data = json.loads(captured.out)

    assert code == 2
    assert data["exit_code"] == 2
    clean, failing, broken = data["files"]
    assert clean["journey"] == "mail-in-repair@4"
    assert clean["status"] == "clean"
    assert clean["diagnostics"] == []
    assert clean["silence"]["max_seconds"] == 3 * 86400
    assert clean["silence"]["worst_seconds"] <= 3 * 86400
    assert clean["silence"]["path"]
    assert failing["status"] == "failed"
    assert (failing["errors"], failing["warnings"]) == (4, 2)
    assert [d["code"] for d in failing["diagnostics"]] == ["J209", "J104", "J203", "J225", "J205", "J206"]
    assert failing["diagnostics"][2] | {"message": "", "fix": ""} == {
        "code": "J203",
        "slug": "no-wait-limit",
        "severity": "error",
        "message": "",
        "fix": "",
        "file": "small.yaml",
        "line": 9,
        "column": 3,
        "path": [],
    }
    assert failing["silence"]["worst_seconds"] is None
    assert "waiting" in failing["silence"]["unbounded_reason"]
    assert broken["status"] == "unreadable"
    assert broken["journey"] is None
    assert broken["diagnostics"][0]["code"] == "L010"
    # load errors still reach stderr, one per line, for a person watching
    assert captured.err.startswith("broken.yaml:4:1: error L010 yaml-syntax:")


# --- bare names ------------------------------------------------------------------------------


def test_a_bare_name_is_the_shipped_journey() -> None:
    assert resolve("walk-in-warranty") == library_dir() / "walk-in-warranty.yaml"


def test_a_file_in_the_current_folder_wins_over_the_library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "order-problem").write_text(WARNING_ONLY, encoding="utf-8")
    assert resolve("order-problem") == Path("order-problem")


def test_a_path_is_never_taken_for_a_name() -> None:
    assert resolve("elsewhere/mail-in-repair") == Path("elsewhere/mail-in-repair")
    assert resolve("mail-in-repair.yaml") == Path("mail-in-repair.yaml")


# --- paths -----------------------------------------------------------------------------------


def test_paths_text_lists_routes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "paths", "walk-in-warranty")
    assert code == 0
    assert err == []
    assert out[0].startswith("walk-in-warranty@3: ")
    assert "routes (" in out[0]
    assert out[-1].startswith("moves used by some route: ")


def test_paths_json_parses_and_respects_max_paths(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["paths", "--format", "json", "--max-paths", "3", "mail-in-repair", "walk-in-warranty"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    first, second = data["files"]
    assert first["journey"] == "mail-in-repair@4"
    # more than 3 routes, and it would take 66 to show every move: 3 are listed, chosen to show
    # as many moves as they can, and the bound says not every move is shown
    assert (first["count"], first["covering"], first["complete"]) == (3, 3, False)
    assert first["bound"] == (
        "showing 3 routes of more than 3; stopped at --max-paths 3 (the first 3 were chosen to take a move no "
        "earlier one takes, but not every move is shown); raise --max-paths to see more"
    )
    assert 0 < sum(edge["routes"] > 0 for edge in first["edges"]) < len(first["edges"])
    assert first["routes"][0]["outcome"] == "success"
    assert second["journey"] == "walk-in-warranty@3"
    assert second["file"].endswith("walk-in-warranty.yaml")


def test_paths_mermaid_is_a_flowchart_per_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "paths", "--format", "mermaid", "order-problem", "walk-in-warranty")
    assert code == 0
    assert out[0].startswith("%% order-problem@4 (")
    assert out[1] == "flowchart LR"
    assert sum(line == "flowchart LR" for line in out) == 2


def test_paths_with_a_broken_file_still_lays_out_the_others(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "paths", "broken.yaml", "warn.yaml")
    assert code == 2
    assert err[0].startswith("broken.yaml:4:1: error L010")
    assert out[0] == "warn@1: 1 route (1 success, 0 failure)"


# --- render ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("suffix", "opening"), [(".svg", "<svg"), (".html", "<!DOCTYPE html")])
def test_render_writes_by_extension(
    suffix: str, opening: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / f"journey{suffix}"
    code, out, err = run(capsys, "render", "mail-in-repair", "--out", str(target))
    assert code == 0
    assert out == []
    assert err == [f"mail-in-repair@4: wrote {target}"]
    assert opening.lower() in target.read_text(encoding="utf-8")[:200].lower()


def test_render_prints_svg_without_out(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["render", "walk-in-warranty"])
    assert code == 0
    assert "<svg" in capsys.readouterr().out[:200]
    assert main(["render", "walk-in-warranty", "--format", "html"]) == 0
    assert "<html" in capsys.readouterr().out.lower()


def test_render_refuses_an_unknown_extension(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "render", "mail-in-repair", "--out", str(tmp_path / "journey.png"))
    assert code == 2
    assert err == [f"{tmp_path / 'journey.png'}: can't tell what to write — end the name in .svg or .html"]
    assert not (tmp_path / "journey.png").exists()


def test_render_refuses_a_format_that_contradicts_the_extension(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "render", "mail-in-repair", "--out", str(tmp_path / "j.svg"), "--format", "html")
    assert code == 2
    assert "doesn't match" in err[0]


# --- simulate --------------------------------------------------------------------------------


def test_simulate_is_repeatable_with_a_seed(capsys: pytest.CaptureFixture[str]) -> None:
    first = run(capsys, "simulate", "order-problem", "--runs", "300", "--seed", "7")
    second = run(capsys, "simulate", "order-problem", "--runs", "300", "--seed", "7")
    assert first == second
    code, out, err = first
    assert code == 0
    assert out[0] == "order-problem@4: 300 simulated cases (seed 7)"
    assert err == []  # no progress line when stderr isn't a terminal


def test_simulate_json_parses(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["simulate", "mail-in-repair", "--runs", "200", "--seed", "1", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert data["journey"] == "mail-in-repair@4"
    assert data["runs"] == 200
    assert data["finished"] == 200
    assert set(data["outcome_shares"]) == {"success", "failure"}
    assert data["over_max_silence"] == 0.0


@pytest.mark.parametrize("runs", ["0", "-5", "many", "10000001"])
def test_simulate_refuses_a_silly_run_count(runs: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "simulate", "mail-in-repair", "--runs", runs)
    assert code == 2
    assert out == []
    assert err[-1].startswith("touchpoint journey simulate: error: argument --runs:")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_ticks_on_a_terminal_and_clears_its_line() -> None:
    stream = _Terminal()
    with progress("simulating", stream):
        time.sleep(0.6)
    written = stream.getvalue()
    assert "simulating" in written
    assert written.endswith("\r\x1b[K")


def test_progress_is_quiet_when_nobody_watches() -> None:
    stream = io.StringIO()
    with progress("simulating", stream):
        pass
    assert stream.getvalue() == ""


# --- the command line itself -----------------------------------------------------------------


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys)
    assert code == 2
    assert out == []
    assert err[0].startswith("usage: touchpoint journey")


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0
    assert any("mail-in-repair" in line for line in out)  # the shipped names are listed, unbroken


def test_check_help_names_the_families_of_rules(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "--help")
    assert code == 0
    text = " ".join(out)
    assert "(J101-J213)" in text
    assert "(J220-J227:" in text


def test_a_journey_that_declares_its_data_is_checked_laid_out_drawn_and_simulated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # given a small journey in the language with case data: a move asks, another sets, one refunds
    (tmp_path / "data.yaml").write_text(DATA_JOURNEY, encoding="utf-8")
    path = str(tmp_path / "data.yaml")
    # then every command takes it
    code, out, _ = run(capsys, "check", path)
    assert (code, out) == (0, ["data@1: clean (3 states, 4 transitions, worst silence 2d of 3d allowed)"])
    code, out, _ = run(capsys, "paths", path)
    assert code == 0
    assert out[0] == "data@1: 4 routes (2 success, 2 failure)"
    code, out, _ = run(capsys, "render", path)
    assert code == 0 and any(line.startswith("<svg") for line in out)
    code, out, _ = run(capsys, "simulate", path, "--runs", "50", "--seed", "3")
    assert code == 0 and out[0] == "data@1: 50 simulated cases (seed 3)"


DATA_JOURNEY = """\
name: data
version: 1
max_silence: 3d
start: waiting
touchpoints:
  thanks: Thanks for the feedback.
  sorry: Sorry; a person will call you.
  closed: We closed the case and refunded you.
data:
  rating: {type: integer, meaning: How the customer rated us, min: 1, max: 5}
  rated: {type: boolean, meaning: True once the customer rated us, initial: false}
events:
  feedback_given: {label: Feedback given, customer: Tell us how we did}
states:
  waiting: {owner: customer, label: Tell us how we did, wait_limit: 2d, on_timeout: expired}
  done: {owner: system, label: Thank you, outcome: success}
  closed: {owner: system, label: Closed, outcome: failure}
transitions:
  - from: waiting
    on: feedback_given
    to: done
    guard: rating >= 3
    asks: [rating]
    by: customer
    sets: {rated: true}
    touchpoint: thanks
    sim: {weight: 0.5}
  - from: waiting
    on: feedback_given
    to: done
    guard: not (rating >= 3)
    asks: [rating]
    by: customer
    sets: {rated: true}
    touchpoint: sorry
    sim: {weight: 0.1}
  - {from: waiting, on: expired, to: closed, guard: not rated, by: system, touchpoint: closed, refund: all}
  - {from: waiting, on: expired, to: closed, guard: rated, by: system, touchpoint: closed}
"""


def test_runs_as_a_module_with_its_exit_code(tmp_path: Path) -> None:
    (tmp_path / "small.yaml").write_text(SMALL, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "touchpoint.journeys.cli", "check", "small.yaml", "mail-in-repair"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 1
    assert done.stderr == ""
    assert done.stdout.splitlines()[-1].startswith("mail-in-repair@4: clean (")


def test_an_internal_error_is_one_line_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def explode(*args: object, **kwargs: object) -> object:
        raise RuntimeError("boom")

    monkeypatch.setattr("touchpoint.journeys.cli.commands.check", explode)
    monkeypatch.delenv("TOUCHPOINT_DEBUG", raising=False)
    code, _, err = run(capsys, "check", "mail-in-repair")
    assert code == 2
    assert err == [
        "internal error in `journey check`: RuntimeError: boom — this is a bug; run again with "
        "TOUCHPOINT_DEBUG=1 for the traceback and report it"
    ]
