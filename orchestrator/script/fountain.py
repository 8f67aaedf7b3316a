"""A Fountain (fountain.io) screenplay parser: lines in, typed elements out.

One pass over the lines, grouped into paragraphs at blank lines; each paragraph is classified by
its own lines (and, for dual dialogue, the paragraph before). No regular expressions, so no input
can make it backtrack.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from orchestrator.script.emphasis import strip_emphasis
from orchestrator.script.source import SourceLines

# Element kinds.
HEADING = "heading"
ACTION = "action"
DIALOGUE = "dialogue"
TRANSITION = "transition"
CENTERED = "centered"
LYRICS = "lyrics"
SECTION = "section"
SYNOPSIS = "synopsis"
PAGE_BREAK = "page_break"

# Scene heading prefixes, longest first; each must be followed by "." or " ".
_HEADING_PREFIXES = (
    ("INT./EXT", "INT/EXT"),
    ("INT/EXT", "INT/EXT"),
    ("I/E", "INT/EXT"),
    ("INT", "INT"),
    ("EXT", "EXT"),
    ("EST", "EXT"),
)

# Openings a writer may run straight into the first heading.
_OPENINGS = frozenset(("FADE IN:", "FADE UP:", "OPEN ON:"))

_KNOWN_TITLE_KEYS = frozenset(
    ("title", "credit", "author", "authors", "source", "draft date", "date", "contact", "copyright",
     "notes", "revision", "format", "font")
)


@dataclass
class Speech:
    """One piece of a dialogue block: a run of spoken (or sung) text and the direction before it."""

    text: str
    parenthetical: str = ""
    lyric: bool = False


@dataclass
class Element:
    """One Fountain element with where it is in the source (1-based)."""

    kind: str
    text: str
    line: int
    column: int
    end_line: int
    # Scene headings.
    scene_number: str = ""
    interior_exterior: str = ""  # "INT", "EXT", "INT/EXT" or "" for a forced heading
    # Dialogue.
    character: str = ""
    extension: str = ""
    dual: bool = False
    speeches: list[Speech] = field(default_factory=list)
    # Sections.
    depth: int = 0
    forced: bool = False


@dataclass
class FountainDocument:
    """A parsed screenplay: its title page, its elements in order, and warnings with their lines."""

    title_page: list[tuple[str, str]]
    elements: list[Element]
    warnings: list[str]


def _is_blank(line: str) -> bool:
    # Two spaces is Fountain's deliberate empty line inside a paragraph (dialogue, mostly).
    return line != "  " and not line.strip()


def heading_parts(text: str) -> tuple[str, str] | None:
    """("INT"|"EXT"|"INT/EXT", rest) if text starts like a scene heading, else None."""
    upper = text.upper()
    for prefix, setting in _HEADING_PREFIXES:
        if upper.startswith(prefix) and len(upper) > len(prefix) and upper[len(prefix)] in ". ":
            return setting, text[len(prefix):].lstrip(". ").strip()
    return None


def _split_scene_number(text: str) -> tuple[str, str]:
    stripped = text.rstrip()
    if len(stripped) >= 3 and stripped.endswith("#"):
        start = stripped.rfind("#", 0, len(stripped) - 1)
        number = stripped[start + 1 : -1] if start >= 0 else ""
        if number and all(c.isalnum() or c in "-._" for c in number):
            return stripped[:start].rstrip(), number
    return text.strip(), ""


def _title_key(line: str) -> tuple[str, str] | None:
    if not line or line[0] in " \t":
        return None
    key, colon, value = line.partition(":")
    if not colon or not key or len(key) > 40:
        return None
    if not all(c.isalnum() or c in " _-" for c in key):
        return None
    return key.strip(), value.strip()


def _parse_title_page(block: list[str]) -> list[tuple[str, str]] | None:
    first = _title_key(block[0])
    if first is None:
        return None
    # "FADE IN:" alone on the first line is action, not a title page key.
    if not first[1] and first[0].lower() not in _KNOWN_TITLE_KEYS and (
        len(block) == 1 or not block[1].startswith(("\t", "   "))
    ):
        return None
    entries: list[tuple[str, list[str]]] = []
    for line in block:
        key_value = _title_key(line)
        if key_value is not None:
            entries.append((key_value[0], [key_value[1]] if key_value[1] else []))
        elif line.startswith(("\t", "   ")) and entries:
            entries[-1][1].append(line.strip())
        else:
            return None
    return [(key, "\n".join(strip_emphasis(v) for v in values)) for key, values in entries]


def _cue(line: str) -> tuple[str, str, bool, bool] | None:
    """(name, extension, dual, forced) if the line is a character cue."""
    stripped = line.strip()
    forced = stripped.startswith("@")
    if forced:
        stripped = stripped[1:].strip()
    dual = stripped.endswith("^")
    if dual:
        stripped = stripped[:-1].rstrip()
    name, paren, rest = stripped.partition("(")
    name = name.strip()
    if not name:
        return None
    if not forced and (not name.isupper() or line.endswith("  ")):
        return None
    extensions: list[str] = []
    while paren:
        inside, close, rest = rest.partition(")")
        if not close:
            # "MAYA (V.O." is a cue with an unclosed extension; keep what is there.
            extensions.append(inside.strip())
            break
        if inside.strip():
            extensions.append(inside.strip())
        _, paren, rest = rest.partition("(")
    return strip_emphasis(name), ", ".join(extensions), dual, forced


class _Paragraph:
    """Consecutive non-blank lines (tabs expanded); `start` skips lines already classified."""

    __slots__ = ("lines", "numbers", "columns", "start")

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.numbers: list[int] = []
        self.columns: list[int] = []
        self.start = 0


def _paragraphs(source: SourceLines) -> list[_Paragraph]:
    paragraphs: list[_Paragraph] = []
    current: _Paragraph | None = None
    for raw, number in zip(source.lines, source.numbers):
        if _is_blank(raw):
            current = None
            continue
        if current is None:
            current = _Paragraph()
            paragraphs.append(current)
        current.lines.append(raw.expandtabs(4))
        current.numbers.append(number)
        current.columns.append(len(raw) - len(raw.lstrip()) + 1)
    return paragraphs


def parse_fountain(source: SourceLines) -> FountainDocument:
    """Parses Fountain lines (already free of notes and boneyard) into a FountainDocument."""
    paragraphs = _paragraphs(source)
    title_page: list[tuple[str, str]] = []
    warnings: list[str] = []
    if paragraphs and paragraphs[0].numbers[0] == _first_nonblank_number(source):
        parsed = _parse_title_page(_raw_lines(source, paragraphs[0]))
        if parsed is not None:
            title_page = parsed
            paragraphs = paragraphs[1:]
    elements: list[Element] = []
    for paragraph in paragraphs:
        rest: _Paragraph | None = paragraph
        while rest is not None:  # a paragraph may hold a heading or page break and then more
            rest = _classify(rest, elements, warnings)
    return FountainDocument(title_page, elements, warnings)


def _first_nonblank_number(source: SourceLines) -> int:
    for raw, number in zip(source.lines, source.numbers):
        if not _is_blank(raw):
            return number
    return 0


def _raw_lines(source: SourceLines, paragraph: _Paragraph) -> list[str]:
    # The title page needs the raw lines: a tab indent marks a continued value.
    first = source.numbers.index(paragraph.numbers[0])
    return source.lines[first : first + len(paragraph.lines)]


def _element(kind: str, text: str, paragraph: _Paragraph, start: int = 0, end: int | None = None) -> Element:
    """An element spanning the paragraph's lines start..end, counted from paragraph.start."""
    first = paragraph.start + start
    last = len(paragraph.lines) - 1 if end is None else paragraph.start + end
    return Element(kind, text, paragraph.numbers[first], paragraph.columns[first], paragraph.numbers[last])


