"""The shot planner: scenes of beats become timed, framed, prompted shots that fill the target length.

A pure function of the draft, the character bible and the settings, so the same script and settings
always give the same plan; the orchestrator may lengthen a shot later, once real voices are measured.
"""

from __future__ import annotations

from dataclasses import dataclass

from filmstudio import light
from filmstudio.v1 import script_pb2
from orchestrator.script import bible
from orchestrator.script.draft import ACTION, CARD, TRANSITION, Beat, Draft, DraftScene
from orchestrator.script.fitting import fit
from orchestrator.script.language import line_language
from orchestrator.script.planned import (BLACK_SECONDS, ESTABLISHING_SECONDS, MAX_ACTION_SECONDS,
                                         MIN_ACTION_SECONDS, PlannedShot, card_seconds, ms)

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
_CLOSERS = ("FADE OUT", "FADE OUT.", "FADE OUT:", "FADE TO BLACK", "FADE TO BLACK.", "FADE TO BLACK:", "THE END",
            "THE END.", "END", "CUT TO BLACK", "CUT TO BLACK.", "CUT TO BLACK:")
# Cue extension marks for a voice off the picture, once dots and spaces are gone ("V.O." is "VO").
_OFFSCREEN = ("VO", "OS", "OC")


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
    # name_grams trims punctuation from every word, so a name with some ("MRS. PATEL") is looked up so too.
    trimmed = {" ".join(word.strip(bible.PUNCTUATION) for word in name.split()): id_ for name, id_ in names.items()}
    found = {trimmed[gram] for gram in bible.name_grams(text, upper=True) if gram in trimmed}
    return [character_id for character_id in names.values() if character_id in found] if found else []


@dataclass
class _Talk:
    """Who has spoken in the scene so far: speaking shots per character (the first is framed wider)
    and the last speaker given a shot of their own."""

    spoken: dict[str, int]
    last_speaker: str = ""


def _scene_shots(
    index: int, scene: DraftScene, characters: dict[str, str], by_id: dict[str, script_pb2.Character],
    pending: int, warnings: list[str],
) -> tuple[list[PlannedShot], int]:
    """Cuts one scene into shots: its title cards, an establishing shot, then one per action beat,
    card and speaking turn.

    `pending` is the transition into the next new shot, left by a transition beat (here or at the
    end of the scene before); the one this scene leaves over is returned with its shots. Voices
    over the picture and the second half of dual dialogue join the shot before instead.
    """
    shots, pending, beats = _title_cards(index, scene.beats, pending)
    if beats or not shots:  # a scene of nothing but cards has no place to establish
        establishing, beats = _establishing_shot(index, scene, beats, characters)
        establishing.transition, pending = pending, script_pb2.TRANSITION_UNSPECIFIED
        shots.append(establishing)
    talk = _Talk({})
    for beat in beats:
        if beat.kind == TRANSITION:
            pending = _transition(beat.text)
            continue
        if beat.kind == CARD:
            shot = _card_shot(index, beat)
        elif beat.kind == ACTION:
            upper = beat.text.strip().upper()
            if upper in _OPENERS or upper in _CLOSERS:
                # "FADE OUT." written as action is a transition into the next shot.
                pending = _transition(upper) if upper in _CLOSERS else script_pb2.TRANSITION_FADE_FROM_BLACK
                continue
            shot = _action_shot(index, beat, characters)
        else:
            shot = _dialogue_shot(index, beat, shots[-1], talk, by_id, warnings)
            if shot is None:
                continue
        shot.transition, pending = pending, script_pb2.TRANSITION_UNSPECIFIED
        shots.append(shot)
    return shots, pending


def _title_cards(index: int, beats: list[Beat], pending: int) -> tuple[list[PlannedShot], int, list[Beat]]:
    """The cards before the scene's first picture (an opening title, "SIX MONTHS LATER") with the
    transitions around them; returns them, the transition into what follows, and the beats left."""
    cards: list[PlannedShot] = []
    pending, start = _opening(beats, 0, pending)
    while start < len(beats) and beats[start].kind == CARD:
        card = _card_shot(index, beats[start])
        card.transition, pending = pending, script_pb2.TRANSITION_UNSPECIFIED
        cards.append(card)
        pending, start = _opening(beats, start + 1, pending)
    return cards, pending, beats[start:]


