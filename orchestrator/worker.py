"""A replica's worker: claims films with a lease, runs their jobs, renews the lease while working.

Several replicas share the database; a film belongs to whoever holds its lease. If a replica dies,
its leases expire and another replica claims the film and resumes it (see workflow.FilmJob).
Cancellation (CancelFilm, from any replica) is noticed at the next lease renewal and stops the job's
in-flight inference and composing.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import logging
import os
import socket
import uuid

from google.rpc import code_pb2, status_pb2

from filmstudio.errors import FilmStudioError, Unavailable, status_of
from filmstudio.telemetry import film_context
from filmstudio.v1 import film_pb2
from orchestrator import metrics
from orchestrator.db import LeaseLost
from orchestrator.workflow import FilmJob, Parts

log = logging.getLogger(__name__)


class Worker:
    def __init__(self, parts: Parts, *, max_films: int = 4, lease_s: float = 15.0, poll_s: float = 0.5,
                 retry_deadline_s: float = 600.0, worker_id: str | None = None) -> None:
        self.parts = parts
        self.max_films = max_films
        self.lease_s = lease_s
        self.poll_s = poll_s
        self.retry_deadline_s = retry_deadline_s
        self.worker_id = worker_id or f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.running: dict[str, asyncio.Task] = {}  # film id -> its _run_film task
        self.jobs: dict[str, asyncio.Task] = {}  # film id -> the FilmJob task inside it
        self.wake = asyncio.Event()
        # film id -> when this replica first found a part down for it, in the current outage (monotonic s).
        self.outage_since: dict[str, float] = {}
        self.gauges_every_s = 5.0  # how often filmstudio_films and filmstudio_queue_depth are read
        self._gauges_at = -self.gauges_every_s

    async def run(self) -> None:
        """Claim and run films until cancelled."""
        try:
            while True:
                try:
                    await self._claim_films()
                except Exception:  # the database is down or busy: keep the worker, try again next poll
                    log.exception("claiming films failed; trying again in %.1f s", self.poll_s)
                metrics.FILMS_RUNNING.set(len(self.running))
                await self._refresh_gauges()
                self.wake.clear()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self.wake.wait(), self.poll_s)
        finally:
            for task in list(self.running.values()):
                task.cancel()
            await asyncio.gather(*self.running.values(), return_exceptions=True)

    async def _refresh_gauges(self) -> None:
        now = asyncio.get_running_loop().time()
        if now - self._gauges_at < self.gauges_every_s:
            return
        self._gauges_at = now
        try:
            await metrics.refresh_film_gauges(self.parts.db)
        except Exception:  # the database is down: the gauges keep their last values
            log.warning("reading the film gauges failed", exc_info=True)

    async def _claim_films(self) -> None:
        while len(self.running) < self.max_films:
            film = await self.parts.db.claim_film(self.worker_id, self.lease_s)
            if film is None:
                return
            metrics.observe_claim(film.created_at, self.parts.db.clock(), film.attempts)
            task = asyncio.create_task(self._run_film(film.id), name=f"film-{film.id}")
            self.running[film.id] = task
            task.add_done_callback(lambda _t, fid=film.id: self.running.pop(fid, None))

    def cancel_local(self, film_id: str) -> None:
        """Stop a film this replica runs now (CancelFilm on this replica); others notice via the lease."""
        job = self.jobs.get(film_id)
        if job is not None:
            job.cancel(msg="cancelled")

    async def _run_film(self, film_id: str) -> None:
        film_context.set(f"films/{film_id}")
        db = self.parts.db
        job = asyncio.create_task(FilmJob(self.parts, film_id, self.worker_id).run())
        self.jobs[film_id] = job
        keeper = asyncio.create_task(self._keep_lease(film_id, job))
        try:
            await job
            self.outage_since.pop(film_id, None)
            await db.release_film(film_id, self.worker_id)
            metrics.FILM_OUTCOMES.labels(state="succeeded").inc()
            log.info("film finished")
        except asyncio.CancelledError:
            await self._after_cancel(film_id)
        except LeaseLost:
            log.warning("lease lost; another replica has the film")
        except Unavailable as exc:
            await self._retry_later(film_id, exc)
        except FilmStudioError as exc:
            await self._fail(film_id, exc)
        except Exception as exc:  # a bug: fail the film with a message rather than lose it
            log.exception("film job crashed")
            await self._fail(film_id, status_pb2.Status(code=code_pb2.INTERNAL,
                                                        message=f"internal error: {type(exc).__name__}: {exc}"))
        finally:
            self.jobs.pop(film_id, None)
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper
            film_context.set("")
            self.wake.set()

    async def _keep_lease(self, film_id: str, job: asyncio.Task) -> None:
        """Renew the lease; cancel the job when the film is cancelled or the lease is lost."""
        interval = min(self.lease_s / 3, 0.3)
        while not job.done():
            await asyncio.sleep(interval)
            if not await self.parts.db.renew_lease(film_id, self.worker_id, self.lease_s):
                job.cancel(msg="lease lost")
                return
            if await self.parts.db.is_cancel_requested(film_id):
                job.cancel(msg="cancelled")
                return

    async def _after_cancel(self, film_id: str) -> None:
        if await self.parts.db.is_cancel_requested(film_id):
            await self.parts.db.set_state(film_id, self.worker_id, film_pb2.FILM_STATE_CANCELLED)
            metrics.FILM_OUTCOMES.labels(state="cancelled").inc()
            log.info("film cancelled")
        # else: the lease was lost or the replica is stopping; the next holder resumes the film.

    async def _retry_later(self, film_id: str, exc: Unavailable) -> None:
        """Give the film back to be tried again after a backoff, with an event saying what it waits for;
        fail it, naming the part that is down, once the outage has lasted retry_deadline_s."""
        now = asyncio.get_running_loop().time()
        down_s = now - self.outage_since.setdefault(film_id, now)
        if down_s >= self.retry_deadline_s:
            self.outage_since.pop(film_id, None)
            await self._fail(film_id, Unavailable(f"gave up after {down_s:.0f} s: {exc.message}"))
            return
        film = await self.parts.db.load_film(film_id)
        delay = min(30.0, 0.5 * 2 ** min(film.attempts, 6), max(0.1, self.retry_deadline_s - down_s))
        log.warning("%s; retrying in %.1f s", exc.message, delay)
        await self.parts.db.append_event(film_id, film_pb2.FilmEvent(state_change=film_pb2.StateChange(
            state=film.state, message=f"waiting: {exc.message}; retrying in {delay:.1f} s")))
        await self.parts.db.release_film(film_id, self.worker_id, not_before=self.parts.db.clock()
                                         + datetime.timedelta(seconds=delay))

    async def _fail(self, film_id: str, error: FilmStudioError | status_pb2.Status) -> None:
        self.outage_since.pop(film_id, None)
        status = status_of(error) if isinstance(error, FilmStudioError) else error
        await self.parts.db.set_state(film_id, self.worker_id, film_pb2.FILM_STATE_FAILED, error=status)
        metrics.FILM_OUTCOMES.labels(state="failed").inc()
        log.warning("film failed: %s", error.message)