def _classify(paragraph: _Paragraph, elements: list[Element], warnings: list[str]) -> _Paragraph | None:
    """Appends the paragraph's element(s); returns the lines still to classify, if any.

    The first reading that fits wins, in this order: forced action, page break, sections and
    synopses, scene heading, a transition run into the next line, centered text, transition,
    lyrics, dialogue, and otherwise action. Only a page break, an outline, a heading or a run-in
    transition leaves lines over, and each moves `start` past the lines it took, so every line is
    read a fixed number of times: linear in the paragraph.
    """
    first = paragraph.lines[paragraph.start].strip()
    single = paragraph.start == len(paragraph.lines) - 1

    if first.startswith("!"):
        _action(paragraph, elements, forced=True)
        return None
    if len(first) >= 3 and first.strip("=") == "":
        elements.append(_element(PAGE_BREAK, "", paragraph, 0, 0))
        return None if single else _tail(paragraph, 1)
    if first.startswith("#") or _is_synopsis(first):
        return _outline(paragraph, elements)

    heading = _scene_heading(first, paragraph, single)
    if heading is not None:
        elements.append(heading)
        # Writers often forget the blank line after a heading; the rest is the scene's
        # opening action. (screenplain and jouvence read the heading as a character cue.)
        return None if single else _run_on(paragraph, "a scene heading", "as action", warnings)
    if not single and _leads_in(first):
        # "FADE IN:" or "CUT TO:" with no blank line after it: a transition, not a character cue
        # (screenplain reads a speaker called "FADE IN:" saying the heading below it).
        elements.append(_element(TRANSITION, strip_emphasis(first), paragraph, 0, 0))
        return _run_on(paragraph, "a transition", "on their own", warnings)

    lines = paragraph.lines[paragraph.start :] if paragraph.start else paragraph.lines
    element = _centered(lines, paragraph) or _transition(first, single, paragraph) or _lyrics(lines, paragraph)
    if element is None and not single:
        element = _dialogue(lines, paragraph, elements[-1] if elements else None, warnings)
    if element is None:
        _action(paragraph, elements, forced=False)
    else:
        elements.append(element)
    return None


