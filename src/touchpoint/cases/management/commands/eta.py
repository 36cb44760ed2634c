"""``touchpoint eta``: the ETA figures the customer's pages read, per journey version and state;
``--refresh`` works every journey's out again now (the worker does it as cases finish)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from touchpoint.cases.eta import MIN_SAMPLES, eta_figures_refresh_all
from touchpoint.cases.models import EtaFigure


class Command(BaseCommand):
    help = "Show the stored ETA figures (p50/p90 hours to done per journey version and state); --refresh first"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--refresh", action="store_true", help="Work every journey's figures out again now")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["refresh"]:
            for name, stored in eta_figures_refresh_all().items():
                self.stdout.write(f"{name}: {stored} figures worked out")
        figures = EtaFigure.objects.select_related("journey").order_by("journey__name", "journey__version", "state")
        self.stdout.write(f"{'journey':<24}{'state':<28}{'cases':>7}{'p50 h':>9}{'p90 h':>9}")
        for figure in figures:
            thin = "  (thin: the page gives the journey's guess)" if figure.samples < MIN_SAMPLES else ""
            # the open-hours part of each, when a team's hours counted (the page lands it through them)
            whose = f"team:{figure.hours_of}" if figure.hours_of else "the shop"
            open_part = (
                f"  (of which open hours of {whose}: {figure.p50_business_seconds / 3600:.1f}"
                f" and {figure.p90_business_seconds / 3600:.1f})"
                if figure.p90_business_seconds > 0
                else ""
            )
            self.stdout.write(
                f"{figure.journey!s:<24}{figure.state:<28}{figure.samples:>7}"
                f"{figure.p50_seconds / 3600:>9.1f}{figure.p90_seconds / 3600:>9.1f}{open_part}{thin}"
            )
