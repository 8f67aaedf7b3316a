"""The set-piece vocabulary: the nouns of a shot's action and its scene's place that the storyboard draws.

A shot is read by plain word matching (any case, plurals too): "Fishing boats rock at their moorings"
in the HARBOUR names boats (several: the word is plural) and a harbour, which brings its water.
A colour word just before a noun colours it ("a white lighthouse", "the red car"). The same reading
finds the weather (rain, snow, fog, storm) and, when the scene's heading names no time, the light
(filmstudio.light's words: "at sunset", "night falls").

Words are read from the shot's action (with its dialogue taken out: a line about the sea does not
put the sea in a lamp room), then from the scene's place. The prompt is read only when the brief has
no action (a request made from a prompt alone): the planner builds prompts from the same action plus
the style's and the characters' words, and those ("anamorphic lens", "background painting", "a laptop
bag") would dress every shot of a film with the same props.
"""

from __future__ import annotations

import dataclasses
import enum
import re

from filmstudio.light import light_in
from filmstudio.v1 import script_pb2

RGB = tuple[int, int, int]


class Place(enum.Enum):
    """Where a piece stands in the frame, which decides how it is placed and scaled."""

    SKY = "sky"  # sun, moon, clouds: above the horizon
    FAR = "far"  # mountains, a skyline, a forest: silhouettes along the horizon
    GROUND = "ground"  # sea, field, road: the surface below the horizon
    LANDMARK = "landmark"  # a lighthouse, a bridge, a house: standing on the far ground
    PROP = "prop"  # a boat, a car, a bench: standing near the actors
    WALL = "wall"  # a window, a door, a clock: on a room's back wall
    FLOOR = "floor"  # a table, a bed, a counter: standing on a room's floor
    SMALL = "small"  # a phone, a candle, a book: on a table, desk or counter


@dataclasses.dataclass(frozen=True)
class Piece:
    """One noun of the vocabulary: the words that name it and where it stands."""

    name: str
    words: tuple[str, ...]
    place: Place
    implies: tuple[str, ...] = ()  # pieces it brings with it (a harbour has water)
    outdoors: bool = True  # drawn outside (in a room, it shows through the window)


