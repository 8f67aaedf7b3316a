"""filmstudio.telemetry without a mesh: JSON log lines with film, shot and trace ids; trace context in and
out of gRPC metadata and the database; the gateway's access log and metrics; the orchestrator's film gauges.
(tests/mesh/test_traces.py follows one film's trace through every service.)"""

from __future__ import annotations

import json
import logging

import httpx
import pytest
from opentelemetry import trace
from prometheus_client import REGISTRY

from filmstudio import telemetry
from filmstudio.auth import mint_token
from filmstudio.v1 import film_pb2
from gateway.app import GatewaySettings, create_app, user_hash
from orchestrator import metrics
from orchestrator.db import Database
from tests.conftest import TEST_JWT_SECRET, free_port
from tests.db.films import new_film

TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


def log_line(record: logging.LogRecord) -> dict:
    return json.loads(telemetry.JsonFormatter("test").format(record))


def record(msg: str = "hello", **extra) -> logging.LogRecord:
    rec = logging.LogRecord("filmstudio.test", logging.INFO, __file__, 1, msg, (), None)
    for key, value in extra.items():
        setattr(rec, key, value)
    return rec


def test_a_log_line_names_the_film_shot_and_trace_it_was_logged_in():
    assert set(log_line(record())) == {"ts", "level", "service", "logger", "msg"}
    film, shot = telemetry.film_context.set("films/f1"), telemetry.shot_context.set("s3")
    try:
        with telemetry.attached(telemetry.context_from(TRACEPARENT)):
            line = log_line(record(fields={"route": "/v1/films"}))
    finally:
        telemetry.film_context.reset(film)
        telemetry.shot_context.reset(shot)
    assert line["film"] == "films/f1" and line["shot"] == "s3" and line["route"] == "/v1/films"
    assert line["trace_id"] == "0af7651916cd43dd8448eb211c80319c" and line["span_id"] == "b7ad6b7169203331"


def test_trace_context_goes_out_as_it_came_in():
    assert telemetry.trace_metadata() == () and telemetry.current_traceparent() == ""
    assert telemetry.context_from("") is None
    with telemetry.attached(telemetry.context_from(TRACEPARENT)):
        assert telemetry.trace_metadata() == (("traceparent", TRACEPARENT),)
        assert telemetry.current_traceparent() == TRACEPARENT
    assert telemetry.current_traceparent() == ""


def test_no_exporter_set_installs_nothing():
    assert telemetry.setup_tracing("test") is False
    assert not trace.get_current_span().get_span_context().is_valid


async def test_a_film_keeps_the_trace_it_was_created_in_and_the_gauges_count_it(tmp_path):
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'films.db'}")
    await db.migrate()
    try:
        with telemetry.attached(telemetry.context_from(TRACEPARENT)):
            traced = await new_film(db)
        untraced = await new_film(db)
        assert (await db.load_film(traced.id)).traceparent == TRACEPARENT
        assert (await db.load_film(untraced.id)).traceparent == ""

        await db.claim_film("w1", 30)
        await metrics.refresh_film_gauges(db)
        assert REGISTRY.get_sample_value("filmstudio_films", {"state": "queued"}) == 2
        assert REGISTRY.get_sample_value("filmstudio_films", {"state": "succeeded"}) == 0
        assert REGISTRY.get_sample_value("filmstudio_queue_depth") == 1  # one is leased
    finally:
        await db.close()


def test_film_state_labels_cover_every_state():
    counts = metrics.state_counts([(film_pb2.FILM_STATE_GENERATING, 3)])
    assert counts == {"queued": 0, "planning": 0, "generating": 3, "composing": 0, "succeeded": 0, "failed": 0,
                      "cancelled": 0}


async def test_the_gateway_logs_counts_and_times_each_request_by_route(caplog):
    # The upstream is down: the API route answers 503, and is still counted under its template.
    settings = GatewaySettings(upstream_addr=f"127.0.0.1:{free_port()}", jwt_secret=TEST_JWT_SECRET,
                               unary_timeout_s=2)
    app = create_app(settings)
    labels = {"route": "/v1/{name=films/*}", "method": "GET"}
    before = REGISTRY.get_sample_value("filmstudio_gateway_request_seconds_count", labels) or 0
    caplog.set_level(logging.INFO, logger="gateway.access")
    token = mint_token("alice", TEST_JWT_SECRET, 600)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway") as http:
        assert (await http.get("/healthz")).status_code == 200
        failed = await http.get("/v1/films/f1", headers={"Authorization": f"Bearer {token}", "traceparent": TRACEPARENT})
        assert (await http.get("/nowhere/at/all")).status_code == 404
    await app.state.gateway.close()

    assert REGISTRY.get_sample_value("filmstudio_gateway_requests_total",
                                     {**labels, "status": str(failed.status_code)}) >= 1
    assert REGISTRY.get_sample_value("filmstudio_gateway_request_seconds_count", labels) == before + 1
    assert REGISTRY.get_sample_value("filmstudio_gateway_requests_total",
                                     {"route": "/healthz", "method": "GET", "status": "200"}) >= 1
    assert REGISTRY.get_sample_value("filmstudio_gateway_requests_total",
                                     {"route": "unmatched", "method": "GET", "status": "404"}) >= 1
    lines = [log_line(r) for r in caplog.records if r.name == "gateway.access"]
    film = next(line for line in lines if line["path"] == "/v1/films/f1")
    assert film["route"] == "/v1/{name=films/*}" and film["method"] == "GET" and film["status"] == failed.status_code
    assert film["user"] == user_hash("alice") != "alice" and film["duration_ms"] >= 0
    assert film["trace_id"] == "0af7651916cd43dd8448eb211c80319c"  # the caller's trace, even with no exporter
    assert next(line for line in lines if line["path"] == "/healthz")["user"] == ""


