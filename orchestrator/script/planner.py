"""The shot planner: scenes of beats become timed, framed, prompted shots that fill the target length.

A pure function of the draft, the character bible and the settings, so the same script and settings
always give the same plan; the orchestrator may lengthen a shot later, once real voices are measured.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from filmstudio import light, tensors
from filmstudio.errors import InvalidArgument
from filmstudio.v1 import script_pb2
from orchestrator.script import bible
from orchestrator.script.draft import ACTION, TRANSITION, Beat, Draft, DraftScene

# Silence before a shot's first line, and the breath after every line (part of the line's time).
LINE_LEAD_SECONDS = 0.3
LINE_PAUSE_SECONDS = 0.4
# Action shots are trimmed or held within these bounds to fit the target.
MIN_ACTION_SECONDS = 1.5
MAX_ACTION_SECONDS = 8.0
# A dialogue shot may be held this much past its last line when the action alone cannot fill the film.
MAX_DIALOGUE_HOLD_SECONDS = 2.0
# An establishing shot the script does not describe.
ESTABLISHING_SECONDS = 3.0

# Camera words in action lines, longest first so "EXTREME CLOSE" wins over "CLOSE".
_FRAMING_WORDS = (
    ("EXTREME CLOSE", script_pb2.FRAMING_EXTREME_CLOSE_UP),
    ("ECU", script_pb2.FRAMING_EXTREME_CLOSE_UP),
    ("INSERT", script_pb2.FRAMING_EXTREME_CLOSE_UP),
    ("EXTREME WIDE", script_pb2.FRAMING_EXTREME_WIDE),
    ("AERIAL", script_pb2.FRAMING_EXTREME_WIDE),
    ("ESTABLISHING", script_pb2.FRAMING_EXTREME_WIDE),
    ("OVER THE SHOULDER", script_pb2.FRAMING_OVER_THE_SHOULDER),
    ("OTS", script_pb2.FRAMING_OVER_THE_SHOULDER),
    ("CLOSE ON", script_pb2.FRAMING_CLOSE_UP),
    ("CLOSE UP", script_pb2.FRAMING_CLOSE_UP),
    ("CLOSEUP", script_pb2.FRAMING_CLOSE_UP),
    ("CU", script_pb2.FRAMING_CLOSE_UP),
    ("MEDIUM SHOT", script_pb2.FRAMING_MEDIUM),
    ("MEDIUM ON", script_pb2.FRAMING_MEDIUM),
    ("MID SHOT", script_pb2.FRAMING_MEDIUM),
    ("WIDE SHOT", script_pb2.FRAMING_WIDE),
    ("WIDE ON", script_pb2.FRAMING_WIDE),
    ("LONG SHOT", script_pb2.FRAMING_WIDE),
    ("WIDE", script_pb2.FRAMING_WIDE),
)
_MOVE_WORDS = (
    ("PUSH IN", script_pb2.CAMERA_MOVE_PUSH_IN),
    ("PUSHES IN", script_pb2.CAMERA_MOVE_PUSH_IN),
    ("PUSHING IN", script_pb2.CAMERA_MOVE_PUSH_IN),
    ("DOLLY IN", script_pb2.CAMERA_MOVE_PUSH_IN),
    ("ZOOM IN", script_pb2.CAMERA_MOVE_PUSH_IN),
    ("PULL OUT", script_pb2.CAMERA_MOVE_PULL_OUT),
    ("PULL BACK", script_pb2.CAMERA_MOVE_PULL_OUT),
    ("PULLS BACK", script_pb2.CAMERA_MOVE_PULL_OUT),
    ("PULLS OUT", script_pb2.CAMERA_MOVE_PULL_OUT),
    ("ZOOM OUT", script_pb2.CAMERA_MOVE_PULL_OUT),
    ("DOLLY OUT", script_pb2.CAMERA_MOVE_PULL_OUT),
    ("PAN LEFT", script_pb2.CAMERA_MOVE_PAN_LEFT),
    ("PANS LEFT", script_pb2.CAMERA_MOVE_PAN_LEFT),
    ("PAN RIGHT", script_pb2.CAMERA_MOVE_PAN_RIGHT),
    ("PANS RIGHT", script_pb2.CAMERA_MOVE_PAN_RIGHT),
    ("TILT UP", script_pb2.CAMERA_MOVE_TILT_UP),
    ("TILTS UP", script_pb2.CAMERA_MOVE_TILT_UP),
    ("CRANE UP", script_pb2.CAMERA_MOVE_TILT_UP),
    ("TILT DOWN", script_pb2.CAMERA_MOVE_TILT_DOWN),
    ("TILTS DOWN", script_pb2.CAMERA_MOVE_TILT_DOWN),
    ("CRANE DOWN", script_pb2.CAMERA_MOVE_TILT_DOWN),
    ("TRACKING", script_pb2.CAMERA_MOVE_PAN_RIGHT),
    ("PAN", script_pb2.CAMERA_MOVE_PAN_RIGHT),
    ("PANS", script_pb2.CAMERA_MOVE_PAN_RIGHT),
)
# Action lines that are really transitions.
_OPENERS = ("FADE IN", "FADE IN:", "FADE IN.", "FADE UP", "FADE UP:", "OPEN ON", "OPEN ON:")
_CLOSERS = ("FADE OUT", "FADE OUT.", "FADE OUT:", "FADE TO BLACK", "FADE TO BLACK.", "THE END", "THE END.",
            "END", "CUT TO BLACK", "CUT TO BLACK.")
# Cue extension marks for a voice off the picture, once dots and spaces are gone ("V.O." is "VO").
_OFFSCREEN = ("VO", "OS", "OC")


def speech_seconds(text: str, voice: script_pb2.Voice) -> float:
    """Seconds a line takes: its words at the voice's rate, plus a breath after it.

    The TTS (espeak-ng -s words_per_minute) is told the same rate, so plan and voice agree.
    """
    words = sum(1 for word in text.split() if any(c.isalnum() for c in word))
    rate = voice.words_per_minute or tensors.DEFAULT_WORDS_PER_MINUTE
    return words * 60.0 / rate + LINE_PAUSE_SECONDS


def _padded_words(text: str) -> str:
    cleaned = "".join(c if c.isalnum() or c == "'" else " " for c in text.upper())
    return " " + " ".join(cleaned.split()) + " "


def _camera(text: str) -> tuple[int, int]:
    words = _padded_words(text)
    framing = next((f for phrase, f in _FRAMING_WORDS if f" {phrase} " in words), script_pb2.FRAMING_UNSPECIFIED)
    move = next((m for phrase, m in _MOVE_WORDS if f" {phrase} " in words), script_pb2.CAMERA_MOVE_UNSPECIFIED)
    return framing, move


def _transition(text: str) -> int:
    upper = text.upper()
    if "DISSOLVE" in upper or "CROSS" in upper:
        return script_pb2.TRANSITION_CROSSFADE
    if "FADE TO BLACK" in upper or "FADE OUT" in upper or "CUT TO BLACK" in upper:
        return script_pb2.TRANSITION_FADE_TO_BLACK
    if "FADE IN" in upper or "FADE FROM BLACK" in upper or "FADE UP" in upper:
        return script_pb2.TRANSITION_FADE_FROM_BLACK
    if "WHITE" in upper or "FLASH" in upper:
        return script_pb2.TRANSITION_DIP_TO_WHITE
    return script_pb2.TRANSITION_CUT


def _ms(seconds: float) -> int:
    return int(round(seconds * 1000))


@dataclass
class _Line:
    message: script_pb2.DialogueLine
    offset_ms: int
    duration_ms: int


@dataclass(eq=False)
class _Shot:
    scene: int
    framing: int
    move: int
    description: str
    subject: str  # what the image shows, for the prompt
    character_ids: list[str]
    line: int
    column: int
    end_line: int
    base_ms: int
    establishing: bool = False
    transition: int = script_pb2.TRANSITION_UNSPECIFIED
    lines: list[_Line] = field(default_factory=list)
    dual_open: bool = False
    subject_is_speech: bool = False
    duration_ms: int = 0
    fit_base_ms: int = 0

    speech_ms: int = 0  # time the dialogue needs: lead, every line, and the breath after the last

    def min_ms(self) -> int:
        return max(_ms(MIN_ACTION_SECONDS), self.speech_ms)

    def max_ms(self) -> int:
        if self.lines and self.subject_is_speech:
            return self.speech_ms
        return max(_ms(MAX_ACTION_SECONDS), self.speech_ms)

    def add_line(self, message: script_pb2.DialogueLine, voice: script_pb2.Voice, with_previous: bool) -> None:
        duration = _ms(speech_seconds(message.text, voice))
        if with_previous and self.lines:
            offset = self.lines[-1].offset_ms
        else:
            offset = self.speech_ms if self.lines else _ms(LINE_LEAD_SECONDS)
        self.lines.append(_Line(message, offset, duration))
        self.speech_ms = max(self.speech_ms, offset + duration)


@dataclass
class _Turn:
    """One dialogue beat ready to cut: the speaker, their voice, and the lines that have text."""

    beat: Beat
    speaker: str  # character id
    voice: script_pb2.Voice
    shown: str  # the name as a prompt writes it ("Maya", not "MAYA")
    direction: str  # the block's first parenthetical, for the picture
    description: str  # the shot list's text: cue, direction and what is said
    lines: list[script_pb2.DialogueLine]
    offscreen: bool


def _present(text: str, names: dict[str, str]) -> list[str]:
    """Ids of the characters whose names (upper-cased) occur in text, in bible order."""
    found = {names[gram] for gram in bible.name_grams(text, upper=True) if gram in names}
    return [character_id for character_id in names.values() if character_id in found] if found else []


def _scene_shots(
    index: int, scene: DraftScene, characters: dict[str, str], by_id: dict[str, script_pb2.Character],
    pending: int, warnings: list[str],
) -> tuple[list[_Shot], int]:
    """Cuts one scene into shots: an establishing shot, then one per action beat and speaking turn.

    `pending` is the transition into the next new shot, left by a transition beat (here or at the
    end of the scene before); the one this scene leaves over is returned with its shots. Voices
    over the picture and the second half of dual dialogue join the shot before instead.
    """
    pending, beats = _opening(scene.beats, pending)
    establishing, beats = _establishing_shot(index, scene, beats, characters)
    establishing.transition, pending = pending, script_pb2.TRANSITION_UNSPECIFIED
    shots = [establishing]
    spoken: dict[str, int] = {}  # speaking shots per character so far: the first is framed wider
    last_speaker = ""
    for beat in beats:
        if beat.kind == TRANSITION:
            pending = _transition(beat.text)
            continue
        if beat.kind == ACTION:
            upper = beat.text.strip().upper()
            if upper in _OPENERS or upper in _CLOSERS:
                # "FADE OUT." written as action is a transition into the next shot.
                pending = _transition(upper) if upper in _CLOSERS else script_pb2.TRANSITION_FADE_FROM_BLACK
                continue
            shot = _action_shot(index, beat, characters)
        else:
            turn = _turn(beat, by_id)
            if not turn.lines:
                warnings.append(f"line {beat.line}: {beat.character} has a cue but nothing to say")
                continue
            if turn.offscreen:
                _voice_over(shots[-1], turn)
                continue
            if beat.dual and shots[-1].dual_open:
                _second_half_of_dual(shots[-1], turn)
                continue
            count = spoken.get(turn.speaker, 0)
            spoken[turn.speaker] = count + 1
            shot = _speaking_shot(index, turn, count, last_speaker, by_id)
            last_speaker = turn.speaker
        shot.transition, pending = pending, script_pb2.TRANSITION_UNSPECIFIED
        shots.append(shot)
    return shots, pending


def _opening(beats: list[Beat], pending: int) -> tuple[int, list[Beat]]:
    """The transition into the scene's first shot, and the beats after the scene's leading transitions.

    Transitions before the first picture ("DISSOLVE TO:", or "FADE IN:" written as action) lead into
    the establishing shot; of several, the last one written is used, over one the scene before left.
    """
    start = 0
    while start < len(beats) and (
        beats[start].kind == TRANSITION
        or (beats[start].kind == ACTION and beats[start].text.strip().upper() in _OPENERS)
    ):
        beat = beats[start]
        pending = _transition(beat.text) if beat.kind == TRANSITION else script_pb2.TRANSITION_FADE_FROM_BLACK
        start += 1
    return pending, beats[start:]


def _action_ms(description: str, shortest: float) -> int:
    # Reading time for the picture: 2 s and 0.12 s a word, within the action bounds.
    return _ms(min(MAX_ACTION_SECONDS, max(shortest, 2.0 + 0.12 * len(description.split()))))


def _establishing_shot(
    index: int, scene: DraftScene, beats: list[Beat], characters: dict[str, str]
) -> tuple[_Shot, list[Beat]]:
    """The scene's first shot, wide on the place, and the beats still to cut.

    A scene that opens on action is established by that action (its own camera words win, and it
    holds at least ESTABLISHING_SECONDS); otherwise by a shot of the heading's place.
    """
    exterior = scene.setting == script_pb2.SETTING_EXTERIOR
    wide = script_pb2.FRAMING_EXTREME_WIDE if exterior else script_pb2.FRAMING_WIDE
    if beats and beats[0].kind == ACTION:
        first = beats[0]
        framing, move = _camera(first.text)
        description = " ".join(first.text.split())
        shot = _Shot(
            index, framing or wide, move or script_pb2.CAMERA_MOVE_PUSH_IN, description, description,
            _present(first.text, characters), first.line, first.column, first.end_line,
            _action_ms(description, ESTABLISHING_SECONDS), establishing=True,
        )
        return shot, beats[1:]
    place = " ".join(part for part in (scene.location.lower(), scene.time_of_day.lower()) if part)
    shot = _Shot(
        index, wide, script_pb2.CAMERA_MOVE_PAN_RIGHT if exterior else script_pb2.CAMERA_MOVE_PUSH_IN,
        scene.heading or place or "establishing shot", place or "the setting",
        [], scene.line, scene.column, scene.line, _ms(ESTABLISHING_SECONDS), establishing=True,
    )
    return shot, beats


def _action_shot(index: int, beat: Beat, characters: dict[str, str]) -> _Shot:
    """An action beat's shot: framed by its camera words, else medium on the people it names, else wide."""
    framing, move = _camera(beat.text)
    description = " ".join(beat.text.split())
    present = _present(beat.text, characters)
    default_framing = script_pb2.FRAMING_MEDIUM if present else script_pb2.FRAMING_WIDE
    return _Shot(
        index, framing or default_framing, move or script_pb2.CAMERA_MOVE_PUSH_IN, description,
        description, present, beat.line, beat.column, beat.end_line,
        _action_ms(description, MIN_ACTION_SECONDS),
    )


