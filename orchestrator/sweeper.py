"""The trash sweeper: purges films that have been in their owner's trash longer than the retention,
with the objects only they used, and webhook deliveries finished a month ago, as a periodic task next
to each replica's worker.

Everything it needs is in the database (films.deleted_at), so a restart loses nothing: the next sweep
finds what is due. Every replica may sweep at once; Database.purge_films hands each film to one of them.
A crash between the purge's commit and the store's deletes leaves those objects behind, as a crash in
the middle of the old, immediate DeleteFilm did.
"""

from __future__ import annotations

import asyncio
import datetime
import logging

from filmstudio.storage import ObjectStore
from orchestrator.db import Database
from orchestrator.films import TRASH_RETENTION, film_objects

log = logging.getLogger(__name__)

SWEEP_EVERY_S = 600.0  # a film is purged at most this long after its purge_time
DELIVERIES_KEPT = datetime.timedelta(days=30)  # how long finished webhook deliveries stay listed
_BATCH = 100  # films purged per transaction


class Sweeper:
    """Purges the trash of every owner; `run()` until cancelled, or `sweep()` once."""

    def __init__(self, db: Database, store: ObjectStore, *, retention: datetime.timedelta = TRASH_RETENTION,
                 every_s: float = SWEEP_EVERY_S) -> None:
        self.db = db
        self.store = store
        self.retention = retention
        self.every_s = every_s

    async def run(self) -> None:
        """Sweep now and then every `every_s`, until cancelled; a failed sweep is tried again next time."""
        while True:
            try:
                await self.sweep()
            except Exception:  # the database or the store is down: keep the sweeper, try again later
                log.exception("sweeping the trash failed; trying again in %.0f s", self.every_s)
            await asyncio.sleep(self.every_s)

    async def sweep(self) -> list[str]:
        """Purge every film whose time in the trash has passed the retention (by the database's clock);
        returns their ids."""
        deleted_before = self.db.clock() - self.retention
        await self.db.purge_deliveries(self.db.clock() - DELIVERIES_KEPT)
        swept: list[str] = []
        while True:
            purged, orphaned = await self.db.purge_films(deleted_before, limit=_BATCH)
            for key in film_objects(purged, orphaned):
                await self.store.delete(key)
            for film_id in purged:
                log.info("purged films/%s from the trash", film_id)
            swept += purged
            if len(purged) < _BATCH:
                return swept
