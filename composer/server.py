"""ComposerService over gRPC: a thin shell around compose_film that streams progress, then the result."""

from __future__ import annotations

import asyncio
import os
import time

import grpc
from prometheus_client import Counter, Gauge, Histogram

from composer.compose import compose_film
from filmstudio import telemetry
from filmstudio.storage import ObjectStore
from filmstudio.v1 import composer_pb2, composer_pb2_grpc


COMPOSE_SECONDS = Histogram("filmstudio_composer_compose_seconds", "Time to cut and encode one film (after its turn came)",
                            buckets=(0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600))
WAIT_SECONDS = Histogram("filmstudio_composer_wait_seconds", "Time a film waited for an encode slot",
                         buckets=(0.01, 0.1, 0.5, 1, 5, 10, 30, 60, 300))
FRAMES = Counter("filmstudio_composer_frames_total", "Video frames encoded (rate() is the encode fps)")
ENCODE_FPS = Gauge("filmstudio_composer_encode_fps", "Frames per second of the last film encoded")
ENCODING = Gauge("filmstudio_composer_encoding", "Films encoding now")


def default_encodes() -> int:
    """x264 already spreads one film over about two cores: more films at once than that only thrash."""
    return max(1, (os.cpu_count() or 2) // 2)


class ComposerServicer(composer_pb2_grpc.ComposerServiceServicer):
    """Streams ComposeProgress while the film encodes and ends with its ComposeResult. Domain errors
    reach the caller through filmstudio.server's one error mapping. At most `max_encodes` films encode
    at once; later requests wait their turn (and can be cancelled while they wait)."""

    def __init__(self, store: ObjectStore, max_encodes: int = 0) -> None:
        self.store = store
        self.slots = asyncio.Semaphore(max_encodes or default_encodes())

    async def ComposeFilm(self, request: composer_pb2.ComposeFilmRequest, context: grpc.aio.ServicerContext):
        updates: asyncio.Queue[tuple[int, int]] = asyncio.Queue()

        def on_progress(done: int, total: int) -> None:
            updates.put_nowait((done, total))

        async def compose_in_turn() -> composer_pb2.ComposeResult:
            waited = time.perf_counter()
            async with self.slots:
                WAIT_SECONDS.observe(time.perf_counter() - waited)
                started = time.perf_counter()
                with telemetry.tracer.start_as_current_span(
                        "compose", attributes={"compose.title": request.title, "compose.cuts": len(request.cuts),
                                               "compose.output_prefix": request.output_prefix}) as span, \
                        ENCODING.track_inprogress():
                    result = await compose_film(request, self.store, on_progress)
                    span.set_attribute("compose.frames", result.frame_count)
                seconds = time.perf_counter() - started
                COMPOSE_SECONDS.observe(seconds)
                FRAMES.inc(result.frame_count)
                if seconds > 0:
                    ENCODE_FPS.set(result.frame_count / seconds)
                return result

        work = asyncio.ensure_future(compose_in_turn())
        getter: asyncio.Future | None = None
        try:
            while not (work.done() and updates.empty()):
                getter = asyncio.ensure_future(updates.get())
                await asyncio.wait({work, getter}, return_when=asyncio.FIRST_COMPLETED)
                if not getter.done():
                    getter.cancel()
                    continue
                done, total = getter.result()
                while not updates.empty():  # a slow reader gets the latest count, not a backlog
                    done, total = updates.get_nowait()
                yield composer_pb2.ComposeFilmResponse(
                    progress=composer_pb2.ComposeProgress(frames_done=done, frames_total=total))
            yield composer_pb2.ComposeFilmResponse(result=work.result())
        finally:
            # The caller went away (or the stream ended): nothing we started stays pending, or asyncio
            # reports "Task was destroyed but it is pending" when it is collected.
            if getter is not None and not getter.done():
                getter.cancel()
            if not work.done():  # stop encoding
                work.cancel()
            await asyncio.gather(work, *([getter] if getter is not None else []), return_exceptions=True)


def registrar(store: ObjectStore, max_encodes: int = 0):
    """A filmstudio.server Register that adds ComposerService backed by `store`."""

    async def register(server: grpc.aio.Server) -> list[str]:
        composer_pb2_grpc.add_ComposerServiceServicer_to_server(ComposerServicer(store, max_encodes), server)
        return [composer_pb2.DESCRIPTOR.services_by_name["ComposerService"].full_name]

    return register
