"""`touchpoint setup_code`: the code that creates the owner's account on a new install (/setup/)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from touchpoint.staff.first_run import owner_exists, setup_code


class Command(BaseCommand):
    help = "Print the setup code that creates the owner's account at /setup/ (only while nobody is on the staff)."

    def handle(self, *args: Any, **options: Any) -> None:
        if owner_exists():
            self.stdout.write("The shop has its owner: the setup code opens nothing now. Sign in at /console/login/.")
            return
        self.stdout.write(f"Setup code: {setup_code()} (type it at /setup/ to create the owner's account)")
