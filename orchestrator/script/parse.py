"""parse_script: a script's text and the film settings in, the scene graph with its shot plan out."""

from __future__ import annotations

from dataclasses import dataclass, field

from filmstudio.errors import InvalidArgument
from filmstudio.v1 import film_pb2, script_pb2
from orchestrator.script import bible, draft as drafts, prose
from orchestrator.script.fountain import parse_fountain
from orchestrator.script.planner import plan_shots
from orchestrator.script.source import decode_script, strip_comments

DEFAULT_TARGET_SECONDS = 60.0
MIN_TARGET_SECONDS = 5.0
MAX_TARGET_SECONDS = 300.0
DEFAULT_STYLE = "cinematic"


@dataclass
class ParsedScript:
    """The scene graph with its timed shot plan, and warnings that did not stop parsing (each naming its line)."""

    scene_graph: script_pb2.SceneGraph
    warnings: list[str] = field(default_factory=list)


def resolve_settings(settings: film_pb2.FilmSettings | None) -> tuple[float, str, int]:
    """(target seconds, style name, seed) with defaults applied; InvalidArgument when out of range."""
    settings = settings or film_pb2.FilmSettings()
    target = DEFAULT_TARGET_SECONDS
    if settings.HasField("target_duration"):
        target = settings.target_duration.seconds + settings.target_duration.nanos / 1e9
        if not MIN_TARGET_SECONDS <= target <= MAX_TARGET_SECONDS:
            raise InvalidArgument(
                f"target_duration must be {MIN_TARGET_SECONDS:g}-{MAX_TARGET_SECONDS:g} s, got {target:g} s"
            )
    style = (settings.style or DEFAULT_STYLE).strip().lower()
    if style not in bible.STYLES:
        raise InvalidArgument(f"unknown style {settings.style!r}; known styles: {', '.join(bible.STYLES)}")
    return target, style, settings.seed


def read_draft(script: str | bytes) -> drafts.Draft:
    """Decodes and reads a script as Fountain, or as prose when it has none of Fountain's marks."""
    source = strip_comments(decode_script(script))
    document = parse_fountain(source)
    if any(element.kind == "heading" for element in document.elements) or drafts.looks_like_fountain(document):
        return drafts.draft_from_fountain(document)
    return prose.draft_from_prose(source)


def parse_script(text: str | bytes, settings: film_pb2.FilmSettings | None = None) -> ParsedScript:
    """Reads a Fountain screenplay or plain prose and plans it as a film.

    Raises ScriptError (with line and column) for a script that cannot be read, and InvalidArgument
    for settings out of range or dialogue that cannot fit the target length. The same text and
    settings always give a byte-identical SceneGraph.
    """
    target, style_name, seed = resolve_settings(settings)
    draft = read_draft(text)
    warnings = list(draft.warnings)
    characters = bible.build_bible(draft, seed)
    scenes = plan_shots(draft, characters, bible.STYLES[style_name], target, seed, warnings)
    graph = script_pb2.SceneGraph(
        title=draft.title, characters=characters, scenes=scenes, format=draft.format, style=style_name,
        title_page=[script_pb2.TitlePageEntry(key=k, value=v) for k, v in draft.title_page],
    )
    total_ms = sum(shot.duration.ToMilliseconds() for scene in scenes for shot in scene.shots)
    graph.total_duration.FromMilliseconds(total_ms)
    return ParsedScript(graph, warnings)
