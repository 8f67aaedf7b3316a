"""Webhooks: the endpoints users register, and the outbox their deliveries leave from.

A delivery is written by `_enqueue`, inside the transaction of the change it reports (a film's state
move, a shot's failure): the event is in the outbox exactly when the change is committed, whatever
happens to the process after. A dispatcher (orchestrator.deliveries), on any replica, leases due
deliveries with `claim_deliveries`, POSTs them, and records each attempt with `finish_attempt`. A
lease that runs out with no attempt recorded (its replica stopped) makes the delivery due again: it
is sent at least once, and its id, the receiver's key for dropping repeats, never changes.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
import json
import secrets
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from filmstudio.errors import NotFound, ResourceExhausted
from filmstudio.v1 import webhook_pb2
from orchestrator.db.engine import Engine
from orchestrator.db.schema import users, webhook_attempts, webhook_deliveries, webhooks

PENDING = webhook_pb2.WEBHOOK_DELIVERY_STATE_PENDING
DELIVERED = webhook_pb2.WEBHOOK_DELIVERY_STATE_DELIVERED
FAILED = webhook_pb2.WEBHOOK_DELIVERY_STATE_FAILED

FILM_SUCCEEDED = webhook_pb2.WEBHOOK_EVENT_TYPE_FILM_SUCCEEDED
FILM_FAILED = webhook_pb2.WEBHOOK_EVENT_TYPE_FILM_FAILED
SHOT_FAILED = webhook_pb2.WEBHOOK_EVENT_TYPE_SHOT_FAILED
TEST = webhook_pb2.WEBHOOK_EVENT_TYPE_TEST
# An event type's name on the wire (the payload's "type") and in webhooks.event_types.
EVENT_NAMES = {FILM_SUCCEEDED: "film.succeeded", FILM_FAILED: "film.failed", SHOT_FAILED: "shot.failed",
               TEST: "webhook.test"}
EVENT_TYPES = {name: event_type for event_type, name in EVENT_NAMES.items()}
SUBSCRIBABLE = (FILM_SUCCEEDED, FILM_FAILED, SHOT_FAILED)

MAX_WEBHOOKS = 10  # endpoints per user
ATTEMPTS_KEPT = 10  # attempts remembered per delivery, newest
ABANDONED = "no answer recorded: the replica sending it stopped; sent again"


@dataclasses.dataclass(frozen=True)
class WebhookRecord:
    id: str
    owner: str
    url: str
    event_types: tuple[int, ...]
    description: str
    created_at: datetime.datetime
    consecutive_failures: int
    last_attempt_at: datetime.datetime | None
    last_result: str


@dataclasses.dataclass(frozen=True)
class AttemptRecord:
    number: int
    started_at: datetime.datetime
    duration_s: float | None
    http_status: int
    result: str
    delivered: bool


@dataclasses.dataclass(frozen=True)
class DeliveryRecord:
    seq: int
    id: str
    webhook_id: str
    event_type: int
    film: str
    payload: str
    state: int
    attempts: int
    next_attempt_at: datetime.datetime | None
    created_at: datetime.datetime
    delivered_at: datetime.datetime | None
    last_attempts: tuple[AttemptRecord, ...] = ()


@dataclasses.dataclass(frozen=True)
class Claim:
    """A delivery leased for one attempt: what to send, where, and how to sign it."""

    seq: int
    id: str
    webhook_id: str
    url: str
    secret: str
    payload: str
    number: int  # this attempt's number, from 1
    worker: str  # who holds the lease


def new_delivery_id() -> str:
    return "msg_" + secrets.token_hex(16)


def payload(event_type: int, at: datetime.datetime, data: dict[str, Any]) -> str:
    """The JSON body of an event, as Standard Webhooks lays it out: type, timestamp, data."""
    when = at.astimezone(datetime.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return json.dumps({"type": EVENT_NAMES[event_type], "timestamp": when, "data": data}, separators=(",", ":"))


def _webhook(row: Any) -> WebhookRecord:
    types = tuple(EVENT_TYPES[name] for name in row.event_types.split(",") if name)
    return WebhookRecord(id=row.id, owner=row.owner, url=row.url, event_types=types, description=row.description,
                         created_at=row.created_at, consecutive_failures=row.consecutive_failures,
                         last_attempt_at=row.last_attempt_at, last_result=row.last_result)


def _delivery(row: Any, attempts: Sequence[AttemptRecord] = ()) -> DeliveryRecord:
    return DeliveryRecord(seq=row.seq, id=row.id, webhook_id=row.webhook_id, event_type=row.event_type,
                          film=row.film, payload=row.payload, state=row.state, attempts=row.attempts,
                          next_attempt_at=row.next_attempt_at, created_at=row.created_at,
                          delivered_at=row.delivered_at, last_attempts=tuple(attempts))


def _attempt(row: Any) -> AttemptRecord:
    return AttemptRecord(number=row.number, started_at=row.started_at, duration_s=row.duration_s,
                         http_status=row.http_status, result=row.result, delivered=row.delivered)


class WebhookRows(Engine):
    """The webhooks, webhook_deliveries and webhook_attempts tables."""

    _outbox_signal: asyncio.Event | None = None

    def outbox_signal(self) -> asyncio.Event:
        """Set when this process commits a delivery: the dispatcher waits on it."""
        if self._outbox_signal is None:
            self._outbox_signal = asyncio.Event()
        return self._outbox_signal

    def _outbox_written(self) -> None:
        self.outbox_signal().set()

    # --- endpoints ---------------------------------------------------------------------------------------

    async def create_webhook(self, owner: str, url: str, event_types: Sequence[int], description: str,
                             secret: str) -> WebhookRecord:
        """A new endpoint of `owner`'s; ResourceExhausted past MAX_WEBHOOKS."""

        async def work(conn: AsyncConnection) -> WebhookRecord:
            await conn.execute(self._insert(users).values(id=owner, created_at=self.clock()).on_conflict_do_nothing())
            count = (await conn.execute(sa.select(sa.func.count()).select_from(webhooks)
                                        .where(webhooks.c.owner == owner))).scalar()
            if count >= MAX_WEBHOOKS:
                raise ResourceExhausted(f"you have {count} webhooks, the most allowed; delete one first")
            webhook_id = "w" + secrets.token_hex(8)
            await conn.execute(sa.insert(webhooks).values(
                id=webhook_id, owner=owner, url=url, secret=secret, description=description,
                event_types=",".join(EVENT_NAMES[t] for t in event_types), created_at=self.clock()))
            return _webhook((await conn.execute(sa.select(webhooks).where(webhooks.c.id == webhook_id))).one())

        return await self._write(work)

    async def list_webhooks(self, owner: str) -> list[WebhookRecord]:
        async def work(conn: AsyncConnection) -> list[WebhookRecord]:
            query = sa.select(webhooks).where(webhooks.c.owner == owner) \
                .order_by(webhooks.c.created_at.desc(), webhooks.c.id.desc())
            return [_webhook(row) for row in await conn.execute(query)]

        return await self._read(work)

    async def get_webhook(self, owner: str, webhook_id: str) -> WebhookRecord:
        async def work(conn: AsyncConnection) -> WebhookRecord:
            return _webhook(await self._owned_webhook(conn, owner, webhook_id))

        return await self._read(work)

    async def delete_webhook(self, owner: str, webhook_id: str) -> None:
        """Remove the endpoint and its deliveries; NotFound for one the owner does not have."""

        async def work(conn: AsyncConnection) -> None:
            await self._owned_webhook(conn, owner, webhook_id)
            await conn.execute(sa.delete(webhooks).where(webhooks.c.id == webhook_id))

        await self._write(work)

    async def _owned_webhook(self, conn: AsyncConnection, owner: str, webhook_id: str) -> Any:
        row = (await conn.execute(sa.select(webhooks).where(webhooks.c.id == webhook_id,
                                                            webhooks.c.owner == owner))).first()
        if row is None:
            raise NotFound(f"webhook account/webhooks/{webhook_id} not found")
        return row

    # --- the outbox --------------------------------------------------------------------------------------

    async def _enqueue(self, conn: AsyncConnection, owner: str, event_type: int, film: str,
                       data: dict[str, Any]) -> int:
        """Write a delivery of the event to each of `owner`'s endpoints that wants it, in the caller's
        transaction; returns how many. The caller calls _outbox_written() after its commit."""
        rows = (await conn.execute(sa.select(webhooks.c.id, webhooks.c.event_types)
                                   .where(webhooks.c.owner == owner))).all()
        name = EVENT_NAMES[event_type]
        wanted = [row.id for row in rows if name in row.event_types.split(",")]
        if wanted:
            now = self.clock()
            body = payload(event_type, now, data)
            await conn.execute(sa.insert(webhook_deliveries), [
                {"id": new_delivery_id(), "webhook_id": webhook_id, "event_type": event_type, "film": film,
                 "payload": body, "state": PENDING, "next_attempt_at": now, "created_at": now}
                for webhook_id in wanted])
        return len(wanted)

    async def enqueue_test(self, owner: str, webhook_id: str) -> DeliveryRecord:
        """A webhook.test delivery to one endpoint, due now."""

        async def work(conn: AsyncConnection) -> DeliveryRecord:
            hook = await self._owned_webhook(conn, owner, webhook_id)
            now = self.clock()
            values = {"id": new_delivery_id(), "webhook_id": hook.id, "event_type": TEST, "film": "",
                      "payload": payload(TEST, now, {"webhook": f"account/webhooks/{hook.id}"}),
                      "state": PENDING, "next_attempt_at": now, "created_at": now}
            row = (await conn.execute(sa.insert(webhook_deliveries).values(**values)
                                      .returning(*webhook_deliveries.c))).one()
            return _delivery(row)

        record = await self._write(work)
        self._outbox_written()
        return record

    async def claim_deliveries(self, worker: str, lease_s: float, limit: int) -> list[Claim]:
        """Lease up to `limit` due deliveries (PENDING, past next_attempt_at, lease free or run out) to
        `worker` for one attempt each, oldest due first. An earlier attempt left unanswered (its replica
        stopped) is recorded as such. Concurrent claimers never get the same delivery."""

        async def work(conn: AsyncConnection) -> list[Claim]:
            now = self.clock()
            due = sa.and_(
                webhook_deliveries.c.state == PENDING,
                webhook_deliveries.c.next_attempt_at <= now,
                sa.or_(webhook_deliveries.c.lease_owner.is_(None), webhook_deliveries.c.lease_expires_at <= now),
            )
            query = sa.select(webhook_deliveries.c.seq).where(due) \
                .order_by(webhook_deliveries.c.next_attempt_at, webhook_deliveries.c.seq).limit(limit)
            if self.dialect == "postgresql":
                query = query.with_for_update(skip_locked=True)
            claims = []
            for seq in (await conn.execute(query)).scalars().all():
                row = (await conn.execute(
                    sa.update(webhook_deliveries).where(webhook_deliveries.c.seq == seq, due)
                    .values(lease_owner=worker, lease_expires_at=now + datetime.timedelta(seconds=lease_s),
                            attempts=webhook_deliveries.c.attempts + 1)
                    .returning(*webhook_deliveries.c))).first()
                if row is None:
                    continue
                await conn.execute(sa.update(webhook_attempts).where(
                    webhook_attempts.c.delivery_seq == seq, webhook_attempts.c.duration_s.is_(None),
                    webhook_attempts.c.result == "").values(result=ABANDONED))
                await conn.execute(sa.insert(webhook_attempts).values(delivery_seq=seq, number=row.attempts,
                                                                      started_at=now))
                hook = (await conn.execute(sa.select(webhooks.c.url, webhooks.c.secret)
                                           .where(webhooks.c.id == row.webhook_id))).one()
                claims.append(Claim(seq=seq, id=row.id, webhook_id=row.webhook_id, url=hook.url, secret=hook.secret,
                                    payload=row.payload, number=row.attempts, worker=worker))
            return claims

        return await self._write(work)

    async def finish_attempt(self, claim: Claim, *, delivered: bool, http_status: int, result: str,
                             duration_s: float, retry_at: datetime.datetime | None) -> None:
        """Record how `claim`'s attempt went and what comes next: DELIVERED, PENDING until `retry_at`,
        or FAILED when `retry_at` is None. The endpoint's failures in a row and last result follow.
        An attempt finished after another replica took the delivery over (its lease ran out) is
        recorded, and moves the delivery only if it delivered."""

        async def work(conn: AsyncConnection) -> None:
            now = self.clock()
            await conn.execute(sa.update(webhook_attempts).where(
                webhook_attempts.c.delivery_seq == claim.seq, webhook_attempts.c.number == claim.number)
                .values(duration_s=duration_s, http_status=http_status, result=result, delivered=delivered))
            await conn.execute(sa.delete(webhook_attempts).where(
                webhook_attempts.c.delivery_seq == claim.seq, webhook_attempts.c.number <= claim.number - ATTEMPTS_KEPT))
            ours = sa.and_(webhook_deliveries.c.seq == claim.seq, webhook_deliveries.c.state == PENDING)
            if delivered:
                values: dict[str, Any] = {"state": DELIVERED, "delivered_at": now, "next_attempt_at": None}
            else:
                ours = sa.and_(ours, webhook_deliveries.c.lease_owner == claim.worker)  # nobody took it over
                values = {"state": PENDING, "next_attempt_at": retry_at} if retry_at is not None \
                    else {"state": FAILED, "next_attempt_at": None}
            await conn.execute(sa.update(webhook_deliveries).where(ours)
                               .values(**values, lease_owner=None, lease_expires_at=None))
            failures = 0 if delivered else webhooks.c.consecutive_failures + 1
            await conn.execute(sa.update(webhooks).where(webhooks.c.id == claim.webhook_id).values(
                consecutive_failures=failures, last_attempt_at=now, last_result=result))

        await self._write(work)

    async def list_deliveries(self, owner: str, webhook_id: str, size: int,
                              before: int | None = None) -> tuple[list[DeliveryRecord], bool]:
        """A page of the endpoint's deliveries, newest first, each with its last attempts; and whether
        more follow. NotFound for an endpoint the owner does not have."""

        async def work(conn: AsyncConnection) -> tuple[list[DeliveryRecord], bool]:
            await self._owned_webhook(conn, owner, webhook_id)
            query = sa.select(webhook_deliveries).where(webhook_deliveries.c.webhook_id == webhook_id)
            if before is not None:
                query = query.where(webhook_deliveries.c.seq < before)
            rows = (await conn.execute(query.order_by(webhook_deliveries.c.seq.desc()).limit(size + 1))).all()
            page = rows[:size]
            attempts: dict[int, list[AttemptRecord]] = {row.seq: [] for row in page}
            if page:
                found = await conn.execute(sa.select(webhook_attempts)
                                           .where(webhook_attempts.c.delivery_seq.in_(list(attempts)))
                                           .order_by(webhook_attempts.c.number.desc()))
                for row in found:
                    attempts[row.delivery_seq].append(_attempt(row))
            return [_delivery(row, attempts[row.seq]) for row in page], len(rows) > size

        return await self._read(work)

    async def purge_deliveries(self, finished_before: datetime.datetime) -> int:
        """Forget delivered and failed deliveries made before `finished_before`; returns how many."""

        async def work(conn: AsyncConnection) -> int:
            result = await conn.execute(sa.delete(webhook_deliveries).where(
                webhook_deliveries.c.state != PENDING, webhook_deliveries.c.created_at < finished_before))
            return result.rowcount

        return await self._write(work)

