"""Films composed for real and read back with PyAV."""

import asyncio
import zlib

import av
import numpy as np
import pytest
from PIL import Image

from composer import compose_film
from composer.compose import FETCH_CONCURRENCY
from composer.audio import TARGET_LUFS
from composer.loudness import integrated_loudness
from composer.motion import ShotCamera, _PlaneScaler, decode_still
from filmstudio.errors import FailedPrecondition, InvalidArgument
from filmstudio.v1 import composer_pb2, script_pb2
from tests.composer.media import cut, read_film, seconds, soundtrack, still_png, voice_wav


async def small_film(store, width=640, height=360, fps=24, burn=True, music=True):
    stills = [await store.put(f"assets/{i}.png", still_png(800, 600, seed=i)) for i in range(3)]
    voice = await store.put("assets/line.wav", voice_wav(1.2))
    stereo_voice = await store.put("assets/line2.wav", voice_wav(0.8, rate=44_100, channels=2, seed=1))
    cuts = [
        cut("s1", stills[0], 1.5, script_pb2.CAMERA_MOVE_PUSH_IN, script_pb2.TRANSITION_FADE_FROM_BLACK,
            audio=[composer_pb2.AudioCue(uri=voice, offset=seconds(0.2))],
            subtitles=[composer_pb2.SubtitleCue(text="Where were you?", speaker="MAYA", offset=seconds(0.2),
                                                duration=seconds(1.2))]),
        cut("s2", stills[1], 1.3, script_pb2.CAMERA_MOVE_PAN_LEFT, script_pb2.TRANSITION_CROSSFADE,
            audio=[composer_pb2.AudioCue(uri=stereo_voice)],
            subtitles=[composer_pb2.SubtitleCue(text="Out.", offset=seconds(0.0), duration=seconds(0.8))]),
        cut("s3", stills[2], 1.22, script_pb2.CAMERA_MOVE_TILT_UP, script_pb2.TRANSITION_DIP_TO_WHITE),
    ]
    request = composer_pb2.ComposeFilmRequest(
        cuts=cuts, output_prefix=store.uri("films/f1") + "/", title="Small film",
        format=composer_pb2.OutputFormat(width=width, height=height, fps=fps, burn_subtitles=burn, music=music,
                                         seed=4))
    progress = []
    result = await compose_film(request, store, lambda done, total: progress.append((done, total)))
    return result, progress


async def test_the_film_is_h264_high_aac_and_mov_text_frame_exact(store):
    result, progress = await small_film(store)
    film = read_film(store.local_path(result.video_uri))
    expected_frames = round(4.02 * 24)
    assert film["streams"] == ["audio", "subtitle", "video"]
    assert (film["codec"], film["profile"], film["pix_fmt"]) == ("h264", "High", "yuv420p")
    assert film["fps"] == 24 and (film["width"], film["height"]) == (640, 360)
    assert film["frames"] == result.frame_count == expected_frames
    assert result.duration.ToNanoseconds() == expected_frames * 10**9 // 24
    assert (film["audio_rate"], film["audio_channels"]) == (48_000, 2)
    assert film["moov_first"]
    assert film["title"] == "Small film"
    assert [text for _, _, text in film["cues"]] == ["Where were you?", "Out."]
    assert film["cues"][0][:2] == pytest.approx((0.2, 1.4), abs=0.002)
    assert progress[-1] == (expected_frames, expected_frames) and len(progress) > 3
    assert [d for d, _ in progress] == sorted(d for d, _ in progress)


async def test_sidecars_poster_and_storyboard_are_published(store):
    result, _ = await small_film(store)
    vtt = (await store.get(result.subtitles_vtt_uri)).decode()
    srt = (await store.get(result.subtitles_srt_uri)).decode()
    assert vtt.startswith("WEBVTT") and "00:00:00.200 --> 00:00:01.400\n<v MAYA>Where were you?" in vtt
    assert "1\n00:00:00,200 --> 00:00:01,400\nWhere were you?" in srt
    assert result.poster_uri.endswith("films/f1/poster.jpg")
    assert Image.open(store.local_path(result.poster_uri)).format == "JPEG"
    assert Image.open(store.local_path(result.storyboard_uri)).format == "PNG"
    leftovers = [p.name for p in store.local_path("films/f1").iterdir() if p.name.startswith(".")]
    assert leftovers == []


