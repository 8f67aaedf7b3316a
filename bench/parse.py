"""Parse a feature-length Fountain screenplay with ours, screenplain and jouvence; print time ratios.

Run: .venv/bin/python bench/parse.py
The screenplay (about 120 pages) is generated deterministically into bench/data/feature.fountain.
Baseline: screenplain, measured in the same run. Best of N runs each.
"""

from __future__ import annotations

import io
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from jouvence.parser import JouvenceParser  # noqa: E402
from screenplain.parsers import fountain as screenplain_fountain  # noqa: E402

from orchestrator.script.fountain import parse_fountain  # noqa: E402
from orchestrator.script.source import decode_script, strip_comments  # noqa: E402

FEATURE = ROOT / "bench" / "data" / "feature.fountain"
LINES_PER_PAGE = 55
PAGES = 120
RUNS = 5

_PLACES = ["KITCHEN", "LIGHTHOUSE", "HARBOUR", "POLICE STATION", "ROOFTOP", "TRAIN CARRIAGE", "DINER", "BEACH"]
_TIMES = ["DAY", "NIGHT", "DAWN", "DUSK", "CONTINUOUS", "LATER"]
_PEOPLE = ["MAYA", "THEO", "BRICK", "STEEL", "ÉLODIE", "DR. ADAMS", "OLD MAN"]
_WORDS = ("the a sea light door cold slowly *quietly* storm glass hand looks waits turns **hard** rain "
          "night coffee window stairs bell gun keys _never_ runs stops smiles").split()


def generate_feature(pages: int = PAGES, seed: int = 1) -> str:
    """A deterministic screenplay of about `pages` pages using every Fountain element."""
    rng = random.Random(seed)
    out = ["Title: **The Long Night**", "Author: bench/parse.py", "Draft date: generated", "Contact:",
           "    Film Studio", "    bench/data", "", "FADE IN:", ""]
    scene = 0
    while len(out) < pages * LINES_PER_PAGE:
        scene += 1
        prefix = rng.choice(["INT.", "EXT.", "INT./EXT.", "I/E"])
        number = f" #{scene}#" if scene % 7 == 0 else ""
        out += [f"{prefix} {rng.choice(_PLACES)} - {rng.choice(_TIMES)}{number}", ""]
        if scene % 10 == 0:
            out += ["= A synopsis of the turn.", "", f"# Sequence {scene // 10}", ""]
        for _ in range(rng.randint(4, 12)):
            kind = rng.random()
            sentence = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(8, 30))).capitalize() + "."
            if kind < 0.35:
                note = " [[check this]]" if rng.random() < 0.1 else ""
                out += [f"{rng.choice(_PEOPLE)} {sentence}{note}", ""]
            elif kind < 0.85:
                cue = rng.choice(_PEOPLE) + rng.choice(["", "", "", " (V.O.)", " (O.S.)", " (CONT'D)"])
                out.append(cue)
                if rng.random() < 0.3:
                    out.append("(" + rng.choice(["quietly", "beat", "to herself", "laughing"]) + ")")
                out += [sentence, ""]
                if rng.random() < 0.05:
                    out += [rng.choice(_PEOPLE) + " ^", "Not now!", ""]
            elif kind < 0.9:
                # Markers on their own lines: jouvence 0.4 never returns on "/* text" (PEERS.md).
                out += ["/*", "an old version of this beat", "*/", ""]
            elif kind < 0.95:
                out += ["> THE CLOCK STRIKES <", ""]
            else:
                out += ["~Sing a song of sixpence", ""]
        out += [rng.choice(["CUT TO:", "DISSOLVE TO:", "> SMASH CUT TO:", "SMASH CUT TO:"]), ""]
        if scene % 25 == 0:
            out += ["===", ""]
    out += ["> FADE OUT.", ""]
    return "\n".join(out)


def ours(text: str) -> int:
    return len(parse_fountain(strip_comments(decode_script(text))).elements)


def screenplain(text: str) -> int:
    return len(screenplain_fountain.parse(io.StringIO(text)).paragraphs)


def jouvence(text: str) -> int:
    return sum(len(scene.paragraphs) for scene in JouvenceParser().parseString(text).scenes)


def best_of(parse, text: str) -> float:
    best = float("inf")
    for _ in range(RUNS):
        start = time.perf_counter()
        parse(text)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    text = generate_feature()
    FEATURE.parent.mkdir(parents=True, exist_ok=True)
    if not FEATURE.exists() or FEATURE.read_text(encoding="utf-8") != text:
        FEATURE.write_text(text, encoding="utf-8")
    lines = text.count("\n") + 1
    print(f"feature screenplay: {lines} lines, ~{lines // LINES_PER_PAGE} pages, {len(text.encode()):,} bytes")
    baseline = best_of(screenplain, text)
    for name, parse in (("screenplain (baseline)", screenplain), ("jouvence", jouvence), ("ours", ours)):
        seconds = baseline if parse is screenplain else best_of(parse, text)
        print(f"{name:24s} {seconds * 1000:8.1f} ms  {seconds / baseline:5.2f}x screenplain  "
              f"({parse(text)} elements)")


if __name__ == "__main__":
    main()
