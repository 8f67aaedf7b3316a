"""Quoted speech in prose as dialogue: who says each quotation, and the narration around it as action.

A quotation's speaker is, in this order: the speech tag after it ("..., said Anna", "Anna asked",
"she whispered") or before it ("Anna said, ..."); the speaker of a speech the paragraph before left
open; the subject of the paragraph's narration (the first person named in a sentence, the last such
before the quotation, else the first after it); in a running conversation, the other speaker. A
pronoun is the last-named person of its gender (prose_cast). Speech no one can be found for is the
NARRATOR's, as a voice over the picture: its words are heard and subtitled (dropping them would
lose story; giving them to a guessed person would put words in the wrong mouth), and no invented
face is filmed.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from orchestrator.script import prose_quotes
from orchestrator.script.draft import ACTION, DIALOGUE, Beat
from orchestrator.script.fountain import Speech
from orchestrator.script.prose_cast import (HONORIFICS, SPEECH_VERBS, Cast, bare, full_name, name_shaped,
                                            sentence_starts)

NARRATOR = "NARRATOR"
NARRATOR_EXTENSION = "V.O."
_PRONOUNS = frozenset(("she", "he", "they"))
_DETERMINERS = frozenset("the a an her his their my our your its".split())
_THEN = frozenset(("and", "then"))
_LISTENERS = frozenset("him her them me us".split())
_WORD = re.compile(r"\S+")
# A sentence ends at . ! ? or … and the space after it (closing marks stay with it); one of fewer
# words than _MIN_SENTENCE_WORDS is not a shot of its own and joins the next.
_SENTENCE_END = re.compile(r"(?<=[.!?\u2026])[\"\u201d\u2019)]*\s+")
_MIN_SENTENCE_WORDS = 3
# Words a speech tag is read from: the verb is among the first few, the direction follows.
_TAG_WORDS = 16
_VERB_WITHIN = 4
_MAX_DIRECTION_WORDS = 12
# A quotation split by tags is joined into one speech up to this long (so joining stays linear).
_JOINED_CHARS = 400

Where = Callable[[int, int], tuple[int, int, int]]  # paragraph offsets -> (line, column, end line)


@dataclass
class Conversation:
    """Who has spoken in the scene so far, for quotations no tag attributes."""

    speakers: list[str] = field(default_factory=list)
    open_speaker: str = ""  # the speaker of a quotation the last paragraph left open


@dataclass
class _Tag:
    """A speech tag: who ("Anna", "she", "OLD MAN" or "" when unsaid) and how, and where it ends."""

    speaker: str
    end: int  # offset in the narration just after the tag's clause
    direction: str = ""
    action: str = ""  # "and closed the door": something the speaker does next
    continues: bool = False  # "..." she said, "...": the quotation goes on after it


def sentences(text: str) -> list[str]:
    """The text's sentences, a very short one joined to the next (or, at the end, the one before)."""
    found: list[str] = []
    carried = ""
    for sentence in _split_sentences(text):
        carried = f"{carried} {sentence}" if carried else sentence
        if len(carried.split()) >= _MIN_SENTENCE_WORDS:
            found.append(carried)
            carried = ""
    if carried:
        if found:
            found[-1] = f"{found[-1]} {carried}"
        else:
            found.append(carried)
    return found


def _split_sentences(text: str) -> list[str]:
    cuts = [0] + [match.end() for match in _SENTENCE_END.finditer(text)] + [len(text)]
    return [text[a:b].strip() for a, b in zip(cuts, cuts[1:]) if text[a:b].strip()]


def _words(text: str, limit: int | None = None) -> list[re.Match]:
    found = []
    for match in _WORD.finditer(text):
        found.append(match)
        if limit is not None and len(found) >= limit:
            break
    return found


def _speaker_at(words: list[str], verb: int) -> tuple[str, int]:
    """The name, pronoun or unnamed person next to a speech verb ("Anna said", "said she",
    "said Mrs Hale", "the old man said"), and how many words after the verb belong to the tag."""
    before = bare(words[verb - 1]) if verb > 0 else ""
    after = bare(words[verb + 1]) if verb + 1 < len(words) else ""
    if before.lower() in _PRONOUNS or name_shaped(before):
        # "she told him", "Anna asked Tomas": the one spoken to is part of the tag.
        return full_name(words, verb - 1), int(after.lower() in _LISTENERS or name_shaped(after))
    if after.lower().rstrip(".") in HONORIFICS and verb + 2 < len(words):
        return full_name(words, verb + 2), 2
    if after.lower() in _PRONOUNS or name_shaped(after):
        return after, 1
    person = [bare(w) for w in words[:verb]]
    if 2 <= len(person) <= 3 and person[0].lower() in _DETERMINERS and all(w.isalpha() and w.islower() for w in person[1:]):
        return " ".join(person[1:]).upper(), 0  # "the old man said" -> OLD MAN, as a Fountain cue
    return "", 0


