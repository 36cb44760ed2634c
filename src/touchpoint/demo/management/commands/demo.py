from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from touchpoint.demo.loader import demo_load


class Command(BaseCommand):
    help = "Load the demo repair shop (staff, catalog, ~50 cases). Running it again duplicates nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, default=50, help="Open and recent cases")
        parser.add_argument("--history", type=int, default=60, help="Cases finished over the last two months")
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args: Any, **options: Any) -> None:
        password = os.environ.get("TOUCHPOINT_DEMO_PASSWORD", "touchpoint-demo")
        tty = sys.stderr.isatty()

        def progress(done: int, total: int) -> None:
            if tty:
                sys.stderr.write(f"\rloading demo cases {done + 1}/{total}")
                sys.stderr.flush()

        summary = demo_load(
            password=password,
            cases=options["cases"],
            history=options["history"],
            seed=options["seed"],
            progress=progress,
        )
        if tty:
            sys.stderr.write("\n")
        self.stdout.write(f"Demo repair shop ready: {summary.created} new cases ({summary.cases} in the demo).")
        self.stdout.write("Staff logins (password for all: " + summary.password + "):")
        width = max(len(username) for username in summary.staff)
        for username in summary.staff:
            role = summary.roles.get(username, "")
            two_factor = summary.two_factor.get(username)
            if two_factor is None:
                self.stdout.write(f"  {username:<{width}} ({role}): the password alone (two-factor is offered)")
            else:
                codes = " ".join(two_factor.recovery_codes)
                self.stdout.write(f"  {username:<{width}} ({role}): key {two_factor.key}; recovery codes: {codes}")
        if summary.two_factor:
            self.stdout.write(
                "Leads and admins then give a code: one of their recovery codes above (each works once; every "
                "`touchpoint demo` prints fresh ones), or the code an authenticator app shows after adding their key."
            )
