import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ScriptFormat(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SCRIPT_FORMAT_UNSPECIFIED: _ClassVar[ScriptFormat]
    SCRIPT_FORMAT_FOUNTAIN: _ClassVar[ScriptFormat]
    SCRIPT_FORMAT_PROSE: _ClassVar[ScriptFormat]

class Setting(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SETTING_UNSPECIFIED: _ClassVar[Setting]
    SETTING_INTERIOR: _ClassVar[Setting]
    SETTING_EXTERIOR: _ClassVar[Setting]
    SETTING_INTERIOR_EXTERIOR: _ClassVar[Setting]

class TimeOfDay(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TIME_OF_DAY_UNSPECIFIED: _ClassVar[TimeOfDay]
    TIME_OF_DAY_DAY: _ClassVar[TimeOfDay]
    TIME_OF_DAY_NIGHT: _ClassVar[TimeOfDay]
    TIME_OF_DAY_DAWN: _ClassVar[TimeOfDay]
    TIME_OF_DAY_SUNRISE: _ClassVar[TimeOfDay]
    TIME_OF_DAY_MORNING: _ClassVar[TimeOfDay]
    TIME_OF_DAY_NOON: _ClassVar[TimeOfDay]
    TIME_OF_DAY_AFTERNOON: _ClassVar[TimeOfDay]
    TIME_OF_DAY_GOLDEN_HOUR: _ClassVar[TimeOfDay]
    TIME_OF_DAY_SUNSET: _ClassVar[TimeOfDay]
    TIME_OF_DAY_DUSK: _ClassVar[TimeOfDay]
    TIME_OF_DAY_TWILIGHT: _ClassVar[TimeOfDay]
    TIME_OF_DAY_EVENING: _ClassVar[TimeOfDay]
    TIME_OF_DAY_MIDNIGHT: _ClassVar[TimeOfDay]

class Framing(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FRAMING_UNSPECIFIED: _ClassVar[Framing]
    FRAMING_EXTREME_WIDE: _ClassVar[Framing]
    FRAMING_WIDE: _ClassVar[Framing]
    FRAMING_MEDIUM: _ClassVar[Framing]
    FRAMING_CLOSE_UP: _ClassVar[Framing]
    FRAMING_EXTREME_CLOSE_UP: _ClassVar[Framing]
    FRAMING_OVER_THE_SHOULDER: _ClassVar[Framing]

class Motion(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MOTION_UNSPECIFIED: _ClassVar[Motion]
    MOTION_CAMERA: _ClassVar[Motion]
    MOTION_ANIMATED: _ClassVar[Motion]
    MOTION_GENERATED: _ClassVar[Motion]

class CameraMove(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CAMERA_MOVE_UNSPECIFIED: _ClassVar[CameraMove]
    CAMERA_MOVE_STATIC: _ClassVar[CameraMove]
    CAMERA_MOVE_PUSH_IN: _ClassVar[CameraMove]
    CAMERA_MOVE_PULL_OUT: _ClassVar[CameraMove]
    CAMERA_MOVE_PAN_LEFT: _ClassVar[CameraMove]
    CAMERA_MOVE_PAN_RIGHT: _ClassVar[CameraMove]
    CAMERA_MOVE_TILT_UP: _ClassVar[CameraMove]
    CAMERA_MOVE_TILT_DOWN: _ClassVar[CameraMove]

class Transition(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TRANSITION_UNSPECIFIED: _ClassVar[Transition]
    TRANSITION_CUT: _ClassVar[Transition]
    TRANSITION_CROSSFADE: _ClassVar[Transition]
    TRANSITION_FADE_FROM_BLACK: _ClassVar[Transition]
    TRANSITION_FADE_TO_BLACK: _ClassVar[Transition]
    TRANSITION_DIP_TO_WHITE: _ClassVar[Transition]

class Gender(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    GENDER_UNSPECIFIED: _ClassVar[Gender]
    GENDER_FEMALE: _ClassVar[Gender]
    GENDER_MALE: _ClassVar[Gender]
SCRIPT_FORMAT_UNSPECIFIED: ScriptFormat
SCRIPT_FORMAT_FOUNTAIN: ScriptFormat
SCRIPT_FORMAT_PROSE: ScriptFormat
SETTING_UNSPECIFIED: Setting
SETTING_INTERIOR: Setting
SETTING_EXTERIOR: Setting
SETTING_INTERIOR_EXTERIOR: Setting
TIME_OF_DAY_UNSPECIFIED: TimeOfDay
TIME_OF_DAY_DAY: TimeOfDay
TIME_OF_DAY_NIGHT: TimeOfDay
TIME_OF_DAY_DAWN: TimeOfDay
TIME_OF_DAY_SUNRISE: TimeOfDay
TIME_OF_DAY_MORNING: TimeOfDay
TIME_OF_DAY_NOON: TimeOfDay
TIME_OF_DAY_AFTERNOON: TimeOfDay
TIME_OF_DAY_GOLDEN_HOUR: TimeOfDay
TIME_OF_DAY_SUNSET: TimeOfDay
TIME_OF_DAY_DUSK: TimeOfDay
TIME_OF_DAY_TWILIGHT: TimeOfDay
TIME_OF_DAY_EVENING: TimeOfDay
TIME_OF_DAY_MIDNIGHT: TimeOfDay
FRAMING_UNSPECIFIED: Framing
FRAMING_EXTREME_WIDE: Framing
FRAMING_WIDE: Framing
FRAMING_MEDIUM: Framing
FRAMING_CLOSE_UP: Framing
FRAMING_EXTREME_CLOSE_UP: Framing
FRAMING_OVER_THE_SHOULDER: Framing
MOTION_UNSPECIFIED: Motion
MOTION_CAMERA: Motion
MOTION_ANIMATED: Motion
MOTION_GENERATED: Motion
CAMERA_MOVE_UNSPECIFIED: CameraMove
CAMERA_MOVE_STATIC: CameraMove
CAMERA_MOVE_PUSH_IN: CameraMove
CAMERA_MOVE_PULL_OUT: CameraMove
CAMERA_MOVE_PAN_LEFT: CameraMove
CAMERA_MOVE_PAN_RIGHT: CameraMove
CAMERA_MOVE_TILT_UP: CameraMove
CAMERA_MOVE_TILT_DOWN: CameraMove
TRANSITION_UNSPECIFIED: Transition
TRANSITION_CUT: Transition
TRANSITION_CROSSFADE: Transition
TRANSITION_FADE_FROM_BLACK: Transition
TRANSITION_FADE_TO_BLACK: Transition
TRANSITION_DIP_TO_WHITE: Transition
GENDER_UNSPECIFIED: Gender
GENDER_FEMALE: Gender
GENDER_MALE: Gender

class SourceSpan(_message.Message):
    __slots__ = ("line", "column", "end_line")
    LINE_FIELD_NUMBER: _ClassVar[int]
    COLUMN_FIELD_NUMBER: _ClassVar[int]
    END_LINE_FIELD_NUMBER: _ClassVar[int]
    line: int
    column: int
    end_line: int
    def __init__(self, line: _Optional[int] = ..., column: _Optional[int] = ..., end_line: _Optional[int] = ...) -> None: ...

class Voice(_message.Message):
    __slots__ = ("language", "variant", "pitch", "words_per_minute")
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    VARIANT_FIELD_NUMBER: _ClassVar[int]
    PITCH_FIELD_NUMBER: _ClassVar[int]
    WORDS_PER_MINUTE_FIELD_NUMBER: _ClassVar[int]
    language: str
    variant: str
    pitch: int
    words_per_minute: int
    def __init__(self, language: _Optional[str] = ..., variant: _Optional[str] = ..., pitch: _Optional[int] = ..., words_per_minute: _Optional[int] = ...) -> None: ...

class Character(_message.Message):
    __slots__ = ("id", "name", "description", "voice", "seed", "span", "gender", "age", "hair", "wardrobe", "build", "skin", "portrait_uri", "portrait_uploaded", "reference_scale")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    VOICE_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    SPAN_FIELD_NUMBER: _ClassVar[int]
    GENDER_FIELD_NUMBER: _ClassVar[int]
    AGE_FIELD_NUMBER: _ClassVar[int]
    HAIR_FIELD_NUMBER: _ClassVar[int]
    WARDROBE_FIELD_NUMBER: _ClassVar[int]
    BUILD_FIELD_NUMBER: _ClassVar[int]
    SKIN_FIELD_NUMBER: _ClassVar[int]
    PORTRAIT_URI_FIELD_NUMBER: _ClassVar[int]
    PORTRAIT_UPLOADED_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_SCALE_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    description: str
    voice: Voice
    seed: int
    span: SourceSpan
    gender: Gender
    age: str
    hair: str
    wardrobe: str
    build: str
    skin: str
    portrait_uri: str
    portrait_uploaded: bool
    reference_scale: float
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., description: _Optional[str] = ..., voice: _Optional[_Union[Voice, _Mapping]] = ..., seed: _Optional[int] = ..., span: _Optional[_Union[SourceSpan, _Mapping]] = ..., gender: _Optional[_Union[Gender, str]] = ..., age: _Optional[str] = ..., hair: _Optional[str] = ..., wardrobe: _Optional[str] = ..., build: _Optional[str] = ..., skin: _Optional[str] = ..., portrait_uri: _Optional[str] = ..., portrait_uploaded: _Optional[bool] = ..., reference_scale: _Optional[float] = ...) -> None: ...

class DialogueLine(_message.Message):
    __slots__ = ("character_id", "text", "parenthetical", "extension", "dual", "lyric", "offset", "duration", "span", "language")
    CHARACTER_ID_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    PARENTHETICAL_FIELD_NUMBER: _ClassVar[int]
    EXTENSION_FIELD_NUMBER: _ClassVar[int]
    DUAL_FIELD_NUMBER: _ClassVar[int]
    LYRIC_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    SPAN_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    character_id: str
    text: str
    parenthetical: str
    extension: str
    dual: bool
    lyric: bool
    offset: _duration_pb2.Duration
    duration: _duration_pb2.Duration
    span: SourceSpan
    language: str
    def __init__(self, character_id: _Optional[str] = ..., text: _Optional[str] = ..., parenthetical: _Optional[str] = ..., extension: _Optional[str] = ..., dual: _Optional[bool] = ..., lyric: _Optional[bool] = ..., offset: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., span: _Optional[_Union[SourceSpan, _Mapping]] = ..., language: _Optional[str] = ...) -> None: ...

class Shot(_message.Message):
    __slots__ = ("id", "framing", "camera_move", "description", "character_ids", "dialogue", "duration", "prompt", "negative_prompt", "seed", "transition_in", "span", "scene_id", "card_text", "black", "motion", "gpu_time")
    ID_FIELD_NUMBER: _ClassVar[int]
    FRAMING_FIELD_NUMBER: _ClassVar[int]
    CAMERA_MOVE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    CHARACTER_IDS_FIELD_NUMBER: _ClassVar[int]
    DIALOGUE_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    PROMPT_FIELD_NUMBER: _ClassVar[int]
    NEGATIVE_PROMPT_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    TRANSITION_IN_FIELD_NUMBER: _ClassVar[int]
    SPAN_FIELD_NUMBER: _ClassVar[int]
    SCENE_ID_FIELD_NUMBER: _ClassVar[int]
    CARD_TEXT_FIELD_NUMBER: _ClassVar[int]
    BLACK_FIELD_NUMBER: _ClassVar[int]
    MOTION_FIELD_NUMBER: _ClassVar[int]
    GPU_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    framing: Framing
    camera_move: CameraMove
    description: str
    character_ids: _containers.RepeatedScalarFieldContainer[str]
    dialogue: _containers.RepeatedCompositeFieldContainer[DialogueLine]
    duration: _duration_pb2.Duration
    prompt: str
    negative_prompt: str
    seed: int
    transition_in: Transition
    span: SourceSpan
    scene_id: str
    card_text: str
    black: bool
    motion: Motion
    gpu_time: _duration_pb2.Duration
    def __init__(self, id: _Optional[str] = ..., framing: _Optional[_Union[Framing, str]] = ..., camera_move: _Optional[_Union[CameraMove, str]] = ..., description: _Optional[str] = ..., character_ids: _Optional[_Iterable[str]] = ..., dialogue: _Optional[_Iterable[_Union[DialogueLine, _Mapping]]] = ..., duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., prompt: _Optional[str] = ..., negative_prompt: _Optional[str] = ..., seed: _Optional[int] = ..., transition_in: _Optional[_Union[Transition, str]] = ..., span: _Optional[_Union[SourceSpan, _Mapping]] = ..., scene_id: _Optional[str] = ..., card_text: _Optional[str] = ..., black: _Optional[bool] = ..., motion: _Optional[_Union[Motion, str]] = ..., gpu_time: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class Scene(_message.Message):
    __slots__ = ("id", "number", "heading", "setting", "location", "time_of_day", "shots", "span", "scene_number", "synopsis", "light")
    ID_FIELD_NUMBER: _ClassVar[int]
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    HEADING_FIELD_NUMBER: _ClassVar[int]
    SETTING_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    TIME_OF_DAY_FIELD_NUMBER: _ClassVar[int]
    SHOTS_FIELD_NUMBER: _ClassVar[int]
    SPAN_FIELD_NUMBER: _ClassVar[int]
    SCENE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    SYNOPSIS_FIELD_NUMBER: _ClassVar[int]
    LIGHT_FIELD_NUMBER: _ClassVar[int]
    id: str
    number: int
    heading: str
    setting: Setting
    location: str
    time_of_day: str
    shots: _containers.RepeatedCompositeFieldContainer[Shot]
    span: SourceSpan
    scene_number: str
    synopsis: str
    light: TimeOfDay
    def __init__(self, id: _Optional[str] = ..., number: _Optional[int] = ..., heading: _Optional[str] = ..., setting: _Optional[_Union[Setting, str]] = ..., location: _Optional[str] = ..., time_of_day: _Optional[str] = ..., shots: _Optional[_Iterable[_Union[Shot, _Mapping]]] = ..., span: _Optional[_Union[SourceSpan, _Mapping]] = ..., scene_number: _Optional[str] = ..., synopsis: _Optional[str] = ..., light: _Optional[_Union[TimeOfDay, str]] = ...) -> None: ...

class TitlePageEntry(_message.Message):
    __slots__ = ("key", "value")
    KEY_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    key: str
    value: str
    def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...

class SceneGraph(_message.Message):
    __slots__ = ("title", "characters", "scenes", "total_duration", "format", "title_page", "style")
    TITLE_FIELD_NUMBER: _ClassVar[int]
    CHARACTERS_FIELD_NUMBER: _ClassVar[int]
    SCENES_FIELD_NUMBER: _ClassVar[int]
    TOTAL_DURATION_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    TITLE_PAGE_FIELD_NUMBER: _ClassVar[int]
    STYLE_FIELD_NUMBER: _ClassVar[int]
    title: str
    characters: _containers.RepeatedCompositeFieldContainer[Character]
    scenes: _containers.RepeatedCompositeFieldContainer[Scene]
    total_duration: _duration_pb2.Duration
    format: ScriptFormat
    title_page: _containers.RepeatedCompositeFieldContainer[TitlePageEntry]
    style: str
    def __init__(self, title: _Optional[str] = ..., characters: _Optional[_Iterable[_Union[Character, _Mapping]]] = ..., scenes: _Optional[_Iterable[_Union[Scene, _Mapping]]] = ..., total_duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., format: _Optional[_Union[ScriptFormat, str]] = ..., title_page: _Optional[_Iterable[_Union[TitlePageEntry, _Mapping]]] = ..., style: _Optional[str] = ...) -> None: ...

class ShotBrief(_message.Message):
    __slots__ = ("shot", "setting", "location", "time_of_day", "characters", "opens_scene", "light", "style", "portrait")
    SHOT_FIELD_NUMBER: _ClassVar[int]
    SETTING_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    TIME_OF_DAY_FIELD_NUMBER: _ClassVar[int]
    CHARACTERS_FIELD_NUMBER: _ClassVar[int]
    OPENS_SCENE_FIELD_NUMBER: _ClassVar[int]
    LIGHT_FIELD_NUMBER: _ClassVar[int]
    STYLE_FIELD_NUMBER: _ClassVar[int]
    PORTRAIT_FIELD_NUMBER: _ClassVar[int]
    shot: Shot
    setting: Setting
    location: str
    time_of_day: str
    characters: _containers.RepeatedCompositeFieldContainer[Character]
    opens_scene: bool
    light: TimeOfDay
    style: str
    portrait: bool
    def __init__(self, shot: _Optional[_Union[Shot, _Mapping]] = ..., setting: _Optional[_Union[Setting, str]] = ..., location: _Optional[str] = ..., time_of_day: _Optional[str] = ..., characters: _Optional[_Iterable[_Union[Character, _Mapping]]] = ..., opens_scene: _Optional[bool] = ..., light: _Optional[_Union[TimeOfDay, str]] = ..., style: _Optional[str] = ..., portrait: _Optional[bool] = ...) -> None: ...
