"""The worker's claim loop outlives a failing database: a claim that raises is logged and tried again
(the loop once died with it, and every later film stayed queued)."""

from __future__ import annotations

import asyncio
import types

from orchestrator.worker import Worker


class FlakyDatabase:
    def __init__(self) -> None:
        self.claims = 0

    async def claim_film(self, worker: str, lease_s: float):
        self.claims += 1
        if self.claims == 1:
            raise OSError("database is locked")
        return None


async def test_a_failed_claim_does_not_end_the_worker():
    db = FlakyDatabase()
    worker = Worker(types.SimpleNamespace(db=db), poll_s=0.01)
    loop = asyncio.create_task(worker.run())
    try:
        for _ in range(200):
            if db.claims >= 3:
                break
            await asyncio.sleep(0.01)
        assert db.claims >= 3 and not loop.done()
    finally:
        loop.cancel()
        await asyncio.gather(loop, return_exceptions=True)
