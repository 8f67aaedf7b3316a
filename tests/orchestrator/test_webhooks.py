"""Webhooks: where an endpoint may point (SSRF), signatures as the Standard Webhooks library checks them,
and the dispatcher sending the outbox to real HTTP receivers on loopback: delivered, retried on 500s and
silences, given up on, refused at connect time, and taken over after its replica stops mid-attempt."""

from __future__ import annotations

import asyncio
import json
import random
import time

import pytest
from aiohttp import web
from standardwebhooks.webhooks import Webhook as Verifier
from standardwebhooks.webhooks import WebhookVerificationError

from filmstudio.config import ConfigError
from filmstudio.errors import InvalidArgument
from filmstudio.settings import normalize
from filmstudio.v1 import film_pb2, webhook_pb2
from orchestrator.db import Database
from orchestrator.db.webhooks import ABANDONED, SUBSCRIBABLE
from orchestrator.deliveries import RETRY_SCHEDULE_S, Dispatcher, parse_schedule, retry_delay, sign
from orchestrator.webhooks import Webhooks, check_url, new_secret, refusal, webhook_message

DELIVERED = webhook_pb2.WEBHOOK_DELIVERY_STATE_DELIVERED
FAILED = webhook_pb2.WEBHOOK_DELIVERY_STATE_FAILED


# --- signatures and schedules ----------------------------------------------------------------------------

def test_signatures_verify_with_the_standard_webhooks_library():
    secret = new_secret()
    body = b'{"type":"film.succeeded","data":{"film":"films/lighthouse"}}'
    now = int(time.time())
    headers = {"webhook-id": "msg_1", "webhook-timestamp": str(now), "webhook-signature": sign(secret, "msg_1", now, body)}
    assert Verifier(secret).verify(body, headers)["data"] == {"film": "films/lighthouse"}
    for tampered in ({**headers, "webhook-id": "msg_2"}, {**headers, "webhook-timestamp": str(now + 1)}):
        with pytest.raises(WebhookVerificationError):
            Verifier(secret).verify(body, tampered)
    with pytest.raises(WebhookVerificationError):
        Verifier(secret).verify(body.replace(b"lighthouse", b"harbour"), headers)
    with pytest.raises(WebhookVerificationError):
        Verifier(new_secret()).verify(body, headers)


def test_the_retry_schedule_spans_a_day_and_a_malformed_one_is_refused_by_name():
    assert 23 * 3600 < sum(RETRY_SCHEDULE_S) < 25 * 3600
    rng = random.Random(7)
    waits = [retry_delay(n, RETRY_SCHEDULE_S, rng) for n in range(1, len(RETRY_SCHEDULE_S) + 2)]
    assert waits[-1] is None  # the ninth attempt failed: no tenth
    assert all(0.9 * step <= wait <= 1.1 * step for wait, step in zip(waits, RETRY_SCHEDULE_S))
    assert parse_schedule("") == RETRY_SCHEDULE_S and parse_schedule("0.5, 2") == (0.5, 2.0)
    for bad in ("soon", "5,-1", "0"):
        with pytest.raises(ConfigError, match="FILMSTUDIO_WEBHOOK_RETRY_S"):
            parse_schedule(bad)


# --- where an endpoint may point -------------------------------------------------------------------------

@pytest.mark.parametrize("address, kind", [
    ("10.1.2.3", "private"), ("192.168.0.10", "private"), ("172.16.5.4", "private"), ("127.0.0.1", "loopback"),
    ("::1", "loopback"), ("169.254.169.254", "link-local"), ("fe80::1%eth0", "link-local"), ("fd00::5", "private"),
    ("::ffff:10.0.0.1", "private"), ("2002:a00:1::", "private"), ("0.0.0.0", "unspecified"),
    ("100.64.0.1", "not a public"), ("224.0.0.1", "multicast"),
])
def test_private_loopback_and_link_local_addresses_are_refused(address, kind):
    assert kind in refusal(address, allow_loopback=False)


def test_public_addresses_pass_and_development_takes_loopback():
    assert refusal("93.184.215.14", allow_loopback=False) == ""
    assert refusal("2606:4700::1111", allow_loopback=False) == ""
    assert refusal("127.0.0.1", allow_loopback=True) == refusal("::1", allow_loopback=True) == ""
    assert "private" in refusal("10.0.0.1", allow_loopback=True)  # development opens loopback only


