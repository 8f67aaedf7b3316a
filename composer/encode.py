"""The MP4: H.264 High yuv420p at constant frame rate, AAC 48 kHz stereo, a mov_text subtitle track,
moov atom first (+faststart). Frames go to the encoder one at a time; audio and subtitles are muxed in
step with the video so the interleaving buffer stays small whatever the film's length. The AAC encoder
runs in a thread of its own (FFmpeg releases the GIL): the thread that feeds x264 only muxes its packets,
in an order fixed by their timestamps alone (FilmWriter._interleave), so the same film is the same bytes."""

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
        # The soundtrack may still be mastering when the first frames arrive: video goes ahead, its
        # packets held here until the audio beside them is encoded (see _interleave).
        self._video_packets: collections.deque[av.Packet] = collections.deque()
        self._video_ended = False
        self._audio_packets: collections.deque[av.Packet] = collections.deque()  # filled by the AAC thread
        self._audio_ended = False  # the AAC thread has added its last packet (or failed)
        self._audio_lock = threading.Lock()  # guards the two above, which the AAC thread changes
        self._audio_error: BaseException | None = None
        self._stop = threading.Event()
        self._aac = threading.Thread(target=self._encode_audio, args=(soundtrack,), name="composer-aac",
                                     daemon=True)
        self._aac.start()

    def write(self, frame: av.VideoFrame) -> None:
        """Encode the next frame (yuv420p, width x height), then mux what of the film is settled."""
        frame.pts = self.frames
        self._video_packets.extend(self.video.encode(frame))
        self.frames += 1
        self._interleave()

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
                self._audio_encoded(self.audio.encode(frame))
            self._audio_encoded(self.audio.encode(None))
        except BaseException as exc:  # raised on the writer's thread, by close()
            self._audio_error = exc
        finally:
            with self._audio_lock:
                self._audio_ended = True

    def _audio_encoded(self, packets: list[av.Packet]) -> None:
        with self._audio_lock:
            self._audio_packets.extend(packets)

    def _interleave(self) -> None:
        """Mux, in timestamp order, every packet whose place in the file is settled.

        Which AAC packets exist when a frame is written depends on how the threads ran; muxing those
        "encoded so far" made the packet order, and so the file, differ from run to run. So the next
        packet is always the earlier (by dts; on a tie video first) of the video and audio heads, and only
        once both queues have one or their stream has ended: the sequence of mux calls is a function of
        the timestamps alone. Video never waits for audio: its packets (a few KB each) queue here while
        the soundtrack masters. Subtitles go in by their start, before the first packet not earlier."""
        video = self._video_packets
        while True:
            with self._audio_lock:
                audio_ended = self._audio_ended
                audio_head = self._audio_packets[0] if self._audio_packets else None
            if (not video and not self._video_ended) or (audio_head is None and not audio_ended):
                return  # the next packet may be the other stream's, not yet encoded
            if not video and audio_head is None:
                return  # both ended and muxed
            if audio_head is None or (video and _clock(video[0]) <= _clock(audio_head)):
                packet = video.popleft()
            else:
                with self._audio_lock:
                    packet = self._audio_packets.popleft()  # audio_head: only this thread pops
            self._subtitles_until(_clock(packet))
            self.container.mux(packet)

    def _subtitles_until(self, seconds: fractions.Fraction | float) -> None:
        """Mux the subtitle cues that start (on their millisecond) at or before `seconds`."""
        while self.subtitles is not None and self._cue_at < len(self.cues):
            cue = self.cues[self._cue_at]
            start, length = round(cue.start_s * 1000), round((cue.end_s - cue.start_s) * 1000)
            if fractions.Fraction(start, 1000) > seconds:
                return
            event = SubtitleSet.create(ass_event(cue, self._cue_at), 0, length, pts=start)
            packet = self.subtitles.codec_context.encode_subtitle(event)
            packet.stream = self.subtitles
            packet.time_base = fractions.Fraction(1, 1000)
            packet.pts = packet.dts = start
            packet.duration = length
            self.container.mux(packet)
            self._cue_at += 1

    def close(self) -> None:
        """Flush the encoders and finish the file (the moov atom moves to the front here). Raises what
        went wrong in the AAC thread, if anything did."""
        self._video_packets.extend(self.video.encode(None))
        self._video_ended = True
        self._aac.join()
        if self._audio_error is not None:
            raise self._audio_error
        self._interleave()
        self._subtitles_until(float("inf"))
        self.container.close()

    def abandon(self) -> None:
        """Stop without finishing (cancellation); the caller deletes the file."""
        self._stop.set()
        self._aac.join()
        try:
            self.container.close()
        except Exception:  # a half-written file is thrown away anyway
            pass


def _clock(packet: av.Packet) -> fractions.Fraction:
    """When the packet is decoded, in seconds, exactly (the muxer interleaves by dts too)."""
    return (packet.dts if packet.dts is not None else packet.pts) * packet.time_base
