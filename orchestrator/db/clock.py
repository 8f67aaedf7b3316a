"""The one clock: every timestamp the database writes comes from a callable like `utc_now`.

Tests hand `Database` a clock they can move (see `ManualClock`) to expire leases without sleeping.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

Clock = Callable[[], datetime.datetime]


def utc_now() -> datetime.datetime:
    """Now, timezone-aware, in UTC."""
    return datetime.datetime.now(datetime.UTC)


class ManualClock:
    """A clock that moves only when told to; starts at `start` (default: the real now)."""

    def __init__(self, start: datetime.datetime | None = None) -> None:
        self.now = (start or utc_now()).astimezone(datetime.UTC)

    def __call__(self) -> datetime.datetime:
        return self.now

    def advance(self, seconds: float) -> datetime.datetime:
        self.now += datetime.timedelta(seconds=seconds)
        return self.now
