"""The planner's working data: shots and lines with their timing in milliseconds, before they become
the scene graph's messages, and the timing rules they follow."""

from __future__ import annotations

from dataclasses import dataclass, field

from filmstudio import tensors
from filmstudio.v1 import script_pb2

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
# A title card is held to be read: a lead and a beat a word, within these bounds.
MIN_CARD_SECONDS = 3.0
MAX_CARD_SECONDS = 6.0
# The black a closing "FADE OUT." ends on: the fade down (half of the composer's fade to black) and
# a second of black.
BLACK_SECONDS = 1.5


def speech_seconds(text: str, voice: script_pb2.Voice) -> float:
    """Seconds a line takes: its words at the voice's rate, plus a breath after it.

    The TTS (espeak-ng -s words_per_minute) is told the same rate, so plan and voice agree.
    """
    words = sum(1 for word in text.split() if any(c.isalnum() for c in word))
    rate = voice.words_per_minute or tensors.DEFAULT_WORDS_PER_MINUTE
    return words * 60.0 / rate + LINE_PAUSE_SECONDS


def ms(seconds: float) -> int:
    return int(round(seconds * 1000))


def card_seconds(text: str) -> float:
    """Seconds a title card stays up: 1.5 s and 0.3 s a word, within the card bounds."""
    return min(MAX_CARD_SECONDS, max(MIN_CARD_SECONDS, 1.5 + 0.3 * len(text.split())))


@dataclass
class PlannedLine:
    """A line placed in its shot: where it starts and how long it is spoken."""

    message: script_pb2.DialogueLine
    offset_ms: int
    duration_ms: int


@dataclass(eq=False)
class PlannedShot:
    """A shot as the planner cuts and times it."""

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
    lines: list[PlannedLine] = field(default_factory=list)
    dual_open: bool = False
    subject_is_speech: bool = False
    card_text: str = ""  # a title card: these words, no picture; held base_ms (or a voice over it)
    black: bool = False  # the black the film fades out to; held base_ms
    duration_ms: int = 0
    fit_base_ms: int = 0

    speech_ms: int = 0  # time the dialogue needs: lead, every line, and the breath after the last

    def frame(self, character_id: str) -> None:
        """Puts a character in the frame; one already in it is not drawn twice."""
        if character_id not in self.character_ids:
            self.character_ids.append(character_id)

    def min_ms(self) -> int:
        if self.card_text or self.black:
            return max(self.base_ms, self.speech_ms)
        return max(ms(MIN_ACTION_SECONDS), self.speech_ms)

    def max_ms(self) -> int:
        if self.card_text or self.black:
            return max(self.base_ms, self.speech_ms)
        if self.lines and self.subject_is_speech:
            return self.speech_ms
        return max(ms(MAX_ACTION_SECONDS), self.speech_ms)

    def add_line(self, message: script_pb2.DialogueLine, voice: script_pb2.Voice, with_previous: bool) -> None:
        duration = ms(speech_seconds(message.text, voice))
        if with_previous and self.lines:
            offset = self.lines[-1].offset_ms
        else:
            offset = self.speech_ms if self.lines else ms(LINE_LEAD_SECONDS)
        self.lines.append(PlannedLine(message, offset, duration))
        self.speech_ms = max(self.speech_ms, offset + duration)
