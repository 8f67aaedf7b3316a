"""Prometheus metrics of the orchestrator (served on FILMSTUDIO_METRICS_HOST:FILMSTUDIO_METRICS_PORT when
the port is set).

filmstudio_films and filmstudio_queue_depth are read from the shared database, so every replica reports
the same numbers: aggregate them with max(), not sum(). The rest are this replica's own.
"""

from __future__ import annotations

import datetime

import sqlalchemy as sa
from prometheus_client import Counter, Gauge, Histogram

from filmstudio.v1 import film_pb2
from orchestrator import lifecycle
from orchestrator.db import Database
from orchestrator.db.schema import films

FILMS_BY_STATE = Gauge("filmstudio_films", "Films by state (not in the trash), from the database", ["state"])
QUEUE_DEPTH = Gauge("filmstudio_queue_depth", "Films waiting for a worker (unfinished, no live lease), from the database")
FILMS_RUNNING = Gauge("filmstudio_films_running", "Films this replica is working on")
QUEUE_SECONDS = Histogram("filmstudio_queue_seconds", "Time from a film's creation to its first claim by a worker",
                          buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600))
SHOT_SECONDS = Histogram("filmstudio_shot_seconds", "Time to image and voice one shot", ["model"],
                         buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120))
COMPOSE_SECONDS = Histogram("filmstudio_compose_seconds", "Time the composer took to cut and encode a film",
                            buckets=(0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600))
CACHE_HITS = Counter("filmstudio_cache_hits_total", "Assets taken from the store instead of generated", ["kind"])
FILM_OUTCOMES = Counter("filmstudio_film_outcomes_total", "Films ended, by final state (succeeded, failed, cancelled)",
                        ["state"])

STATE_LABELS = {state: film_pb2.FilmState.Name(state).removeprefix("FILM_STATE_").lower()
                for state in (*lifecycle.ACTIVE_STATES, *lifecycle.TERMINAL_STATES)}


def state_counts(rows: list[tuple[int, int]]) -> dict[str, int]:
    """Every state's label with its count (0 for a state no film is in), from (state, count) rows."""
    counts = dict.fromkeys(STATE_LABELS.values(), 0)
    for state, count in rows:
        if state in STATE_LABELS:
            counts[STATE_LABELS[state]] += count
    return counts


async def refresh_film_gauges(db: Database) -> None:
    """Set filmstudio_films and filmstudio_queue_depth from the database (one read, two counts)."""
    now = db.clock()
    waiting = sa.and_(films.c.state.in_(lifecycle.ACTIVE_STATES),
                      sa.or_(films.c.lease_owner.is_(None), films.c.lease_expires_at <= now))
    async with db.engine.connect() as conn:
        rows = (await conn.execute(sa.select(films.c.state, sa.func.count()).where(films.c.deleted_at.is_(None))
                                   .group_by(films.c.state))).all()
        depth = (await conn.execute(sa.select(sa.func.count()).select_from(films)
                                    .where(waiting, films.c.deleted_at.is_(None)))).scalar_one()
    for label, count in state_counts([(state, count) for state, count in rows]).items():
        FILMS_BY_STATE.labels(state=label).set(count)
    QUEUE_DEPTH.set(depth)


def observe_claim(created_at: datetime.datetime, now: datetime.datetime, attempts: int) -> None:
    """A film's time in the queue, on its first claim (a resumed film's later claims are not queueing)."""
    if attempts == 1:
        QUEUE_SECONDS.observe(max(0.0, (now - created_at).total_seconds()))
