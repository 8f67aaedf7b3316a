"""parse_script: a script's text and the film settings in, the scene graph with its shot plan out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from filmstudio import settings as film_settings
from filmstudio.v1 import film_pb2, script_pb2
from orchestrator.script import bible, cast as casting, draft as drafts, prose
from orchestrator.script.fountain import parse_fountain
from orchestrator.script.planner import plan_shots
from orchestrator.script.source import decode_script, strip_comments


@dataclass
class ParsedScript:
    """The scene graph with its timed shot plan, and warnings that did not stop parsing (each naming its line)."""

    scene_graph: script_pb2.SceneGraph
    warnings: list[str] = field(default_factory=list)


def read_draft(script: str | bytes) -> drafts.Draft:
    """Decodes and reads a script as Fountain, or as prose when it has none of Fountain's marks."""
    source = strip_comments(decode_script(script))
    document = parse_fountain(source)
    if any(element.kind == "heading" for element in document.elements) or drafts.looks_like_fountain(document):
        return drafts.draft_from_fountain(document)
    return prose.draft_from_prose(source)


def parse_script(text: str | bytes, settings: film_pb2.FilmSettings | None = None,
                 cast: Sequence[script_pb2.Character] = (), cast_field: str = "film.cast", *,
                 characters: Sequence[script_pb2.Character] | None = None) -> ParsedScript:
    """Reads a Fountain screenplay or plain prose and plans it as a film.

    `settings` are normalised ones (filmstudio.settings.normalize); None means every default.
    Raises ScriptError (with line and column) for a script that cannot be read, and InvalidArgument
    for dialogue that cannot fit the target length. The same text and settings always give a
    byte-identical SceneGraph.

    `cast` overrides the characters the script implies (orchestrator.script.cast.apply_overrides;
    InvalidArgument naming `cast_field` for a bad one) before any shot is planned. `characters`,
    when given, is the whole cast as it stands (a film re-planned after UpdateCharacter), used as is.
    """
    if settings is None:
        settings = film_settings.normalize()
    target, style_name, seed = film_settings.target_seconds(settings), settings.style, settings.seed
    draft = read_draft(text)
    warnings = list(draft.warnings)
    if characters is None:
        characters = casting.apply_overrides(bible.build_bible(draft, seed), cast, cast_field)
    scenes = plan_shots(draft, characters, bible.STYLES[style_name], target, seed, warnings)
    graph = script_pb2.SceneGraph(
        title=draft.title or _opening_place(scenes), characters=characters, scenes=scenes, format=draft.format, style=style_name,
        title_page=[script_pb2.TitlePageEntry(key=k, value=v) for k, v in draft.title_page],
    )
    total_ms = sum(shot.duration.ToMilliseconds() for scene in scenes for shot in scene.shots)
    graph.total_duration.FromMilliseconds(total_ms)
    return ParsedScript(graph, warnings)


def _opening_place(scenes: list[script_pb2.Scene]) -> str:
    """A screenplay's name when it has no title page: where it opens ("Lighthouse"), so no film in a
    library is nameless."""
    return next((scene.location.title() for scene in scenes if scene.location), "")
