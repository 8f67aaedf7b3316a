"""The storyboard's colours: a scene's setting, light and weather as a palette.

Exteriors take the sky's colours, interiors warm walls (tungsten at night); weather greys the sky
(rain, fog, storm) or whitens the ground (snow). `lit` is how every drawn colour meets the light.
"""

from __future__ import annotations

import dataclasses

from filmstudio.v1 import script_pb2

T = script_pb2
RGB = tuple[int, int, int]


@dataclasses.dataclass(frozen=True)
class Palette:
    """The colours of one setting at one time of day, in one weather."""

    sky_top: RGB
    sky_horizon: RGB
    ground: RGB
    wall: RGB
    floor: RGB
    light: float  # how lit the figures and the set are, 0-1
    tint: RGB  # colour of the light falling on the figures
    night: bool
    low_sun: bool = False  # dawn or dusk: the sun sits big and warm on the horizon
    overcast: bool = False  # no sun or moon shows

    def lit(self, colour: RGB) -> RGB:
        """A surface colour under this light."""
        return tuple(int(c * t / 255 * (0.35 + 0.65 * self.light))  # type: ignore[return-value]
                     for c, t in zip(colour, self.tint))

    def sky_at(self, y: float, height: float) -> RGB:
        """The sky's colour y pixels down a sky gradient `height` tall."""
        return mix(self.sky_top, self.sky_horizon, min(max(y / max(height, 1.0), 0.0), 1.0))


# Palette -> (sky top, sky at the horizon, ground, light, tint).
_TIMES: dict[str, tuple[RGB, RGB, RGB, float, RGB]] = {
    "DAY": ((92, 156, 222), (190, 222, 245), (120, 150, 90), 1.0, (255, 255, 255)),
    "MORNING": ((120, 170, 225), (245, 220, 180), (125, 150, 95), 0.95, (255, 245, 230)),
    "AFTERNOON": ((85, 145, 215), (215, 225, 235), (130, 145, 85), 1.0, (255, 250, 235)),
    "DAWN": ((70, 80, 140), (245, 170, 130), (85, 95, 75), 0.7, (255, 215, 190)),
    "DUSK": ((45, 45, 100), (235, 125, 80), (70, 70, 60), 0.6, (255, 190, 150)),
    "NIGHT": ((8, 12, 35), (30, 40, 80), (20, 25, 30), 0.4, (150, 170, 255)),
}
# The scene graph's TimeOfDay -> the palette it is drawn in; a light not listed is drawn as DAY.
_PALETTE_OF = {
    T.TIME_OF_DAY_NIGHT: "NIGHT", T.TIME_OF_DAY_MIDNIGHT: "NIGHT", T.TIME_OF_DAY_DAWN: "DAWN",
    T.TIME_OF_DAY_SUNRISE: "DAWN", T.TIME_OF_DAY_MORNING: "MORNING", T.TIME_OF_DAY_AFTERNOON: "AFTERNOON",
    T.TIME_OF_DAY_SUNSET: "DUSK", T.TIME_OF_DAY_DUSK: "DUSK", T.TIME_OF_DAY_TWILIGHT: "DUSK",
    T.TIME_OF_DAY_EVENING: "DUSK", T.TIME_OF_DAY_GOLDEN_HOUR: "DUSK",
}
# Weather -> (how far the sky goes to its grey, the grey, how much light is left).
_WEATHER_SKY: dict[str, tuple[float, RGB, float]] = {
    "rain": (0.55, (120, 128, 140), 0.8),
    "storm": (0.75, (55, 60, 72), 0.6),
    "fog": (0.7, (200, 204, 208), 0.9),
    "snow": (0.5, (215, 220, 230), 0.95),
}


def time_key(time_of_day: int) -> str:
    """The palette a scene's light (script_pb2.TimeOfDay) uses: DAY, MORNING, AFTERNOON, DAWN, DUSK or NIGHT."""
    return _PALETTE_OF.get(time_of_day, "DAY")


def palette_for(setting: int, time_of_day: int, weather: tuple[str, ...] = ()) -> Palette:
    """Palette for a scene: exteriors take the sky's colours, interiors warm walls (tungsten at night)."""
    key = time_key(time_of_day)
    sky_top, sky_horizon, ground, light, tint = _TIMES[key]
    night = key == "NIGHT"
    if night:
        wall, floor = (70, 58, 52), (45, 36, 32)
        if setting == script_pb2.SETTING_INTERIOR:
            light, tint = 0.65, (255, 205, 150)  # lamps on
    else:
        wall, floor = mix((225, 212, 190), tint, 0.2), (150, 120, 95)
    overcast = False
    for kind in weather:
        if kind in _WEATHER_SKY:
            amount, grey, left = _WEATHER_SKY[kind]
            grey = mix(grey, sky_top, 0.6) if night else grey  # a grey night stays dark
            sky_top, sky_horizon = mix(sky_top, grey, amount), mix(sky_horizon, grey, amount)
            if setting != script_pb2.SETTING_INTERIOR:
                light *= left
            overcast = True
    if "snow" in weather:
        ground = mix((235, 238, 245), (60, 70, 100), 0.6) if night else (235, 238, 245)
    return Palette(sky_top, sky_horizon, ground, wall, floor, light, tint, night,
                   low_sun=key in ("DAWN", "DUSK"), overcast=overcast)


def mix(a: RGB, b: RGB, t: float) -> RGB:
    """The colour t of the way from a to b."""
    return tuple(int(round(x + (y - x) * t)) for x, y in zip(a, b))  # type: ignore[return-value]
