"""Fountain's inline markup: emphasis (*italic*, **bold**, ***both***, _underline_) and its escapes,
removed from the text the film shows and speaks. No regular expressions: linear in the text."""

from __future__ import annotations


def strip_emphasis(text: str) -> str:
    """Removes Fountain emphasis (*italic*, **bold**, ***both***, _underline_) and escapes.

    Markers pair with the next marker of the same kind on the same line; an unpaired marker is
    kept as text. Linear: each marker is looked at once.
    """
    if "*" not in text and "_" not in text and "\\" not in text:
        return text
    tokens: list[str] = []
    # For markers: (can open, can close), as in Markdown: an opener is followed by a non-space,
    # a closer preceded by one. Text tokens get None.
    flanks: list[tuple[bool, bool] | None] = []
    i = 0
    n = len(text)
    while i < n:
        char = text[i]
        if char == "\\" and i + 1 < n and text[i + 1] in "*_\\":
            tokens.append(text[i + 1])
            flanks.append(None)
            i += 2
            continue
        if char == "*" or char == "_":
            j = i + 1
            while char == "*" and j < n and text[j] == "*":
                j += 1
            tokens.append(text[i:j])
            if j - i <= 3:
                flanks.append((j < n and not text[j].isspace(), i > 0 and not text[i - 1].isspace()))
            else:
                flanks.append(None)
            i = j
            continue
        j = i + 1
        while j < n and text[j] not in "*_\\":
            j += 1
        tokens.append(text[i:j])
        flanks.append(None)
        i = j
    open_at: dict[str, int] = {}
    remove = [False] * len(tokens)
    for index, token in enumerate(tokens):
        flank = flanks[index]
        if flank is None:
            continue
        can_open, can_close = flank
        opener = open_at.get(token)
        if opener is not None and can_close:
            del open_at[token]
            remove[opener] = remove[index] = True
        elif can_open and opener is None:
            open_at[token] = index
    return "".join(token for index, token in enumerate(tokens) if not remove[index])