@pytest.mark.parametrize("url, message", [
    ("", "empty"), ("http://hooks.example.com/in", "not https"), ("ftp://hooks.example.com", "not https"),
    ("https:///nohost", "names no host"), ("https://user:pw@hooks.example.com/", "password"),
    ("https://hooks.example.com/#x", "fragment"), ("https://hooks.example.com:99999/", "not a URL"),
    ("https://" + "a" * 2050 + ".com/", "over 2048"),
])
def test_malformed_urls_are_refused_saying_why(url, message):
    with pytest.raises(InvalidArgument, match=message):
        check_url(url, development=False)


async def test_registration_outside_development_refuses_http_and_private_destinations(tmp_path):
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}")
    await db.migrate()
    try:
        production, development = Webhooks(db, development=False), Webhooks(db, development=True)
        for url, message in [("http://93.184.215.14/in", "is not https"), ("https://10.0.0.7/in", "10.0.0.7, a private"),
                             ("https://localhost/in", "loopback"), ("https://169.254.169.254/latest", "link-local"),
                             ("https://[::ffff:192.168.1.1]/in", "private"), ("https://no-such-host.invalid/", "does not resolve")]:
            with pytest.raises(InvalidArgument, match=message):
                await production.create("alice", webhook_pb2.CreateWebhookRequest(webhook=webhook_pb2.Webhook(url=url)))
        made = await production.create("alice", webhook_pb2.CreateWebhookRequest(
            webhook=webhook_pb2.Webhook(url="https://93.184.215.14/in", description="CMS")))
        assert made.secret.startswith("whsec_") and made.webhook.name.startswith("account/webhooks/w")
        assert list(made.webhook.event_types) == list(SUBSCRIBABLE)
        with pytest.raises(InvalidArgument, match="WEBHOOK_EVENT_TYPE_TEST cannot be subscribed"):
            await development.create("alice", webhook_pb2.CreateWebhookRequest(webhook=webhook_pb2.Webhook(
                url="http://127.0.0.1:9/in", event_types=[webhook_pb2.WEBHOOK_EVENT_TYPE_TEST])))
        local = await development.create("alice", webhook_pb2.CreateWebhookRequest(webhook=webhook_pb2.Webhook(
            url="http://127.0.0.1:9/in", event_types=[webhook_pb2.WEBHOOK_EVENT_TYPE_FILM_FAILED] * 2)))
        assert list(local.webhook.event_types) == [webhook_pb2.WEBHOOK_EVENT_TYPE_FILM_FAILED]
        with pytest.raises(InvalidArgument, match="private"):
            await development.create("alice", webhook_pb2.CreateWebhookRequest(
                webhook=webhook_pb2.Webhook(url="http://10.0.0.7/in")))
        listed = await production.list("alice")
        assert [w.url for w in listed.webhooks] == ["http://127.0.0.1:9/in", "https://93.184.215.14/in"]
        assert all(not w.HasField("last_attempt_time") for w in listed.webhooks)  # no secret field exists to leak
        for name in ("webhooks/w1", "account/webhooks/../x"):
            with pytest.raises(InvalidArgument, match="account/webhooks/"):
                await production.delete("alice", name)
    finally:
        await db.close()


# --- the dispatcher against real receivers ---------------------------------------------------------------

class Receiver:
    """An HTTP server on loopback that records what it is sent and answers as told: a status per
    request in turn (the last repeats), or "hang" to never answer."""

    def __init__(self, *answers: int | str) -> None:
        self.answers = list(answers) or [204]
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.arrived = asyncio.Event()
        self.runner: web.AppRunner | None = None

    async def __aenter__(self) -> "Receiver":
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self.handle)
        self.runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.1)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc) -> None:
        await self.runner.cleanup()

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.requests.append((dict(request.headers), await request.read()))
        self.arrived.set()
        answer = self.answers[min(len(self.requests), len(self.answers)) - 1]
        if answer == "hang":
            await asyncio.sleep(3600)
        if answer == 302:
            raise web.HTTPFound("http://127.0.0.1:9/elsewhere")
        return web.Response(status=answer, text="boom: the CMS is down" if answer >= 500 else "")

    async def wait_for(self, count: int, timeout_s: float = 10.0) -> None:
        async with asyncio.timeout(timeout_s):
            while len(self.requests) < count:
                self.arrived.clear()
                await self.arrived.wait()


