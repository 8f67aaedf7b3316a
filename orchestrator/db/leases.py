"""Leases: a worker holds a film while `films.lease_owner` names it.

The lease's expiry only says when *another* worker may take the film over; a worker whose lease ran
out but was not taken over still holds it (renew_lease succeeds). Every write a worker makes
(set_state, put_shots, set_shot) checks the lease in the same transaction and raises LeaseLost if
another worker took over.
"""

from __future__ import annotations

import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from filmstudio.names import film_name
from orchestrator import lifecycle
from orchestrator.db.engine import film_record
from orchestrator.db.events import EventLog
from orchestrator.db.records import FilmRecord
from orchestrator.db.schema import films


class LeaseLost(Exception):
    """The worker no longer holds the film: another worker took it over, or the film was purged.

    The worker must stop working on the film and must not retry the write.
    """


class Leases(EventLog):
    """Claiming, renewing and giving back films."""

    async def _leased_film(self, conn: AsyncConnection, film_id: str, worker: str) -> Any:
        """The film's row, locked, if `worker` holds its lease; else LeaseLost."""
        row = (await conn.execute(sa.select(films).where(films.c.id == film_id).with_for_update())).first()
        if row is None:
            raise LeaseLost(f"film {film_name(film_id)} no longer exists; worker {worker} must stop")
        if row.lease_owner != worker:
            raise LeaseLost(
                f"worker {worker} no longer holds the lease on film {film_name(film_id)}"
                f" (held by {row.lease_owner or 'nobody'})"
            )
        return row

    async def claim_film(self, worker: str, lease_s: float) -> FilmRecord | None:
        """Take the oldest film that needs work (not finished, past its not_before, lease free or
        expired) and lease it to `worker` for `lease_s` seconds; None when there is nothing to do.
        Concurrent claimers, in this process or other replicas, never get the same film."""

        async def work(conn: AsyncConnection) -> FilmRecord | None:
            now = self.clock()
            claimable = sa.and_(
                films.c.state.in_(lifecycle.ACTIVE_STATES),
                sa.or_(films.c.not_before.is_(None), films.c.not_before <= now),
                sa.or_(films.c.lease_owner.is_(None), films.c.lease_expires_at <= now),
            )
            query = sa.select(films.c.id).where(claimable).order_by(films.c.created_at, films.c.id).limit(1)
            if self.dialect == "postgresql":
                query = query.with_for_update(skip_locked=True)
            film_id = (await conn.execute(query)).scalar()
            if film_id is None:
                return None
            row = (
                await conn.execute(
                    sa.update(films)
                    .where(films.c.id == film_id, claimable)
                    .values(
                        lease_owner=worker,
                        lease_expires_at=now + datetime.timedelta(seconds=lease_s),
                        attempts=films.c.attempts + 1,
                    )
                    .returning(*films.c)
                )
            ).first()
            return None if row is None else film_record(row)

        return await self._write(work)

    async def renew_lease(self, film_id: str, worker: str, lease_s: float) -> bool:
        """Extend the worker's lease to now + lease_s; False if the worker no longer holds the film."""

        async def work(conn: AsyncConnection) -> bool:
            result = await conn.execute(
                sa.update(films)
                .where(films.c.id == film_id, films.c.lease_owner == worker)
                .values(lease_expires_at=self.clock() + datetime.timedelta(seconds=lease_s))
            )
            return result.rowcount == 1

        return await self._write(work)

    async def release_film(
        self, film_id: str, worker: str, not_before: datetime.datetime | None = None
    ) -> bool:
        """Give the film back unfinished (e.g. Triton is down); no worker claims it before `not_before`.
        False if the worker did not hold it."""

        async def work(conn: AsyncConnection) -> bool:
            result = await conn.execute(
                sa.update(films)
                .where(films.c.id == film_id, films.c.lease_owner == worker)
                .values(lease_owner=None, lease_expires_at=None, not_before=not_before)
            )
            return result.rowcount == 1

        return await self._write(work)
