"""The commands: ``check``, ``paths``, ``render``, ``simulate`` and ``schema``, each taking the parsed
arguments and returning its exit code."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from touchpoint.hours import HoursInvalid, OpeningHours
from touchpoint.journeys.checker import ShopHours, SilenceBound, check, silence_bound, silence_on_calendar
from touchpoint.journeys.cli.files import load, load_all
from touchpoint.journeys.cli.output import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_UNREADABLE,
    progress,
    report_load_error,
    write_file,
    write_json,
)
from touchpoint.journeys.cli.schema import schema_text
from touchpoint.journeys.clocks import clocks_lines, limit_clocks
from touchpoint.journeys.diagnostics import JourneyLoadError, Severity
from touchpoint.journeys.durations import format_duration
from touchpoint.journeys.model import Journey
from touchpoint.journeys.paths import enumerate_paths, paths_json, paths_lines, paths_mermaid_lines
from touchpoint.journeys.render.layout import MAX_LAYOUT_NODES, TooLargeToDraw, layout_size
from touchpoint.journeys.render.page import render_html
from touchpoint.journeys.render.svg import render_svg
from touchpoint.journeys.simulate import simulate


def _silence_summary(journey: Journey, bound: SilenceBound) -> tuple[str, dict[str, Any]]:
    allowed = format_duration(journey.max_silence)
    if bound.worst_seconds is None:
        text = f"worst silence unbounded, {allowed} allowed"
    else:
        text = f"worst silence {format_duration(bound.worst_seconds)} of {allowed} allowed"
    data = {
        "worst_seconds": bound.worst_seconds,
        "worst": None if bound.worst_seconds is None else format_duration(bound.worst_seconds),
        "max_seconds": journey.max_silence,
        "max": allowed,
        "path": list(bound.path),
        "unbounded_reason": bound.unbounded_reason,
    }
    return text, data


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _opening(args: argparse.Namespace) -> OpeningHours | None:
    """``--hours`` in ``--zone``: every team's, for the explanation; None when not given."""
    return OpeningHours.parse(args.hours, zone=args.zone) if args.hours else None


def _shop_hours(args: argparse.Namespace) -> ShopHours | None:
    """The hours ``check`` counts the silence with: ``--hours`` in ``--zone`` (closed on ``--holidays``)
    for every team; else the shop's saved hours when the caller can read them (the top-level
    ``touchpoint`` command reads the database's); else None."""
    since = datetime.combine(args.since, time(), tzinfo=UTC) if args.since else datetime.now(UTC)
    if args.hours:
        plain = OpeningHours.parse(args.hours, zone=args.zone)
        closed: set[date] = set()
        if args.holidays:
            from touchpoint.hours.closures import public_holidays  # the holidays package: only when asked

            country, _, region = args.holidays.partition("-")
            closed = set(public_holidays(country, range(since.year, since.year + 3), region=region))
        hours = OpeningHours.parse(args.hours, zone=args.zone, closed=closed) if closed else plain
        source = f"these hours{f' and the {args.holidays} holidays' if closed else ' (closed dates aside)'}"
        return ShopHours(clock_of=lambda team: hours, since=since, source=source)
    reader = getattr(args, "saved_hours", None)
    return reader(since) if reader is not None else None


def _cmd_check(args: argparse.Namespace) -> int:
    code = EXIT_OK
    try:
        opening = _shop_hours(args)
    except HoursInvalid as exc:
        sys.stderr.write(f"journey check: --hours: {exc}\n")
        return EXIT_UNREADABLE

    def hours_words(team: str | None) -> str | None:
        clock = opening.clock_of(team) if opening is not None else None
        return clock.describe() if clock is not None else None

    results: list[dict[str, Any]] = []
    for item in load_all(args.files):
        if item.loaded is None:
            assert item.error is not None
            report_load_error(item.error)
            code = max(code, EXIT_UNREADABLE)
            results.append(
                {
                    "file": item.argument,
                    "journey": None,
                    "status": "unreadable",
                    "errors": len(item.error.diagnostics),
                    "warnings": 0,
                    "diagnostics": [d.as_dict() for d in item.error.diagnostics],
                }
            )
            continue
        journey = item.loaded.journey
        found = list(check(item.loaded, hours=opening))
        for extra in args.extra_checks:
            found.extend(extra(item.loaded))
        findings = sorted(found, key=lambda d: (d.location, d.code))
        errors = sum(d.severity == Severity.ERROR for d in findings)
        warnings = len(findings) - errors
        silence_text, silence_data = _silence_summary(journey, silence_bound(journey))
        if opening is not None:
            on_calendar = silence_on_calendar(journey, opening)
            if on_calendar.starts is not None and on_calendar.worst_seconds is not None:
                silence_text += f"; {format_duration(on_calendar.worst_seconds)} with {opening.source}"
            silence_data["with_hours"] = {
                "source": opening.source,
                "worst_seconds": on_calendar.worst_seconds,
                "path": list(on_calendar.path),
                "starts": on_calendar.starts.isoformat() if on_calendar.starts else None,
                "exact": on_calendar.exact,
            }
        size = f"{_count(len(journey.states), 'state')}, {_count(len(journey.transitions), 'transition')}"
        failed = errors > 0 or (args.strict and warnings > 0)
        if failed:
            code = max(code, EXIT_FINDINGS)
        if args.format == "text":
            for diagnostic in findings:
                sys.stdout.write(diagnostic.format() + "\n")
            verdict = f"{_count(errors, 'error')}, {_count(warnings, 'warning')}" if findings else "clean"
            sys.stdout.write(f"{journey.key}: {verdict} ({size}, {silence_text})\n")
            if args.clocks:
                for line in clocks_lines(journey, hours_words, opening=opening):
                    sys.stdout.write(f"  {line}\n")
        results.append(
            {
                "file": str(item.loaded.source.file),
                "journey": journey.key,
                "status": "failed" if failed else ("warnings" if findings else "clean"),
                "states": len(journey.states),
                "transitions": len(journey.transitions),
                "errors": errors,
                "warnings": warnings,
                "silence": silence_data,
                **(
                    {"clocks": [{**vars(c), "words": c.words(hours_words)} for c in limit_clocks(journey)]}
                    if args.clocks
                    else {}
                ),
                "diagnostics": [d.as_dict() for d in findings],
            }
        )
    if args.format == "json":
        write_json({"exit_code": code, "strict": args.strict, "files": results})
    return code