def test_serve_metrics_serves_the_registry_and_binds_every_interface_by_default():
    import urllib.request

    from filmstudio.config import Config

    assert Config().metrics_host == "0.0.0.0"
    port = free_port()
    telemetry.serve_metrics(port, "127.0.0.1")
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as reply:
        assert b"filmstudio_queue_depth" in reply.read()


@pytest.fixture
def recorded_spans():
    """An in-memory exporter on a tracer provider installed for this test alone: afterwards the process
    has none again, as the other tests expect (OpenTelemetry's own tests reset its globals the same way)."""
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    assert not isinstance(trace.get_tracer_provider(), TracerProvider), "a provider is installed already"
    provider = TracerProvider()
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    try:
        yield exporter
    finally:
        provider.shutdown()
        trace._TRACER_PROVIDER = None
        trace._TRACER_PROVIDER_SET_ONCE = trace.Once()
        telemetry.tracer._real_tracer = None  # the proxy let go of the SDK's tracer


async def test_a_film_job_on_any_replica_continues_the_trace_it_was_created_in(tmp_path, recorded_spans):
    from filmstudio.settings import normalize
    from filmstudio.storage import LocalStore
    from orchestrator import takes
    from orchestrator.script import parse_script
    from orchestrator.workflow import FilmJob, Parts
    from tests.orchestrator.test_job import SCRIPT, FakeComposer, FakeTriton

    class TracedComposer(FakeComposer):
        metadata: tuple = ()

        def ComposeFilm(self, request, metadata=()):
            self.metadata = metadata
            return super().ComposeFilm(request)

    exporter = recorded_spans
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'films.db'}")
    await db.migrate()
    store = LocalStore(tmp_path / "store")
    parts = Parts(db=db, store=store, triton=FakeTriton(store), composer=TracedComposer())
    try:
        settings = normalize(film_pb2.FilmSettings(seed=3))
        graph = parse_script(SCRIPT, settings).scene_graph
        takes.complete_plan(settings, graph)
        with telemetry.tracer.start_as_current_span("CreateFilm") as create:  # the call, on one replica
            film = await db.create_film("alice", SCRIPT, settings, scene_graph=graph)
        assert telemetry.current_traceparent() == ""  # the worker, on another, is in no trace
        assert (await db.claim_film("w2", 60)).id == film.id
        await FilmJob(parts, film.id, "w2").run()
    finally:
        await db.close()
    spans = {span.name: span for span in exporter.get_finished_spans()}
    trace_id = create.get_span_context().trace_id
    job = spans["film.job"]
    assert job.context.trace_id == trace_id and job.parent.span_id == create.get_span_context().span_id
    for name in ("film.plan", "film.generate", "film.portraits", "shot", "shot.image", "shot.voice", "film.compose"):
        assert spans[name].context.trace_id == trace_id, name
    assert spans["shot"].attributes["shot"]
    # The composer is called with the compose span's context: its server span is that span's child.
    compose = spans["film.compose"].context
    assert dict(parts.composer.metadata)["traceparent"].startswith(
        f"00-{trace.format_trace_id(trace_id)}-{trace.format_span_id(compose.span_id)}-")


async def test_spans_go_to_the_otlp_endpoint_when_it_is_set():
    """FILMSTUDIO_OTLP_ENDPOINT in a service process: its spans reach an OTLP/gRPC collector (here a
    fake one), named after the service, by the time the process exits."""
    import asyncio
    import os
    import sys

    import grpc
    from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc

    received: list = []

    class Collector(trace_service_pb2_grpc.TraceServiceServicer):
        async def Export(self, request, context):
            received.append(request)
            return trace_service_pb2.ExportTraceServiceResponse()

    server = grpc.aio.server()
    trace_service_pb2_grpc.add_TraceServiceServicer_to_server(Collector(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        probe = ("from filmstudio import telemetry\n"
                 "from filmstudio.config import Config\n"
                 "config = Config.from_env()\n"
                 "assert telemetry.setup_tracing('probe', config.otlp_endpoint, config.trace_file)\n"
                 "with telemetry.tracer.start_as_current_span('probe.work'):\n"
                 "    pass\n")
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-c", probe, env={**os.environ, "FILMSTUDIO_OTLP_ENDPOINT": f"http://127.0.0.1:{port}"})
        assert await asyncio.wait_for(process.wait(), 30) == 0
    finally:
        await server.stop(None)
    spans = [(resource.resource, span) for request in received for resource in request.resource_spans
             for scope in resource.scope_spans for span in scope.spans]
    assert [span.name for _, span in spans] == ["probe.work"]
    attributes = {a.key: a.value.string_value for a in spans[0][0].attributes}
    assert attributes["service.name"] == "filmstudio-probe"
