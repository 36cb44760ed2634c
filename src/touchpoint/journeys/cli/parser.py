"""The command line: each command, its arguments and their limits, with argparse that returns a
code instead of exiting."""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Callable
from datetime import date
from typing import Any

from touchpoint.journeys.cli.output import EXIT_UNREADABLE
from touchpoint.journeys.library import library_files

MAX_RUNS = 10_000_000


class UsageError(Exception):
    """A command line that can't be acted on (argparse's exit, turned into a return value)."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


class _Parser(argparse.ArgumentParser):
    """argparse that returns instead of calling ``sys.exit`` (``main`` must return its code)."""

    def exit(self, status: int = 0, message: str | None = None) -> Any:
        if message:
            sys.stderr.write(message)
        raise UsageError(status)

    def error(self, message: str) -> Any:
        self.print_usage(sys.stderr)
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        raise UsageError(EXIT_UNREADABLE)


def _positive(limit: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"`{text}` is not a whole number") from None
        if not 1 <= value <= limit:
            raise argparse.ArgumentTypeError(f"give a number from 1 to {limit:,}")
        return value

    return parse


def _seed(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"`{text}` is not a whole number") from None


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"`{text}` is not a date: write it as 2026-12-07") from None


def build_parser() -> argparse.ArgumentParser:
    shipped = ", ".join(p.stem for p in library_files())
    epilog = (
        f"FILE is a journey's .yaml file, or the bare name of a shipped journey ({shipped}). "
        "Exit codes: 0 done and clean, 1 findings, 2 a file can't be read or parsed. "
        "Reference: docs/journeys.md."
    )
    parser = _Parser(
        prog="touchpoint journey",
        description="Check, lay out, draw and simulate journey files.",
        # wrapped here so journey names never break at their hyphens
        epilog=textwrap.fill(epilog, width=78, break_on_hyphens=False),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    check = commands.add_parser(
        "check",
        help="check journeys against every rule",
        description=(
            "Check journeys against every rule (docs/journey-rules.md) and report each finding: the routes, "
            "owners, timers and messages (J101-J213), and the case data and events (J220-J227: guards read "
            "declared fields that every route has set; every event has someone to record it, and a label)."
        ),
    )
    check.add_argument("files", nargs="+", metavar="FILE")
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.add_argument("--strict", action="store_true", help="warnings fail too (exit 1)")
    check.add_argument(
        "--clocks",
        action="store_true",
        help="say which clock each limit counts in: a team's business time or calendar time (docs/business-hours.md)",
    )
    check.add_argument(
        "--hours",
        metavar="SPEC",
        help="the opening hours business limits count in, e.g. 'Mon-Fri 09:00-17:00' (with --zone); "
        "else they are named as set in the console",
    )
    check.add_argument("--zone", metavar="ZONE", default="UTC", help="the time zone of --hours (IANA name)")
    check.add_argument(
        "--holidays",
        metavar="CC[-REGION]",
        help="closed on these public holidays too, with --hours (e.g. GB-ENG, IE, US-CA)",
    )
    check.add_argument(
        "--since",
        metavar="YYYY-MM-DD",
        type=_day,
        help="count the silence with opening hours for silences starting over the year from this day (default today)",
    )

    paths = commands.add_parser(
        "paths",
        help="list every route from the start to an end",
        description=(
            "List every route from the start to an end, with its touch points and worst-case duration, "
            "up to --max-paths routes and --max-steps steps of work; the last line says when that is not all."
        ),
    )
    paths.add_argument("files", nargs="+", metavar="FILE")
    paths.add_argument("--format", choices=("text", "json", "mermaid"), default="text")
    paths.add_argument("--max-paths", type=_positive(10_000_000), default=5000, help="list at most this many routes")
    paths.add_argument(
        "--max-steps",
        type=_positive(1_000_000_000),
        default=200_000,
        help="stop after this much work: each move the search tries, and each move of a route it lists, is a step",
    )

    render = commands.add_parser(
        "render",
        help="draw the journey as SVG or HTML",
        description=(
            "Draw the journey graph. With --out, writes PATH (.svg or .html, by its extension); "
            "without it, prints the picture to stdout in --format (svg by default)."
        ),
    )
    render.add_argument("file", metavar="FILE")
    render.add_argument("--out", metavar="PATH", help="write here: a .svg or .html file")
    render.add_argument("--format", choices=("svg", "html"), default=None, help="for stdout (default svg)")

    simulate = commands.add_parser(
        "simulate",
        help="run many simulated cases and report durations, touches, outcomes and silence",
        description="Run N simulated cases with a seed (the same seed gives the same report).",
    )
    simulate.add_argument("file", metavar="FILE")
    simulate.add_argument("--runs", type=_positive(MAX_RUNS), default=10_000)
    simulate.add_argument("--seed", type=_seed, default=0)
    simulate.add_argument("--format", choices=("text", "json"), default="text")
    simulate.add_argument(
        "--hours",
        metavar="SPEC",
        help="the opening hours team states on the business clock take their time in, e.g. 'Mon-Fri 09:00-17:00' "
        "(with --zone); without it every hour counts (docs/business-hours.md)",
    )
    simulate.add_argument("--zone", metavar="ZONE", default="UTC", help="the time zone of --hours (IANA name)")

    schema = commands.add_parser(
        "schema",
        help="print the JSON Schema of journey files",
        description="Print the JSON Schema for journey files (for editor completion), or write it to PATH.",
    )
    schema.add_argument("--out", metavar="PATH", help="write the schema here instead of stdout")
    return parser
