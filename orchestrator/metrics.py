"""Prometheus metrics of the orchestrator (served on FILMSTUDIO_METRICS_PORT when set)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

FILMS_BY_STATE = Gauge("filmstudio_films", "Films by state", ["state"])
QUEUE_DEPTH = Gauge("filmstudio_queue_depth", "Films waiting for a worker (queued, not leased)")
FILMS_RUNNING = Gauge("filmstudio_films_running", "Films this replica is working on")
SHOT_SECONDS = Histogram("filmstudio_shot_seconds", "Time to image and voice one shot", ["model"],
                         buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120))
CACHE_HITS = Counter("filmstudio_cache_hits_total", "Assets taken from the store instead of generated", ["kind"])
FILM_OUTCOMES = Counter("filmstudio_film_outcomes_total", "Films ended, by final state", ["state"])
