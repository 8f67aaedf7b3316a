"""The take planner: what a film's job will do for each shot, decided before anything is fetched,
called or recorded.

Every function here is pure, over the scene graph, the normalised settings and the shots' durable
records: the image to ask for (model, prompt, seed, size, cache key), the lines to voice (and their
keys), which shots still need work, and the composer's cut list. FilmJob (workflow.py) only carries
these plans out, so caching, resume and regenerate are decided — and tested — here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence

from google.protobuf import duration_pb2

from filmstudio import tensors
from filmstudio.seeds import stable_seed
from filmstudio.v1 import composer_pb2, film_pb2, script_pb2
from orchestrator.assets import asset_key
from orchestrator.db.records import ShotRecord
from orchestrator.script import bible
from orchestrator.timeline import SpokenLine, frame_size, image_size, place_lines, shot_seconds

# The storyboard draws set pieces, weather and varied close-ups since 2; the cast's looks, each
# style's own treatment and reference portraits since 3.
IMAGE_MODEL_VERSION = "3"
SDXL_STEPS, SDXL_GUIDANCE = 30, 6.0
TTS_MODEL, TTS_VERSION = tensors.TTS.name, "1"
MIX_MODEL, MIX_VERSION = "mix", "1"

# Share of the film's progress bar each stage has filled when it ends.
PLANNED, GENERATED = 0.05, 0.70


def shots_in_order(scene_graph: script_pb2.SceneGraph) -> list[tuple[script_pb2.Scene, script_pb2.Shot]]:
    return [(scene, shot) for scene in scene_graph.scenes for shot in scene.shots]


def shot_brief(scene_graph: script_pb2.SceneGraph, scene: script_pb2.Scene,
               shot: script_pb2.Shot) -> script_pb2.ShotBrief:
    """What an image model is told about the shot beyond its prompt: where, when, and who is in it —
    how they look, not how they sound (a new voice must not redraw a picture)."""
    cast = {c.id: c for c in scene_graph.characters}
    brief = script_pb2.ShotBrief(
        shot=shot, setting=scene.setting, location=scene.location, time_of_day=scene.time_of_day, light=scene.light,
        characters=[cast[c] for c in shot.character_ids if c in cast], opens_scene=scene.shots[0].id == shot.id,
        style=scene_graph.style)
    for character in brief.characters:
        character.ClearField("voice")
        character.ClearField("span")
    return brief


# --- images ----------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class ImageTake:
    """One shot's still as the image model will be asked for it, and the key it is stored under."""

    shot_id: str
    model: str
    prompt: str
    negative_prompt: str
    seed: int
    width: int
    height: int
    steps: int
    guidance: float
    brief: script_pb2.ShotBrief
    key: str
    # The reference portraits the model is conditioned on: (store key, scale) per character in frame,
    # for models whose contract takes them (tensors.takes_references); the storyboard draws the looks instead.
    references: tuple[tuple[str, float], ...] = ()


def take_seed(shot: script_pb2.Shot, record: ShotRecord) -> int:
    """The planned seed for the first take; a regenerated shot's own seed, or one derived from its take."""
    if record.seed_override is not None:
        return record.seed_override
    return shot.seed if record.take <= 1 else stable_seed(shot.seed, "take", record.take)


def _take(settings: film_pb2.FilmSettings, prompt: str, negative_prompt: str, seed: int,
          brief: script_pb2.ShotBrief, keyed_brief: script_pb2.ShotBrief,
          references: tuple[tuple[str, float], ...] = ()) -> ImageTake:
    """An image request for the film's model, keyed by every input that changes the picture: the
    prompts, seed, size, sampling and `keyed_brief` (the brief less what does not change it)."""
    model = settings.image_backend
    width, height = image_size(settings, model)
    steps, guidance = (SDXL_STEPS, SDXL_GUIDANCE) if model == "sdxl" else (1, 0.0)
    key = asset_key("image", model, IMAGE_MODEL_VERSION,
                    {"prompt": prompt, "negative": negative_prompt, "seed": seed, "width": width,
                     "height": height, "steps": steps, "guidance": guidance, "brief": keyed_brief}, "png")
    return ImageTake(shot_id=brief.shot.id, model=model, prompt=prompt, negative_prompt=negative_prompt, seed=seed,
                     width=width, height=height, steps=steps, guidance=guidance, brief=brief, key=key,
                     references=references)


