"""Process life: children that die with their parent, and an event set by SIGINT/SIGTERM.
Every service and the supervisor use these two and nothing else for it."""

from __future__ import annotations

import asyncio
import ctypes
import signal
import sys

_PR_SET_PDEATHSIG = 1
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def die_with_parent() -> None:
    """preexec_fn for a child process: the kernel sends it SIGTERM when the thread that started it
    dies, so even a parent killed with SIGKILL leaves no orphan (Linux; elsewhere nothing)."""
    if sys.platform != "linux":
        return
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


def stop_event() -> asyncio.Event:
    """An event the running loop sets on SIGINT or SIGTERM (call from inside the loop)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, stop.set)
    return stop
