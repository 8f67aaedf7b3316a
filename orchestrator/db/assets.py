"""Which assets are in the content-addressed store, and which films use them: an asset no film
uses is garbage (collect_orphan_assets); purging a film returns the keys only it used."""

from __future__ import annotations

import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from orchestrator.db.engine import Engine
from orchestrator.db.schema import assets, film_assets, films


class AssetRows(Engine):
    """The assets and film_assets tables."""

    async def record_asset(
        self, key: str, kind: str, model: str, model_version: str, size: int, film_id: str
    ) -> bool:
        """Note that an asset is in the store and that `film_id` uses it (both idempotent). Returns
        False if the film is gone: then nothing references the asset and `collect_orphan_assets`
        reports it later."""

        async def work(conn: AsyncConnection) -> bool:
            now = self.clock()
            # Lock the film against a concurrent purge_films until the reference is in.
            film = (
                await conn.execute(sa.select(films.c.id).where(films.c.id == film_id).with_for_update(read=True))
            ).first()
            await conn.execute(
                self._insert(assets)
                .values(key=key, kind=kind, model=model, model_version=model_version, size=size, created_at=now)
                .on_conflict_do_nothing()
            )
            if film is None:
                return False
            await conn.execute(
                self._insert(film_assets).values(film_id=film_id, asset_key=key).on_conflict_do_nothing()
            )
            return True

        return await self._write(work)

    async def asset_exists(self, key: str) -> bool:
        """Whether the content-addressed store has the asset (per the database)."""

        async def work(conn: AsyncConnection) -> bool:
            return (await conn.execute(sa.select(assets.c.key).where(assets.c.key == key))).first() is not None

        return await self._read(work)

    async def collect_orphan_assets(self, created_before: datetime.datetime) -> list[str]:
        """Forget assets no film uses that were recorded before `created_before`; returns their keys
        for the caller to delete from the store."""

        async def work(conn: AsyncConnection) -> list[str]:
            used = sa.exists().where(film_assets.c.asset_key == assets.c.key)
            result = await conn.execute(
                sa.delete(assets).where(assets.c.created_at < created_before, ~used).returning(assets.c.key)
            )
            return sorted(result.scalars().all())

        return await self._write(work)
