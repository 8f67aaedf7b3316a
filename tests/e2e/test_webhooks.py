"""Webhooks through the real mesh: an orchestrator killed with SIGKILL while its film.succeeded delivery
is out, and the receiver still gets that one event, signed, under one webhook-id, from the replica
started after. On SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio

import grpc
import pytest
from standardwebhooks.webhooks import Webhook as Verifier

from filmstudio.v1 import account_pb2_grpc, film_pb2, webhook_pb2
from orchestrator.db.webhooks import ABANDONED
from tests.conftest import as_user
from tests.e2e.conftest import Client, close_stack, describe, make_stack, settings, short_script, succeeded
from tests.orchestrator.test_webhooks import Receiver


@pytest.fixture(params=["sqlite", "postgresql"])
def hooked_stack(request, triton_mesh, tmp_path):
    # A 2 s timeout makes a delivery's lease 5 s: the replica started after the kill sends it again soon.
    stack, pg_name = make_stack(triton_mesh, tmp_path / "webhooks", request.param, FILMSTUDIO_WEBHOOK_TIMEOUT_S="2")
    try:
        stack.start_composer()
        stack.start_replica()
        yield stack
    finally:
        close_stack(stack, pg_name)


async def test_one_signed_film_succeeded_arrives_though_the_orchestrator_dies_before_delivering_it(hooked_stack):
    stack = hooked_stack
    async with Receiver("hang", 204) as receiver:
        async with grpc.aio.insecure_channel(stack.addr) as channel:
            accounts = account_pb2_grpc.AccountServiceStub(channel)
            made = await accounts.CreateWebhook(webhook_pb2.CreateWebhookRequest(webhook=webhook_pb2.Webhook(
                url=receiver.url(), event_types=[webhook_pb2.WEBHOOK_EVENT_TYPE_FILM_SUCCEEDED])),
                metadata=as_user("wren"), timeout=30)
        async with Client(stack.addr, "wren") as wren:
            film = await wren.create(short_script(f"hook{stack.database}", stack), settings(8))
            await receiver.wait_for(1, timeout_s=240)  # the film is done; its delivery is out, unanswered
            stack.replicas[0].kill()
        replica = stack.start_replica()
        await receiver.wait_for(2, timeout_s=60)
        async with Client(replica.addr, "wren") as wren:
            final = await wren.get(film.name)
            accounts = account_pb2_grpc.AccountServiceStub(wren.channel)
            async with asyncio.timeout(30):  # the receiver has answered; the replica records it just after
                while True:
                    [delivery] = (await accounts.ListWebhookDeliveries(webhook_pb2.ListWebhookDeliveriesRequest(
                        parent=made.webhook.name), metadata=wren.metadata, timeout=30)).deliveries
                    if delivery.state != webhook_pb2.WEBHOOK_DELIVERY_STATE_PENDING:
                        break
                    await asyncio.sleep(0.1)
    assert succeeded(final), describe(final)
    ids = {headers["webhook-id"] for headers, _ in receiver.requests}
    assert len(receiver.requests) == 2 and ids == {delivery.name.rpartition("/")[2]}
    for headers, body in receiver.requests:
        event = Verifier(made.secret).verify(body, headers)
        assert event["type"] == "film.succeeded" and event["data"]["film"] == film.name
        assert event["data"]["state"] == "SUCCEEDED" and event["data"]["duration_seconds"] > 0
    assert delivery.state == webhook_pb2.WEBHOOK_DELIVERY_STATE_DELIVERED and delivery.film == film.name
    assert [(a.http_status, a.result) for a in delivery.attempts] == [(204, "HTTP 204"), (0, ABANDONED)]
    assert final.state == film_pb2.FILM_STATE_SUCCEEDED
