"""A generated clip (filmstudio.clips) cut to its shot: retimed to the shot's frames and scaled to the film.

A shot's length is set by its speech and the plan, never by its clip, so the clip bends to the shot:
- a clip at least as long as the shot is trimmed (its first frames play at their own speed);
- a shorter one is slowed, to at most half speed, and if it is still short its last frame is held.
Frames are taken at the film's rate from the clip's own clock (a 25 fps clip in a 24 fps film is
resampled by nearest frame, no blending) and scaled to cover the frame, cropped about the centre when
the aspects differ, by libswscale (composer.motion.held_planes). A frame shown twice is converted once.
"""

from __future__ import annotations

from PIL import Image

from composer.motion import Planes, held_planes
from filmstudio.clips import Clip

SLOWEST = 0.5  # a short clip plays at no less than half speed before its last frame is held


def clip_speed(clip_s: float, shot_s: float) -> float:
    """How fast the clip plays in its shot: 1 when it fills the shot, else slower, down to SLOWEST."""
    if clip_s >= shot_s or shot_s <= 0:
        return 1.0
    return max(SLOWEST, clip_s / shot_s)


class ClipShot:
    """Frame i of a shot shown as a clip: frame(i) -> Planes at the film's size."""

    def __init__(self, clip: Clip, width: int, height: int, fps: int, frame_count: int) -> None:
        self.clip, self.width, self.height, self.fps = clip, width, height, fps
        self.speed = clip_speed(clip.frame_count / clip.fps, frame_count / fps)
        self._last: tuple[int, Planes] | None = None

    def source_frame(self, i: int) -> int:
        """The clip's frame shown at the shot's frame i (the last one, held, once the clip has run out)."""
        return min(int(i / self.fps * self.speed * self.clip.fps + 1e-9), self.clip.frame_count - 1)

    def frame(self, i: int) -> Planes:
        index = self.source_frame(i)
        if self._last is None or self._last[0] != index:
            self._last = (index, held_planes(self._cover(Image.fromarray(self.clip.frame(index))),
                                             self.width, self.height))
        return self._last[1]

    def _cover(self, picture: Image.Image) -> Image.Image:
        """The centred crop of the clip frame with the film's aspect (none when they match)."""
        w, h = picture.size
        if abs(w * self.height - h * self.width) <= max(w, h):  # within a pixel of the same shape
            return picture
        if w * self.height > h * self.width:  # wider than the film
            keep = round(h * self.width / self.height)
            return picture.crop(((w - keep) // 2, 0, (w - keep) // 2 + keep, h))
        keep = round(w * self.height / self.width)
        return picture.crop((0, (h - keep) // 2, w, (h - keep) // 2 + keep))
