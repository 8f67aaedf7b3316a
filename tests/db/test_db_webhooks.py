"""The webhook outbox on both backends: deliveries written in the transaction of the change they report,
leased for one attempt, taken over when a replica stops mid-attempt, and recorded attempt by attempt."""

from __future__ import annotations

import asyncio
import datetime
import json

import pytest
from google.rpc import code_pb2, status_pb2

from filmstudio.errors import NotFound, ResourceExhausted
from filmstudio.v1 import film_pb2, webhook_pb2
from orchestrator.db.webhooks import ABANDONED, FILM_FAILED, FILM_SUCCEEDED, MAX_WEBHOOKS, SHOT_FAILED, SUBSCRIBABLE
from tests.db.films import generating_film

PENDING = webhook_pb2.WEBHOOK_DELIVERY_STATE_PENDING
DELIVERED = webhook_pb2.WEBHOOK_DELIVERY_STATE_DELIVERED
FAILED = webhook_pb2.WEBHOOK_DELIVERY_STATE_FAILED


async def hook(db, owner="alice", types=SUBSCRIBABLE, url="https://hooks.example.com/in"):
    return await db.create_webhook(owner, url, types, "", "whsec_" + "A" * 44)


async def succeed(db, film, worker="w1"):
    await db.set_state(film.id, worker, film_pb2.FILM_STATE_COMPOSING)
    outputs = film_pb2.FilmOutputs(video_uri="file:///film.mp4")
    outputs.duration.FromSeconds(42)
    await db.set_state(film.id, worker, film_pb2.FILM_STATE_SUCCEEDED, outputs=outputs)


async def all_deliveries(db, webhook, owner="alice"):
    records, _ = await db.list_deliveries(owner, webhook.id, 100)
    return records


async def test_a_film_that_succeeds_writes_one_delivery_per_endpoint_that_wants_it(backend):
    db = await backend.open()
    everything, failures_only = await hook(db), await hook(db, types=(FILM_FAILED,))
    bobs = await hook(db, owner="bob")
    assert db.outbox_signal().is_set() is False
    film = await generating_film(db)
    await succeed(db, film)
    assert db.outbox_signal().is_set()  # the dispatcher is woken after the commit
    [delivery] = await all_deliveries(db, everything)
    assert await all_deliveries(db, failures_only) == [] and await all_deliveries(db, bobs, "bob") == []
    assert delivery.state == PENDING and delivery.event_type == FILM_SUCCEEDED and delivery.attempts == 0
    assert delivery.id.startswith("msg_") and delivery.film == f"films/{film.id}"
    body = json.loads(delivery.payload)
    assert body["type"] == "film.succeeded" and body["timestamp"].endswith("Z")
    assert body["data"] == {"film": f"films/{film.id}", "display_name": film.display_name, "state": "SUCCEEDED",
                            "duration_seconds": 42.0}


async def test_failed_films_and_shots_write_their_events_and_cancelled_ones_none(backend):
    db = await backend.open()
    webhook = await hook(db)
    film = await generating_film(db)
    await db.set_shot(film.id, "s1", "w1", film_pb2.SHOT_STATE_FAILED, error="Triton said no")
    await db.set_state(film.id, "w1", film_pb2.FILM_STATE_FAILED,
                       error=status_pb2.Status(code=code_pb2.UNAVAILABLE, message="gave up after 600 s"))
    cancelled = await generating_film(db)
    await db.request_cancel("alice", cancelled.id)
    await db.set_state(cancelled.id, "w1", film_pb2.FILM_STATE_CANCELLED)
    newest_first = await all_deliveries(db, webhook)
    assert [d.event_type for d in newest_first] == [FILM_FAILED, SHOT_FAILED]
    failed, shot = (json.loads(d.payload)["data"] for d in newest_first)
    assert shot == {"film": f"films/{film.id}", "shot": f"films/{film.id}/shots/s1",
                    "error": {"message": "Triton said no"}}
    assert failed["state"] == "FAILED" and failed["error"] == {"code": "UNAVAILABLE", "message": "gave up after 600 s"}


async def test_a_delivery_is_leased_to_one_claimer_and_recorded_attempt_by_attempt(backend, clock):
    db, other = await backend.open(), await backend.open()
    webhook = await hook(db)
    await succeed(db, await generating_film(db))
    first, second = await asyncio.gather(db.claim_deliveries("a", 30, 10), other.claim_deliveries("b", 30, 10))
    assert sorted([len(first), len(second)]) == [0, 1]  # one claimer got it, the other nothing
    [claim] = first or second
    assert claim.number == 1 and claim.url == webhook.url and claim.secret == "whsec_" + "A" * 44
    assert await db.claim_deliveries("c", 30, 10) == []  # leased
    retry_at = clock() + datetime.timedelta(seconds=5)
    await db.finish_attempt(claim, delivered=False, http_status=500, result="HTTP 500: boom", duration_s=0.2,
                            retry_at=retry_at)
    assert await db.claim_deliveries("c", 30, 10) == []  # not due before retry_at
    clock.advance(5)
    [again] = await db.claim_deliveries("c", 30, 10)
    assert again.id == claim.id and again.number == 2
    await db.finish_attempt(again, delivered=True, http_status=204, result="HTTP 204", duration_s=0.1, retry_at=None)
    [delivery] = await all_deliveries(db, webhook)
    assert delivery.state == DELIVERED and delivery.attempts == 2 and delivery.delivered_at == clock()
    assert [(a.number, a.http_status, a.result, a.delivered) for a in delivery.last_attempts] == [
        (2, 204, "HTTP 204", True), (1, 500, "HTTP 500: boom", False)]
    [record] = await db.list_webhooks("alice")
    assert record.consecutive_failures == 0 and record.last_result == "HTTP 204" and record.last_attempt_at == clock()


