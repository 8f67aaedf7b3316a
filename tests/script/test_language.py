"""The language a line is spoken in: detected per line, the character's voice kept unless the evidence is strong."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from filmstudio import settings as film_settings
from orchestrator.script import parse_script
from orchestrator.script.language import VOICES, _model, language_scores, line_language

# Lines of 3-12 words as a film has them; each is detected and spoken in its own language.
FOREIGN = [
    ("sv", "Vi måste gå innan solen går upp."), ("sv", "Det är inte mitt fel att hon försvann."),
    ("sv", "Jag älskar dig, men jag kan inte stanna."), ("sv", "Mormor väntar på oss vid bryggan."),
    ("es", "Tenemos que irnos antes del amanecer."), ("es", "¿Dónde están las llaves del coche?"),
    ("es", "Te quiero, pero no puedo quedarme."), ("es", "La abuela nos espera en el muelle."),
    ("de", "Wir müssen gehen, bevor die Sonne aufgeht."), ("de", "Der Kaffee ist schon wieder kalt."),
    ("de", "Es riecht nach Rauch aus der Küche."), ("de", "Bitte lass mich hier nicht allein."),
    ("fr-fr", "Nous devons partir avant le lever du soleil."), ("fr-fr", "Je t'aime, mais je ne peux pas rester."),
    ("fr-fr", "Grand-mère nous attend sur le quai."), ("fr-fr", "Tu mens, je le vois dans tes yeux."),
    ("it", "Non so di cosa stai parlando."), ("it", "Perché non mi hai chiamato ieri sera?"),
    ("it", "Non possiamo permetterci una macchina nuova."), ("it", "Stai mentendo, lo vedo nei tuoi occhi."),
    ("pt", "Não sei do que você está falando."), ("pt", "Por que você não me ligou ontem à noite?"),
    ("pt", "Não temos dinheiro para um carro novo."), ("pt", "Obrigado pelo jantar, estava uma delícia."),
    ("nl", "We moeten gaan voordat de zon opkomt."), ("nl", "Het is niet mijn schuld dat ze verdwenen is."),
    ("nl", "Ik heb nog nooit zoiets gezien."), ("nl", "Wat doe jij hier zo laat nog?"),
    ("ru", "Я не знаю, о чём ты говоришь."), ("pl", "Nie wiem, o czym mówisz."),
]

# English, with the foreign names, places and loanwords English dialogue is full of.
ENGLISH = [
    "I don't know what you're talking about.", "We have to leave before the sun comes up.", "The kettle is boiling.",
    "Ingrid, pass me the smörgåsbord.", "Welcome to the Château Margaux.", "Déjà vu all over again.",
    "Señor Alvarez is waiting in the lobby.", "We flew from Madrid to São Paulo on Tuesday.",
    "Officer, my name is Hans Müller.", "Let's grab a croissant at the café.", "Turn left at the Hauptbahnhof.",
    "Tell Señora Gómez her taxi is here.", "My grandmother lives in Göteborg.", "Ciao, bella! Long time no see.",
    "Karl-Heinz, the Volkswagen is double-parked.", "GET OUT OF MY HOUSE!", "Nice to meet you, Mr. Lindqvist.",
]

# Too short to tell, whatever language they are in; and a line espeak-ng could not read in its language.
KEPT = ["Hi.", "OK", "Okay.", "No.", "Ja.", "Sí, sí.", "Hej!", "Tack.", "Ciao.", "Merci.", "Gracias.", "Danke.",
        "Hallå?", "Ay, Dios mío.", "Mon Dieu!", "Taxi!", "Anna?", "Uh-huh.", "...", "", "何を言っているのか分からない。"]


@pytest.mark.parametrize("voice,text", FOREIGN)
def test_a_line_in_another_language_is_spoken_in_it(voice, text):
    assert line_language(text, "en-us") == voice


@pytest.mark.parametrize("text", ENGLISH)
def test_an_english_line_keeps_the_english_voice(text):
    assert line_language(text, "en-us") == ""
    assert line_language(text, "en-gb") == ""  # any English voice is the line's own language


@pytest.mark.parametrize("text", KEPT)
def test_short_lines_keep_the_characters_voice(text):
    assert line_language(text, "en-us") == ""


def test_ambiguous_lines_keep_the_characters_voice():
    # Plainly Swedish, but as likely Danish or English on the model's evidence: kept rather than guessed.
    assert line_language("Jag vet inte vad du pratar om.", "en-us") == ""


def test_the_voices_own_language_is_not_a_switch():
    assert line_language("Vi måste gå innan solen går upp.", "sv") == ""
    assert line_language("Não sei do que você está falando.", "pt-br") == ""  # Portuguese, in its region's voice
    assert line_language("We have to leave before the sun comes up.", "sv") == "en-us"  # a Swede speaking English
    assert line_language("Vi måste gå innan solen går upp.", "") == "sv"  # empty is the default en-us


def test_a_voice_in_a_language_the_detector_does_not_know_is_kept():
    # It cannot tell that a line is not in Esperanto, so it never switches an Esperanto voice.
    assert line_language("Vi måste gå innan solen går upp.", "eo") == ""


def test_every_language_has_a_voice_name_and_the_model_knows_it():
    assert set(VOICES) <= set(_model().identifier.nb_classes)
    assert VOICES["en"] == "en-us" and VOICES["fr"] == "fr-fr" and VOICES["sv"] == "sv"


def test_scores_are_exact_whatever_the_order_of_summing():
    # fsum of exact products: the score cannot depend on the order a machine adds features in.
    text = "Vi måste gå innan solen går upp."
    model = _model()
    counts = model.identifier.instance2fv(text, datatype="uint32")
    features = list(np.flatnonzero(counts))
    random.Random(7).shuffle(features)
    column = model.languages.index("sv")
    shuffled = math.fsum([float(counts[f]) * float(model.weights[f, column]) for f in features]
                         + [model.priors[column]])
    assert language_scores(text)["sv"] == shuffled
    assert [line_language(text, "en-us") for _ in range(3)] == ["sv"] * 3


SCRIPT = """\
INT. FERRY TERMINAL - NIGHT

Ingrid waits by the window. Rafael runs in, soaked.

INGRID
Vi måste gå innan solen går upp.

RAFAEL
Tenemos que irnos antes del amanecer.

INGRID
Then we leave now.

RAFAEL
Sí.
"""


def test_the_planner_sets_each_lines_language():
    graph = parse_script(SCRIPT, film_settings.normalize()).scene_graph
    voices = {character.id: character.voice.language for character in graph.characters}
    lines = [line for scene in graph.scenes for shot in scene.shots for line in shot.dialogue]
    assert [(line.text, line.language) for line in lines] == [
        ("Vi måste gå innan solen går upp.", "sv"), ("Tenemos que irnos antes del amanecer.", "es"),
        ("Then we leave now.", ""), ("Sí.", "")]
    assert set(voices.values()) == {"en-us"}  # the characters keep their voices; only the lines say otherwise
