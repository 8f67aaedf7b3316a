"""Film settings: every default, bound and allowed value, and the one normalisation.

A request's FilmSettings are normalised once, where they enter (CreateFilm, ParseScript, the CLI);
everything downstream (planner, job, composer request) trusts the normalised message and applies no
default of its own.
"""

from __future__ import annotations

from filmstudio.errors import InvalidArgument
from filmstudio.v1 import film_pb2, script_pb2

# The embedded default renders on the CPU; sdxl needs a GPU node with weights.
IMAGE_BACKENDS = ("storyboard", "sdxl")
DEFAULT_BACKEND = "storyboard"
STYLES = ("cinematic", "noir", "anime", "watercolor", "documentary")
DEFAULT_STYLE = "cinematic"
FPS = (24, 25, 30)
DEFAULT_FPS = 24
DEFAULT_SECONDS, MIN_SECONDS, MAX_SECONDS = 60, 5, 300
# What the CLI spells and the proto enums they stand for.
ASPECTS = {"16:9": film_pb2.ASPECT_RATIO_LANDSCAPE, "9:16": film_pb2.ASPECT_RATIO_PORTRAIT,
           "1:1": film_pb2.ASPECT_RATIO_SQUARE}
RESOLUTIONS = {"720p": film_pb2.RESOLUTION_720P, "1080p": film_pb2.RESOLUTION_1080P}
DEFAULT_ASPECT, DEFAULT_RESOLUTION = "16:9", "720p"
MOTIONS = {"camera": script_pb2.MOTION_CAMERA, "animated": script_pb2.MOTION_ANIMATED,
           "generated": script_pb2.MOTION_GENERATED}
# The embedded default moves its shots as the living animatic (CPU); "generated" needs the motion model's weights.
DEFAULT_MOTION = script_pb2.MOTION_ANIMATED
# ListFilms pages.
DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE = 20, 100
MAX_REQUEST_ID = 128


def target_seconds(settings: film_pb2.FilmSettings) -> float:
    duration = settings.target_duration
    return duration.seconds + duration.nanos / 1e9


def normalize(settings: film_pb2.FilmSettings | None = None) -> film_pb2.FilmSettings:
    """A copy with every default filled in and every field checked; a value out of range is refused
    with InvalidArgument naming its field."""
    out = film_pb2.FilmSettings()
    if settings is not None:
        out.CopyFrom(settings)
    if out.aspect_ratio not in film_pb2.AspectRatio.values():
        raise InvalidArgument(f"settings.aspect_ratio {out.aspect_ratio} is not a known aspect ratio")
    if out.resolution not in film_pb2.Resolution.values():
        raise InvalidArgument(f"settings.resolution {out.resolution} is not a known resolution")
    out.aspect_ratio = out.aspect_ratio or ASPECTS[DEFAULT_ASPECT]
    out.resolution = out.resolution or RESOLUTIONS[DEFAULT_RESOLUTION]
    out.fps = out.fps or DEFAULT_FPS
    if out.fps not in FPS:
        raise InvalidArgument(f"settings.fps {out.fps} is not one of {', '.join(map(str, FPS))}")
    if not out.HasField("target_duration"):
        out.target_duration.seconds = DEFAULT_SECONDS
    seconds = target_seconds(out)
    if not MIN_SECONDS <= seconds <= MAX_SECONDS:
        raise InvalidArgument(f"target_duration must be {MIN_SECONDS}-{MAX_SECONDS} s, got {seconds:g} s")
    style = (out.style or DEFAULT_STYLE).strip().lower()
    if style not in STYLES:
        raise InvalidArgument(f"unknown style {out.style!r}; known styles: {', '.join(STYLES)}")
    out.style = style
    out.image_backend = out.image_backend or DEFAULT_BACKEND
    if out.image_backend not in IMAGE_BACKENDS:
        raise InvalidArgument(f"settings.image_backend {out.image_backend!r} is unknown; "
                              f"use one of {', '.join(IMAGE_BACKENDS)}")
    out.motion = check_motion(out.motion, "settings.motion") or DEFAULT_MOTION
    return out


def check_motion(motion: int, field: str) -> int:
    """A Motion value as it came (MOTION_UNSPECIFIED included); InvalidArgument naming `field` if unknown."""
    if motion not in script_pb2.Motion.values():
        raise InvalidArgument(f"{field} {motion} is not a known motion; use one of "
                              f"{', '.join(n for n in script_pb2.Motion.keys() if n != 'MOTION_UNSPECIFIED')}")
    return motion


def page_size(requested: int) -> int:
    """ListFilms' page size: 0 means the default, more than the maximum means the maximum."""
    if requested < 0:
        raise InvalidArgument(f"page_size must not be negative, got {requested}")
    return min(requested or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)


def check_request_id(request_id: str) -> str:
    if len(request_id) > MAX_REQUEST_ID:
        raise InvalidArgument(f"request_id is {len(request_id)} characters; at most {MAX_REQUEST_ID} are allowed")
    return request_id