@pytest.fixture
async def db(tmp_path):
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}")
    await db.migrate()
    yield db
    await db.close()


async def register(db: Database, url: str, development: bool = True) -> tuple[str, str]:
    """(webhook id, secret) of a new endpoint of alice's at `url`, written as registration would."""
    secret = new_secret()
    record = await db.create_webhook("alice", url, SUBSCRIBABLE, "", secret)
    return record.id, secret


async def film_succeeds(db: Database) -> str:
    """A film of alice's that goes all the way to SUCCEEDED; returns its id."""
    film = await db.create_film("alice", "INT. ROOM - DAY\n\nA line.", normalize(film_pb2.FilmSettings()))
    claimed = await db.claim_film("w", 30)
    for state in (film_pb2.FILM_STATE_PLANNING, film_pb2.FILM_STATE_COMPOSING, film_pb2.FILM_STATE_SUCCEEDED):
        await db.set_state(claimed.id, "w", state)
    return film.id


async def running(dispatcher: Dispatcher):
    task = asyncio.create_task(dispatcher.run())
    await asyncio.sleep(0)
    return task


async def stop(dispatcher: Dispatcher, task: asyncio.Task) -> None:
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await dispatcher.close()


async def settled(db: Database, webhook_id: str, state: int, timeout_s: float = 10.0):
    async with asyncio.timeout(timeout_s):
        while True:
            [delivery, *_] = (await db.list_deliveries("alice", webhook_id, 10))[0]
            if delivery.state == state:
                return delivery
            await asyncio.sleep(0.05)


async def test_a_finished_film_is_posted_once_signed_and_recorded_delivered(db):
    async with Receiver(204) as receiver:
        webhook_id, secret = await register(db, receiver.url())
        dispatcher = Dispatcher(db, development=True, timeout_s=2, poll_s=5)  # woken by the commit, not the poll
        task = await running(dispatcher)
        try:
            film_id = await film_succeeds(db)
            delivery = await settled(db, webhook_id, DELIVERED, timeout_s=3)
        finally:
            await stop(dispatcher, task)
    [(headers, body)] = receiver.requests
    event = Verifier(secret).verify(body, headers)
    assert event["type"] == "film.succeeded" and event["data"]["film"] == f"films/{film_id}"
    assert headers["webhook-id"] == delivery.id and headers["Content-Type"] == "application/json"
    assert headers["User-Agent"].startswith("FilmStudio-Webhooks/")
    assert delivery.attempts == 1 and [(a.http_status, a.result, a.delivered) for a in delivery.last_attempts] == [
        (204, "HTTP 204", True)]


async def test_a_receiver_answering_500_is_retried_until_it_takes_the_delivery(db):
    async with Receiver(500, 503, 200) as receiver:
        webhook_id, secret = await register(db, receiver.url())
        dispatcher = Dispatcher(db, development=True, timeout_s=2, schedule=(0.1, 0.1, 0.1), poll_s=0.05)
        task = await running(dispatcher)
        try:
            await film_succeeds(db)
            delivery = await settled(db, webhook_id, DELIVERED)
        finally:
            await stop(dispatcher, task)
    assert len({headers["webhook-id"] for headers, _ in receiver.requests}) == 1  # one delivery, three tries
    assert [a.result for a in delivery.last_attempts] == [
        "HTTP 200", "HTTP 503: boom: the CMS is down", "HTTP 500: boom: the CMS is down"]
    for headers, body in receiver.requests:  # each attempt signed afresh
        Verifier(secret).verify(body, headers)
    [hook] = await db.list_webhooks("alice")
    assert hook.consecutive_failures == 0 and webhook_message(hook).health == webhook_pb2.WEBHOOK_HEALTH_HEALTHY


