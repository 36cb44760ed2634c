"""The journeys cases run on: registered from files into the database, parsed once per process.

A journey version's source is stored verbatim (``JourneyVersion``), so a case keeps running on
the version it started with whatever happens to the file later. The parse cache is keyed by the
row's id and content hash: derived data, safe to hold in each process.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction

from touchpoint.cases.errors import JourneyInvalid, JourneyNotFound
from touchpoint.cases.models import EtaStale, JourneyVersion
from touchpoint.core.clock import now
from touchpoint.journeys import Journey, JourneyLoadError, Severity, parse_journey
from touchpoint.shop.opening_hours import team_clock

log = logging.getLogger(__name__)
RECHECK_SECONDS = 5.0  # how late a version registered by another process is used here (as shop.selectors)


def _errors_in(source: str, filename: str) -> list[str]:
    try:
        loaded = parse_journey(source, filename)
    except JourneyLoadError as exc:
        return [d.format() for d in exc.diagnostics]
    from touchpoint.journeys.checker import check

    return [d.format() for d in check(loaded) if d.severity == Severity.ERROR]


def journey_register(*, source: str, filename: str) -> JourneyVersion:
    """Store a journey version. Refuses a journey with errors, and a changed file that kept its version."""
    problems = _errors_in(source, filename)
    if problems:
        raise JourneyInvalid("the journey has errors — fix them and register again:\n" + "\n".join(problems))
    journey = parse_journey(source, filename).journey
    digest = hashlib.sha256(source.encode()).hexdigest()
    existing = JourneyVersion.objects.filter(name=journey.name, version=journey.version).first()
    if existing is not None:
        if existing.sha256 != digest:
            raise JourneyInvalid(
                f"{filename}: {journey.key} is already registered with different content — "
                f"raise `version` to {journey.version + 1} so running cases keep the version they started with"
            )
        return existing
    _silence_with_hours(source, filename)
    journeys_changed()
    try:
        with transaction.atomic():
            registered = JourneyVersion.objects.create(
                name=journey.name, version=journey.version, source=source, sha256=digest
            )
            # Its ETA figures (with its own done states) are the worker's to work out (cases.eta).
            EtaStale.objects.create(journey_name=journey.name, marked_at=registered.registered_at)
            return registered
    except IntegrityError:  # another process registered it at the same moment
        return JourneyVersion.objects.get(name=journey.name, version=journey.version)


def _silence_with_hours(source: str, filename: str) -> None:
    """J209 counted with the shop's opening hours and closed days over the coming year (a new
    version only: one already registered keeps running). An error refuses it; a warning (the run-time
    silence guard keeps the bound with its holding message) is logged for whoever registers it."""
    from touchpoint.journeys.checker import ShopHours, check

    hours = ShopHours(clock_of=team_clock, since=now(), source="the shop's opening hours")
    found = [d for d in check(parse_journey(source, filename), hours=hours) if d.code == "J209"]
    errors = [d.format() for d in found if d.severity == Severity.ERROR]
    if errors:
        raise JourneyInvalid("the journey has errors — fix them and register again:\n" + "\n".join(errors))
    for finding in found:
        log.warning("journey registered with a warning: %s", finding.format())


def journeys_sync(directories: list[Path] | None = None) -> list[JourneyVersion]:
    """Register every ``*.yaml`` journey in the configured directories (idempotent)."""
    found = []
    for directory in directories or [Path(d) for d in settings.TOUCHPOINT_JOURNEY_DIRS]:
        for path in sorted(Path(directory).glob("*.yaml")):
            found.append(journey_register(source=path.read_text(encoding="utf-8"), filename=str(path)))
    return found


@dataclass
class _Latest:
    versions: dict[str, tuple[JourneyVersion, float]] = field(default_factory=dict)  # name: (row, read at)
    writing: bool = False  # this process registered a version that hasn't committed yet


_latest = _Latest()


def journeys_forget() -> None:
    """Drop this process's newest versions: the next :func:`journey_latest` asks the database."""
    _latest.versions, _latest.writing = {}, False


def journeys_changed() -> None:
    """This process is registering a version: keep none until it commits, then read afresh."""
    _latest.versions, _latest.writing = {}, True
    transaction.on_commit(journeys_forget)


def journey_latest(name: str) -> JourneyVersion:
    """The newest registered version of ``name``, registering the shipped files first if needed.
    Read without its source (kilobytes of YAML, read on every order): :func:`journey_of` reads it
    only when this process hasn't parsed that version yet.

    Every order opens a case on it and a new version is registered a few times a year, so this process
    keeps what it read for :data:`RECHECK_SECONDS` (as it keeps the shop's settings): a version
    registered by another process is used here within that; the registering process reads it at once.
    Rows are never changed once registered, so a kept one is never wrong, only a moment old."""
    kept, moment = _latest.versions.get(name), time.monotonic()
    if kept is not None and moment - kept[1] < RECHECK_SECONDS:
        return kept[0]
    version = _latest_read(name)
    if not _latest.writing:  # a version this process registered may yet be rolled back
        _latest.versions[name] = (version, moment)
    return version


def _latest_read(name: str) -> JourneyVersion:
    version = JourneyVersion.objects.filter(name=name).defer("source").order_by("-version").first()
    if version is None:
        journeys_sync()
        version = JourneyVersion.objects.filter(name=name).order_by("-version").first()
    if version is None:
        known = sorted(set(JourneyVersion.objects.values_list("name", flat=True)))
        raise JourneyNotFound(f"no journey called {name!r} — known journeys: {', '.join(known) or 'none'}")
    return version


_PARSED: dict[tuple[int, str], Journey] = {}
_PARSED_MAX = 256


def journey_of(version: JourneyVersion) -> Journey:
    """The parsed journey of ``version``. Keyed by id and hash only, so a row read with
    ``.defer("source")`` (as the hot pages read it: the YAML is kilobytes) costs no query once this
    process has parsed it; the source is read on a miss."""
    key = (version.pk, version.sha256)
    journey = _PARSED.get(key)
    if journey is None:
        journey = parse_journey(version.source, str(version)).journey
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()  # a handful of versions are live at once; starting over is cheap and rare
        _PARSED[key] = journey
    return journey


def journey_parsed(pk: int, sha256: str) -> Journey:
    """The parsed journey of version ``pk`` whose hash was read as ``sha256``: no query once this
    process has parsed it (pages that list many cases read only ids and hashes)."""
    journey = _PARSED.get((pk, sha256))
    return journey if journey is not None else journey_of(JourneyVersion.objects.get(pk=pk))
