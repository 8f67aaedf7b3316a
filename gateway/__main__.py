"""`python -m gateway`: serve the REST edge on FILMSTUDIO_GATEWAY_ADDR with uvicorn.

FILMSTUDIO_GATEWAY_WORKERS > 1 forks that many worker processes onto one listening socket (the kernel
spreads connections over them), each with its own event loop and gRPC channel; the parent only
watches them. A port already taken (or any other start-up problem) is one line on stderr and exit
status 1.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys

import uvicorn

from filmstudio.auth import check_secret
from filmstudio.config import Config, ConfigError, parse_addr
from filmstudio.errors import FilmStudioError
from filmstudio.process import STOP_SIGNALS, die_with_parent
from filmstudio.telemetry import configure_logging, serve_metrics, setup_tracing
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
        configure_logging("gateway", config.log_level)
        check_secret(config.jwt_secret, config.jwks_url)
        sock = bind(config.gateway_addr)
    except OSError as exc:
        print(f"gateway: cannot listen on {Config.from_env().gateway_addr}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except (ConfigError, FilmStudioError, ValueError) as exc:
        print(f"gateway: {exc}", file=sys.stderr)
        return 1
    if config.gateway_workers > 1:
        return run_workers(config, sock)
    return serve_config(config, sock)


def serve_config(config: Config, sock: socket.socket, worker: int = 0) -> int:
    """One gateway process: its app (and gRPC channel), tracer and metrics port (worker i: the
    setting's port + i) made here, in the process that serves it."""
    setup_tracing("gateway", config.otlp_endpoint, config.trace_file)
    try:
        serve_metrics(config.gateway_metrics_port and config.gateway_metrics_port + worker, config.metrics_host)
    except OSError as exc:
        print(f"gateway: cannot serve metrics on port {config.gateway_metrics_port + worker}: {exc.strerror or exc}",
              file=sys.stderr)
        return 1
    try:
        serve(create_app(GatewaySettings.from_config(config)), sock, config.log_level)
    except KeyboardInterrupt:
        pass
    return 0


def run_workers(config: Config, sock: socket.socket) -> int:
    """Fork the workers (before any gRPC channel or event loop exists), pass SIGINT/SIGTERM on, and
    end them all when one dies (the supervisor, or Kubernetes, restarts the gateway)."""
    children = []
    for worker in range(config.gateway_workers):
        pid = os.fork()
        if pid == 0:  # a worker
            die_with_parent()
            os._exit(serve_config(config, sock, worker))
        children.append(pid)
    sock.close()

    def stop(signum: int, _frame: object) -> None:
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGTERM)

    for sig in STOP_SIGNALS:
        signal.signal(sig, stop)
    _, status = os.wait()
    stop(signal.SIGTERM, None)
    for _ in children[1:]:
        with contextlib.suppress(ChildProcessError):
            os.wait()
    return 0 if os.waitstatus_to_exitcode(status) in (0, -signal.SIGTERM) else 1


def serve(app, sock: socket.socket, log_level: str = "INFO") -> None:
    """Serve the ASGI app on a bound socket until SIGINT/SIGTERM (the benchmark serves the same way)."""
    # asyncio's own loop: grpc.aio supports it (not uvloop). http="auto" parses with httptools when it
    # is installed (~0.15 ms less per request than h11 in bench/gateway.py), h11 otherwise.
    # log_config=None: uvicorn's loggers keep our JSON handler (filmstudio.telemetry) instead of its own.
    server = uvicorn.Server(uvicorn.Config(app, log_level=log_level.lower(), access_log=False, log_config=None,
                                           timeout_graceful_shutdown=5, loop="asyncio", http="auto"))
    asyncio.run(server.serve(sockets=[sock]))


if __name__ == "__main__":
    sys.exit(main())
