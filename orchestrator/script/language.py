"""The language a line of dialogue is written in, as the espeak-ng voice that speaks it.

langid.py's naive Bayes model (the one inside the py3langid wheel: byte n-grams, 97 languages) scores
the line in each language of VOICES. A line leaves its character's voice only on strong evidence: a wrong
switch (an English line read with Swedish vowels) is worse than none, so a short line ("Hi.", "Tack.")
or one that is nearly as likely in the voice's own language keeps the voice.

Scores are log-probabilities summed with math.fsum, not numpy's dot: a BLAS dot product's summation
order depends on the CPU, and a line near a threshold must get the same answer on every machine.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from filmstudio import tensors

# langid's code -> the espeak-ng voice that speaks it. "" keeps the character's voice: Japanese and
# Chinese are told apart from the rest, but this espeak-ng reads kanji and most hanzi as their names.
VOICES = {
    "ar": "ar", "bg": "bg", "ca": "ca", "cs": "cs", "da": "da", "de": "de", "el": "el", "en": "en-us",
    "es": "es", "fa": "fa", "fi": "fi", "fr": "fr-fr", "he": "he", "hi": "hi", "hu": "hu", "id": "id",
    "is": "is", "it": "it", "ja": "", "ko": "ko", "nb": "nb", "nl": "nl", "pl": "pl", "pt": "pt",
    "ro": "ro", "ru": "ru", "sk": "sk", "sv": "sv", "tr": "tr", "uk": "uk", "vi": "vi", "zh": "",
}
# Fewer letters than this is too little to go on: "Sí, sí." and "Hallå?" read as foreign but may be said in any film.
MIN_LETTERS = 12
# How much likelier (log, in nats) the line must be in its language than in the voice's own: e^20 to one.
# Measured on English lines with foreign names and words ("Ingrid, pass me the smörgåsbord.": 17);
# one foreign line in seven of the test table falls short of it and keeps the voice.
SWITCH_NATS = 20.0
# ... and than in any other language, so that the voice is the right one (Swedish, not Danish).
SURE_NATS = 3.0


@dataclass(frozen=True)
class _Model:
    """langid's model cut to the languages of VOICES, weights widened to float64 for exact products."""

    identifier: LanguageIdentifier
    languages: tuple[str, ...]
    weights: np.ndarray  # features x languages: log P(feature | language)
    priors: tuple[float, ...]  # log P(language)


@functools.cache
def _model() -> _Model:
    identifier = LanguageIdentifier.from_pickled_model(MODEL_FILE, norm_probs=False)
    languages = tuple(sorted(VOICES))
    columns = [identifier.nb_classes.index(code) for code in languages]
    return _Model(identifier, languages, identifier.nb_ptc[:, columns].astype(np.float64),
                  tuple(float(p) for p in identifier.nb_pc[columns]))


def _family(voice: str) -> str:
    """An espeak-ng voice's language without its region: "en-us" and "en-gb" are both "en"."""
    return voice.split("-")[0].lower()


def language_scores(text: str) -> dict[str, float]:
    """log P(text | language) + log P(language) for each language of VOICES, exactly rounded."""
    model = _model()
    counts = model.identifier.instance2fv(text, datatype="uint32")
    features = np.flatnonzero(counts)
    # count x float32-valued weight fits float64's 53 bits: each product is exact, fsum rounds once.
    terms = counts[features, None].astype(np.float64) * model.weights[features]
    return {code: math.fsum([*terms[:, column].tolist(), prior])
            for column, (code, prior) in enumerate(zip(model.languages, model.priors))}


def line_language(text: str, voice_language: str) -> str:
    """The espeak-ng voice for the language `text` is written in; "" keeps `voice_language`.

    "" too when the line is short, when the detector is not sure, when the voice's language is not one it
    knows (it cannot tell that a line is not in it) or when espeak-ng cannot read the language found.
    """
    own = _family(voice_language or tensors.DEFAULT_LANGUAGE)
    if sum(ch.isalpha() for ch in text) < MIN_LETTERS:
        return ""
    own_codes = [code for code, voice in VOICES.items() if voice and _family(voice) == own]
    if not own_codes:
        return ""
    scores = language_scores(text)
    ranked = sorted(scores, key=lambda code: (-scores[code], code))  # ties broken by code: deterministic
    best, runner_up = ranked[0], ranked[1]
    voice = VOICES[best]
    if not voice or _family(voice) == own:
        return ""
    if scores[best] - max(scores[code] for code in own_codes) < SWITCH_NATS:
        return ""
    if scores[best] - scores[runner_up] < SURE_NATS:
        return ""
    return voice