def _cmd_paths(args: argparse.Namespace) -> int:
    code = EXIT_OK
    out: list[dict[str, Any]] = []
    first = True
    for item in load_all(args.files):
        if item.loaded is None:
            assert item.error is not None
            report_load_error(item.error)
            code = EXIT_UNREADABLE
            continue
        journey = item.loaded.journey
        with progress(f"laying out the routes of {journey.key}", sys.stderr):
            layout = enumerate_paths(journey, max_paths=args.max_paths, max_steps=args.max_steps)
        if args.format == "json":
            out.append({"file": str(item.loaded.source.file), **paths_json(journey, layout)})
            continue
        if not first:
            sys.stdout.write("\n")
        first = False
        # written line by line as it is laid out: nothing the size of the whole output is held
        if args.format == "mermaid":
            sys.stdout.write(f"%% {journey.key} ({item.loaded.source.file})\n")
            sys.stdout.writelines(line + "\n" for line in paths_mermaid_lines(journey, layout))
        else:
            sys.stdout.writelines(paths_lines(journey, layout))
    if args.format == "json":
        write_json({"exit_code": code, "files": out})
    return code


def _cmd_render(args: argparse.Namespace) -> int:
    kind = args.format
    if args.out is not None:
        suffix = Path(args.out).suffix.lower()
        by_suffix = {".svg": "svg", ".html": "html", ".htm": "html"}
        if suffix not in by_suffix:
            sys.stderr.write(f"{args.out}: can't tell what to write — end the name in .svg or .html\n")
            return EXIT_UNREADABLE
        if kind is not None and kind != by_suffix[suffix]:
            sys.stderr.write(f"{args.out}: --format {kind} doesn't match the file's extension {suffix}\n")
            return EXIT_UNREADABLE
        kind = by_suffix[suffix]
    try:
        loaded = load(args.file)
    except JourneyLoadError as error:
        report_load_error(error)
        return EXIT_UNREADABLE
    size = layout_size(loaded.journey)
    if size > MAX_LAYOUT_NODES:  # said before any work: laying it out would take minutes and gigabytes
        name = loaded.source.file
        sys.stderr.write(
            f"{name}: can't draw {loaded.journey.key}: {TooLargeToDraw(loaded.journey, size)} — draw a smaller "
            f"journey, or list its moves with `touchpoint journey paths {name} --format mermaid`\n"
        )
        return EXIT_UNREADABLE
    picture = render_html(loaded.journey) if kind == "html" else render_svg(loaded.journey)
    if args.out is None:
        sys.stdout.write(picture if picture.endswith("\n") else picture + "\n")
        return EXIT_OK
    if not write_file(args.out, picture):
        return EXIT_UNREADABLE
    sys.stderr.write(f"{loaded.journey.key}: wrote {args.out}\n")
    return EXIT_OK


def _cmd_simulate(args: argparse.Namespace) -> int:
    try:
        loaded = load(args.file)
    except JourneyLoadError as error:
        report_load_error(error)
        return EXIT_UNREADABLE
    try:  # every team's hours: the simulation needs no database
        opening = OpeningHours.parse(args.hours, zone=args.zone) if args.hours else None
    except HoursInvalid as exc:
        sys.stderr.write(f"journey simulate: --hours: {exc}\n")
        return EXIT_UNREADABLE
    journey = loaded.journey
    with progress(f"simulating {args.runs:,} cases of {journey.key}", sys.stderr):
        report = simulate(
            journey, runs=args.runs, seed=args.seed, hours=None if opening is None else lambda team: opening
        )
    if args.format == "json":
        write_json(report.as_dict())
    else:
        sys.stdout.write(report.to_text())
    return EXIT_OK


def _cmd_schema(args: argparse.Namespace) -> int:
    text = schema_text()
    if args.out is None:
        sys.stdout.write(text)
        return EXIT_OK
    return EXIT_OK if write_file(args.out, text) else EXIT_UNREADABLE


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "check": _cmd_check,
    "paths": _cmd_paths,
    "render": _cmd_render,
    "simulate": _cmd_simulate,
    "schema": _cmd_schema,
}