def _dialogue_shot(
    index: int, beat: Beat, previous: PlannedShot, talk: _Talk, by_id: dict[str, script_pb2.Character],
    warnings: list[str],
) -> PlannedShot | None:
    """A speaking turn's new shot, or None when its lines join the shot before (a voice over the
    picture, the second half of dual dialogue) or it has none."""
    turn = _turn(beat, by_id)
    if not turn.lines:
        warnings.append(f"line {beat.line}: {beat.character} has a cue but nothing to say")
        return None
    if beat.dual and previous.dual_open:
        _second_half_of_dual(previous, turn)
        return None
    if turn.offscreen:
        _voice_over(previous, turn)
        return None
    count = talk.spoken.get(turn.speaker, 0)
    talk.spoken[turn.speaker] = count + 1
    shot = _speaking_shot(index, turn, count, talk.last_speaker, by_id)
    talk.last_speaker = turn.speaker
    return shot


def _black_shot(index: int, scene: DraftScene) -> PlannedShot:
    """The black a script closing on "FADE OUT." ends on, faded down to from the last picture."""
    closing = next((beat for beat in reversed(scene.beats)  # the transition that left the fade pending
                    if beat.kind == TRANSITION or (beat.kind == ACTION and beat.text.strip().upper() in _CLOSERS)),
                   None)
    text, line, column = (closing.text.strip(), closing.line, closing.column) if closing else ("", scene.end_line, 1)
    return PlannedShot(
        index, script_pb2.FRAMING_UNSPECIFIED, script_pb2.CAMERA_MOVE_STATIC, text or "FADE OUT", "", [],
        line, column, line, ms(BLACK_SECONDS), transition=script_pb2.TRANSITION_FADE_TO_BLACK, black=True,
    )


def _card_shot(index: int, beat: Beat) -> PlannedShot:
    """A title card: the beat's words on their own, nobody in frame, held long enough to read."""
    description = " ".join(beat.text.split())
    return PlannedShot(
        index, script_pb2.FRAMING_UNSPECIFIED, script_pb2.CAMERA_MOVE_STATIC, description, "", [],
        beat.line, beat.column, beat.end_line, ms(card_seconds(beat.text)), card_text=beat.text,
    )


def _opening(beats: list[Beat], start: int, pending: int) -> tuple[int, int]:
    """The transition into the next picture, and where the beats from `start` on are past their
    leading transitions.

    Transitions before the first picture ("DISSOLVE TO:", or "FADE IN:" written as action) lead into
    it; of several, the last one written is used, over one the scene before left.
    """
    while start < len(beats) and (
        beats[start].kind == TRANSITION
        or (beats[start].kind == ACTION and beats[start].text.strip().upper() in _OPENERS)
    ):
        beat = beats[start]
        pending = _transition(beat.text) if beat.kind == TRANSITION else script_pb2.TRANSITION_FADE_FROM_BLACK
        start += 1
    return pending, start


def _action_ms(description: str, shortest: float) -> int:
    # Reading time for the picture: 2 s and 0.12 s a word, within the action bounds.
    return ms(min(MAX_ACTION_SECONDS, max(shortest, 2.0 + 0.12 * len(description.split()))))


def _establishing_shot(
    index: int, scene: DraftScene, beats: list[Beat], characters: dict[str, str]
) -> tuple[PlannedShot, list[Beat]]:
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
        shot = PlannedShot(
            index, framing or wide, move or script_pb2.CAMERA_MOVE_PUSH_IN, description, description,
            _present(first.text, characters), first.line, first.column, first.end_line,
            _action_ms(description, ESTABLISHING_SECONDS), establishing=True,
        )
        return shot, beats[1:]
    place = " ".join(part for part in (scene.location.lower(), scene.time_of_day.lower()) if part)
    shot = PlannedShot(
        index, wide, script_pb2.CAMERA_MOVE_PAN_RIGHT if exterior else script_pb2.CAMERA_MOVE_PUSH_IN,
        scene.heading or place or "establishing shot", place or "the setting",
        [], scene.line, scene.column, scene.line, ms(ESTABLISHING_SECONDS), establishing=True,
    )
    return shot, beats