def _offscreen(extension: str) -> bool:
    """Whether a cue's extension ("V.O.", "O.S.", "O.C.", "OFF") puts the voice off the picture."""
    squeezed = extension.upper().replace(" ", "")
    return any(mark in squeezed.replace(".", "") for mark in _OFFSCREEN) or "OFF" in squeezed


def _turn(beat: Beat, by_id: dict[str, script_pb2.Character]) -> _Turn:
    """A dialogue beat made ready to cut: who speaks, in which voice, and the lines with text."""
    speaker = bible.character_id(beat.character)
    character = by_id[speaker]
    lines = [
        script_pb2.DialogueLine(
            character_id=speaker, text=speech.text, parenthetical=speech.parenthetical,
            extension=beat.extension, dual=beat.dual, lyric=speech.lyric,
            span=script_pb2.SourceSpan(line=beat.line, column=beat.column, end_line=beat.end_line),
        )
        for speech in beat.speeches
        if speech.text
    ]
    direction = next((speech.parenthetical for speech in beat.speeches if speech.parenthetical), "")
    return _Turn(
        beat=beat, speaker=speaker, voice=character.voice,
        shown=character.name.title() if character.name.isupper() else character.name,
        direction=direction,
        description=f"{beat.character}" + (f" ({direction})" if direction else "") + ": " + beat.text,
        lines=lines, offscreen=_offscreen(beat.extension),
    )