def image_take(settings: film_pb2.FilmSettings, scene_graph: script_pb2.SceneGraph, scene: script_pb2.Scene,
               shot: script_pb2.Shot, record: ShotRecord) -> ImageTake:
    """The image request for the shot's current take. The key hashes every input that changes the
    picture — and nothing else: the planned timing and dialogue are left out of the keyed brief."""
    prompt = shot.prompt if record.prompt_override is None else record.prompt_override
    brief = shot_brief(scene_graph, scene, shot)
    keyed_brief = script_pb2.ShotBrief()
    keyed_brief.CopyFrom(brief)
    keyed_brief.shot.ClearField("duration")
    keyed_brief.shot.ClearField("dialogue")
    references = tuple((c.portrait_uri, c.reference_scale) for c in brief.characters if c.portrait_uri) \
        if tensors.takes_references(settings.image_backend) else ()
    return _take(settings, prompt, shot.negative_prompt, take_seed(shot, record), brief, keyed_brief, references)


# --- motion ----------------------------------------------------------------------------------------

ANIMATIC_MODEL, RIG_VERSION = tensors.ANIMATIC.name, "1"
MOTION_MODEL, CLIP_VERSION = tensors.MOTION.name, "1"
MOTION_STEPS, MOTION_GUIDANCE = 30, 3.0
# GPU seconds per second of generated clip, for the plan's estimate before anything renders. Not measured
# here (no GPU was lent when it was written): bench/motion_gpu.py measures it on a GPU node, and this
# figure should be replaced by what it prints there.
GPU_S_PER_CLIP_S = 6.0
# The longest clip asked for: a longer shot's clip is slowed, then held, by the composer.
MAX_CLIP_S = 5.0


@dataclasses.dataclass(frozen=True)
class MotionTake:
    """One shot's moving picture as its model will be asked for it, and the key it is stored under: an
    animatic rig (drawn from the shot's brief, like its still) or a generated clip (moved from its still)."""

    shot_id: str
    motion: int  # script_pb2.MOTION_ANIMATED or MOTION_GENERATED
    model: str
    key: str
    image: ImageTake  # the still: the rig is the same drawing in layers; the clip starts from it
    width: int
    height: int
    frame_count: int = 0  # a clip's
    fps: int = 0

    @property
    def version(self) -> str:
        return RIG_VERSION if self.motion == script_pb2.MOTION_ANIMATED else CLIP_VERSION


def shot_motion(settings: film_pb2.FilmSettings, shot: script_pb2.Shot) -> int:
    """How the shot moves: its own motion, else the film's; a card or black is held still (camera)."""
    if not needs_image(shot):
        return script_pb2.MOTION_CAMERA
    return shot.motion or settings.motion or script_pb2.MOTION_CAMERA


