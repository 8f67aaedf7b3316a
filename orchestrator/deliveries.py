"""The webhook dispatcher: sends what the outbox holds, on every replica, beside the worker.

Each delivery is leased for one attempt (orchestrator.db.webhooks), POSTed with the Standard Webhooks
headers, and its attempt recorded: delivered on a 2xx, otherwise tried again after the next step of
RETRY_SCHEDULE_S (a day in all), then FAILED. A receiver that is slow, down or wrong only ever costs
its own deliveries: attempts run side by side, each bounded by the timeout, apart from any film.

Every connection is checked where it is made: an IP literal before sending, a host name by the
resolver the HTTP client uses (GuardedResolver), so a name that now resolves to a private address is
refused even though it passed at registration. Redirects are not followed; the proxy settings of the
environment are not used.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime
import hashlib
import hmac
import logging
import os
import random
import socket
import time
import urllib.parse
import uuid
from collections.abc import Sequence

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

from filmstudio.config import ConfigError
from filmstudio.errors import InvalidArgument
from orchestrator.db import Database
from orchestrator.db.webhooks import Claim
from orchestrator.webhooks import check_url, refusal

log = logging.getLogger(__name__)

# Seconds before each retry of a failed attempt: 9 attempts over 23.6 hours, then the delivery FAILS.
RETRY_SCHEDULE_S = (5.0, 60.0, 300.0, 1800.0, 7200.0, 18000.0, 28800.0, 28800.0)
JITTER = 0.1  # each wait is the schedule's, give or take this share, so retries of one outage spread out
ERROR_BODY_CHARS = 200  # how much of a failing receiver's answer an attempt's result keeps
USER_AGENT = "FilmStudio-Webhooks/1"


def parse_schedule(text: str) -> tuple[float, ...]:
    """FILMSTUDIO_WEBHOOK_RETRY_S: seconds between attempts, comma-separated; "" is RETRY_SCHEDULE_S."""
    if not text.strip():
        return RETRY_SCHEDULE_S
    try:
        schedule = tuple(float(part) for part in text.split(","))
    except ValueError:
        schedule = ()
    if not schedule or not all(0 < step < 7 * 86400 for step in schedule):
        raise ConfigError(f"FILMSTUDIO_WEBHOOK_RETRY_S={text!r}: expected seconds between attempts, comma-separated "
                          "(each above 0 and under a week), e.g. 5,60,300")
    return schedule


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The webhook-signature header: "v1," and the base64 HMAC-SHA256 of "{id}.{timestamp}.{body}" under
    the secret's key (the base64 after "whsec_")."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def retry_delay(attempts: int, schedule: Sequence[float], rng: random.Random) -> float | None:
    """Seconds until the next attempt after `attempts` failed ones; None when the schedule is spent."""
    if attempts > len(schedule):
        return None
    return schedule[attempts - 1] * (1 + JITTER * (2 * rng.random() - 1))


class GuardedResolver(AbstractResolver):
    """Resolves as the system does, and refuses a name any of whose addresses a webhook may not go to."""

    def __init__(self, *, allow_loopback: bool) -> None:
        self.allow_loopback = allow_loopback
        self.inner = aiohttp.ThreadedResolver()

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
                      ) -> list[ResolveResult]:
        results = await self.inner.resolve(host, port, family)
        for result in results:
            reason = refusal(result["host"], allow_loopback=self.allow_loopback)
            if reason:
                raise OSError(f"refused: {host} resolves to {reason}")
        return results

    async def close(self) -> None:
        await self.inner.close()


class Dispatcher:
    """Sends due deliveries until cancelled: `await run()`; `await close()` after."""

    def __init__(self, db: Database, *, development: bool, timeout_s: float = 15.0,
                 schedule: Sequence[float] = RETRY_SCHEDULE_S, concurrency: int = 16, poll_s: float = 1.0,
                 worker_id: str | None = None, rng: random.Random | None = None) -> None:
        self.db = db
        self.development = development
        self.timeout_s = timeout_s
        # An attempt ends within its timeout; one whose lease ran out anyway (its replica stopped, or a
        # stalled database) is sent again by whoever claims it next.
        self.lease_s = 2 * timeout_s + 1
        self.schedule = tuple(schedule)
        self.concurrency = concurrency
        self.poll_s = poll_s
        self.worker_id = worker_id or f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.rng = rng or random.Random()
        self.sending: set[asyncio.Task] = set()
        self._session: aiohttp.ClientSession | None = None

    async def run(self) -> None:
        """Send what is due now and whenever a delivery is written here or `poll_s` passes (another
        replica's, a retry coming due), until cancelled."""
        signal = self.db.outbox_signal()
        try:
            while True:
                signal.clear()
                try:
                    await self.dispatch()
                except Exception:  # the database is down: keep the dispatcher, try again next poll
                    log.exception("claiming webhook deliveries failed; trying again in %.1f s", self.poll_s)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(signal.wait(), self.poll_s)
        finally:
            for task in list(self.sending):
                task.cancel()
            await asyncio.gather(*self.sending, return_exceptions=True)

    async def dispatch(self) -> int:
        """Lease what is due, up to the free slots, and start sending it; returns how many started."""
        free = self.concurrency - len(self.sending)
        if free <= 0:
            return 0
        claims = await self.db.claim_deliveries(self.worker_id, self.lease_s, free)
        for claim in claims:
            task = asyncio.create_task(self.send(claim), name=f"webhook-{claim.id}")
            self.sending.add(task)
            task.add_done_callback(self._sent)
        return len(claims)

    def _sent(self, task: asyncio.Task) -> None:
        self.sending.discard(task)
        self.db.outbox_signal().set()  # a slot is free: look again

    async def send(self, claim: Claim) -> None:
        """One attempt of one delivery, recorded whatever happens (but a stop mid-attempt: the lease
        runs out and another attempt is made)."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        status, result = await self._post(claim)
        delivered = 200 <= status < 300
        delay = None if delivered else retry_delay(claim.number, self.schedule, self.rng)
        retry_at = None if delay is None else self.db.clock() + datetime.timedelta(seconds=delay)
        log.log(logging.INFO if delivered else logging.WARNING, "webhook %s attempt %d to %s: %s%s", claim.id,
                claim.number, _host(claim.url), result,
                "" if delivered else (f"; again in {delay:.0f} s" if delay is not None else "; giving up"))
        try:
            await self.db.finish_attempt(claim, delivered=delivered, http_status=status, result=result,
                                         duration_s=loop.time() - started, retry_at=retry_at)
        except Exception:  # the lease runs out and the delivery is sent again: at least once
            log.exception("recording webhook %s attempt %d failed", claim.id, claim.number)

    async def _post(self, claim: Claim) -> tuple[int, str]:
        """(HTTP status or 0, what happened in words)."""
        try:
            parts = check_url(claim.url, development=self.development)
            with contextlib.suppress(ValueError):  # a host name: the resolver checks its addresses
                reason = refusal(parts.hostname, allow_loopback=self.development)
                if reason:
                    return 0, f"refused: {reason}"
        except InvalidArgument as exc:
            return 0, f"refused: {exc.message}"
        body = claim.payload.encode()
        now = int(time.time())
        headers = {"content-type": "application/json", "webhook-id": claim.id, "webhook-timestamp": str(now),
                   "webhook-signature": sign(claim.secret, claim.id, now, body)}
        try:
            async with self.session().post(claim.url, data=body, headers=headers, allow_redirects=False,
                                           timeout=aiohttp.ClientTimeout(total=self.timeout_s)) as response:
                if 200 <= response.status < 300:
                    return response.status, f"HTTP {response.status}"
                if 300 <= response.status < 400:
                    where = response.headers.get("location", "")
                    return response.status, f"HTTP {response.status}: redirects are not followed (to {where[:100]})"
                text = (await response.content.read(ERROR_BODY_CHARS * 4)).decode("utf-8", "replace")
                text = " ".join(text.split())[:ERROR_BODY_CHARS]
                return response.status, f"HTTP {response.status}: {text}" if text else f"HTTP {response.status}"
        except TimeoutError:
            return 0, f"timed out after {self.timeout_s:g} s"
        except aiohttp.ClientConnectorError as exc:
            cause = str(exc.os_error)
            return 0, cause if cause.startswith("refused: ") else f"could not connect: {exc.os_error.strerror or cause}"
        except aiohttp.ClientError as exc:
            return 0, f"no answer: {type(exc).__name__}: {exc}"[:300]

    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            connector = aiohttp.TCPConnector(resolver=GuardedResolver(allow_loopback=self.development),
                                             use_dns_cache=False, limit=self.concurrency)
            self._session = aiohttp.ClientSession(connector=connector, trust_env=False,
                                                  headers={"user-agent": USER_AGENT}, auto_decompress=False)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def _host(url: str) -> str:
    return urllib.parse.urlsplit(url).netloc
