"""`python -m orchestrator`: FilmService, AccountService and AuthService on FILMSTUDIO_ORCHESTRATOR_ADDR,
plus this replica's worker, trash sweeper and webhook dispatcher."""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import logging

import grpc

from filmstudio import tls
from filmstudio.auth import TokenInterceptor, verifier_for
from filmstudio.config import Config
from filmstudio.server import serve, run_service
from filmstudio.storage import open_store
from filmstudio.telemetry import TracingInterceptor, configure_logging, serve_metrics, setup_tracing
from filmstudio.v1 import account_pb2_grpc, composer_pb2_grpc, film_pb2_grpc
from orchestrator.accounts import Accounts, oidc_provider
from orchestrator.db import Database
from orchestrator.deliveries import Dispatcher, parse_schedule
from orchestrator.films import Films
from orchestrator.service import (ACCOUNT_SERVICE, AUTH_SERVICE, SERVICE, AccountService, AuthService,
                                  FilmService)
from orchestrator.sweeper import Sweeper
from orchestrator.triton import TritonClient
from orchestrator.worker import Worker
from orchestrator.webhooks import Webhooks
from orchestrator.workflow import Parts

log = logging.getLogger("orchestrator")


async def main() -> None:
    config = Config.from_env()
    configure_logging("orchestrator", config.log_level)
    setup_tracing("orchestrator", config.otlp_endpoint, config.trace_file)
    verifier = verifier_for(config)  # refuses to start without a real token key
    certs = tls.certificates(config)
    config.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(config.database_url, monthly_grant_s=config.monthly_credit_s)
    await db.migrate()
    store = open_store(config.store_url, config.s3_endpoint)
    triton = TritonClient(config.triton_addr, certs=certs)
    # Reconnect within seconds of the composer coming back (gRPC's default backoff grows to two minutes).
    composer_channel = tls.channel(config.composer_addr, certs, options=[
        ("grpc.initial_reconnect_backoff_ms", 200), ("grpc.max_reconnect_backoff_ms", 2000)])
    parts = Parts(db=db, store=store, triton=triton,
                  composer=composer_pb2_grpc.ComposerServiceStub(composer_channel), composer_addr=config.composer_addr)
    # A short lease lets another replica take over a crashed one's film quickly; the retry deadline is
    # how long a film waits for Triton or the composer to come back before it fails naming the part.
    worker = Worker(parts, lease_s=config.lease_s, retry_deadline_s=config.retry_deadline_s)
    trash_retention = datetime.timedelta(seconds=config.trash_retention_s)
    films = Films(db, store, triton, worker, trash_retention=trash_retention)
    oidc = oidc_provider(config.oidc_issuer, config.oidc_client_id) if config.oidc_issuer else None
    accounts = Accounts(db, config.jwt_secret, oidc)
    development = config.environment == "development"  # webhooks over http and to loopback, for local receivers
    webhooks = Webhooks(db, development=development)
    dispatcher = Dispatcher(db, development=development, timeout_s=config.webhook_timeout_s,
                            schedule=parse_schedule(config.webhook_retry_s))
    serve_metrics(config.metrics_port, config.metrics_host)
    worker_task = asyncio.create_task(worker.run(), name="worker")
    sweeper_task = asyncio.create_task(Sweeper(db, store, retention=trash_retention).run(), name="sweeper")
    dispatcher_task = asyncio.create_task(dispatcher.run(), name="webhooks")

    async def register(server: grpc.aio.Server) -> list[str]:
        film_pb2_grpc.add_FilmServiceServicer_to_server(FilmService(films), server)
        account_pb2_grpc.add_AccountServiceServicer_to_server(AccountService(accounts, webhooks), server)
        account_pb2_grpc.add_AuthServiceServicer_to_server(AuthService(accounts), server)
        return [SERVICE, ACCOUNT_SERVICE, AUTH_SERVICE]

    async def on_stop() -> None:
        for task in (worker_task, sweeper_task, dispatcher_task):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await dispatcher.close()
        await triton.close()
        await composer_channel.close()
        await store.close()
        await db.close()

    try:
        await serve(register, config.orchestrator_addr, "orchestrator", on_stop=on_stop,
                    interceptors=[TracingInterceptor(),  # outside the token check: refused calls are traced too
                                  TokenInterceptor(verifier, (SERVICE, ACCOUNT_SERVICE), revoked=accounts.revoked)],
                    credentials=tls.server_credentials(certs))
    finally:
        if not worker_task.done():
            await on_stop()


if __name__ == "__main__":
    run_service(main, "orchestrator")