def clip_size(settings: film_pb2.FilmSettings) -> tuple[int, int]:
    """A generated clip's size: the frame's aspect with its long side at tensors.MAX_MOTION_SIDE (1024x576
    for 16:9), each side a multiple of tensors.MOTION_SIDE_MULTIPLE; the composer scales it to the frame."""
    width, height = frame_size(settings)
    scale = tensors.MAX_MOTION_SIDE / max(width, height)
    step = tensors.MOTION_SIDE_MULTIPLE
    return (max(step, int(width * scale) // step * step), max(step, int(height * scale) // step * step))


def clip_frames(seconds: float, fps: int) -> int:
    """The frame count to ask for a shot of `seconds`: up to MAX_CLIP_S of it, on the model's frame grid
    (tensors.FRAME_COUNT_RULE)."""
    wanted = round(min(seconds, MAX_CLIP_S) * fps)
    steps = -(-(wanted - 1) // tensors.FRAME_COUNT_STEP)  # round up to the next 8k + 1
    return min(max(tensors.MIN_FRAME_COUNT, steps * tensors.FRAME_COUNT_STEP + 1), tensors.MAX_FRAME_COUNT)


def motion_take(settings: film_pb2.FilmSettings, shot: script_pb2.Shot, image: ImageTake | None,
                seconds: float) -> MotionTake | None:
    """The shot's moving picture, or None when the camera moves over its still. `seconds` is its
    planned screen time (a clip's length follows it)."""
    motion = shot_motion(settings, shot)
    if image is None or motion == script_pb2.MOTION_CAMERA:
        return None
    if motion == script_pb2.MOTION_ANIMATED:
        width, height = frame_size(settings)
        key = asset_key("rig", ANIMATIC_MODEL, RIG_VERSION,
                        {"image": image.key, "width": width, "height": height}, "rig")
        return MotionTake(shot.id, motion, ANIMATIC_MODEL, key, image, width, height)
    width, height = clip_size(settings)
    frames = clip_frames(seconds, settings.fps)
    key = asset_key("clip", MOTION_MODEL, CLIP_VERSION,
                    {"image": image.key, "prompt": image.prompt, "seed": image.seed, "width": width, "height": height,
                     "frames": frames, "fps": settings.fps, "steps": MOTION_STEPS, "guidance": MOTION_GUIDANCE}, "mkv")
    return MotionTake(shot.id, motion, MOTION_MODEL, key, image, width, height, frames, settings.fps)


def planned_seconds(shot: script_pb2.Shot) -> float:
    return shot.duration.seconds + shot.duration.nanos / 1e9


def gpu_seconds(settings: film_pb2.FilmSettings, shot: script_pb2.Shot) -> float:
    """The estimated GPU time of the shot's clip (0 unless it is generated)."""
    if shot_motion(settings, shot) != script_pb2.MOTION_GENERATED:
        return 0.0
    return clip_frames(planned_seconds(shot), settings.fps) / settings.fps * GPU_S_PER_CLIP_S


def plan_motion(settings: film_pb2.FilmSettings, scene_graph: script_pb2.SceneGraph) -> float:
    """Write each shot's estimated GPU time into the plan (Shot.gpu_time); the film's total."""
    total = 0.0
    for _, shot in shots_in_order(scene_graph):
        seconds = gpu_seconds(settings, shot)
        if seconds:
            shot.gpu_time.CopyFrom(duration(seconds))
        else:
            shot.ClearField("gpu_time")
        total += seconds
    return total


def generates_motion(settings: film_pb2.FilmSettings, scene_graph: script_pb2.SceneGraph) -> bool:
    """Whether any shot's clip is to be generated (the motion model must be loaded)."""
    return any(shot_motion(settings, shot) == script_pb2.MOTION_GENERATED for _, shot in shots_in_order(scene_graph))


def animate_instead(settings: film_pb2.FilmSettings, scene_graph: script_pb2.SceneGraph) -> None:
    """motion_fallback: every shot that was to be generated is animated on the CPU instead."""
    if settings.motion == script_pb2.MOTION_GENERATED:
        settings.motion = script_pb2.MOTION_ANIMATED
    for _, shot in shots_in_order(scene_graph):
        if shot.motion == script_pb2.MOTION_GENERATED:
            shot.motion = script_pb2.MOTION_ANIMATED
    plan_motion(settings, scene_graph)


# --- portraits -------------------------------------------------------------------------------------

PORTRAIT_PREFIX = "portrait-"


def portrait_take(settings: film_pb2.FilmSettings, scene_graph: script_pb2.SceneGraph,
                  character: script_pb2.Character) -> ImageTake:
    """The character's reference portrait, rendered before any shot and keyed by their look alone:
    changing a character changes their portrait, and through it exactly the shots they are in."""
    sitter = script_pb2.Character()
    sitter.CopyFrom(character)
    for field in ("portrait_uri", "voice", "span"):  # how they sound and where the script introduces
        sitter.ClearField(field)                     # them is not how they look
    style = bible.STYLES[scene_graph.style or "cinematic"]
    prompt = f"{style.lead}, head and shoulders portrait, looking at the camera: {character.description}, " \
             f"plain softly lit backdrop, {style.tail}"
    shot = script_pb2.Shot(id=f"{PORTRAIT_PREFIX}{character.id}", framing=script_pb2.FRAMING_CLOSE_UP,
                           character_ids=[character.id], description=f"portrait of {character.name}",
                           prompt=prompt, negative_prompt=bible.negative_prompt(style), seed=character.seed)
    brief = script_pb2.ShotBrief(shot=shot, characters=[sitter], portrait=True, style=scene_graph.style,
                                 light=script_pb2.TIME_OF_DAY_DAY)
    return _take(settings, prompt, shot.negative_prompt, shot.seed, brief, brief)


def portrait_takes(settings: film_pb2.FilmSettings,
                   scene_graph: script_pb2.SceneGraph) -> list[ImageTake]:
    """The portraits to render: every character's whose portrait was not uploaded."""
    return [portrait_take(settings, scene_graph, c) for c in scene_graph.characters if not c.portrait_uploaded]


def complete_plan(settings: film_pb2.FilmSettings, scene_graph: script_pb2.SceneGraph) -> None:
    """What a film's plan holds beyond the parsed script: each character's portrait key and each shot's
    estimated GPU time."""
    assign_portraits(settings, scene_graph)
    plan_motion(settings, scene_graph)


def assign_portraits(settings: film_pb2.FilmSettings, scene_graph: script_pb2.SceneGraph) -> None:
    """Give each character the store key of the portrait their shots are conditioned on (kept as a
    key in the stored graph; the API shows it as a URI): an uploaded one stays, the rest are the keys
    portrait_take will render to."""
    for character in scene_graph.characters:
        if not character.portrait_uploaded:
            character.portrait_uri = portrait_take(settings, scene_graph, character).key


def changed_shots(before: script_pb2.SceneGraph, after: script_pb2.SceneGraph) -> list[str]:
    """The shots whose picture or voices differ between two plans of one script (a character
    changed): what the image model and the voice are told about each shot, compared. Other shots
    keep their takes."""
    old = {shot.id: (scene, shot) for scene, shot in shots_in_order(before)}
    changed = []
    for scene, shot in shots_in_order(after):
        if shot.id not in old:
            changed.append(shot.id)
            continue
        old_scene, old_shot = old[shot.id]
        same_picture = shot_brief(before, old_scene, old_shot) == shot_brief(after, scene, shot)
        same_voices = [t.key for t in line_takes(before, old_shot)] == [t.key for t in line_takes(after, shot)]
        if not (same_picture and same_voices):
            changed.append(shot.id)
    return changed


# --- voices ----------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class LineTake:
    """One line of dialogue to speak, in its character's voice, and the key its clip is stored under."""

    line: script_pb2.DialogueLine
    voice: script_pb2.Voice
    key: str


def line_key(line: script_pb2.DialogueLine, voice: script_pb2.Voice) -> str:
    return asset_key("voice", TTS_MODEL, TTS_VERSION, {"text": line.text, "voice": voice}, "wav")


def line_voice(voice: script_pb2.Voice, line: script_pb2.DialogueLine) -> script_pb2.Voice:
    """The character's voice, speaking the line's own language when it has one (a line in Swedish)."""
    if not line.language or line.language == voice.language:
        return voice
    spoken = script_pb2.Voice()
    spoken.CopyFrom(voice)
    spoken.language = line.language
    return spoken


def line_takes(scene_graph: script_pb2.SceneGraph, shot: script_pb2.Shot) -> list[LineTake]:
    """The shot's lines in order (none for a silent shot)."""
    voices = {c.id: c.voice for c in scene_graph.characters}
    takes = []
    for line in shot.dialogue:
        voice = line_voice(voices[line.character_id], line)
        takes.append(LineTake(line, voice, line_key(line, voice)))
    return takes


def voice_track_key(takes: Sequence[LineTake], placed: Sequence[SpokenLine]) -> str:
    """The key of the shot's mixed voice track: its clips and where each one starts."""
    return asset_key("voice-track", MIX_MODEL, MIX_VERSION,
                     {"clips": [t.key for t in takes], "offsets": [round(p.offset_s, 4) for p in placed]}, "wav")


# --- which shots, and how far along ----------------------------------------------------------------

def needs_image(shot: script_pb2.Shot) -> bool:
    """Whether the shot has a picture to generate: a title card is words the composer draws, and
    black (a closing fade's) is nothing at all."""
    return not (shot.card_text or shot.black)


def needs_render(shot: script_pb2.Shot, record: ShotRecord) -> bool:
    """Whether the job must still image or voice the shot: not succeeded yet, or succeeded before its
    lines' lengths were recorded (the cut is timed from those)."""
    if record.state != film_pb2.SHOT_STATE_SUCCEEDED:
        return True
    return bool(shot.dialogue) and record.line_seconds is None


def shots_to_render(scene_graph: script_pb2.SceneGraph,
                    records: Mapping[str, ShotRecord]) -> list[tuple[script_pb2.Scene, script_pb2.Shot]]:
    return [(scene, shot) for scene, shot in shots_in_order(scene_graph) if needs_render(shot, records[shot.id])]


def generating_progress(done: int, total: int) -> float:
    """The film's progress once `done` of its `total` shots are imaged and voiced."""
    return PLANNED + (GENERATED - PLANNED) * done / max(1, total)


def composing_progress(frames_done: int, frames_total: int) -> float:
    """The film's progress while the composer encodes (never 1: that is the SUCCEEDED state's)."""
    return GENERATED + (1 - GENERATED) * frames_done / max(1, frames_total) * 0.99


# --- the cut ---------------------------------------------------------------------------------------

def duration(seconds: float) -> duration_pb2.Duration:
    out = duration_pb2.Duration()
    out.FromNanoseconds(int(round(seconds * 1e9)))
    return out


def cut_list(film_id: str, display_name: str, settings: film_pb2.FilmSettings,
             scene_graph: script_pb2.SceneGraph, records: Mapping[str, ShotRecord],
             uri: Callable[[str], str]) -> composer_pb2.ComposeFilmRequest:
    """The composer's request: every shot's still, voice track and subtitles, timed by the lengths
    its lines had when they were voiced. `uri` turns a store key into the URI the composer reads."""
    names = {c.id: c.name for c in scene_graph.characters}
    cuts = []
    for _, shot in shots_in_order(scene_graph):
        record = records[shot.id]
        placed = place_lines(shot, list(record.line_seconds or ()))
        cut = composer_pb2.Cut(shot_id=shot.id, image_uri=uri(record.image_key) if record.image_key else "",
                               duration=duration(shot_seconds(shot, placed)), camera_move=shot.camera_move,
                               transition_in=shot.transition_in, card_text=shot.card_text, black=shot.black,
                               description=shot.description)
        if record.motion_key:
            if shot_motion(settings, shot) == script_pb2.MOTION_GENERATED:
                cut.clip_uri = uri(record.motion_key)
            else:
                cut.rig_uri = uri(record.motion_key)
        if record.audio_key:
            cut.audio.add(uri=uri(record.audio_key), offset=duration(0))
        for p, position in zip(placed, subtitle_positions(placed)):
            cut.subtitles.add(text=p.line.text, speaker=names.get(p.line.character_id, ""),
                              offset=duration(p.offset_s), duration=duration(p.duration_s), position=position)
        cuts.append(cut)
    width, height = frame_size(settings)
    billed = billing(scene_graph)
    by_name = {c.name: c for c in scene_graph.characters}
    sheet = [composer_pb2.CastCard(name=name, description=by_name[name].description,
                                   portrait_uri=uri(by_name[name].portrait_uri) if by_name[name].portrait_uri else "")
             for name in billed if name in by_name]
    return composer_pb2.ComposeFilmRequest(
        cuts=cuts, title=display_name or scene_graph.title, cast=billed, cast_sheet=sheet,
        format=composer_pb2.OutputFormat(width=width, height=height, fps=settings.fps,
                                         burn_subtitles=settings.burn_subtitles, music=True, seed=settings.seed,
                                         srt_speaker_names=settings.srt_speaker_names),
        output_prefix=uri(f"films/{film_id}") + "/")


def subtitle_positions(placed: Sequence[SpokenLine]) -> list[int]:
    """Where each line's subtitle stands: the two speakers of dual dialogue (lines spoken at once) left
    and right, everything else centred."""
    positions = [composer_pb2.SUBTITLE_POSITION_UNSPECIFIED] * len(placed)
    for i in range(1, len(placed)):
        first, second = placed[i - 1], placed[i]
        together = first.line.dual and second.line.dual and first.offset_s == second.offset_s
        if together and positions[i - 1] == composer_pb2.SUBTITLE_POSITION_UNSPECIFIED:
            positions[i - 1], positions[i] = composer_pb2.SUBTITLE_POSITION_LEFT, composer_pb2.SUBTITLE_POSITION_RIGHT
    return positions


def billing(scene_graph: script_pb2.SceneGraph) -> list[str]:
    """The cast's names in order of first appearance on screen or in speech."""
    names = {c.id: c.name for c in scene_graph.characters}
    seen: dict[str, None] = {}
    for _, shot in shots_in_order(scene_graph):
        for character_id in [*shot.character_ids, *(line.character_id for line in shot.dialogue)]:
            if character_id in names:
                seen.setdefault(character_id, None)
    return [names[c] for c in seen]
