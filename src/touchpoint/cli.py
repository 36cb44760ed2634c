"""``touchpoint``: the one command-line entry point.

``touchpoint journey …`` works on journey files without a database (``journey check`` also renders
the touch point templates with Django's template engine, and counts the silence with the shop's
opening hours when the database can be read); everything else is
a Django management command (``touchpoint run``, ``touchpoint worker``, ``touchpoint demo``,
``touchpoint migrate``, …)."""

from __future__ import annotations

import os
import sys
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from touchpoint.journeys.checker import ShopHours


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "journey":
        from touchpoint.journeys.cli import main as journey_main

        if args[1:2] == ["check"]:  # templates too: rendered with sample data, no database needed
            os.environ.setdefault("DJANGO_SETTINGS_MODULE", "touchpoint.settings")
            from touchpoint.touchpoints.checks import template_check

            return journey_main(args[1:], extra_checks=[template_check], saved_hours=_saved_hours)
        return journey_main(args[1:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "touchpoint.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018 - reads the settings now, so a bad variable is reported plainly
    except ImproperlyConfigured as exc:
        print(f"touchpoint: configuration error: {exc}", file=sys.stderr)  # noqa: T201
        return 2
    execute_from_command_line(["touchpoint", *args])
    return 0


def _saved_hours(since: datetime) -> ShopHours | None:
    """The shop's opening hours from the database, when it can be read: the silence is counted with
    them (docs/business-hours.md). A database that isn't there changes nothing."""
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured:
        return None
    from touchpoint.flows.clocks import saved_hours

    return saved_hours(since)


if __name__ == "__main__":
    sys.exit(main())