def _voice_over(shot: _Shot, turn: _Turn) -> None:
    """An offscreen voice plays over the picture we are already on, after its lines."""
    for line in turn.lines:
        shot.add_line(line, turn.voice, with_previous=False)
    shot.end_line = max(shot.end_line, turn.beat.end_line)


def _second_half_of_dual(shot: _Shot, turn: _Turn) -> None:
    """Dual dialogue: the second speaker joins the first's shot, widened, talking at the same time."""
    shot.character_ids.append(turn.speaker)
    shot.framing = script_pb2.FRAMING_WIDE
    shot.subject += f", {turn.shown} talking at the same time"
    shot.description += f" / {turn.description}"
    shot.end_line = turn.beat.end_line
    shot.dual_open = False
    for position, line in enumerate(turn.lines):
        # The first line starts with the other speaker's last; the rest follow it.
        shot.add_line(line, turn.voice, with_previous=position == 0)


def _speaking_shot(
    index: int, turn: _Turn, count: int, last_speaker: str, by_id: dict[str, script_pb2.Character]
) -> _Shot:
    """A new shot of a speaker; `count` is how many shots of them the scene already has.

    Someone answering for the first time is seen over the shoulder of whoever spoke last; otherwise
    a first shot is medium and later ones close up, pushing in.
    """
    ids = [turn.speaker]
    if last_speaker and last_speaker != turn.speaker and count == 0:
        framing = script_pb2.FRAMING_OVER_THE_SHOULDER
        ids.append(last_speaker)
        subject = f"{turn.shown} talking to {by_id[last_speaker].name.title()}"
    else:
        framing = script_pb2.FRAMING_MEDIUM if count == 0 else script_pb2.FRAMING_CLOSE_UP
        subject = f"{turn.shown} talking"
    if turn.direction:
        subject += f", {turn.direction}"
    move = script_pb2.CAMERA_MOVE_PUSH_IN if framing == script_pb2.FRAMING_CLOSE_UP else script_pb2.CAMERA_MOVE_STATIC
    beat = turn.beat
    shot = _Shot(
        index, framing, move, turn.description, subject, ids, beat.line, beat.column, beat.end_line, 0,
        dual_open=beat.dual, subject_is_speech=True,
    )
    for line in turn.lines:
        shot.add_line(line, turn.voice, with_previous=False)
    return shot


