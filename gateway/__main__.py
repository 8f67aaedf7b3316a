"""`python -m gateway`: serve the REST edge on FILMSTUDIO_GATEWAY_ADDR with uvicorn.

A port already taken (or any other start-up problem) is one line on stderr and exit status 1.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import sys

import uvicorn

from filmstudio.config import Config, ConfigError, parse_addr
from filmstudio.errors import FilmStudioError
from gateway.app import GatewaySettings, create_app


def bind(addr: str) -> socket.socket:
    """A listening socket on host:port; OSError (port taken) is the caller's one line."""
    host, port = parse_addr(addr, "FILMSTUDIO_GATEWAY_ADDR")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY on accepted sockets only when the listener says
    # TCP, and without it keep-alive responses wait ~40 ms on Nagle + delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def main() -> int:
    try:
        config = Config.from_env()
        logging.basicConfig(level=config.log_level, format="%(asctime)s gateway %(levelname)s %(message)s")
        settings = GatewaySettings.from_config(config)
        app = create_app(settings)
        sock = bind(config.gateway_addr)
    except OSError as exc:
        print(f"gateway: cannot listen on {Config.from_env().gateway_addr}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except (ConfigError, FilmStudioError, ValueError) as exc:
        print(f"gateway: {exc}", file=sys.stderr)
        return 1
    try:
        serve(app, sock, config.log_level)
    except KeyboardInterrupt:
        pass
    return 0


def serve(app, sock: socket.socket, log_level: str = "INFO") -> None:
    """Serve the ASGI app on a bound socket until SIGINT/SIGTERM (the benchmark serves the same way)."""
    # asyncio's own loop: grpc.aio supports it (not uvloop). http="auto" parses with httptools when it
    # is installed (~0.15 ms less per request than h11 in bench/gateway.py), h11 otherwise.
    server = uvicorn.Server(uvicorn.Config(app, log_level=log_level.lower(), access_log=False,
                                           timeout_graceful_shutdown=5, loop="asyncio", http="auto"))
    asyncio.run(server.serve(sockets=[sock]))


if __name__ == "__main__":
    sys.exit(main())
