"""Durable state for films as async jobs: SQLAlchemy 2 async over SQLite (embedded) or PostgreSQL."""

from orchestrator.db.clock import Clock, ManualClock, utc_now
from orchestrator.db.database import Database, LeaseLost, async_url
from orchestrator.db.lifecycle import ACTIVE_STATES, TERMINAL_STATES, can_move, check_move, is_terminal
from orchestrator.db.records import FilmRecord, ShotRecord, film_name, shot_name

__all__ = [
    "ACTIVE_STATES",
    "TERMINAL_STATES",
    "Clock",
    "Database",
    "FilmRecord",
    "LeaseLost",
    "ManualClock",
    "ShotRecord",
    "async_url",
    "can_move",
    "check_move",
    "film_name",
    "is_terminal",
    "shot_name",
    "utc_now",
]
