"""`python -m inference`: serve the model repository with Triton until SIGINT/SIGTERM.

Reads the FILMSTUDIO_* configuration; a start-up problem (binary missing, port taken, bad setting, a model
that fails to load) is one line on stderr and a non-zero exit.
"""

from __future__ import annotations

import asyncio
import logging
import sys

from filmstudio.config import Config
from filmstudio.process import stop_event
from filmstudio.server import run_service
from filmstudio.telemetry import configure_logging
from inference.launcher import TritonProcess

log = logging.getLogger("inference")


async def main() -> None:
    config = Config.from_env()
    configure_logging("inference", config.log_level)  # the launcher's own lines; Triton's go to its log file
    triton = TritonProcess.from_config(config)
    triton.start()  # in the main thread: Triton dies with it
    stop = stop_event()
    try:
        ready = asyncio.ensure_future(asyncio.to_thread(triton.wait_ready))
        stopping = asyncio.ensure_future(stop.wait())
        await asyncio.wait({ready, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if stopping.done():
            return
        ready.result()
        log.info("Triton serving %s on %s (HTTP :%d, metrics :%d); log %s", ", ".join(triton.models),
                 config.triton_addr, config.triton_http_port, config.triton_metrics_port, triton.log_path)
        exited = asyncio.ensure_future(asyncio.to_thread(triton.process.wait))
        await asyncio.wait({exited, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if exited.done():
            print(f"inference: Triton exited with status {exited.result()} (log: {triton.log_path})", file=sys.stderr)
            sys.exit(1)
    finally:
        status = await asyncio.to_thread(triton.stop)
        log.info("Triton stopped (status %s)", status)


if __name__ == "__main__":
    run_service(main, "inference")
