"""A per-user rate limit for the REST edge: a token bucket for each verified user."""

from __future__ import annotations

import dataclasses
import time


@dataclasses.dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """A token bucket per user: `rate_per_s` sustained, `burst` at once."""

    def __init__(self, rate_per_s: float, burst: int, clock=time.monotonic, max_users: int = 100_000) -> None:
        self.rate = rate_per_s
        self.burst = burst
        self.clock = clock
        self.max_users = max_users
        self._buckets: dict[str, _Bucket] = {}

    def take(self, user: str) -> float:
        """0 if the request may go ahead, else the seconds until it may (for Retry-After)."""
        now = self.clock()
        bucket = self._buckets.get(user)
        if bucket is None:
            if len(self._buckets) >= self.max_users:
                self._forget_full(now)
            bucket = self._buckets[user] = _Bucket(float(self.burst), now)
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / self.rate

    def _forget_full(self, now: float) -> None:
        # Buckets that have refilled carry no state worth keeping.
        self._buckets = {u: b for u, b in self._buckets.items()
                         if b.tokens + (now - b.updated) * self.rate < self.burst}
