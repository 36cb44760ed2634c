"""``touchpoint insights``: every figure as a table in the terminal, or as CSV files."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from touchpoint.cases.models import JourneyVersion
from touchpoint.core.clock import now
from touchpoint.insights.export import figure_csv, figure_table
from touchpoint.insights.figures import Scope
from touchpoint.insights.report import FIGURES, insights_report
from touchpoint.insights.snapshots import snapshots_refresh_all

SINCE = re.compile(r"^(\d+)([dhw])$")


class Command(BaseCommand):
    help = "Print where the process hurts: time in state, pile-ups, timer breaches, silences, exceptions, …"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--journey", help="Only this journey (by name), e.g. mail-in-repair")
        parser.add_argument("--since", help="Only cases opened in the last N days/hours/weeks, e.g. 30d, 12h, 2w")
        parser.add_argument("--only", action="append", choices=sorted(FIGURES), help="Only this figure (repeatable)")
        parser.add_argument("--csv", metavar="DIR", help="Write one CSV file per figure into DIR instead of printing")
        parser.add_argument(
            "--refresh",
            action="store_true",
            help="Work out now the figures the insights and people pages show, every window (the worker's job)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options.get("refresh"):
            stored = snapshots_refresh_all()
            self.stdout.write(f"worked out {stored} windows of the insights and people pages")
            return
        journey = options.get("journey")
        if journey and not JourneyVersion.objects.filter(name=journey).exists():
            known = ", ".join(sorted(set(JourneyVersion.objects.values_list("name", flat=True)))) or "none yet"
            raise CommandError(f"no journey is called {journey!r}; known journeys: {known}")
        since = None
        if options.get("since"):
            match = SINCE.match(options["since"].strip())
            if match is None:
                raise CommandError(f"--since {options['since']!r} isn't a period: write e.g. 30d, 12h or 2w")
            count, unit = int(match.group(1)), match.group(2)
            since = now() - timedelta(**{{"d": "days", "h": "hours", "w": "weeks"}[unit]: count})
        scope = Scope(journey=journey, since=since)
        figures = insights_report(scope, only=options.get("only"))
        if options.get("csv"):
            folder = Path(options["csv"])
            folder.mkdir(parents=True, exist_ok=True)
            for figure in figures:
                (folder / f"{figure.key}.csv").write_text(figure_csv(figure), encoding="utf-8")
                self.stdout.write(f"wrote {folder / f'{figure.key}.csv'} ({len(figure.rows)} rows)")
            return
        for figure in figures:
            self.stdout.write(figure_table(figure))
