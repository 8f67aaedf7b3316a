"""The MP4: H.264 High yuv420p at constant frame rate, AAC 48 kHz stereo, a mov_text subtitle track,
moov atom first (+faststart). Frames go to the encoder one at a time; audio and subtitles are muxed in
step with the video so the interleaving buffer stays small whatever the film's length. The AAC encoder
runs in a thread of its own (FFmpeg releases the GIL): the thread that feeds x264 only muxes its packets."""

from __future__ import annotations

import collections
import fractions
import os
import pathlib
import sys
import threading
from concurrent.futures import Future

import av
import numpy as np
from av.subtitles.subtitle import SubtitleSet

from composer.audio import RATE
from composer.motion import Planes, plane_rows
from composer.subtitles import ASS_HEADER, ass_event
from composer.timeline import Cue

# One place for the encoder settings: the film and the benchmark's floor both use these.
X264_OPTIONS = {"preset": "veryfast", "crf": "20"}
AUDIO_BITRATE = 160_000
AAC_FRAME = 1024
BT709 = 1  # AVCOL_PRI/TRC/SPC_BT709
TV_RANGE = 1  # AVCOL_RANGE_MPEG


BESIDE_ENCODER_NICE = 10  # see beside_the_encoder


def beside_the_encoder() -> None:
    """Lower the calling thread's CPU priority (on Linux nice is per thread). x264's frame threads
    wait on one another and leave gaps; the threads that work beside them (rendering, mastering, AAC)
    then fill those gaps instead of taking turns with x264 on the critical path. On 2 cores this took
    ~0.3 s off a 10 s film (bench/compose.py)."""
    if sys.platform != "linux":  # elsewhere PRIO_PROCESS takes a process id, not a thread's
        return
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BESIDE_ENCODER_NICE)
    except OSError:  # not permitted: run at normal priority
        pass


def add_video_stream(container: av.container.OutputContainer, width: int, height: int, fps: int):
    """The H.264 stream exactly as films are encoded (the benchmark's floor reuses it)."""
    stream = container.add_stream("libx264", rate=fps)
    stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
    stream.time_base = fractions.Fraction(1, fps)
    ctx = stream.codec_context
    ctx.profile = "High"
    ctx.gop_size = 2 * fps
    ctx.thread_type = "AUTO"  # frame threads: several times faster than unthreaded
    ctx.color_primaries, ctx.color_trc, ctx.colorspace, ctx.color_range = BT709, BT709, BT709, TV_RANGE
    stream.options = dict(X264_OPTIONS)
    return stream


def planes_to_frame(planes: Planes) -> av.VideoFrame:
    """A yuv420p VideoFrame holding a copy of the planes."""
    width, height = planes.size
    frame = av.VideoFrame(width, height, "yuv420p")
    for plane, pixels in zip(frame.planes, (planes.y, planes.u, planes.v)):
        plane_rows(plane)[:pixels.shape[0], :pixels.shape[1]] = pixels
    frame.colorspace, frame.color_range = BT709, TV_RANGE
    return frame


class FilmWriter:
    """Writes one film. Call `write(frame)` once per frame in order, then `close()` (or `abandon()`),
    all from one thread."""

    def __init__(self, path: pathlib.Path, width: int, height: int, fps: int,
                 soundtrack: "np.ndarray | Future[np.ndarray]", cues: list[Cue] | tuple[Cue, ...],
                 title: str = "") -> None:
        self.fps = fps
        self.container = av.open(str(path), "w", format="mp4", options={"movflags": "+faststart"})
        if title:
            self.container.metadata["title"] = title
        self.video = add_video_stream(self.container, width, height, fps)
        self.audio = self.container.add_stream("aac", rate=RATE)
        self.audio.layout = "stereo"
        self.audio.bit_rate = AUDIO_BITRATE
        self.audio.options = {"aac_coder": "fast"}  # ~0.7x the CPU of the default two-loop search
        self.subtitles = None
        self.cues = list(cues)
        if self.cues:
            self.subtitles = self.container.add_stream("mov_text")
            self.subtitles.codec_context.subtitle_header = ASS_HEADER
            self.subtitles.time_base = fractions.Fraction(1, 1000)
        self.container.start_encoding()  # opens every encoder here, before the AAC thread uses its own
        self.frames = 0
        self._cue_at = 0
        # The soundtrack may still be mastering when the first frames arrive: video goes ahead and the
        # audio packets are muxed as they come (the muxer interleaves them by timestamp).
        self._audio_packets: collections.deque[av.Packet] = collections.deque()
        self._audio_error: BaseException | None = None
        self._stop = threading.Event()
        self._aac = threading.Thread(target=self._encode_audio, args=(soundtrack,), name="composer-aac",
                                     daemon=True)
        self._aac.start()

    def write(self, frame: av.VideoFrame) -> None:
        """Encode the next frame (yuv420p, width x height), then mux the sound and subtitles that go
        with it."""
        frame.pts = self.frames
        self._subtitles_until((self.frames + 1) / self.fps)
        self.container.mux(self.video.encode(frame))
        self.frames += 1
        self._audio_until(self.frames / self.fps)

    def _encode_audio(self, soundtrack: "np.ndarray | Future[np.ndarray]") -> None:
        """The AAC thread: the whole soundtrack to packets, in order, onto self._audio_packets."""
        beside_the_encoder()
        try:
            track = soundtrack
            while isinstance(track, Future):  # waiting on the mastering thread, but ready to stop
                if self._stop.is_set():
                    return
                try:
                    track = track.result(timeout=0.05)
                except TimeoutError:
                    pass
            for at in range(0, track.shape[1], AAC_FRAME):
                if self._stop.is_set():
                    return
                chunk = np.ascontiguousarray(track[:, at:at + AAC_FRAME], dtype=np.float32)
                frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
                frame.sample_rate, frame.pts = RATE, at
                self._audio_packets.extend(self.audio.encode(frame))
            self._audio_packets.extend(self.audio.encode(None))
        except BaseException as exc:  # raised on the writer's thread, by close()
            self._audio_error = exc

    def _audio_until(self, seconds: float) -> None:
        """Mux the AAC packets encoded so far that start before `seconds`."""
        packets = self._audio_packets
        while packets and packets[0].pts * packets[0].time_base < seconds:
            self.container.mux(packets.popleft())

    def _subtitles_until(self, seconds: float) -> None:
        while self.subtitles is not None and self._cue_at < len(self.cues) \
                and self.cues[self._cue_at].start_s < seconds:
            cue = self.cues[self._cue_at]
            start, length = round(cue.start_s * 1000), round((cue.end_s - cue.start_s) * 1000)
            event = SubtitleSet.create(ass_event(cue, self._cue_at), 0, length, pts=start)
            packet = self.subtitles.codec_context.encode_subtitle(event)
            packet.stream = self.subtitles
            packet.time_base = fractions.Fraction(1, 1000)
            packet.pts = packet.dts = start
            packet.duration = length
            self.container.mux(packet)
            self._cue_at += 1

    def close(self) -> None:
        """Flush the encoders and finish the file (the moov atom moves to the front here)."""
        self._subtitles_until(float("inf"))
        self.container.mux(self.video.encode(None))
        self._aac.join()
        if self._audio_error is not None:
            raise self._audio_error
        self._audio_until(float("inf"))
        self.container.close()

    def abandon(self) -> None:
        """Stop without finishing (cancellation); the caller deletes the file."""
        self._stop.set()
        self._aac.join()
        try:
            self.container.close()
        except Exception:  # a half-written file is thrown away anyway
            pass
