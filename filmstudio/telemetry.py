"""Structured logs: one JSON object a line, with the film name on every line logged inside a film."""

from __future__ import annotations

import contextvars
import json
import logging
import sys
import time

# The film being worked on; set it with `film_context.set("films/abc")` around a film's work.
film_context: contextvars.ContextVar[str] = contextvars.ContextVar("film", default="")


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        film = getattr(record, "film", None) or film_context.get()
        if film:
            line["film"] = film
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def configure_logging(service: str, level: str = "INFO") -> None:
    """Send every logger's records to stderr as JSON lines tagged with the service name."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
