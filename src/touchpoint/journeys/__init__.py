"""Journeys: the declarative service-process language, its checker, path layout, simulation and
the pure transition function. Framework-free: nothing here imports Django."""

from touchpoint.journeys.carrier import CANONICAL_STATUSES, STAY, carrier_event
from touchpoint.journeys.diagnostics import Diagnostic, JourneyLoadError, Location, Severity
from touchpoint.journeys.engine import Actor, Advanced, Refused, advance, open_case, valid_events
from touchpoint.journeys.loader import LoadedJourney, load_journey, parse_journey
from touchpoint.journeys.model import Journey, State, Transition

__all__ = [
    "CANONICAL_STATUSES",
    "STAY",
    "Actor",
    "Advanced",
    "Diagnostic",
    "Journey",
    "JourneyLoadError",
    "LoadedJourney",
    "Location",
    "Refused",
    "Severity",
    "State",
    "Transition",
    "advance",
    "carrier_event",
    "load_journey",
    "open_case",
    "parse_journey",
    "valid_events",
]
