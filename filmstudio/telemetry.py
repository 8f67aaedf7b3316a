"""Telemetry every service shares: JSON logs, OpenTelemetry traces across the mesh, and the Prometheus
metrics endpoint.

Logs are one JSON object a line, with the film, shot and trace ids of whatever the line was logged
inside (contextvars). Traces follow W3C trace context: `traceparent` in gRPC metadata between our
services, as an HTTP header into the gateway and to Triton. With neither FILMSTUDIO_OTLP_ENDPOINT nor
FILMSTUDIO_TRACE_FILE set no tracer provider is installed: spans are the API's non-recording ones
(nothing is collected or exported), and only the incoming trace context is passed on.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import os
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence

import grpc
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

# The film being worked on; set it with `film_context.set("films/abc")` around a film's work.
film_context: contextvars.ContextVar[str] = contextvars.ContextVar("film", default="")
# The shot being worked on, inside a film.
shot_context: contextvars.ContextVar[str] = contextvars.ContextVar("shot", default="")

TRACEPARENT = "traceparent"
_propagator = TraceContextTextMapPropagator()
tracer = trace.get_tracer("filmstudio")  # a proxy: real once setup_tracing installs a provider


# --- logs ----------------------------------------------------------------------------------------------

class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        film = getattr(record, "film", None) or film_context.get()
        if film:
            line["film"] = film
        shot = getattr(record, "shot", None) or shot_context.get()
        if shot:
            line["shot"] = shot
        span = trace.get_current_span().get_span_context()
        if span.is_valid:
            line["trace_id"] = trace.format_trace_id(span.trace_id)
            line["span_id"] = trace.format_span_id(span.span_id)
        fields = getattr(record, "fields", None)  # structured extras, e.g. the gateway's access log
        if isinstance(fields, Mapping):
            line.update(fields)
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def configure_logging(service: str, level: str = "INFO") -> None:
    """Send every logger's records to stderr as JSON lines tagged with the service name (uvicorn's
    loggers too: they keep their own handlers unless told otherwise)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True


# --- traces --------------------------------------------------------------------------------------------

class FileSpanExporter:
    """Appends each finished span as one JSON line to a file (FILMSTUDIO_TRACE_FILE): for tests and
    for looking at a trace without a collector. Every process of the mesh may share one file: each
    line is one O_APPEND write."""

    def __init__(self, path: str, service: str) -> None:
        self.path = path
        self.service = service
        self._lock = threading.Lock()

    def export(self, spans: Sequence) -> object:
        from opentelemetry.sdk.trace.export import SpanExportResult

        lines = "".join(json.dumps(span_record(span, self.service), ensure_ascii=False) + "\n" for span in spans)
        with self._lock:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, lines.encode())
            finally:
                os.close(fd)
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        pass

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True


def span_record(span, service: str) -> dict[str, object]:
    """A finished SDK span as plain JSON: names, ids, times (ns), status and attributes."""
    context = span.get_span_context()
    return {
        "service": service,
        "name": span.name,
        "kind": span.kind.name,
        "trace_id": trace.format_trace_id(context.trace_id),
        "span_id": trace.format_span_id(context.span_id),
        "parent_id": trace.format_span_id(span.parent.span_id) if span.parent else "",
        "start_ns": span.start_time,
        "end_ns": span.end_time,
        "status": span.status.status_code.name,
        "attributes": {key: value if isinstance(value, (str, int, float, bool)) else list(value)
                       for key, value in (span.attributes or {}).items()},
    }


def setup_tracing(service: str, otlp_endpoint: str = "", trace_file: str = "") -> bool:
    """Install a tracer provider for this process when an exporter is configured: OTLP over gRPC to
    `otlp_endpoint` (batched), and/or JSON lines appended to `trace_file` (written as each span ends).
    False (and nothing installed) when neither is set."""
    if not otlp_endpoint and not trace_file:
        return False
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    provider = TracerProvider(resource=Resource.create({"service.name": f"filmstudio-{service}"}))
    if otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

        insecure = not otlp_endpoint.startswith("https://")
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=otlp_endpoint, insecure=insecure)))
    if trace_file:
        provider.add_span_processor(SimpleSpanProcessor(FileSpanExporter(trace_file, service)))
    trace.set_tracer_provider(provider)
    return True


def current_traceparent() -> str:
    """The W3C traceparent of the current span, "" outside any trace."""
    carrier: dict[str, str] = {}
    _propagator.inject(carrier)
    return carrier.get(TRACEPARENT, "")


def trace_metadata() -> tuple[tuple[str, str], ...]:
    """gRPC metadata (or HTTP headers, as pairs) carrying the current trace context to a callee."""
    carrier: dict[str, str] = {}
    _propagator.inject(carrier)
    return tuple(carrier.items())


def context_from(traceparent: str) -> otel_context.Context | None:
    """The trace context a stored or received traceparent names (None when it is empty)."""
    if not traceparent:
        return None
    return _propagator.extract({TRACEPARENT: traceparent})


@contextlib.contextmanager
def attached(ctx: otel_context.Context | None) -> Iterator[None]:
    """Make `ctx` current for the block (nothing when None)."""
    if ctx is None:
        yield
        return
    token = otel_context.attach(ctx)
    try:
        yield
    finally:
        with contextlib.suppress(ValueError):  # detached in another context: harmless, already gone
            otel_context.detach(token)


def _end(span: trace.Span, exc: BaseException | None) -> None:
    if exc is not None:
        span.record_exception(exc)
        span.set_status(Status(StatusCode.ERROR, f"{type(exc).__name__}: {exc}"))
    span.end()


class TracingInterceptor(grpc.aio.ServerInterceptor):
    """A SERVER span per call (named after the method, "filmstudio.v1.FilmService/CreateFilm") in the
    caller's trace when its metadata carries a traceparent; the handler runs with it current, so the
    spans it starts and the traceparent it passes on (trace_metadata) are children of it."""

    async def intercept_service(self, continuation, handler_call_details):
        from filmstudio.server import rewrap  # the server shell imports nothing of ours back

        handler = await continuation(handler_call_details)
        if handler is None:
            return None
        name = handler_call_details.method.lstrip("/")
        metadata = dict(handler_call_details.invocation_metadata or ())
        parent = context_from(metadata.get(TRACEPARENT, ""))
        attributes = {"rpc.system": "grpc", "rpc.method": name}

        def unary(behavior):
            async def call(request, context):
                span = tracer.start_span(name, context=parent, kind=SpanKind.SERVER, attributes=attributes)
                error = None
                with attached(trace.set_span_in_context(span)):
                    try:
                        return await behavior(request, context)
                    except BaseException as exc:
                        error = exc
                        raise
                    finally:
                        _end(span, error)
            return call

        def stream(behavior):
            async def call(request, context):
                span = tracer.start_span(name, context=parent, kind=SpanKind.SERVER, attributes=attributes)
                error = None
                with attached(trace.set_span_in_context(span)):
                    try:
                        async for item in behavior(request, context):
                            yield item
                    except BaseException as exc:
                        error = exc
                        raise
                    finally:
                        _end(span, error)
            return call

        return rewrap(handler, unary, stream)


# --- metrics -------------------------------------------------------------------------------------------

def serve_metrics(port: int, host: str = "0.0.0.0") -> None:
    """Prometheus's text format of this process's default registry on host:port (a daemon thread);
    nothing when port is 0. 0.0.0.0 by default, so Prometheus in a cluster can scrape the pod."""
    if port:
        from prometheus_client import start_http_server

        start_http_server(port, addr=host)
