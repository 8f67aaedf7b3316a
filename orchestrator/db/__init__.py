"""Durable state for films as async jobs: SQLAlchemy 2 async over SQLite (embedded) or PostgreSQL."""

from orchestrator.db.clock import Clock, ManualClock, utc_now
from orchestrator.db.database import Database
from orchestrator.db.engine import async_url
from orchestrator.db.leases import LeaseLost
from orchestrator.db.records import FilmRecord, ShotRecord

__all__ = [
    "Clock",
    "Database",
    "FilmRecord",
    "LeaseLost",
    "ManualClock",
    "ShotRecord",
    "async_url",
    "utc_now",
]