def _action_shot(index: int, beat: Beat, characters: dict[str, str]) -> PlannedShot:
    """An action beat's shot: framed by its camera words, else medium on the people it names, else wide."""
    framing, move = _camera(beat.text)
    description = " ".join(beat.text.split())
    present = _present(beat.text, characters)
    default_framing = script_pb2.FRAMING_MEDIUM if present else script_pb2.FRAMING_WIDE
    return PlannedShot(
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
            language=line_language(speech.text, character.voice.language),
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


def _voice_over(shot: PlannedShot, turn: _Turn) -> None:
    """An offscreen voice plays over the picture we are already on, after its lines (the first half
    of dual dialogue leaves the shot open for the second, who talks at the same time)."""
    for line in turn.lines:
        shot.add_line(line, turn.voice, with_previous=False)
    shot.end_line = max(shot.end_line, turn.beat.end_line)
    shot.dual_open = turn.beat.dual


def _second_half_of_dual(shot: PlannedShot, turn: _Turn) -> None:
    """Dual dialogue: the second speaker joins the first's shot, widened, talking at the same time
    (a voice off the picture, or over a title card, is heard at the same time, and not framed)."""
    if not turn.offscreen and not shot.card_text:
        shot.frame(turn.speaker)
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
) -> PlannedShot:
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
    shot = PlannedShot(
        index, framing, move, turn.description, subject, ids, beat.line, beat.column, beat.end_line, 0,
        dual_open=beat.dual, subject_is_speech=True,
    )
    for line in turn.lines:
        shot.add_line(line, turn.voice, with_previous=False)
    return shot


def plan_shots(
    draft: Draft, characters: list[script_pb2.Character], style: bible.Style, target_seconds: float,
    film_seed: int, warnings: list[str],
) -> list[script_pb2.Scene]:
    """Cuts every scene into shots, fits them to target_seconds and writes their prompts."""
    by_id = {c.id: c for c in characters}
    names = {c.name.upper(): c.id for c in characters}
    shots: list[PlannedShot] = []
    pending = script_pb2.TRANSITION_UNSPECIFIED
    for index, scene in enumerate(draft.scenes):
        scene_shots, pending = _scene_shots(index, scene, names, by_id, pending, warnings)
        shots.extend(scene_shots)
    if shots and not shots[0].transition:
        shots[0].transition = script_pb2.TRANSITION_FADE_FROM_BLACK
    if shots and pending == script_pb2.TRANSITION_FADE_TO_BLACK:
        shots.append(_black_shot(len(draft.scenes) - 1, draft.scenes[-1]))
    fit(shots, ms(target_seconds), warnings)

    return [_scene_message(index, draft_scene, [s for s in shots if s.scene == index], style, film_seed, by_id)
            for index, draft_scene in enumerate(draft.scenes)]


def _scene_message(
    index: int, draft_scene: DraftScene, planned_shots: list[PlannedShot], style: bible.Style, film_seed: int,
    by_id: dict[str, script_pb2.Character],
) -> script_pb2.Scene:
    """The scene graph's Scene: the draft scene with its fitted shots, prompted (a card has no prompt)."""
    negative = bible.negative_prompt(style)
    scene_id = f"s{index + 1:02d}"
    scene = script_pb2.Scene(
        id=scene_id, number=index + 1, heading=draft_scene.heading, setting=draft_scene.setting,
        location=draft_scene.location, time_of_day=draft_scene.time_of_day,
        light=light.light_in(draft_scene.time_of_day),
        span=script_pb2.SourceSpan(line=draft_scene.line, column=draft_scene.column, end_line=draft_scene.end_line),
        scene_number=draft_scene.scene_number, synopsis=draft_scene.synopsis,
    )
    for number, planned in enumerate(planned_shots, start=1):
        in_frame = [by_id[i] for i in planned.character_ids if i in by_id]
        pictured = not (planned.card_text or planned.black)
        shot = scene.shots.add(
            id=f"{scene_id}-sh{number:02d}", framing=planned.framing, camera_move=planned.move,
            description=planned.description, character_ids=planned.character_ids,
            prompt=bible.build_prompt(style, planned.framing, planned.subject, draft_scene.setting,
                                      draft_scene.location, draft_scene.time_of_day, scene.light, in_frame)
            if pictured else "",
            negative_prompt=negative if pictured else "",
            seed=bible.shot_seed(film_seed, draft_scene.location, planned.character_ids, planned.description),
            transition_in=planned.transition or script_pb2.TRANSITION_CUT,
            span=script_pb2.SourceSpan(line=planned.line, column=planned.column, end_line=planned.end_line),
            scene_id=scene_id, card_text=planned.card_text, black=planned.black,
        )
        shot.duration.FromMilliseconds(planned.duration_ms)
        for line in planned.lines:
            message = shot.dialogue.add()
            message.CopyFrom(line.message)
            message.offset.FromMilliseconds(line.offset_ms)
            message.duration.FromMilliseconds(line.duration_ms)
    return scene