def _run_on(paragraph: _Paragraph, what: str, reading: str, warnings: list[str]) -> _Paragraph:
    """The paragraph's lines after its first, which wanted a blank line after it; warns naming it."""
    warnings.append(
        f"line {paragraph.numbers[paragraph.start]}: {what} should be followed by a blank line; "
        f"reading the lines after it {reading}"
    )
    return _tail(paragraph, 1)


def _is_synopsis(stripped: str) -> bool:
    # "===" and more is a page break, not a synopsis.
    return stripped.startswith("=") and not stripped.startswith("===")


def _outline(paragraph: _Paragraph, elements: list[Element]) -> _Paragraph | None:
    """Appends the paragraph's leading sections ("# Act one") and synopses ("= She leaves.").

    Returns the lines from the first that is neither, or None when every line was one.
    """
    for index in range(len(paragraph.lines) - paragraph.start):
        stripped = paragraph.lines[paragraph.start + index].strip()
        if stripped.startswith("#"):
            depth = len(stripped) - len(stripped.lstrip("#"))
            section = _element(SECTION, strip_emphasis(stripped[depth:].strip()), paragraph, index, index)
            section.depth = depth
            elements.append(section)
        elif _is_synopsis(stripped):
            elements.append(_element(SYNOPSIS, strip_emphasis(stripped[1:].strip()), paragraph, index, index))
        else:
            return _tail(paragraph, index)
    return None


def _scene_heading(first: str, paragraph: _Paragraph, single: bool) -> Element | None:
    """The heading on the paragraph's first line, or None if that line is not one.

    Fountain wants a heading alone between blank lines. A natural one (INT/EXT/EST/I/E followed by
    "." or " ") with lines after it is still taken, a common slip the caller warns about; a forced
    one ("." but not "...") is taken only alone, and otherwise read as whatever else it fits.
    """
    forced = first.startswith(".") and len(first) > 1 and first[1] != "."
    natural = None if forced else heading_parts(first)
    if natural is None and not (forced and single):
        return None
    text, number = _split_scene_number(first[1:] if forced else first)
    heading = _element(HEADING, strip_emphasis(text), paragraph, 0, 0)
    heading.scene_number = number
    heading.forced = forced
    heading.interior_exterior = "" if natural is None else natural[0]
    return heading