def _fit(shots: list[_Shot], target_ms: int, warnings: list[str]) -> None:
    """Sets every shot's duration so the film runs target_ms, dropping action shots if it must.

    Dialogue is never cut: if it alone overruns the target the script is refused. Otherwise shots
    are dropped until the shortest cut fits, the rest share the time in proportion to their
    natural lengths, and if that cannot fill the target, dialogue shots are held longer.
    """
    dialogue_ms = sum(shot.speech_ms for shot in shots if shot.lines)
    if dialogue_ms > target_ms:
        raise InvalidArgument(
            f"dialogue needs {dialogue_ms / 1000:.1f} s but the target is {target_ms / 1000:g} s; "
            "raise the target duration or cut lines"
        )
    _drop_to_fit(shots, target_ms, warnings)
    _spread(shots, target_ms)
    _hold_dialogue(shots, target_ms, warnings)


def _drop_to_fit(shots: list[_Shot], target_ms: int, warnings: list[str]) -> None:
    """Removes the shots _kept does not keep; a dropped shot's transition passes to the next kept one."""
    keep = _kept(shots, target_ms, warnings)
    for i in range(len(shots) - 1, -1, -1):
        if not keep[i]:
            if shots[i].transition and i + 1 < len(shots) and keep[i + 1] and not shots[i + 1].transition:
                shots[i + 1].transition = shots[i].transition
            del shots[i]


