"""Script understanding: Fountain or prose in, a scene graph with a timed, prompted shot plan out."""

from orchestrator.script.bible import STYLES, Style, stable_seed
from orchestrator.script.parse import ParsedScript, parse_script
from orchestrator.script.planned import speech_seconds
from orchestrator.script.shotlist import format_shot_list
from orchestrator.script.source import MAX_SCRIPT_BYTES

__all__ = [
    "MAX_SCRIPT_BYTES",
    "STYLES",
    "ParsedScript",
    "Style",
    "format_shot_list",
    "parse_script",
    "speech_seconds",
    "stable_seed",
]
