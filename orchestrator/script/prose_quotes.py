"""Quotations in a paragraph of prose: where each one opens and closes, and whether it is speech.

Double quotes pair as written ("..." and \u201c...\u201d, \u00ab...\u00bb); an unclosed one runs to the
paragraph's end, as fiction leaves a speech open that goes on in the next paragraph. Single quotes
(British dialogue) are ambiguous with apostrophes, so a quotation opens only at the start of a word,
and closes at \u2019 not followed by a letter (\u2018Don\u2019t,\u2019 ...) or, for a plain ', only right after
the speech's own punctuation ('Not yet,' ...); with no such closer it is no quotation at all.

Cost: each regex search starts where the last quotation ended and closers for single quotes are
found once and looked up by bisection, so a paragraph is read in O(n log n) whatever it holds.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

NARRATION = "narration"
QUOTE = "quote"

_OPENER = re.compile("[\"\u201c\u00ab'\u2018]")
_DOUBLE_CLOSER = {'"': re.compile('["\u201d]'), "\u201c": re.compile('["\u201d]'), "\u00ab": re.compile("\u00bb")}
# Where a plain ' closes speech: after the speech's punctuation, before a space, the end or a dash.
_PLAIN_CLOSER = re.compile("(?<=[,.!?\u2026\u2014\u2013-])'(?=\\s|$|[\u2014\u2013-])")
# Where \u2019 closes speech: anywhere but inside a word (don\u2019t, it\u2019s).
_CURLY_CLOSER = re.compile("\u2019(?![^\\W\\d_])")
# What may stand before a quotation's opening mark.
_BEFORE_OPENER = " \t([{\u2014\u2013-:"


@dataclass
class Piece:
    """A run of narration or the inside of one quotation, with its offset in the paragraph."""

    kind: str
    text: str
    start: int
    unclosed: bool = False  # a quotation still open at the paragraph's end


def pieces(text: str) -> list[Piece]:
    """The paragraph as narration and quotations in order (quotation marks left out); narration
    pieces may be empty between two quotations."""
    plain = [m.start() for m in _PLAIN_CLOSER.finditer(text)] if "'" in text else []
    curly = [m.start() for m in _CURLY_CLOSER.finditer(text)] if "\u2019" in text else []
    found: list[Piece] = []
    narration_start = 0
    position = 0
    while True:
        match = _OPENER.search(text, position)
        if match is None:
            break
        opener = match.start()
        position = opener + 1
        if not _opens(text, opener):
            continue
        mark = text[opener]
        if mark in _DOUBLE_CLOSER:
            closing = _DOUBLE_CLOSER[mark].search(text, opener + 1)
            close = closing.start() if closing else len(text)
        else:
            close = _next(curly if mark == "\u2018" else plain, opener)
            if close < 0:
                continue
        found.append(Piece(NARRATION, text[narration_start:opener], narration_start))
        found.append(Piece(QUOTE, text[opener + 1:close], opener + 1, unclosed=close == len(text)))
        narration_start = position = close + 1
    if narration_start < len(text) or not found:
        found.append(Piece(NARRATION, text[narration_start:], narration_start))
    return found


def _opens(text: str, index: int) -> bool:
    """Whether the mark at index can open a quotation: at a word's start, before a non-space."""
    before_ok = index == 0 or text[index - 1] in _BEFORE_OPENER
    after_ok = index + 1 < len(text) and not text[index + 1].isspace()
    return before_ok and after_ok


def _next(closers: list[int], after: int) -> int:
    k = bisect.bisect_right(closers, after)
    return closers[k] if k < len(closers) else -1


def looks_spoken(piece: Piece, before: str) -> bool:
    """Whether an untagged quotation reads as speech rather than a title or a word in quotes
    ('a boat called "Mary"'): it starts with a capital and ends on speech punctuation, or stands
    at a sentence's start."""
    words = piece.text.strip()
    if not words or not (words[0].isupper() or words[0] in "\u2026."):
        return False
    ends_spoken = words[-1] in ",.!?\u2026\u2014\u2013-"
    starts_sentence = not before.strip() or before.rstrip()[-1] in ".!?:,\u2014\u2013"
    return ends_spoken or (starts_sentence and len(words.split()) > 1)
