"""Structured logs: one JSON object a line (or readable key=value lines on a terminal), via structlog."""

from __future__ import annotations

import sys
from typing import Any

import structlog

from touchpoint.settings.env import env_str

LOG_FORMAT = env_str("TOUCHPOINT_LOG_FORMAT", "console" if sys.stderr.isatty() else "json")
LOG_LEVEL = env_str("TOUCHPOINT_LOG_LEVEL", "INFO").upper()

_shared: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]

structlog.configure(
    processors=[*_shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
    logger_factory=structlog.stdlib.LoggerFactory(),
    wrapper_class=structlog.stdlib.BoundLogger,
    cache_logger_on_first_use=True,
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "structured": {
            "()": structlog.stdlib.ProcessorFormatter,
            "processors": [
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                structlog.processors.JSONRenderer()
                if LOG_FORMAT == "json"
                else structlog.dev.ConsoleRenderer(colors=False),
            ],
            "foreign_pre_chain": _shared,
        }
    },
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "structured"}},
    "root": {"handlers": ["stderr"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "gunicorn": {"level": "WARNING"},
        "axes": {"level": "WARNING"},  # it logs every sign-in at INFO
    },
}
