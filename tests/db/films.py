"""Films in a known state, for the persistence tests."""

from __future__ import annotations

import secrets

from filmstudio.settings import normalize
from filmstudio.v1 import film_pb2
from orchestrator.db import Database


def settings(**fields) -> film_pb2.FilmSettings:
    """Normalised settings, as the database is always handed them."""
    return normalize(film_pb2.FilmSettings(**fields))


async def new_film(db: Database, owner: str = "alice", **options):
    """A queued film with a throwaway script."""
    return await db.create_film(owner, f"INT. ROOM - DAY\n\n{secrets.token_hex(4)}", settings(), **options)


async def generating_film(db: Database, worker: str = "w1", shot_ids=("s1", "s2"), owner: str = "alice"):
    """A film claimed by `worker`, planned, with its shots in and GENERATING."""
    film = await new_film(db, owner)
    claimed = await db.claim_film(worker, 30)
    assert claimed is not None and claimed.id == film.id
    await db.set_state(film.id, worker, film_pb2.FILM_STATE_PLANNING)
    await db.put_shots(film.id, worker, [(shot_id, i) for i, shot_id in enumerate(shot_ids)])
    await db.set_state(film.id, worker, film_pb2.FILM_STATE_GENERATING)
    return film


async def purge(db: Database, film_id: str, owner: str = "alice") -> list[str]:
    """Delete the film (to the trash) and purge it at once, as the sweeper would once the retention has
    passed; returns the asset keys only it used."""
    await db.trash_film(owner, film_id)
    db.clock.advance(1)
    purged, orphaned = await db.purge_films(db.clock())
    assert purged == [film_id]
    return orphaned