async def test_silent_and_failing_receivers_are_given_up_on_and_marked_failing_without_holding_up_others(db):
    async with Receiver("hang") as silent, Receiver(500) as failing, Receiver(200) as good:
        silent_id, _ = await register(db, silent.url())
        failing_id, _ = await register(db, failing.url())
        good_id, _ = await register(db, good.url())
        dispatcher = Dispatcher(db, development=True, timeout_s=0.5, schedule=(0.1, 0.1), poll_s=0.05)
        task = await running(dispatcher)
        try:
            await film_succeeds(db)
            await settled(db, good_id, DELIVERED, timeout_s=0.4)  # before the silent one's first timeout
            gave_up = await settled(db, silent_id, FAILED)
            failed = await settled(db, failing_id, FAILED)
        finally:
            await stop(dispatcher, task)
    assert len(good.requests) == 1 and len(silent.requests) == len(failing.requests) == 3
    assert [a.result for a in gave_up.last_attempts] == ["timed out after 0.5 s"] * 3
    assert all(a.http_status == 0 and 0.5 <= a.duration_s < 2 for a in gave_up.last_attempts)
    assert failed.last_attempts[0].http_status == 500 and gave_up.next_attempt_at is None
    health = {hook.id: webhook_message(hook).health for hook in await db.list_webhooks("alice")}
    assert health == {silent_id: webhook_pb2.WEBHOOK_HEALTH_FAILING, failing_id: webhook_pb2.WEBHOOK_HEALTH_FAILING,
                      good_id: webhook_pb2.WEBHOOK_HEALTH_HEALTHY}


async def test_redirects_are_not_followed(db):
    async with Receiver(302) as receiver:
        webhook_id, _ = await register(db, receiver.url())
        dispatcher = Dispatcher(db, development=True, timeout_s=2, schedule=(), poll_s=0.05)
        task = await running(dispatcher)
        try:
            await db.enqueue_test("alice", webhook_id)
            delivery = await settled(db, webhook_id, FAILED)
        finally:
            await stop(dispatcher, task)
    assert len(receiver.requests) == 1
    assert delivery.last_attempts[0].result == "HTTP 302: redirects are not followed (to http://127.0.0.1:9/elsewhere)"


async def test_outside_development_a_name_now_resolving_to_loopback_is_refused_at_connect(db):
    async with Receiver(200) as receiver:
        # As if the name had pointed elsewhere at registration: written straight to the database.
        by_name, _ = await register(db, f"https://localhost:{receiver.port}/hook")
        by_address, _ = await register(db, "https://10.20.30.40/hook")
        dispatcher = Dispatcher(db, development=False, timeout_s=2, schedule=(), poll_s=0.05)
        task = await running(dispatcher)
        try:
            await film_succeeds(db)
            refused_name = await settled(db, by_name, FAILED)
            refused_address = await settled(db, by_address, FAILED)
        finally:
            await stop(dispatcher, task)
    assert receiver.requests == []
    assert refused_name.last_attempts[0].result.startswith("refused: localhost resolves to ")
    assert "a loopback address" in refused_name.last_attempts[0].result
    assert refused_address.last_attempts[0].result == "refused: 10.20.30.40, a private address"


async def test_a_dispatcher_stopped_mid_attempt_is_taken_over_under_the_same_webhook_id(db):
    async with Receiver("hang", 200) as receiver:
        webhook_id, secret = await register(db, receiver.url())
        first = Dispatcher(db, development=True, timeout_s=1, poll_s=0.05, worker_id="first")
        task = await running(first)
        await db.enqueue_test("alice", webhook_id)
        await receiver.wait_for(1)
        await stop(first, task)  # gone mid-attempt: nothing recorded of its answer
        second = Dispatcher(db, development=True, timeout_s=1, poll_s=0.05, worker_id="second")
        task = await running(second)
        try:
            delivery = await settled(db, webhook_id, DELIVERED, timeout_s=10)  # once the 3 s lease ran out
        finally:
            await stop(second, task)
    ids = [headers["webhook-id"] for headers, _ in receiver.requests]
    assert len(ids) == 2 and ids[0] == ids[1] == delivery.id
    assert json.loads(receiver.requests[1][1])["type"] == "webhook.test"
    Verifier(secret).verify(receiver.requests[1][1], receiver.requests[1][0])
    assert [(a.number, a.result) for a in delivery.last_attempts] == [(2, "HTTP 200"), (1, ABANDONED)]