def _kept(shots: list[_Shot], target_ms: int, warnings: list[str]) -> list[bool]:
    """Which shots stay so that every shot at its shortest fits target_ms.

    Too many shots for the time: drop the least important action shots (shortest text first,
    later ones first among equals), keeping every scene's first shot while we can and every
    scene at least one. Raises InvalidArgument when even that is too long.
    """
    keep = [True] * len(shots)
    total_min = sum(shot.min_ms() for shot in shots)
    if total_min <= target_ms:
        return keep
    kept_in_scene: dict[int, int] = {}
    for shot in shots:
        kept_in_scene[shot.scene] = kept_in_scene.get(shot.scene, 0) + 1
    for establishing in (False, True):
        order = sorted(
            (i for i, shot in enumerate(shots) if not shot.lines and shot.establishing == establishing),
            key=lambda i: (shots[i].base_ms, -i),
        )
        for i in order:
            if total_min <= target_ms:
                break
            if kept_in_scene[shots[i].scene] <= 1:
                continue  # every scene keeps at least one shot
            keep[i] = False
            kept_in_scene[shots[i].scene] -= 1
            total_min -= shots[i].min_ms()
            warnings.append(f"line {shots[i].line}: shot dropped to fit the {target_ms / 1000:g} s target")
    if total_min > target_ms:
        raise InvalidArgument(
            f"the script needs at least {total_min / 1000:.1f} s ({sum(keep)} shots of at least "
            f"{MIN_ACTION_SECONDS:g} s plus dialogue) but the target is {target_ms / 1000:g} s"
        )
    return keep