def leading_tag(narration: str) -> _Tag | None:
    """The speech tag a quotation's following narration opens with, if any."""
    found = _words(narration, _TAG_WORDS)
    words = [m.group() for m in found]
    verb = next((i for i, w in enumerate(words[:_VERB_WITHIN]) if bare(w).lower() in SPEECH_VERBS), -1)
    if verb < 0 or any(w.endswith((".", "!", "?")) for w in words[:verb]):
        return None
    speaker, after = _speaker_at(words, verb)
    taken = verb + 1 + after
    clause_end = next((i for i in range(taken - 1, len(words)) if words[i].endswith((".", "!", "?"))), -1)
    if clause_end < 0 and len(found) == _TAG_WORDS:
        clause_end = len(words) - 1  # a long run-on: the tag is what was read of it
    end = found[clause_end].end() if clause_end >= 0 else len(narration)
    tag = _Tag(speaker, end, continues=clause_end < 0 and narration.rstrip().endswith(","))
    _direction(tag, " ".join(words[taken:clause_end + 1 if clause_end >= 0 else None]).strip(" ,.;:\u2014\u2013-"))
    return tag


def _direction(tag: _Tag, rest: str) -> None:
    """What the tag says after who spoke: "quietly", "smiling" (a direction) or "and closed the door"
    (an action of the speaker's)."""
    if not rest:
        return
    first, _, remainder = rest.partition(" ")
    if first.lower() in _THEN and remainder:
        tag.action = remainder
    elif len(rest.split()) <= _MAX_DIRECTION_WORDS:
        tag.direction = rest
    else:
        tag.action = rest


def trailing_tag(narration: str) -> tuple[_Tag | None, int]:
    """A tag that leads into the quotation after it ("Anna said," / "Anna turned and said:"), and
    where its clause starts; the clause is kept as action unless it is the tag alone."""
    stripped = narration.rstrip()
    if not stripped.endswith((",", ":")):
        return None, len(narration)
    start = max(stripped.rfind(". "), stripped.rfind("! "), stripped.rfind("? "))
    start = 0 if start < 0 else start + 2
    if len(stripped) - start > 200:
        return None, len(narration)
    words = stripped[start:].split()
    verb = next((i for i, w in enumerate(words) if bare(w).lower() in SPEECH_VERBS), -1)
    if verb < 0:
        name = bare(words[0]) if len(words) == 1 else ""
        return (_Tag(name, len(narration)), start) if name_shaped(name) else (None, len(narration))
    speaker = _speaker_at(words, verb)[0] or next(
        (bare(w) for w in words[:verb] if name_shaped(bare(w)) or bare(w).lower() in _PRONOUNS), "")
    return _Tag(speaker, len(narration)), start


@dataclass
class _Reading:
    """A paragraph being turned into beats."""

    cast: Cast
    talk: Conversation
    where: Where
    span: tuple[int, int, int]  # the paragraph's (line, column, end line)
    beats: list[Beat] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)  # sentence subjects so far in the paragraph
    spoke: bool = False

    def act(self, text: str) -> None:
        """Narration as action beats, a sentence each (the fitting joins them again when the film
        has no room for so many shots), all with the paragraph's span; a tag's trailing comma
        becomes a full stop."""
        found = self.cast.read(text)
        self.subjects.extend(self._subjects(text, found))
        cleaned = " ".join(text.split())
        if not any(c.isalnum() for c in cleaned):
            return
        if cleaned.endswith((",", ":", ";")):
            cleaned = cleaned[:-1] + "."
        self.beats.extend(Beat(ACTION, sentence, *self.span) for sentence in sentences(cleaned))
        self.spoke = False

    def _subjects(self, text: str, found: list[str]) -> list[str]:
        """The first person named in each sentence, a sentence-initial she/he standing for one."""
        subjects = []
        words = text.split()
        names = set(found)
        taken = False
        for raw, starts in zip(words, sentence_starts(words)):
            taken = taken and not starts
            word = bare(raw)
            if taken:
                continue
            if word in names:
                subjects.append(word)
                taken = True
            elif starts and word.lower() in ("she", "he"):
                person = self.cast.resolve(word, learn=False)
                if person:
                    subjects.append(person)
                taken = True
        return subjects

    def speaker(self, quote: int, tags: tuple[_Tag | None, _Tag | None], next_narration: str) -> str:
        """Who says the paragraph's quotation number `quote` (see the module's order)."""
        for tag in tags:
            who = tag.speaker if tag else ""
            if who.lower() in _PRONOUNS:
                who = self.cast.resolve(who)
            if who:
                return who
        if quote == 0 and not self.subjects and self.talk.open_speaker:
            return self.talk.open_speaker
        if self.subjects:
            return self.subjects[-1]
        later = next((bare(w) for w in next_narration.split()[:_TAG_WORDS] if bare(w) in self.cast.names), "")
        return later or self._other_speaker() or NARRATOR

    def _other_speaker(self) -> str:
        """In a conversation, an untagged reply is the other person's: the one who spoke before
        the last speaker, else the last-named person who is not the last speaker."""
        spoken = self.talk.speakers
        if not spoken:
            return ""
        if len(spoken) >= 2 and spoken[-1] != spoken[-2]:
            return spoken[-2]
        recent = itertools.islice(reversed(self.cast.recent), _TAG_WORDS)
        return next((name for name in recent if name.upper() != spoken[-1].upper()), "")

    def speak(self, who: str, quote: prose_quotes.Piece, lead: _Tag | None, joined: bool) -> None:
        """The quotation as a speech of `who`'s: in the dialogue beat just before when it is theirs
        (only a tag between), else a new one."""
        cue = who.upper()
        text = " ".join(quote.text.split())
        direction = lead.direction if lead else ""
        last = self.beats[-1] if self.beats and self.spoke else None
        line, column, end_line = self.where(quote.start, quote.start + len(quote.text))
        if last is not None and last.kind == DIALOGUE and last.character == cue:
            if joined and last.speeches and len(last.speeches[-1].text) < _JOINED_CHARS:
                last.speeches[-1].text = f"{last.speeches[-1].text} {text}"
            else:
                last.speeches.append(Speech(text, direction))
            last.end_line = end_line
        else:
            extension = NARRATOR_EXTENSION if who == NARRATOR else ""
            self.beats.append(Beat(DIALOGUE, "", line, column, end_line, character=cue, extension=extension,
                                   speeches=[Speech(text, direction)]))
        self.spoke = True
        if who != NARRATOR:
            self.cast.heard(who)
            self.subjects.append(who)
            if name_shaped(who.split()[-1]) and not who.isupper():
                self.cast.mention(who)


