"""Credits: each user's balance in seconds of film, and the ledger of every change to it.

These run inside the callers' transactions (creating a film, sending shots back to render, a film
ending), so a charge and what it pays for commit together or not at all. The user's row is locked
first (on SQLite every write transaction is serialised already), so two charges never both spend
the same balance.

The monthly grant tops the balance up to the grant at the user's first charge or read of a calendar
month (UTC); a larger balance is left as it is. A film reserves its target length when it is created
and holds it (films.credit_held_s) until it ends: a success keeps it, a failure or cancellation gives
back the part of its shots that were not rendered (all of it if none was planned).
"""

from __future__ import annotations

import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from filmstudio.errors import ResourceExhausted
from filmstudio.v1 import account_pb2, film_pb2, script_pb2
from orchestrator.db.schema import ledger, shots, users

# A charge within this much of the balance passes (float sums of shot lengths).
EPSILON_S = 1e-6


def month_of(now: datetime.datetime) -> str:
    return now.strftime("%Y-%m")


async def locked_user(conn: AsyncConnection, user_id: str) -> Any:
    """The user's row, locked until commit (PostgreSQL; SQLite serialises writes)."""
    query = sa.select(users).where(users.c.id == user_id)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    return (await conn.execute(query)).one()


async def top_up(conn: AsyncConnection, user: Any, now: datetime.datetime, grant_s: float) -> float:
    """The balance after this month's grant (given once a month, recorded in the ledger)."""
    month = month_of(now)
    if user.grant_month == month:
        return user.balance_s
    delta = max(0.0, grant_s - user.balance_s)
    balance = user.balance_s + delta
    await conn.execute(sa.update(users).where(users.c.id == user.id).values(balance_s=balance, grant_month=month))
    if delta > 0:
        await _entry(conn, user.id, None, account_pb2.LEDGER_REASON_GRANT, delta, balance,
                     f"monthly grant for {month}", now)
    return balance


async def charge(conn: AsyncConnection, user_id: str, seconds: float, reason: int, film_id: str,
                 description: str, now: datetime.datetime, grant_s: float) -> float:
    """Take `seconds` from the user's balance; ResourceExhausted (nothing taken) if it is short.
    Returns the balance after."""
    user = await locked_user(conn, user_id)
    balance = await top_up(conn, user, now, grant_s)
    if seconds > balance + EPSILON_S:
        raise ResourceExhausted(
            f"not enough credit: {balance:.0f} s of film left and this costs {seconds:.0f} s; the balance is "
            f"topped up to {grant_s:.0f} s on the first of each month")
    balance = max(0.0, balance - seconds)
    await conn.execute(sa.update(users).where(users.c.id == user_id).values(balance_s=balance))
    await _entry(conn, user_id, film_id, reason, -seconds, balance, description, now)
    return balance


async def refund(conn: AsyncConnection, user_id: str, seconds: float, film_id: str, description: str,
                 now: datetime.datetime) -> None:
    """Give `seconds` back to the user (nothing for nothing)."""
    if seconds <= EPSILON_S:
        return
    user = await locked_user(conn, user_id)
    balance = user.balance_s + seconds
    await conn.execute(sa.update(users).where(users.c.id == user_id).values(balance_s=balance))
    await _entry(conn, user_id, film_id, account_pb2.LEDGER_REASON_REFUND, seconds, balance, description, now)


def shot_seconds(scene_graph: bytes | None) -> dict[str, float]:
    """Each planned shot's length, by shot id, from a stored scene graph."""
    if not scene_graph:
        return {}
    graph = script_pb2.SceneGraph.FromString(scene_graph)
    return {shot.id: shot.duration.seconds + shot.duration.nanos / 1e9
            for scene in graph.scenes for shot in scene.shots}


async def settle(conn: AsyncConnection, film: Any, state: int, now: datetime.datetime,
                 scene_graph: bytes | None = None) -> dict[str, Any]:
    """A film's run ends in `state`: the film row's new credit values, after giving back what a failed
    or cancelled run did not render. `scene_graph` is the graph planned in this same move, if any (the
    row's otherwise). Call before the unfinished shots are marked cancelled."""
    held = film.credit_held_s
    if held <= 0:
        return {}
    if state in (film_pb2.FILM_STATE_FAILED, film_pb2.FILM_STATE_CANCELLED):
        lengths = shot_seconds(scene_graph or film.scene_graph)
        done = sa.select(shots.c.shot_id, shots.c.state).where(shots.c.film_id == film.id)
        rows = (await conn.execute(done)).all()
        unrendered = sum(lengths.get(shot_id, 0.0) for shot_id, shot_state in rows
                         if shot_state != film_pb2.SHOT_STATE_SUCCEEDED)
        give_back = held if not rows else min(held, unrendered)
        ended = "failed" if state == film_pb2.FILM_STATE_FAILED else "was cancelled"
        await refund(conn, film.owner, give_back, film.id, f"the film {ended}: {give_back:.1f} s not rendered", now)
    return {"credit_held_s": 0.0}


async def _entry(conn: AsyncConnection, user_id: str, film_id: str | None, reason: int, delta: float,
                 balance: float, description: str, now: datetime.datetime) -> None:
    await conn.execute(sa.insert(ledger).values(user_id=user_id, film_id=film_id, reason=reason, delta_s=delta,
                                                balance_s=balance, description=description, created_at=now))