P = Place
# The vocabulary. Words are singular; "s"/"es" plurals are matched too, irregular ones are listed.
PIECES: tuple[Piece, ...] = (
    Piece("sun", ("sun", "sunshine", "sunlight", "sunny", "sunlit"), P.SKY),
    Piece("moon", ("moon", "moonlight", "moonlit", "full moon"), P.SKY),
    Piece("clouds", ("cloud", "cloudy", "overcast"), P.SKY),
    Piece("stars", ("star", "starlight", "starry", "starlit", "night sky"), P.SKY),
    Piece("birds", ("bird", "gull", "seagull", "crow", "geese", "flock"), P.SKY),
    Piece("plane", ("plane", "airplane", "aeroplane", "aircraft", "jet"), P.SKY),
    Piece("mountain", ("mountain", "peak", "summit", "alps", "volcano"), P.FAR),
    Piece("hills", ("hill", "hillside", "valley", "moor", "moorland"), P.FAR),
    Piece("city", ("city", "skyline", "skyscraper", "downtown", "metropolis", "town", "building", "rooftop"), P.FAR),
    Piece("forest", ("forest", "woods", "woodland", "jungle", "pines"), P.FAR),
    Piece("cliff", ("cliff", "bluff", "crag", "cliffside", "clifftop"), P.FAR, ("sea",)),
    Piece("sea", ("sea", "ocean", "wave", "surf", "tide", "bay", "seaside", "open water"), P.GROUND),
    Piece("lake", ("lake", "pond", "loch", "reservoir"), P.GROUND),
    Piece("river", ("river", "stream", "creek", "canal", "riverbank"), P.GROUND),
    Piece("beach", ("beach", "shore", "shoreline", "sand", "coast", "seashore"), P.GROUND, ("sea",)),
    Piece("harbour", ("harbour", "harbor", "port", "quay", "pier", "dock", "wharf", "marina", "jetty", "mooring"),
          P.GROUND, ("sea",)),
    Piece("field", ("field", "meadow", "farm", "pasture", "wheat", "crop", "prairie", "grassland", "countryside"),
          P.GROUND),
    Piece("desert", ("desert", "dune", "wasteland", "badlands"), P.GROUND),
    Piece("road", ("road", "highway", "motorway", "freeway", "roadside", "crossroads"), P.GROUND),
    Piece("street", ("street", "alley", "alleyway", "avenue", "sidewalk", "pavement", "boulevard", "crosswalk",
                     "lamppost", "streetlight", "streetlamp"), P.GROUND, ("city",)),
    Piece("bridge", ("bridge", "viaduct", "footbridge"), P.LANDMARK, ("river",)),
    Piece("lighthouse", ("lighthouse",), P.LANDMARK, ("sea",)),
    Piece("tower", ("tower", "spire", "steeple", "church", "castle", "belfry", "clock tower", "watchtower"),
          P.LANDMARK),
    Piece("house", ("house", "cottage", "cabin", "farmhouse", "hut", "barn", "shack", "villa"), P.LANDMARK),
    Piece("trees", ("tree", "oak", "pine tree", "willow", "birch", "orchard", "park", "garden"), P.LANDMARK),
    Piece("rocks", ("rock", "boulder", "reef"), P.LANDMARK),
    Piece("fence", ("fence", "railing", "gate", "picket", "barbed wire"), P.LANDMARK),
    Piece("train", ("train", "railway", "railroad", "locomotive", "carriage", "tram", "subway", "platform"),
          P.LANDMARK),
    Piece("boat", ("boat", "ship", "yacht", "dinghy", "ferry", "trawler", "canoe", "rowboat", "sailboat",
                   "vessel", "fishing boat", "tugboat", "kayak"), P.PROP),
    Piece("car", ("car", "taxi", "cab", "van", "truck", "jeep", "sedan", "limousine", "pickup"), P.PROP),
    Piece("bench", ("bench", "park bench", "pew"), P.PROP),
    Piece("lamp", ("lamp", "lantern", "lamplight", "light bulb", "bulb", "chandelier"), P.SMALL, outdoors=False),
    Piece("window", ("window", "windowsill", "pane", "windowpane", "porthole"), P.WALL, outdoors=False),
    Piece("door", ("door", "doorway", "doorstep", "front door", "threshold"), P.WALL, outdoors=False),
    Piece("clock", ("clock", "wall clock", "grandfather clock"), P.WALL, outdoors=False),
    Piece("painting", ("painting", "picture", "portrait", "photograph", "photo", "poster", "mirror"), P.WALL,
          outdoors=False),
    Piece("book", ("book", "bookshelf", "bookcase", "shelf", "library", "novel", "diary", "notebook"),
          P.FLOOR, outdoors=False),
    Piece("table", ("table", "dining table", "kitchen table", "dinner"), P.FLOOR, outdoors=False),
    Piece("chair", ("chair", "armchair", "stool", "seat", "rocking chair"), P.FLOOR, outdoors=False),
    Piece("sofa", ("sofa", "couch", "settee"), P.FLOOR, outdoors=False),
    Piece("desk", ("desk", "workbench", "bureau", "office"), P.FLOOR, outdoors=False),
    Piece("bed", ("bed", "bedroom", "pillow", "mattress", "bunk"), P.FLOOR, outdoors=False),
    Piece("kitchen", ("kitchen", "stove", "oven", "sink", "fridge", "refrigerator", "cupboard", "cooker"), P.FLOOR,
          outdoors=False),
    Piece("counter", ("shop counter", "counter", "shop", "store", "cash register", "bakery",
                      "grocery", "pharmacy", "boutique"), P.FLOOR, outdoors=False),
    Piece("bar", ("bar", "pub", "tavern", "saloon", "bottle", "whisky", "whiskey", "bartender"), P.FLOOR,
          outdoors=False),
    Piece("stairs", ("stairs", "staircase", "stairway", "stairwell", "ladder"), P.FLOOR,
          outdoors=False),
    Piece("fire", ("fire", "fireplace", "campfire", "flame", "hearth", "bonfire", "blaze", "embers"), P.FLOOR,
          outdoors=False),
    Piece("machine", ("machine", "device", "generator", "engine", "robot", "contraption", "control panel",
                      "box", "crate"), P.FLOOR, outdoors=False),
    Piece("computer", ("computer", "laptop", "monitor", "screen", "terminal", "keyboard", "television", "tv"),
          P.SMALL, outdoors=False),
    Piece("phone", ("phone", "telephone", "cellphone", "smartphone", "mobile phone", "receiver"), P.SMALL,
          outdoors=False),
    Piece("candle", ("candle", "candlelight", "candlestick", "candelabra"), P.SMALL, outdoors=False),
    Piece("cup", ("cup", "mug", "coffee", "teacup", "teapot", "kettle"), P.SMALL, outdoors=False),
    Piece("plant", ("plant", "flower", "vase", "bouquet", "houseplant", "fern"), P.FLOOR, outdoors=False),
)
BY_NAME = {piece.name: piece for piece in PIECES}