def _centered(lines: list[str], paragraph: _Paragraph) -> Element | None:
    """Centered text ("> THE END <"): every line of the paragraph wrapped in > and <."""
    if not all(_is_centered(line) for line in lines):
        return None
    text = "\n".join(strip_emphasis(line.strip()[1:-1].strip()) for line in lines)
    return _element(CENTERED, text, paragraph)


def _transition(first: str, single: bool, paragraph: _Paragraph) -> Element | None:
    """A transition: a line alone, forced with ">" or upper case ending in "TO:" ("CUT TO:")."""
    if single and first.startswith(">"):
        return _element(TRANSITION, strip_emphasis(first[1:].strip()), paragraph)
    if single and first.endswith("TO:") and first.isupper():
        return _element(TRANSITION, strip_emphasis(first), paragraph)
    return None


def _leads_in(first: str) -> bool:
    """Whether a paragraph's first line is a transition a writer ran into the next line: upper case
    ending in "TO:" ("CUT TO:"), or an opening ("FADE IN:")."""
    return first.isupper() and (first.endswith("TO:") or first in _OPENINGS)


def _lyrics(lines: list[str], paragraph: _Paragraph) -> Element | None:
    """Lyrics outside a dialogue block: every line starts with "~"."""
    if not all(line.strip().startswith("~") for line in lines):
        return None
    return _element(LYRICS, "\n".join(strip_emphasis(line.strip()[1:].strip()) for line in lines), paragraph)


def _dialogue(
    lines: list[str], paragraph: _Paragraph, previous: Element | None, warnings: list[str]
) -> Element | None:
    """A dialogue block: a character cue and the speeches under it, or None if line one is no cue.

    A cue marked "^" is the second half of dual dialogue: it marks the block before it dual too.
    """
    cue = _cue(lines[0])
    if cue is None:
        return None
    name, extension, dual, forced = cue
    dialogue = _element(DIALOGUE, "", paragraph)
    dialogue.character, dialogue.extension, dialogue.forced = name, extension, forced
    dialogue.speeches = _speeches(lines[1:])
    dialogue.text = " ".join(s.text for s in dialogue.speeches if s.text)
    if dual:
        if previous is not None and previous.kind == DIALOGUE:
            previous.dual = True
            dialogue.dual = True
        else:
            warnings.append(
                f"line {paragraph.numbers[paragraph.start]}: dual dialogue (^) needs a dialogue block just before it"
            )
    return dialogue


def _tail(paragraph: _Paragraph, skip: int) -> _Paragraph:
    paragraph.start += skip
    return paragraph


def _is_centered(line: str) -> bool:
    stripped = line.strip()
    return len(stripped) >= 2 and stripped[0] == ">" and stripped[-1] == "<"


def _speeches(lines: list[str]) -> list[Speech]:
    speeches: list[Speech] = []
    pending_parenthetical = ""
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("(") and stripped.endswith(")"):
            # A direction between two runs of speech starts a new speech.
            pending_parenthetical = strip_emphasis(stripped[1:-1].strip())
            continue
        lyric = stripped.startswith("~")
        if lyric:
            stripped = stripped[1:].strip()
        text = strip_emphasis(stripped)
        last = speeches[-1] if speeches else None
        if last is not None and not pending_parenthetical and last.lyric == lyric:
            last.text = f"{last.text} {text}".strip() if text else last.text
        else:
            speeches.append(Speech(text, pending_parenthetical, lyric))
            pending_parenthetical = ""
    if pending_parenthetical:
        # A trailing direction ("(beat)") belongs to the last speech if there is one.
        if speeches and not speeches[-1].parenthetical:
            speeches[-1].parenthetical = pending_parenthetical
        elif not speeches:
            speeches.append(Speech("", pending_parenthetical))
    return speeches


def _action(paragraph: _Paragraph, elements: list[Element], forced: bool) -> None:
    texts = []
    for line in paragraph.lines[paragraph.start :]:
        line = line.rstrip()
        if line.lstrip().startswith("!"):
            line = line.lstrip()[1:]
        texts.append(strip_emphasis(line))
    action = _element(ACTION, "\n".join(texts), paragraph)
    action.forced = forced
    elements.append(action)