def _spread(shots: list[_Shot], target_ms: int) -> None:
    """Sets every shot's duration: its shortest, or for a shot that may run longer, its natural
    length times one scale shared by all, the largest that keeps the film within target_ms."""
    flexible = [shot for shot in shots if shot.max_ms() > shot.min_ms()]
    fixed_ms = sum(shot.min_ms() for shot in shots if shot.max_ms() <= shot.min_ms())
    for shot in shots:
        shot.duration_ms = shot.min_ms()
        shot.fit_base_ms = max(shot.base_ms, shot.min_ms(), 1)
    if not flexible:
        return
    room = target_ms - fixed_ms
    # (shortest, longest, natural length) of each flexible shot, read once: the bisection asks 60 times.
    bounds = [(shot.min_ms(), shot.max_ms(), shot.fit_base_ms) for shot in flexible]

    def scaled(scale: float) -> list[int]:
        return [min(longest, max(shortest, int(scale * natural))) for shortest, longest, natural in bounds]

    # Bisect for the scale: the film's length only grows with it, and 60 halvings reach the
    # precision of a float.
    low, high = 0.0, max(longest / natural for _, longest, natural in bounds)
    for _ in range(60):
        middle = (low + high) / 2
        if sum(scaled(middle)) > room:
            high = middle
        else:
            low = middle
    for shot, duration in zip(flexible, scaled(low)):
        shot.duration_ms = duration
    # Rounding down leaves milliseconds over: hand them out, in order, to shots with room to grow.
    short = room - sum(shot.duration_ms for shot in flexible)
    while short > 0:
        growable = [shot for shot in flexible if shot.duration_ms < shot.max_ms()]
        if not growable:
            break
        step = max(1, short // len(growable))
        for shot in growable:
            if short <= 0:
                break
            add = min(step, shot.max_ms() - shot.duration_ms, short)
            shot.duration_ms += add
            short -= add


def _hold_dialogue(shots: list[_Shot], target_ms: int, warnings: list[str]) -> None:
    """Fills a film still short of target_ms by holding dialogue shots past their last line, up to
    MAX_DIALOGUE_HOLD_SECONDS each; warns if even that leaves it short."""
    total = sum(shot.duration_ms for shot in shots)
    if total >= target_ms:
        return
    # Every action shot is at its longest here: only the dialogue shots can grow.
    talkers = [shot for shot in shots if shot.subject_is_speech]
    hold = _ms(MAX_DIALOGUE_HOLD_SECONDS)
    short = target_ms - total
    while short > 0 and talkers:
        step = max(1, short // len(talkers))
        grew = False
        for shot in talkers:
            limit = shot.speech_ms + hold
            add = min(step, limit - shot.duration_ms, short)
            if add > 0:
                shot.duration_ms += add
                short -= add
                grew = True
        if not grew:
            break
    total = sum(shot.duration_ms for shot in shots)
    if total < target_ms:
        warnings.append(
            f"the plan runs {total / 1000:.1f} s, short of the {target_ms / 1000:g} s target: "
            "every shot is held as long as it can be; add action or lower the target"
        )


def plan_shots(
    draft: Draft, characters: list[script_pb2.Character], style: bible.Style, target_seconds: float,
    film_seed: int, warnings: list[str],
) -> list[script_pb2.Scene]:
    """Cuts every scene into shots, fits them to target_seconds and writes their prompts."""
    by_id = {c.id: c for c in characters}
    names = {c.name.upper(): c.id for c in characters}
    shots: list[_Shot] = []
    pending = script_pb2.TRANSITION_UNSPECIFIED
    for index, scene in enumerate(draft.scenes):
        scene_shots, pending = _scene_shots(index, scene, names, by_id, pending, warnings)
        shots.extend(scene_shots)
    if shots and not shots[0].transition:
        shots[0].transition = script_pb2.TRANSITION_FADE_FROM_BLACK
    _fit(shots, _ms(target_seconds), warnings)

    negative = bible.negative_prompt(style)
    scenes: list[script_pb2.Scene] = []
    for index, draft_scene in enumerate(draft.scenes):
        scene_id = f"s{index + 1:02d}"
        scene = script_pb2.Scene(
            id=scene_id, number=index + 1, heading=draft_scene.heading, setting=draft_scene.setting,
            location=draft_scene.location, time_of_day=draft_scene.time_of_day,
            light=light.light_in(draft_scene.time_of_day),
            span=script_pb2.SourceSpan(line=draft_scene.line, column=draft_scene.column, end_line=draft_scene.end_line),
            scene_number=draft_scene.scene_number, synopsis=draft_scene.synopsis,
        )
        for number, planned in enumerate((s for s in shots if s.scene == index), start=1):
            in_frame = [by_id[i] for i in planned.character_ids if i in by_id]
            shot = scene.shots.add(
                id=f"{scene_id}-sh{number:02d}", framing=planned.framing, camera_move=planned.move,
                description=planned.description, character_ids=planned.character_ids,
                prompt=bible.build_prompt(style, planned.framing, planned.subject, draft_scene.setting,
                                          draft_scene.location, draft_scene.time_of_day, scene.light, in_frame),
                negative_prompt=negative,
                seed=bible.shot_seed(film_seed, draft_scene.location, planned.character_ids),
                transition_in=planned.transition or script_pb2.TRANSITION_CUT,
                span=script_pb2.SourceSpan(line=planned.line, column=planned.column, end_line=planned.end_line),
                scene_id=scene_id,
            )
            shot.duration.FromMilliseconds(planned.duration_ms)
            for line in planned.lines:
                message = shot.dialogue.add()
                message.CopyFrom(line.message)
                message.offset.FromMilliseconds(line.offset_ms)
                message.duration.FromMilliseconds(line.duration_ms)
        scenes.append(scene)
    return scenes