# Plurals the rule in _plural would get wrong.
_IRREGULAR = {"shelf": "shelves", "geese": "geese", "woods": "woods", "alps": "alps", "stairs": "stairs",
              "badlands": "badlands", "embers": "embers", "crossroads": "crossroads", "tv": "tvs",
              "countryside": "countryside", "sand": "sands"}

# Weather and its words. A storm rains.
WEATHER: dict[str, tuple[str, ...]] = {
    "rain": ("rain", "raining", "rainy", "rainfall", "downpour", "drizzle", "rainstorm", "raindrop", "drenched"),
    "snow": ("snow", "snowing", "snowy", "snowfall", "snowflake", "blizzard", "sleet", "snowdrift", "frost"),
    "fog": ("fog", "foggy", "mist", "misty", "haze", "hazy", "smog", "fogbank"),
    "storm": ("storm", "stormy", "thunder", "thunderstorm", "lightning", "gale", "tempest", "squall", "rainstorm"),
}
_WEATHER_BRINGS = {"storm": ("rain",)}

# Colour words -> the colour a piece is painted in when one stands just before its noun.
COLOURS: dict[str, RGB] = {
    "red": (190, 40, 35), "crimson": (160, 20, 40), "orange": (230, 120, 30), "yellow": (235, 200, 40),
    "golden": (215, 170, 60), "gold": (215, 170, 60), "green": (50, 140, 60), "blue": (40, 80, 190),
    "navy": (25, 35, 90), "purple": (120, 50, 150), "pink": (235, 140, 170), "white": (240, 240, 235),
    "black": (30, 30, 34), "grey": (128, 128, 132), "gray": (128, 128, 132), "silver": (190, 192, 200),
    "brown": (120, 80, 45), "rusty": (150, 70, 35), "rusted": (150, 70, 35), "wooden": (140, 95, 60),
}


@dataclasses.dataclass(frozen=True)
class Named:
    """A piece the shot's words name."""

    piece: Piece
    many: bool = False  # named in the plural: several are drawn
    colour: RGB | None = None  # a colour word stood before the noun
    in_action: bool = False  # named by the shot's action (not only by the place): the shot is about it


@dataclasses.dataclass(frozen=True)
class Dressing:
    """What a shot's words put in the frame: its set pieces (the action's first), weather and light."""

    pieces: tuple[Named, ...]
    weather: tuple[str, ...]  # in WEATHER's order
    light: int  # script_pb2.TimeOfDay

    def has(self, name: str) -> bool:
        return any(named.piece.name == name for named in self.pieces)

    def get(self, name: str) -> Named | None:
        return next((named for named in self.pieces if named.piece.name == name), None)


