"""Scripts that cannot be read are refused with InvalidArgument naming the line and column."""

from __future__ import annotations

import pytest

from filmstudio.errors import InvalidArgument, ScriptError
from orchestrator.script import MAX_SCRIPT_BYTES, parse_script


@pytest.mark.parametrize(
    "script, message, line, column",
    [
        ("", "empty", 1, 1),
        ("  \n\n\t\n", "empty", 1, 1),
        (b"INT. A - DAY\n\nHi \x00there\n", "binary data", 3, 4),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not valid UTF-8", 1, 1),
        (b"INT. A - DAY\n\ncaf\xc3\xa9 ok \xff bad\n", "not valid UTF-8", 3, 9),
        ("INT. A - DAY\n\nShe /* forgets\nto close", "unclosed boneyard", 3, 5),
        ("INT. A - DAY\n\nBOB\nHi [[ note\n", "unclosed note", 4, 4),
        ("Title: Only a title\nAuthor: Me\n", "no scene", None, None),
        ("/* all cut */\n[[ and noted ]]\n", "no scene", None, None),
    ],
)
def test_bad_scripts(script, message, line, column):
    with pytest.raises(ScriptError, match=message) as caught:
        parse_script(script)
    assert (caught.value.line, caught.value.column) == (line, column)
    if line is not None:
        assert str(caught.value).startswith(f"line {line}, column {column}: ")
    assert isinstance(caught.value, InvalidArgument)


@pytest.mark.parametrize("as_bytes", [True, False])
def test_oversized_script_is_refused_before_parsing(as_bytes):
    big = "INT. A - DAY\n\n" + "x" * MAX_SCRIPT_BYTES
    with pytest.raises(ScriptError, match="limit is 1,048,576 bytes"):
        parse_script(big.encode() if as_bytes else big)


def test_ten_megabytes_is_refused():
    with pytest.raises(ScriptError, match="limit"):
        parse_script(b"a" * (10 * 1024 * 1024))
