from touchpoint.cases.models.case import Case
from touchpoint.cases.models.eta import EtaFigure, EtaStale
from touchpoint.cases.models.journey_version import JourneyVersion
from touchpoint.cases.models.task import Task, TaskKind, TaskStatus
from touchpoint.cases.models.timeline import TimelineEntry, TimelineKind
from touchpoint.cases.models.timer import Timer, TimerStatus

__all__ = [
    "Case",
    "EtaFigure",
    "EtaStale",
    "JourneyVersion",
    "Task",
    "TaskKind",
    "TaskStatus",
    "TimelineEntry",
    "TimelineKind",
    "Timer",
    "TimerStatus",
]
