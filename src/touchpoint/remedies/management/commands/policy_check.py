"""``touchpoint policy_check [FILE …]``: check empowerment policy files like ``touchpoint journey check``.

With no file, the policy in force is checked (the shipped default when the shop has none). Exit 0
when clean (warnings alone pass unless ``--strict``), 1 on findings, 2 when a file can't be read
or parsed; load errors go to stderr as ``file:line:column: severity code slug: what — fix``."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError

from touchpoint.journeys.diagnostics import Severity
from touchpoint.remedies.models import PolicyVersion
from touchpoint.remedies.policy import LoadedPolicy, PolicyLoadError, check_policy, load_policy, parse_policy
from touchpoint.remedies.services.policies import DEFAULT_POLICY


class Command(BaseCommand):
    help = "Check empowerment policy files (or the policy in force): exit 0 clean, 1 findings, 2 unreadable."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="*", help="policy YAML files (default: the policy in force)")
        parser.add_argument("--strict", action="store_true", help="warnings fail too (exit 1)")

    def handle(self, *args: Any, **options: Any) -> None:
        code = 0
        for name in options["files"] or [None]:
            try:
                loaded = self._in_force() if name is None else load_policy(name)
            except PolicyLoadError as exc:
                for diagnostic in exc.diagnostics:
                    self.stderr.write(diagnostic.format())
                code = 2
                continue
            findings = check_policy(loaded)
            errors = sum(d.severity == Severity.ERROR for d in findings)
            warnings = len(findings) - errors
            for diagnostic in findings:
                self.stdout.write(diagnostic.format())
            rules = sum(len(r.rules) for r in loaded.policy.remedies.values())
            size = f"{len(loaded.policy.remedies)} remedies, {rules} rules"
            verdict = f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
            self.stdout.write(f"{loaded.policy.name}: {verdict if findings else 'clean'} ({size})")
            if errors or (options["strict"] and warnings):
                code = max(code, 1)
        if code:
            sys.exit(code)

    def _in_force(self) -> LoadedPolicy:
        """The active version, or the shipped default when there is none (nothing is written)."""
        try:
            version = PolicyVersion.objects.filter(active=True).first()
        except DatabaseError:
            self.stderr.write("the database isn't ready (run `touchpoint migrate`): checking the shipped default")
            version = None
        if version is None:
            return load_policy(DEFAULT_POLICY)
        return parse_policy(version.source, f"policy #{version.pk} (in force)")
