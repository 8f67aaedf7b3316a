import datetime

from filmstudio.v1 import composer_pb2 as _composer_pb2
from filmstudio.v1 import script_pb2 as _script_pb2
from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.api import resource_pb2 as _resource_pb2
from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import empty_pb2 as _empty_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.rpc import status_pb2 as _status_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class FilmState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FILM_STATE_UNSPECIFIED: _ClassVar[FilmState]
    FILM_STATE_QUEUED: _ClassVar[FilmState]
    FILM_STATE_PLANNING: _ClassVar[FilmState]
    FILM_STATE_GENERATING: _ClassVar[FilmState]
    FILM_STATE_COMPOSING: _ClassVar[FilmState]
    FILM_STATE_SUCCEEDED: _ClassVar[FilmState]
    FILM_STATE_FAILED: _ClassVar[FilmState]
    FILM_STATE_CANCELLED: _ClassVar[FilmState]

class ShotState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SHOT_STATE_UNSPECIFIED: _ClassVar[ShotState]
    SHOT_STATE_PENDING: _ClassVar[ShotState]
    SHOT_STATE_RENDERING: _ClassVar[ShotState]
    SHOT_STATE_SUCCEEDED: _ClassVar[ShotState]
    SHOT_STATE_FAILED: _ClassVar[ShotState]
    SHOT_STATE_CANCELLED: _ClassVar[ShotState]