def _spoken(text: str) -> list[tuple[prose_quotes.Piece | None, str]]:
    """The quotations that are speech, each with the narration before it (from the one before);
    the narration after the last comes with None. Quotations that are not speech stay narration."""
    found = prose_quotes.pieces(text)
    spoken: list[tuple[prose_quotes.Piece | None, str]] = []
    start = 0
    for index, piece in enumerate(found):
        if piece.kind != prose_quotes.QUOTE:
            continue
        before = found[index - 1].text
        after = found[index + 1].text if index + 1 < len(found) else ""
        if not (leading_tag(after) or trailing_tag(before)[0] or prose_quotes.looks_spoken(piece, before)):
            continue
        spoken.append((piece, text[start:piece.start - 1]))
        start = min(len(text), piece.start + len(piece.text) + 1)
    spoken.append((None, text[start:]))
    return spoken


def paragraph_beats(text: str, cast: Cast, talk: Conversation, where: Where) -> list[Beat]:
    """A paragraph's beats in story order: its narration as action beats, each run of one person's
    speech as a dialogue beat (its tags left out, their directions kept as parentheticals)."""
    reading = _Reading(cast, talk, where, where(0, len(text)))
    runs = _spoken(text)
    consumed = 0
    joined = False
    speakers: list[str] = []
    for index, (quote, narration) in enumerate(runs):
        body = narration[consumed:]
        trail, trail_start = trailing_tag(body) if quote else (None, len(body))
        keep = body if trail is None or len(body[trail_start:].split()) > 3 else body[:trail_start]
        if any(c.isalnum() for c in keep):
            reading.act(keep)
        if quote is None:
            break
        after = runs[index + 1][1]
        lead = leading_tag(after)
        who = reading.speaker(index, (lead, trail), after)
        reading.speak(who, quote, lead, joined)
        speakers.append(who)
        consumed, joined = (lead.end, lead.continues) if lead else (0, False)
        if lead and lead.action:
            shown = "" if who == NARRATOR or who.isupper() else f"{who} "
            reading.spoke = False
            reading.beats.append(Beat(ACTION, f"{shown}{lead.action}".rstrip(".") + ".", *reading.span))
    _finish(reading.beats)
    for who in speakers:
        if who != NARRATOR and (not talk.speakers or talk.speakers[-1] != who):
            talk.speakers.append(who)  # turns, not lines
    last_quote = runs[-2][0] if len(runs) > 1 else None
    talk.open_speaker = speakers[-1] if last_quote is not None and last_quote.unclosed else ""
    return reading.beats


def _finish(beats: list[Beat]) -> None:
    """A speech's closing comma ("Not yet," she said) is a full stop once the tag is gone; a
    dialogue beat's text is its speeches."""
    for beat in beats:
        if beat.kind != DIALOGUE:
            continue
        for speech in beat.speeches:
            if speech.text.endswith(","):
                speech.text = speech.text[:-1] + "."
        beat.speeches = [speech for speech in beat.speeches if any(c.isalnum() for c in speech.text)]
        beat.text = " ".join(speech.text for speech in beat.speeches)
    beats[:] = [beat for beat in beats if beat.kind != DIALOGUE or beat.speeches]
