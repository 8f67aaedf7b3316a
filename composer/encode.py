"""The MP4: H.264 High yuv420p at constant frame rate, AAC 48 kHz stereo, a mov_text subtitle track,
moov atom first (+faststart). Frames go to the encoder one at a time; audio and subtitles are muxed in
step with the video so the interleaving buffer stays small whatever the film's length."""

from __future__ import annotations

import fractions
import pathlib
from concurrent.futures import Future

import av
import numpy as np
from av.subtitles.subtitle import SubtitleSet

from composer.audio import RATE
from composer.motion import Planes
from composer.subtitles import ASS_HEADER, Caption, ass_event
from composer.timeline import Cue

# One place for the encoder settings: the film and the benchmark's floor both use these.
X264_OPTIONS = {"preset": "veryfast", "crf": "20"}
AUDIO_BITRATE = 160_000
AAC_FRAME = 1024
BT709 = 1  # AVCOL_PRI/TRC/SPC_BT709
TV_RANGE = 1  # AVCOL_RANGE_MPEG


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
    width, height = planes.y.size
    frame = av.VideoFrame(width, height, "yuv420p")
    for plane, image in zip(frame.planes, (planes.y, planes.u, planes.v)):
        if plane.line_size == image.width:
            plane.update(image.tobytes())
        else:  # rows padded for alignment
            rows = np.frombuffer(plane, dtype=np.uint8).reshape(-1, plane.line_size)
            rows[:image.height, :image.width] = np.asarray(image)
    frame.colorspace, frame.color_range = BT709, TV_RANGE
    return frame


class FilmWriter:
    """Writes one film. Call `write(planes)` once per frame in order, then `close()`."""

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
        self.audio.options = {"aac_coder": "fast"}  # half the CPU of the default two-loop search at 160 kb/s
        self.subtitles = None
        self.cues = list(cues)
        if self.cues:
            self.subtitles = self.container.add_stream("mov_text")
            self.subtitles.codec_context.subtitle_header = ASS_HEADER
            self.subtitles.time_base = fractions.Fraction(1, 1000)
        # The soundtrack may still be mastering when the first frames arrive: video goes ahead and the
        # audio catches up once it is ready (the muxer interleaves them by timestamp).
        self._pending = soundtrack if isinstance(soundtrack, Future) else None
        self.soundtrack = None if self._pending else soundtrack
        self.samples_per_frame = RATE // fps  # 2000, 1920 or 1600: exact for our frame rates
        self.frames = 0
        self._audio_at = 0
        self._cue_at = 0

    def write(self, planes: Planes, caption: Caption | None = None) -> None:
        """Encode the next frame (with its burned-in caption, if any), then the sound and subtitles
        that go with it."""
        frame = planes_to_frame(planes)
        if caption is not None:
            caption.burn(frame, planes)
        frame.pts = self.frames
        self._subtitles_until((self.frames + 1) / self.fps)
        self.container.mux(self.video.encode(frame))
        self.frames += 1
        self._audio_until(self.frames * self.samples_per_frame)

    def _audio_until(self, sample: int, final: bool = False) -> None:
        if self.soundtrack is None:
            if not (final or self._pending.done()):
                return
            self.soundtrack = self._pending.result()
        end = min(sample, self.soundtrack.shape[1])
        while self._audio_at < end and (final or self._audio_at + AAC_FRAME <= end):
            chunk = self.soundtrack[:, self._audio_at:min(self._audio_at + AAC_FRAME, end)]
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(chunk, dtype=np.float32), format="fltp",
                                               layout="stereo")
            frame.sample_rate, frame.pts = RATE, self._audio_at
            self.container.mux(self.audio.encode(frame))
            self._audio_at += chunk.shape[1]

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
        self._audio_until(2**62, final=True)
        self.container.mux(self.audio.encode(None))
        self.container.mux(self.video.encode(None))
        self.container.close()

    def abandon(self) -> None:
        """Stop without finishing (cancellation); the caller deletes the file."""
        try:
            self.container.close()
        except Exception:  # a half-written file is thrown away anyway
            pass