async def test_the_soundtrack_is_mastered_to_minus_16_lufs(store):
    result, _ = await small_film(store)
    mix = soundtrack(store.local_path(result.video_uri))
    assert abs(integrated_loudness(mix, 48_000) - TARGET_LUFS) <= 1.0
    assert mix.shape[1] == pytest.approx(result.frame_count / 24 * 48_000, abs=2048)


@pytest.mark.parametrize("width, height, fps", [(720, 1280, 25), (720, 720, 30)])
async def test_vertical_and_square_formats(store, width, height, fps):
    result, _ = await small_film(store, width, height, fps, burn=False, music=False)
    film = read_film(store.local_path(result.video_uri))
    assert (film["width"], film["height"], film["fps"]) == (width, height, fps)
    assert film["frames"] == result.frame_count == (2 * 4020 * fps + 1000) // 2000  # 4.02 s, halves up


def disc_area(luma: np.ndarray) -> int:
    return int((luma > 128).sum())


async def test_mid_push_in_frame_is_larger_scaled_than_the_first(store):
    still = await store.put("assets/disc.png", still_png(1000, 1000, disc=True))
    request = composer_pb2.ComposeFilmRequest(
        cuts=[cut("push", still, 2.0, script_pb2.CAMERA_MOVE_PUSH_IN)], output_prefix=store.uri("films/push"),
        format=composer_pb2.OutputFormat(width=640, height=360, fps=24))
    result = await compose_film(request, store, lambda *_: None)
    with av.open(str(store.local_path(result.video_uri))) as c:
        lumas = [f.to_ndarray(format="gray") for f in c.decode(video=0)]
    first, middle, last = disc_area(lumas[0]), disc_area(lumas[len(lumas) // 2]), disc_area(lumas[-1])
    assert first < middle < last
    # Area grows with the square of the zoom: halfway through the eased move is about 1.075x.
    assert middle / first == pytest.approx(1.075 ** 2, rel=0.03)
    assert last / first == pytest.approx(1.15 ** 2, rel=0.03)


def test_any_aspect_still_covers_the_frame_without_an_edge():
    tall = decode_still(still_png(300, 900, seed=2))
    for move in script_pb2.CameraMove.values():
        camera = ShotCamera(tall, 640, 360, move, 10)
        for i in (0, 5, 9):
            left, top, right, bottom = camera.window(i)
            assert left >= 0 and top >= 0 and right <= camera.pw + 1e-6 and bottom <= camera.ph + 1e-6
            assert camera.frame(i).size == (640, 360)


def test_pans_move_sub_pixel_amounts_smoothly():
    camera = ShotCamera(decode_still(still_png(640, 360)), 640, 360, script_pb2.CAMERA_MOVE_PAN_RIGHT, 48)
    xs = [camera.window(i)[0] for i in range(48)]
    steps = np.diff(xs)
    assert np.all(steps > 0)  # always moving the same way
    assert np.abs(np.diff(steps)).max() < 0.2  # eased: the speed changes by a fraction of a pixel a frame
    assert any(abs(x - round(x)) > 0.1 for x in xs)  # positions between pixels are used


async def test_missing_and_corrupt_assets_fail_naming_the_shot(store):
    good = await store.put("assets/ok.png", still_png(320, 180))
    bad_image = await store.put("assets/bad.png", b"\x89PNG\r\n\x1a\nnot really")
    bad_audio = await store.put("assets/bad.wav", b"RIFF....WAVEfmt garbage")
    fmt = composer_pb2.OutputFormat(width=320, height=180, fps=24)
    cases = [
        (cut("gone", store.uri("assets/none.png"), 1), FailedPrecondition, "shot 'gone': image .* does not exist"),
        (cut("broken", bad_image, 1), FailedPrecondition, "shot 'broken': image .* not a readable image"),
        (cut("mute", good, 1, audio=[composer_pb2.AudioCue(uri=bad_audio)]), FailedPrecondition,
         "shot 'mute': audio .* not readable audio"),
        (cut("far", "s3://elsewhere/x.png", 1), InvalidArgument, "shot 'far'"),
    ]
    for bad_cut, error, message in cases:
        request = composer_pb2.ComposeFilmRequest(cuts=[bad_cut], format=fmt, output_prefix=store.uri("films/x"))
        with pytest.raises(error, match=message):
            await compose_film(request, store, lambda *_: None)
    assert not store.local_path("films/x").exists()


def with_scrambled_pixels(png: bytes) -> bytes:
    """The PNG with its compressed pixels replaced by noise, every chunk's CRC still right: only
    decoding the pixels can tell."""
    out, at = bytearray(png[:8]), 8
    while at < len(png):
        length = int.from_bytes(png[at:at + 4], "big")
        kind, data = png[at + 4:at + 8], png[at + 8:at + 8 + length]
        if kind == b"IDAT":
            data = bytes(np.random.default_rng(0).integers(0, 256, length, dtype=np.uint8))
        out += length.to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")
        at += 12 + length
    return bytes(out)


async def test_stills_and_voices_are_read_a_few_at_a_time(store, monkeypatch):
    """Object-store round trips overlap (bounded), and the film still gets every asset in its place."""
    stills = [await store.put(f"assets/p{i}.png", still_png(160, 90, seed=i)) for i in range(6)]
    voice = await store.put("assets/v.wav", voice_wav(0.3))
    cuts = [cut(f"s{i}", uri, 0.5, audio=[composer_pb2.AudioCue(uri=voice)] * 2) for i, uri in enumerate(stills)]
    in_flight, most = 0, 0
    real_get = store.get

    async def slow_get(uri):
        nonlocal in_flight, most
        in_flight += 1
        most = max(most, in_flight)
        await asyncio.sleep(0.02)
        in_flight -= 1
        return await real_get(uri)

    monkeypatch.setattr(store, "get", slow_get)
    request = composer_pb2.ComposeFilmRequest(cuts=cuts, output_prefix=store.uri("films/many"),
                                              format=composer_pb2.OutputFormat(width=160, height=90, fps=24))
    result = await compose_film(request, store, lambda *_: None)
    assert 1 < most <= FETCH_CONCURRENCY
    assert result.frame_count == 6 * 12
    speech = np.abs(soundtrack(store.local_path(result.video_uri))).max(axis=0)
    assert speech[:int(0.25 * 48_000)].max() > 0.05  # the first shot's voice is there


async def test_one_missing_asset_among_many_fails_naming_its_shot_and_publishes_nothing(store):
    stills = [await store.put(f"assets/m{i}.png", still_png(160, 90, seed=i)) for i in range(9)]
    stills[4] = store.uri("assets/lost.png")
    cuts = [cut(f"m{i}", uri, 0.5) for i, uri in enumerate(stills)]
    request = composer_pb2.ComposeFilmRequest(cuts=cuts, output_prefix=store.uri("films/lost"),
                                              format=composer_pb2.OutputFormat(width=160, height=90, fps=24))
    with pytest.raises(FailedPrecondition, match="shot 'm4': image .*lost.png does not exist"):
        await compose_film(request, store, lambda *_: None)
    assert not store.local_path("films/lost").exists()


async def test_a_still_whose_pixels_do_not_decode_fails_naming_the_shot(store):
    good = await store.put("assets/ok.png", still_png(320, 180))
    scrambled = await store.put("assets/noise.png", with_scrambled_pixels(still_png(320, 180, seed=1)))
    fmt = composer_pb2.OutputFormat(width=320, height=180, fps=24)
    request = composer_pb2.ComposeFilmRequest(cuts=[cut("fine", good, 1), cut("noise", scrambled, 1)], format=fmt,
                                              output_prefix=store.uri("films/n"))
    with pytest.raises(FailedPrecondition, match="shot 'noise': image .* not a readable image"):
        await compose_film(request, store, lambda *_: None)
    assert not store.local_path("films/n").exists()


async def test_cancelling_stops_the_encoder_and_publishes_nothing(store):
    still = await store.put("assets/a.png", still_png(1280, 720))
    request = composer_pb2.ComposeFilmRequest(
        cuts=[cut("long", still, 60.0, script_pb2.CAMERA_MOVE_PUSH_IN)], output_prefix=store.uri("films/c"),
        format=composer_pb2.OutputFormat(width=1280, height=720, fps=24))
    started = asyncio.Event()
    seen = []

    def on_progress(done, total):
        seen.append(done)
        if done > 0:
            started.set()

    task = asyncio.create_task(compose_film(request, store, on_progress))
    await asyncio.wait_for(started.wait(), 60)
    task.cancel()
    loop = asyncio.get_running_loop()
    began = loop.time()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert loop.time() - began < 2.0  # behaviour bound (stops within a frame or two), not a benchmark
    assert max(seen) < 60 * 24
    assert not store.local_path("films/c").exists()


def sine_plane(width: int, height: int, period: float, vertical: bool) -> np.ndarray:
    """Stripes whose brightness is a sine of x (or of y): a sampled row reveals where it sampled."""
    along = np.arange(height if vertical else width)
    wave = np.round(128 + 100 * np.sin(2 * np.pi * along / period)).astype(np.uint8)
    return np.repeat(wave[:, None], width, 1) if vertical else np.repeat(wave[None, :], height, 0)


def sampling_error(samples: np.ndarray, start: float, step: float, period: float) -> float:
    """How far (px) samples of a sine of the given period sit from start, start + step, ...:
    the phase of the samples demodulated at the positions they should have."""
    k = np.arange(8, len(samples) - 8)
    expected = 2 * np.pi * (start + step * k) / period
    z = ((samples[k] - samples[k].mean()) * np.exp(-1j * expected)).sum()
    return float(np.angle(z * 1j)) * period / (2 * np.pi)


def test_sampling_error_measures_a_known_shift():
    row = 128 + 100 * np.sin(2 * np.pi * (3.0 + 1.1 * np.arange(300) + 0.2) / 16)
    assert sampling_error(row, 3.0, 1.1, 16) == pytest.approx(0.2, abs=0.005)


@pytest.mark.parametrize("move", [script_pb2.CAMERA_MOVE_PUSH_IN, script_pb2.CAMERA_MOVE_PULL_OUT,
                                  script_pb2.CAMERA_MOVE_PAN_RIGHT, script_pb2.CAMERA_MOVE_TILT_DOWN])
def test_frames_sample_the_exact_sub_pixel_window(move):
    """Every frame is one swscale resample whose sub-pixel phase comes from where the scaled grid
    starts: its pixels sit within 0.05 px of the window's, in x and in y, zooming or not."""
    camera = ShotCamera(decode_still(still_png(800, 450, seed=3)), 640, 360, move, 30)
    steady = move in (script_pb2.CAMERA_MOVE_PAN_RIGHT, script_pb2.CAMERA_MOVE_TILT_DOWN)
    period = 16.0
    boxes = np.array([camera.window(i) for i in range(30)])
    across = _PlaneScaler(sine_plane(camera.pw, camera.ph, period, vertical=False), boxes, 640, 360, steady)
    down = _PlaneScaler(sine_plane(camera.pw, camera.ph, period, vertical=True), boxes, 640, 360, steady)
    for i in (0, 5, 13, 21, 29):
        x0, y0, x1, y1 = boxes[i]
        row = np.asarray(across.window(i), dtype=np.float64)[180]
        column = np.asarray(down.window(i), dtype=np.float64)[:, 320]
        assert abs(sampling_error(row, x0, (x1 - x0) / 640, period)) < 0.05, (i, "x")
        assert abs(sampling_error(column, y0, (y1 - y0) / 360, period)) < 0.05, (i, "y")


async def test_burned_captions_show_in_the_bottom_safe_area_only_while_their_cue_runs(store):
    burned, _ = await small_film(store, burn=True, music=False)
    burned_frames = [f.to_ndarray(format="gray").astype(np.int16)
                     for f in av.open(str(store.local_path(burned.video_uri))).decode(video=0)]
    plain, _ = await small_film(store, burn=False, music=False)
    plain_frames = [f.to_ndarray(format="gray").astype(np.int16)
                    for f in av.open(str(store.local_path(plain.video_uri))).decode(video=0)]
    during, after = round(0.8 * 24), round(3.5 * 24)  # inside "Where were you?"; past every cue
    changed = np.abs(burned_frames[during] - plain_frames[during]) > 40
    rows = np.flatnonzero(changed.any(axis=1))
    assert changed.sum() > 500  # the words are there...
    assert rows.min() > 360 // 2 and rows.max() < 360 - 360 * 0.05  # ...low in the frame, inside the safe area
    assert (np.abs(burned_frames[after] - plain_frames[after]) > 40).sum() < 20
