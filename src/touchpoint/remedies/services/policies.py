"""The policy in force: checked before it is stored, one active version, the shipped file when the
shop has none yet. Parsing is cached per version, by id and hash (derived data, safe in every
process): a stored version is never rewritten, so its hash names its source."""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.db import IntegrityError, transaction

from touchpoint.core.clock import now
from touchpoint.journeys.diagnostics import Diagnostic, Severity
from touchpoint.remedies.errors import PolicyInvalid
from touchpoint.remedies.models import PolicyVersion
from touchpoint.remedies.policy import Policy, PolicyLoadError, check_policy, parse_policy
from touchpoint.staff.models import StaffUser

DEFAULT_POLICY = Path(__file__).resolve().parents[1] / "policies" / "default.yaml"


def policy_diagnostics(*, source: str, filename: str = "policy") -> list[Diagnostic]:
    """Every load error, or every checker finding (errors and warnings), for ``source``."""
    try:
        loaded = parse_policy(source, filename)
    except PolicyLoadError as exc:
        return exc.diagnostics
    return check_policy(loaded)


def policy_errors(*, source: str, filename: str = "policy") -> list[Diagnostic]:
    return [d for d in policy_diagnostics(source=source, filename=filename) if d.severity == Severity.ERROR]


_PARSED: dict[tuple[int, str], Policy] = {}
_PARSED_MAX = 32


def policy_of(version: PolicyVersion) -> Policy:
    """The parsed policy of ``version``. Keyed by id and hash only, so a row read without its source
    (``.defer("source")``) costs no query once this process has parsed it; the source is read on a
    miss."""
    key = (version.pk, version.sha256)
    policy = _PARSED.get(key)
    if policy is None:
        policy = parse_policy(version.source, f"policy #{version.pk}").policy
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()  # one version is in force at a time; starting over is cheap and rare
        _PARSED[key] = policy
    return policy


def policy_save(*, source: str, user: StaffUser | None, note: str = "", activate: bool = True) -> PolicyVersion:
    """Store a new policy version, checked first (raises :class:`PolicyInvalid`, nothing stored).
    With ``activate`` it replaces the active one in the same transaction."""
    problems = policy_errors(source=source)
    if problems:
        raise PolicyInvalid([d.format() for d in problems])
    policy = parse_policy(source).policy
    with transaction.atomic():
        if activate:
            PolicyVersion.objects.filter(active=True).update(active=False)
        return PolicyVersion.objects.create(
            name=policy.name,
            source=source,
            sha256=hashlib.sha256(source.encode()).hexdigest(),
            active=activate,
            note=note[:200],
            created_at=now(),
            created_by=user,
        )


def policy_activate(*, version: PolicyVersion) -> PolicyVersion:
    """Put a stored version in force (re-checked: a version stored before a checker rule existed may
    fail it now)."""
    problems = policy_errors(source=version.source)
    if problems:
        raise PolicyInvalid([d.format() for d in problems])
    with transaction.atomic():
        PolicyVersion.objects.filter(active=True).exclude(pk=version.pk).update(active=False)
        PolicyVersion.objects.filter(pk=version.pk).update(active=True)
    version.active = True
    return version


def policy_active() -> tuple[PolicyVersion, Policy]:
    """The version in force and its parsed policy. When the shop has none, the shipped
    ``policies/default.yaml`` is stored and put in force (once, whoever asks first)."""
    version = PolicyVersion.objects.filter(active=True).defer("source").first()
    if version is None:
        try:
            with transaction.atomic():
                version = policy_save(source=DEFAULT_POLICY.read_text(), user=None, note="the shipped default")
        except IntegrityError:  # another process stored it at the same moment
            version = PolicyVersion.objects.get(active=True)
    return version, policy_of(version)


def policy_in_force() -> Policy:
    """The parsed policy in force, for pages: one lean query (the id and hash of the version in force,
    without kilobytes of YAML or a model instance), the parse cached by id and hash."""
    for pk, sha256 in PolicyVersion.objects.filter(active=True).order_by().values_list("pk", "sha256")[:1]:
        policy = _PARSED.get((pk, sha256))
        if policy is not None:
            return policy
    return policy_active()[1]  # none in force yet, or not parsed by this process yet