async def test_an_attempt_whose_replica_stopped_is_made_again_under_the_same_id(backend, clock):
    db = await backend.open()
    webhook = await hook(db)
    await succeed(db, await generating_film(db))
    [lost] = await db.claim_deliveries("victim", 25, 10)  # and then the replica is killed
    clock.advance(24)
    assert await db.claim_deliveries("survivor", 25, 10) == []  # the lease still holds
    clock.advance(2)
    [claim] = await db.claim_deliveries("survivor", 25, 10)
    assert claim.id == lost.id and claim.number == 2
    # The victim's late answer (it was only slow) does not take the delivery back from the survivor.
    await db.finish_attempt(lost, delivered=False, http_status=0, result="timed out", duration_s=25, retry_at=clock())
    await db.finish_attempt(claim, delivered=True, http_status=200, result="HTTP 200", duration_s=0.1, retry_at=None)
    [delivery] = await all_deliveries(db, webhook)
    assert delivery.state == DELIVERED
    assert [(a.number, a.result) for a in delivery.last_attempts] == [(2, "HTTP 200"), (1, "timed out")]
    stopped = await generating_film(db)
    await succeed(db, stopped)
    [lost] = await db.claim_deliveries("victim", 25, 10)
    clock.advance(26)
    [claim] = await db.claim_deliveries("survivor", 25, 10)
    [newest, _] = await all_deliveries(db, webhook)
    assert [(a.number, a.result, a.duration_s) for a in newest.last_attempts] == [(2, "", None), (1, ABANDONED, None)]


async def test_a_delivery_out_of_retries_fails_and_the_endpoint_counts_its_failures(backend, clock):
    db = await backend.open()
    webhook = await hook(db)
    await succeed(db, await generating_film(db))
    for number in (1, 2, 3):
        [claim] = await db.claim_deliveries("w", 30, 10)
        assert claim.number == number
        await db.finish_attempt(claim, delivered=False, http_status=0, result="timed out after 15 s", duration_s=15,
                                retry_at=None if number == 3 else clock())
    [delivery] = await all_deliveries(db, webhook)
    assert delivery.state == FAILED and delivery.next_attempt_at is None
    assert await db.claim_deliveries("w", 30, 10) == []
    [record] = await db.list_webhooks("alice")
    assert record.consecutive_failures == 3 and record.last_result == "timed out after 15 s"


async def test_endpoints_are_their_owners_and_bounded_and_deleting_one_drops_its_deliveries(backend, clock):
    db = await backend.open()
    webhook = await hook(db)
    with pytest.raises(NotFound):
        await db.get_webhook("bob", webhook.id)
    with pytest.raises(NotFound):
        await db.enqueue_test("bob", webhook.id)
    with pytest.raises(NotFound):
        await db.list_deliveries("bob", webhook.id, 10)
    with pytest.raises(NotFound):
        await db.delete_webhook("bob", webhook.id)
    test = await db.enqueue_test("alice", webhook.id)
    assert json.loads(test.payload) == {"type": "webhook.test", "timestamp": json.loads(test.payload)["timestamp"],
                                        "data": {"webhook": f"account/webhooks/{webhook.id}"}}
    for _ in range(MAX_WEBHOOKS - 1):
        await hook(db)
    with pytest.raises(ResourceExhausted, match="10 webhooks"):
        await hook(db)
    await db.claim_deliveries("w", 30, 10)
    await db.delete_webhook("alice", webhook.id)
    assert await db.claim_deliveries("w2", 30, 10) == []  # gone with its endpoint
    clock.advance(60)
    assert await db.claim_deliveries("w2", 30, 10) == []


async def test_deliveries_page_newest_first_and_finished_ones_are_purged(backend, clock):
    db = await backend.open()
    webhook = await hook(db)
    made = [await db.enqueue_test("alice", webhook.id) for _ in range(5)]
    page, more = await db.list_deliveries("alice", webhook.id, 2)
    assert [d.id for d in page] == [made[4].id, made[3].id] and more
    page, more = await db.list_deliveries("alice", webhook.id, 3, before=page[-1].seq)
    assert [d.id for d in page] == [made[2].id, made[1].id, made[0].id] and not more
    for claim in await db.claim_deliveries("w", 30, 2):
        await db.finish_attempt(claim, delivered=True, http_status=200, result="HTTP 200", duration_s=0.1,
                                retry_at=None)
    clock.advance(3600)
    assert await db.purge_deliveries(clock()) == 2  # the pending three stay
    assert len(await all_deliveries(db, webhook)) == 3
