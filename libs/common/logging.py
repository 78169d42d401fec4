"""structlog set-up with request ids in contextvars and person codes scrubbed."""

from __future__ import annotations

import logging
import re
import sys

import structlog

# 18-character resident identity numbers; scrubbed from every log line.
_RIC = re.compile(r"(?<![0-9A-Z])(\d{6})(\d{8})(\d{3})([0-9X])(?![0-9A-Z])")


def scrub_person_codes(text: str) -> str:
    """Mask anything shaped like a resident identity number (first 6 and last 4 kept)."""
    return _RIC.sub(lambda m: m.group(1) + "********" + (m.group(3) + m.group(4))[-4:], text)


def _scrub(_logger, _name, event_dict):
    for key, value in list(event_dict.items()):
        if isinstance(value, str):
            event_dict[key] = scrub_person_codes(value)
    return event_dict


def configure_logging(level: str = "INFO", json: bool = False) -> None:
    """Configure structlog and the stdlib root logger once per process."""
    processors = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _scrub,
    ]
    renderer = structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    structlog.configure(
        processors=[*processors, structlog.processors.format_exc_info, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )


def get_logger(name: str | None = None):
    return structlog.get_logger(name)
