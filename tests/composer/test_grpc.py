"""ComposerService over a real in-process gRPC server on a free port, backed by a LocalStore."""

import asyncio

import grpc
import pytest

from composer.server import registrar
from filmstudio.server import start
from filmstudio.v1 import composer_pb2, composer_pb2_grpc, script_pb2
from tests.composer.media import cut, still_png, voice_wav
from tests.conftest import free_port


@pytest.fixture
async def composer(store):
    addr = f"127.0.0.1:{free_port()}"
    server, _ = await start(registrar(store), addr, "composer")
    async with grpc.aio.insecure_channel(addr) as channel:
        yield composer_pb2_grpc.ComposerServiceStub(channel)
    await server.stop(grace=None)


async def test_compose_film_streams_progress_then_the_result(composer, store):
    still = await store.put("assets/a.png", still_png(640, 360))
    voice = await store.put("assets/v.wav", voice_wav(0.6))
    request = composer_pb2.ComposeFilmRequest(
        cuts=[cut("s1", still, 1.0, script_pb2.CAMERA_MOVE_PUSH_IN, audio=[composer_pb2.AudioCue(uri=voice)]),
              cut("s2", still, 1.0, script_pb2.CAMERA_MOVE_PAN_RIGHT, script_pb2.TRANSITION_CROSSFADE)],
        format=composer_pb2.OutputFormat(width=320, height=180, fps=24, music=True),
        output_prefix=store.uri("films/g1") + "/")
    replies = [reply async for reply in composer.ComposeFilm(request)]
    kinds = [r.WhichOneof("kind") for r in replies]
    assert kinds[-1] == "result" and set(kinds[:-1]) == {"progress"} and len(kinds) > 2
    done = [r.progress.frames_done for r in replies[:-1]]
    assert done == sorted(done) and done[-1] == 48 and replies[0].progress.frames_total == 48
    result = replies[-1].result
    assert result.frame_count == 48 and result.video_uri == store.uri("films/g1/film.mp4")
    assert store.local_path(result.video_uri).stat().st_size > 0


@pytest.mark.parametrize("mutate, code, words", [
    (lambda r: r.cuts[0].duration.Clear(), grpc.StatusCode.INVALID_ARGUMENT, "shot 's1': duration"),
    (lambda r: setattr(r.format, "width", 3840), grpc.StatusCode.INVALID_ARGUMENT, "over 1080p"),
    (lambda r: setattr(r.format, "fps", 60), grpc.StatusCode.INVALID_ARGUMENT, "fps"),
    (lambda r: setattr(r.cuts[0], "image_uri", "missing.png"), grpc.StatusCode.FAILED_PRECONDITION,
     "shot 's1': image"),
])
async def test_bad_input_gets_the_right_status_naming_the_problem(composer, store, mutate, code, words):
    still = await store.put("assets/a.png", still_png(320, 180))
    request = composer_pb2.ComposeFilmRequest(
        cuts=[cut("s1", still, 1.0)], format=composer_pb2.OutputFormat(width=320, height=180, fps=24),
        output_prefix=store.uri("films/bad"))
    mutate(request)
    with pytest.raises(grpc.aio.AioRpcError) as err:
        [reply async for reply in composer.ComposeFilm(request)]
    assert err.value.code() == code
    assert words in err.value.details()


async def test_films_beyond_the_encode_limit_wait_their_turn(store):
    addr = f"127.0.0.1:{free_port()}"
    server, _ = await start(registrar(store, max_encodes=1), addr, "composer")
    still = await store.put("assets/a.png", still_png(320, 180))
    arrivals: list[tuple[str, str, int]] = []

    async def compose(film: str, stub) -> None:
        request = composer_pb2.ComposeFilmRequest(
            cuts=[cut("s1", still, 1.0, script_pb2.CAMERA_MOVE_PUSH_IN)],
            format=composer_pb2.OutputFormat(width=320, height=180, fps=24),
            output_prefix=store.uri(f"films/{film}") + "/")
        async for reply in stub.ComposeFilm(request):
            kind = reply.WhichOneof("kind")
            arrivals.append((film, kind, reply.progress.frames_done if kind == "progress" else -1))

    try:
        async with grpc.aio.insecure_channel(addr) as channel:
            stub = composer_pb2_grpc.ComposerServiceStub(channel)
            await asyncio.gather(compose("a", stub), compose("b", stub))
    finally:
        await server.stop(grace=None)
    encoding = [film for film, kind, done in arrivals if kind == "result" or done > 0]
    first = encoding[0]
    # One film encodes from its first frame to its result before the other encodes a frame.
    assert encoding == [first] * encoding.count(first) + [f for f in encoding if f != first]
    assert {f for f, kind, _ in arrivals if kind == "result"} == {"a", "b"}


async def test_a_caller_that_hangs_up_leaves_no_task_pending(store, monkeypatch):
    # Hanging up mid-film left the progress getter pending: "Task was destroyed but it is pending".
    from composer import server as composer_server

    async def slow_film(request, store, on_progress):
        for frame in range(1, 1000):
            on_progress(frame, 1000)
            await asyncio.sleep(0.2)

    monkeypatch.setattr(composer_server, "compose_film", slow_film)
    servicer = composer_server.ComposerServicer(store, max_encodes=1)
    first = asyncio.Event()

    async def caller():  # grpc.aio runs a handler like this, and cancels it when the caller hangs up
        async for _ in servicer.ComposeFilm(composer_pb2.ComposeFilmRequest(), context=None):
            first.set()

    call = asyncio.ensure_future(caller())
    await first.wait()
    await asyncio.sleep(0.05)  # the handler now waits for the next progress report
    call.cancel()
    await asyncio.gather(call, return_exceptions=True)
    await asyncio.sleep(0)
    left = [t for t in asyncio.all_tasks() if t is not asyncio.current_task() and not t.done()]
    assert left == []