def _plural(word: str) -> str:
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def _alternation(words) -> str:
    # Longest first, so that "clock tower" is a tower and "fishing boat" one boat.
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))


# Every form of every word -> (its piece, whether the form is plural).
_FORMS = {form: (piece, plural) for piece in PIECES for word in piece.words
          for form, plural in ((_plural(word), True), (word, False))}
_NOUN = re.compile(r"\b(" + _alternation(_FORMS) + r")\b", re.IGNORECASE)
_WEATHER_OF = {word: kind for kind, words in WEATHER.items() for word in words}
_WEATHER_WORD = re.compile(r"\b(" + _alternation(_WEATHER_OF) + r")s?\b", re.IGNORECASE)
_WORDS_BEFORE = re.compile(r"([A-Za-z]+)\W+(?:([A-Za-z]+)\W+)?$")


def action_text(brief: script_pb2.ShotBrief) -> str:
    """The shot's action: its description without the words of its dialogue."""
    text = brief.shot.description
    for line in brief.shot.dialogue:
        if line.text:
            text = text.replace(line.text, " ")
    return text


def pieces_in(text: str, in_action: bool = False) -> list[Named]:
    """Every piece the text names, in order of first mention."""
    found: dict[str, Named] = {}
    for match in _NOUN.finditer(text):
        piece, many = _FORMS[" ".join(match.group(1).lower().split())]
        colour = _colour_before(text, match.start())
        earlier = found.get(piece.name)
        if earlier is None:
            found[piece.name] = Named(piece, many, colour, in_action)
        elif (many and not earlier.many) or (colour and not earlier.colour):
            found[piece.name] = Named(piece, earlier.many or many, earlier.colour or colour, in_action)
    return list(found.values())


def _colour_before(text: str, at: int) -> RGB | None:
    words = _WORDS_BEFORE.search(text[max(0, at - 40):at])
    if not words:
        return None
    for word in (words.group(2), words.group(1)):  # the nearer word wins
        if word and word.lower() in COLOURS:
            return COLOURS[word.lower()]
    return None


def weather_in(text: str) -> tuple[str, ...]:
    """The weather the text names (rain, snow, fog, storm), in WEATHER's order; a storm brings rain."""
    kinds = {_WEATHER_OF[" ".join(m.group(1).lower().split())] for m in _WEATHER_WORD.finditer(text)}
    for kind in list(kinds):
        kinds.update(_WEATHER_BRINGS.get(kind, ()))
    return tuple(kind for kind in WEATHER if kind in kinds)


def brief_light(brief: script_pb2.ShotBrief) -> int:
    """The brief's light; else the time of day in words (filmstudio.light); else the action's light words."""
    return brief.light or light_in(brief.time_of_day) or light_in(action_text(brief) or brief.shot.prompt)


def read(brief: script_pb2.ShotBrief) -> Dressing:
    """The brief's set dressing: the pieces its action and place name (and what those bring with them),
    its weather and its light."""
    action = action_text(brief)
    if not action.strip():
        action = brief.shot.prompt  # a request made from a prompt alone
    place = f"{brief.location} {brief.time_of_day}"
    named = pieces_in(action, in_action=True)
    seen = {n.piece.name for n in named}
    named += [n for n in pieces_in(place) if n.piece.name not in seen]
    for n in list(named):
        for implied in n.piece.implies:
            water = ("sea", "lake", "river", "harbour")
            if implied in water and any(m.piece.name in water and m is not n for m in named):
                continue  # a bridge over the sea needs no river
            if all(m.piece.name != implied for m in named):
                named.append(Named(BY_NAME[implied]))
    return Dressing(tuple(named), weather_in(f"{action} {place}"), brief_light(brief))