class AspectRatio(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ASPECT_RATIO_UNSPECIFIED: _ClassVar[AspectRatio]
    ASPECT_RATIO_LANDSCAPE: _ClassVar[AspectRatio]
    ASPECT_RATIO_PORTRAIT: _ClassVar[AspectRatio]
    ASPECT_RATIO_SQUARE: _ClassVar[AspectRatio]

class Resolution(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RESOLUTION_UNSPECIFIED: _ClassVar[Resolution]
    RESOLUTION_720P: _ClassVar[Resolution]
    RESOLUTION_1080P: _ClassVar[Resolution]

class ExportFormat(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    EXPORT_FORMAT_UNSPECIFIED: _ClassVar[ExportFormat]
    EXPORT_FORMAT_OTIO: _ClassVar[ExportFormat]
    EXPORT_FORMAT_OTIOZ: _ClassVar[ExportFormat]
    EXPORT_FORMAT_FCP_XML: _ClassVar[ExportFormat]
    EXPORT_FORMAT_FCPXML: _ClassVar[ExportFormat]
    EXPORT_FORMAT_EDL: _ClassVar[ExportFormat]
FILM_STATE_UNSPECIFIED: FilmState
FILM_STATE_QUEUED: FilmState
FILM_STATE_PLANNING: FilmState
FILM_STATE_GENERATING: FilmState
FILM_STATE_COMPOSING: FilmState
FILM_STATE_SUCCEEDED: FilmState
FILM_STATE_FAILED: FilmState
FILM_STATE_CANCELLED: FilmState
SHOT_STATE_UNSPECIFIED: ShotState
SHOT_STATE_PENDING: ShotState
SHOT_STATE_RENDERING: ShotState
SHOT_STATE_SUCCEEDED: ShotState
SHOT_STATE_FAILED: ShotState
SHOT_STATE_CANCELLED: ShotState
ASPECT_RATIO_UNSPECIFIED: AspectRatio
ASPECT_RATIO_LANDSCAPE: AspectRatio
ASPECT_RATIO_PORTRAIT: AspectRatio
ASPECT_RATIO_SQUARE: AspectRatio
RESOLUTION_UNSPECIFIED: Resolution
RESOLUTION_720P: Resolution
RESOLUTION_1080P: Resolution
EXPORT_FORMAT_UNSPECIFIED: ExportFormat
EXPORT_FORMAT_OTIO: ExportFormat
EXPORT_FORMAT_OTIOZ: ExportFormat
EXPORT_FORMAT_FCP_XML: ExportFormat
EXPORT_FORMAT_FCPXML: ExportFormat
EXPORT_FORMAT_EDL: ExportFormat

class FilmSettings(_message.Message):
    __slots__ = ("aspect_ratio", "resolution", "fps", "target_duration", "style", "image_backend", "seed", "burn_subtitles", "srt_speaker_names", "motion", "motion_fallback")
    ASPECT_RATIO_FIELD_NUMBER: _ClassVar[int]
    RESOLUTION_FIELD_NUMBER: _ClassVar[int]
    FPS_FIELD_NUMBER: _ClassVar[int]
    TARGET_DURATION_FIELD_NUMBER: _ClassVar[int]
    STYLE_FIELD_NUMBER: _ClassVar[int]
    IMAGE_BACKEND_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    BURN_SUBTITLES_FIELD_NUMBER: _ClassVar[int]
    SRT_SPEAKER_NAMES_FIELD_NUMBER: _ClassVar[int]
    MOTION_FIELD_NUMBER: _ClassVar[int]
    MOTION_FALLBACK_FIELD_NUMBER: _ClassVar[int]
    aspect_ratio: AspectRatio
    resolution: Resolution
    fps: int
    target_duration: _duration_pb2.Duration
    style: str
    image_backend: str
    seed: int
    burn_subtitles: bool
    srt_speaker_names: bool
    motion: _script_pb2.Motion
    motion_fallback: bool
    def __init__(self, aspect_ratio: _Optional[_Union[AspectRatio, str]] = ..., resolution: _Optional[_Union[Resolution, str]] = ..., fps: _Optional[int] = ..., target_duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., style: _Optional[str] = ..., image_backend: _Optional[str] = ..., seed: _Optional[int] = ..., burn_subtitles: _Optional[bool] = ..., srt_speaker_names: _Optional[bool] = ..., motion: _Optional[_Union[_script_pb2.Motion, str]] = ..., motion_fallback: _Optional[bool] = ...) -> None: ...

class ShotRender(_message.Message):
    __slots__ = ("name", "shot_id", "state", "image_uri", "audio_uri", "take", "cached", "error", "motion_uri")
    NAME_FIELD_NUMBER: _ClassVar[int]
    SHOT_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    IMAGE_URI_FIELD_NUMBER: _ClassVar[int]
    AUDIO_URI_FIELD_NUMBER: _ClassVar[int]
    TAKE_FIELD_NUMBER: _ClassVar[int]
    CACHED_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    MOTION_URI_FIELD_NUMBER: _ClassVar[int]
    name: str
    shot_id: str
    state: ShotState
    image_uri: str
    audio_uri: str
    take: int
    cached: bool
    error: str
    motion_uri: str
    def __init__(self, name: _Optional[str] = ..., shot_id: _Optional[str] = ..., state: _Optional[_Union[ShotState, str]] = ..., image_uri: _Optional[str] = ..., audio_uri: _Optional[str] = ..., take: _Optional[int] = ..., cached: _Optional[bool] = ..., error: _Optional[str] = ..., motion_uri: _Optional[str] = ...) -> None: ...

class FilmOutputs(_message.Message):
    __slots__ = ("video_uri", "subtitles_vtt_uri", "subtitles_srt_uri", "poster_uri", "storyboard_uri", "duration")
    VIDEO_URI_FIELD_NUMBER: _ClassVar[int]
    SUBTITLES_VTT_URI_FIELD_NUMBER: _ClassVar[int]
    SUBTITLES_SRT_URI_FIELD_NUMBER: _ClassVar[int]
    POSTER_URI_FIELD_NUMBER: _ClassVar[int]
    STORYBOARD_URI_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    video_uri: str
    subtitles_vtt_uri: str
    subtitles_srt_uri: str
    poster_uri: str
    storyboard_uri: str
    duration: _duration_pb2.Duration
    def __init__(self, video_uri: _Optional[str] = ..., subtitles_vtt_uri: _Optional[str] = ..., subtitles_srt_uri: _Optional[str] = ..., poster_uri: _Optional[str] = ..., storyboard_uri: _Optional[str] = ..., duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class Film(_message.Message):
    __slots__ = ("name", "display_name", "state", "progress", "script", "settings", "scene_graph", "shots", "outputs", "create_time", "update_time", "error", "owner", "cast", "delete_time", "purge_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    SCRIPT_FIELD_NUMBER: _ClassVar[int]
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    SCENE_GRAPH_FIELD_NUMBER: _ClassVar[int]
    SHOTS_FIELD_NUMBER: _ClassVar[int]
    OUTPUTS_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    OWNER_FIELD_NUMBER: _ClassVar[int]
    CAST_FIELD_NUMBER: _ClassVar[int]
    DELETE_TIME_FIELD_NUMBER: _ClassVar[int]
    PURGE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    display_name: str
    state: FilmState
    progress: float
    script: str
    settings: FilmSettings
    scene_graph: _script_pb2.SceneGraph
    shots: _containers.RepeatedCompositeFieldContainer[ShotRender]
    outputs: FilmOutputs
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    error: _status_pb2.Status
    owner: str
    cast: _containers.RepeatedCompositeFieldContainer[_script_pb2.Character]
    delete_time: _timestamp_pb2.Timestamp
    purge_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., display_name: _Optional[str] = ..., state: _Optional[_Union[FilmState, str]] = ..., progress: _Optional[float] = ..., script: _Optional[str] = ..., settings: _Optional[_Union[FilmSettings, _Mapping]] = ..., scene_graph: _Optional[_Union[_script_pb2.SceneGraph, _Mapping]] = ..., shots: _Optional[_Iterable[_Union[ShotRender, _Mapping]]] = ..., outputs: _Optional[_Union[FilmOutputs, _Mapping]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., error: _Optional[_Union[_status_pb2.Status, _Mapping]] = ..., owner: _Optional[str] = ..., cast: _Optional[_Iterable[_Union[_script_pb2.Character, _Mapping]]] = ..., delete_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., purge_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ParseScriptRequest(_message.Message):
    __slots__ = ("script", "settings", "cast")
    SCRIPT_FIELD_NUMBER: _ClassVar[int]
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    CAST_FIELD_NUMBER: _ClassVar[int]
    script: str
    settings: FilmSettings
    cast: _containers.RepeatedCompositeFieldContainer[_script_pb2.Character]
    def __init__(self, script: _Optional[str] = ..., settings: _Optional[_Union[FilmSettings, _Mapping]] = ..., cast: _Optional[_Iterable[_Union[_script_pb2.Character, _Mapping]]] = ...) -> None: ...

class ParseScriptResponse(_message.Message):
    __slots__ = ("scene_graph", "warnings")
    SCENE_GRAPH_FIELD_NUMBER: _ClassVar[int]
    WARNINGS_FIELD_NUMBER: _ClassVar[int]
    scene_graph: _script_pb2.SceneGraph
    warnings: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, scene_graph: _Optional[_Union[_script_pb2.SceneGraph, _Mapping]] = ..., warnings: _Optional[_Iterable[str]] = ...) -> None: ...

class CreateFilmRequest(_message.Message):
    __slots__ = ("film", "film_id", "request_id")
    FILM_FIELD_NUMBER: _ClassVar[int]
    FILM_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    film: Film
    film_id: str
    request_id: str
    def __init__(self, film: _Optional[_Union[Film, _Mapping]] = ..., film_id: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class GetFilmRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class ListFilmsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "show_deleted")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    SHOW_DELETED_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    show_deleted: bool
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., show_deleted: _Optional[bool] = ...) -> None: ...

class ListFilmsResponse(_message.Message):
    __slots__ = ("films", "next_page_token")
    FILMS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    films: _containers.RepeatedCompositeFieldContainer[Film]
    next_page_token: str
    def __init__(self, films: _Optional[_Iterable[_Union[Film, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class WatchFilmRequest(_message.Message):
    __slots__ = ("name", "after_sequence")
    NAME_FIELD_NUMBER: _ClassVar[int]
    AFTER_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    name: str
    after_sequence: int
    def __init__(self, name: _Optional[str] = ..., after_sequence: _Optional[int] = ...) -> None: ...

class StateChange(_message.Message):
    __slots__ = ("state", "message")
    STATE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    state: FilmState
    message: str
    def __init__(self, state: _Optional[_Union[FilmState, str]] = ..., message: _Optional[str] = ...) -> None: ...

class FilmEvent(_message.Message):
    __slots__ = ("sequence", "film", "create_time", "progress", "state_change", "shot", "compose", "outputs")
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    FILM_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    STATE_CHANGE_FIELD_NUMBER: _ClassVar[int]
    SHOT_FIELD_NUMBER: _ClassVar[int]
    COMPOSE_FIELD_NUMBER: _ClassVar[int]
    OUTPUTS_FIELD_NUMBER: _ClassVar[int]
    sequence: int
    film: str
    create_time: _timestamp_pb2.Timestamp
    progress: float
    state_change: StateChange
    shot: ShotRender
    compose: _composer_pb2.ComposeProgress
    outputs: FilmOutputs
    def __init__(self, sequence: _Optional[int] = ..., film: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., progress: _Optional[float] = ..., state_change: _Optional[_Union[StateChange, _Mapping]] = ..., shot: _Optional[_Union[ShotRender, _Mapping]] = ..., compose: _Optional[_Union[_composer_pb2.ComposeProgress, _Mapping]] = ..., outputs: _Optional[_Union[FilmOutputs, _Mapping]] = ...) -> None: ...

class CancelFilmRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class DeleteFilmRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class UndeleteFilmRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class RegenerateShotRequest(_message.Message):
    __slots__ = ("name", "seed", "prompt", "framing", "camera_move", "duration", "motion")
    NAME_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    PROMPT_FIELD_NUMBER: _ClassVar[int]
    FRAMING_FIELD_NUMBER: _ClassVar[int]
    CAMERA_MOVE_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    MOTION_FIELD_NUMBER: _ClassVar[int]
    name: str
    seed: int
    prompt: str
    framing: _script_pb2.Framing
    camera_move: _script_pb2.CameraMove
    duration: _duration_pb2.Duration
    motion: _script_pb2.Motion
    def __init__(self, name: _Optional[str] = ..., seed: _Optional[int] = ..., prompt: _Optional[str] = ..., framing: _Optional[_Union[_script_pb2.Framing, str]] = ..., camera_move: _Optional[_Union[_script_pb2.CameraMove, str]] = ..., duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., motion: _Optional[_Union[_script_pb2.Motion, str]] = ...) -> None: ...

class ListCharactersRequest(_message.Message):
    __slots__ = ("parent",)
    PARENT_FIELD_NUMBER: _ClassVar[int]
    parent: str
    def __init__(self, parent: _Optional[str] = ...) -> None: ...

class ListCharactersResponse(_message.Message):
    __slots__ = ("characters",)
    CHARACTERS_FIELD_NUMBER: _ClassVar[int]
    characters: _containers.RepeatedCompositeFieldContainer[_script_pb2.Character]
    def __init__(self, characters: _Optional[_Iterable[_Union[_script_pb2.Character, _Mapping]]] = ...) -> None: ...

class GetCharacterRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class UpdateCharacterRequest(_message.Message):
    __slots__ = ("name", "character", "update_mask", "portrait_image", "clear_portrait")
    NAME_FIELD_NUMBER: _ClassVar[int]
    CHARACTER_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    PORTRAIT_IMAGE_FIELD_NUMBER: _ClassVar[int]
    CLEAR_PORTRAIT_FIELD_NUMBER: _ClassVar[int]
    name: str
    character: _script_pb2.Character
    update_mask: _field_mask_pb2.FieldMask
    portrait_image: bytes
    clear_portrait: bool
    def __init__(self, name: _Optional[str] = ..., character: _Optional[_Union[_script_pb2.Character, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ..., portrait_image: _Optional[bytes] = ..., clear_portrait: _Optional[bool] = ...) -> None: ...

class PreviewVoiceRequest(_message.Message):
    __slots__ = ("name", "text")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    name: str
    text: str
    def __init__(self, name: _Optional[str] = ..., text: _Optional[str] = ...) -> None: ...

class VoicePreview(_message.Message):
    __slots__ = ("audio_uri", "text", "duration")
    AUDIO_URI_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    audio_uri: str
    text: str
    duration: _duration_pb2.Duration
    def __init__(self, audio_uri: _Optional[str] = ..., text: _Optional[str] = ..., duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class ExportFilmRequest(_message.Message):
    __slots__ = ("name", "format")
    NAME_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    name: str
    format: ExportFormat
    def __init__(self, name: _Optional[str] = ..., format: _Optional[_Union[ExportFormat, str]] = ...) -> None: ...

class FilmExport(_message.Message):
    __slots__ = ("uri", "format", "clip_count", "duration")
    URI_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    CLIP_COUNT_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    uri: str
    format: ExportFormat
    clip_count: int
    duration: _duration_pb2.Duration
    def __init__(self, uri: _Optional[str] = ..., format: _Optional[_Union[ExportFormat, str]] = ..., clip_count: _Optional[int] = ..., duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...
