"""Script text as lines: decoding, limits, and removal of Fountain notes and boneyard.

Everything here is a single forward pass over the text, so no input can make it slower than linear.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from filmstudio.errors import ScriptError

# A feature screenplay is about 200 KB of text; 1 MiB leaves five times that and keeps a parse
# well under a second. Anything bigger is refused before it is decoded.
MAX_SCRIPT_BYTES = 1024 * 1024

# Control characters that never occur in a text script (tab, LF, CR and form feed are allowed).
# A single character class: the search is linear.
_BINARY = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")


@dataclass
class SourceLines:
    """The script's lines after notes and boneyard are removed, each with its 1-based source line."""

    lines: list[str]
    numbers: list[int]


def _position(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of text[index]."""
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


def decode_script(script: str | bytes) -> str:
    """Returns the script as text with LF line ends and no BOM, or raises ScriptError."""
    if isinstance(script, (bytes, bytearray, memoryview)):
        data = bytes(script)
        if len(data) > MAX_SCRIPT_BYTES:
            raise ScriptError(
                f"the script is {len(data):,} bytes; the limit is {MAX_SCRIPT_BYTES:,} bytes (1 MiB)"
            )
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            # Column in characters of the valid prefix of that line, plus one for the bad byte.
            prefix = data[: error.start].decode("utf-8", errors="replace")
            line, column = _position(prefix + "\ufffd", len(prefix))
            raise ScriptError(
                f"the script is not valid UTF-8 (byte 0x{data[error.start]:02x})", line, column
            ) from None
    else:
        text = script
        size = len(text.encode("utf-8", errors="surrogatepass")) if len(text) <= MAX_SCRIPT_BYTES else len(text)
        if size > MAX_SCRIPT_BYTES:
            raise ScriptError(
                f"the script is {size:,} bytes; the limit is {MAX_SCRIPT_BYTES:,} bytes (1 MiB)"
            )
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as error:
            line, column = _position(text, error.start)
            raise ScriptError("the script is not valid UTF-8 (a lone surrogate)", line, column) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    binary = _BINARY.search(text)
    if binary is not None:
        line, column = _position(text, binary.start())
        raise ScriptError(
            f"the script contains binary data (control character U+{ord(binary.group()):04X})", line, column
        )
    if not text.strip():
        raise ScriptError("the script is empty", 1, 1)
    return text


def strip_comments(text: str) -> SourceLines:
    """Removes [[notes]] and /* boneyard */, keeping each remaining line's source line number.

    A comment that spans lines joins the text before it and after it into one line, as the
    spec intends ("ignored as if it were not there"). An unclosed comment is a ScriptError naming
    where it opened.
    """
    pieces: list[str] = []
    # (index into the output where a comment swallowed newlines, how many it swallowed)
    joins: list[tuple[int, int]] = []
    out_newlines = 0
    position = 0
    next_bone = text.find("/*")
    next_note = text.find("[[")
    while True:
        if next_bone < 0 and next_note < 0:
            pieces.append(text[position:])
            break
        is_bone = next_note < 0 or (0 <= next_bone < next_note)
        start = next_bone if is_bone else next_note
        closer = "*/" if is_bone else "]]"
        end = text.find(closer, start + 2)
        if end < 0:
            line, column = _position(text, start)
            what = "boneyard /*" if is_bone else "note [["
            raise ScriptError(f"unclosed {what} (no matching {closer})", line, column)
        kept = text[position:start]
        pieces.append(kept)
        out_newlines += kept.count("\n")
        swallowed = text.count("\n", start, end)
        if swallowed:
            joins.append((out_newlines, swallowed))
        position = end + 2
        # Search again only for a marker we have passed; one never found stays not found
        # (searching again would rescan the rest of the text on every comment: quadratic).
        if 0 <= next_bone < position:
            next_bone = text.find("/*", position)
        if 0 <= next_note < position:
            next_note = text.find("[[", position)
    lines = "".join(pieces).split("\n")
    numbers = list(range(1, len(lines) + 1))
    shift = 0
    join_index = 0
    for output_line in range(len(lines)):
        numbers[output_line] = output_line + 1 + shift
        while join_index < len(joins) and joins[join_index][0] == output_line:
            shift += joins[join_index][1]
            join_index += 1
    return SourceLines(lines, numbers)
