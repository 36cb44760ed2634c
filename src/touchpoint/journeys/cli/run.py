"""Running ``touchpoint journey ...``: :func:`main` parses the command line, runs the command, and
turns whatever happens (a usage error, an interrupt, a closed pipe, a bug) into an exit code."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from datetime import datetime

from touchpoint.journeys.checker import ShopHours
from touchpoint.journeys.cli.commands import COMMANDS
from touchpoint.journeys.cli.output import EXIT_OK, EXIT_UNREADABLE
from touchpoint.journeys.cli.parser import UsageError, build_parser
from touchpoint.journeys.diagnostics import Diagnostic
from touchpoint.journeys.loader import LoadedJourney

ExtraCheck = Callable[[LoadedJourney], list[Diagnostic]]


def main(
    argv: list[str] | None = None,
    *,
    extra_checks: Sequence[ExtraCheck] = (),
    saved_hours: Callable[[datetime], ShopHours | None] | None = None,
) -> int:
    """Run ``touchpoint journey`` with ``argv`` (without the program name); return the exit code.

    ``extra_checks`` run after the journey rules in ``check``, each reporting more findings about a
    loaded journey (the top-level ``touchpoint`` command passes the touch point template check, which
    needs Django's template engine; this module stays framework-free). ``saved_hours(since)`` gives
    the shop's saved opening hours (the top-level command reads the database's): ``check`` counts
    the silence with them unless ``--hours`` is given."""
    try:
        args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    except UsageError as usage:
        return usage.code
    args.extra_checks = list(extra_checks)
    args.saved_hours = saved_hours
    try:
        return COMMANDS[args.command](args)
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `| head`); nothing more to say to it.
        _silence_stdout()
        return EXIT_OK
    except Exception as exc:
        if os.environ.get("TOUCHPOINT_DEBUG"):
            raise
        sys.stderr.write(
            f"internal error in `journey {args.command}`: {type(exc).__name__}: {exc} — "
            "this is a bug; run again with TOUCHPOINT_DEBUG=1 for the traceback and report it\n"
        )
        return EXIT_UNREADABLE


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
