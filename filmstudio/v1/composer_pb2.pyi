import datetime

from filmstudio.v1 import script_pb2 as _script_pb2
from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SubtitlePosition(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SUBTITLE_POSITION_UNSPECIFIED: _ClassVar[SubtitlePosition]
    SUBTITLE_POSITION_LEFT: _ClassVar[SubtitlePosition]
    SUBTITLE_POSITION_RIGHT: _ClassVar[SubtitlePosition]
SUBTITLE_POSITION_UNSPECIFIED: SubtitlePosition
SUBTITLE_POSITION_LEFT: SubtitlePosition
SUBTITLE_POSITION_RIGHT: SubtitlePosition

class AudioCue(_message.Message):
    __slots__ = ("uri", "offset")
    URI_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    uri: str
    offset: _duration_pb2.Duration
    def __init__(self, uri: _Optional[str] = ..., offset: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class SubtitleCue(_message.Message):
    __slots__ = ("text", "speaker", "offset", "duration", "position")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    SPEAKER_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    text: str
    speaker: str
    offset: _duration_pb2.Duration
    duration: _duration_pb2.Duration
    position: SubtitlePosition
    def __init__(self, text: _Optional[str] = ..., speaker: _Optional[str] = ..., offset: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., position: _Optional[_Union[SubtitlePosition, str]] = ...) -> None: ...

class Cut(_message.Message):
    __slots__ = ("shot_id", "image_uri", "duration", "camera_move", "transition_in", "transition_duration", "audio", "subtitles", "card_text", "description", "black", "rig_uri", "clip_uri")
    SHOT_ID_FIELD_NUMBER: _ClassVar[int]
    IMAGE_URI_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    CAMERA_MOVE_FIELD_NUMBER: _ClassVar[int]
    TRANSITION_IN_FIELD_NUMBER: _ClassVar[int]
    TRANSITION_DURATION_FIELD_NUMBER: _ClassVar[int]
    AUDIO_FIELD_NUMBER: _ClassVar[int]
    SUBTITLES_FIELD_NUMBER: _ClassVar[int]
    CARD_TEXT_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    BLACK_FIELD_NUMBER: _ClassVar[int]
    RIG_URI_FIELD_NUMBER: _ClassVar[int]
    CLIP_URI_FIELD_NUMBER: _ClassVar[int]
    shot_id: str
    image_uri: str
    duration: _duration_pb2.Duration
    camera_move: _script_pb2.CameraMove
    transition_in: _script_pb2.Transition
    transition_duration: _duration_pb2.Duration
    audio: _containers.RepeatedCompositeFieldContainer[AudioCue]
    subtitles: _containers.RepeatedCompositeFieldContainer[SubtitleCue]
    card_text: str
    description: str
    black: bool
    rig_uri: str
    clip_uri: str
    def __init__(self, shot_id: _Optional[str] = ..., image_uri: _Optional[str] = ..., duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., camera_move: _Optional[_Union[_script_pb2.CameraMove, str]] = ..., transition_in: _Optional[_Union[_script_pb2.Transition, str]] = ..., transition_duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., audio: _Optional[_Iterable[_Union[AudioCue, _Mapping]]] = ..., subtitles: _Optional[_Iterable[_Union[SubtitleCue, _Mapping]]] = ..., card_text: _Optional[str] = ..., description: _Optional[str] = ..., black: _Optional[bool] = ..., rig_uri: _Optional[str] = ..., clip_uri: _Optional[str] = ...) -> None: ...

class OutputFormat(_message.Message):
    __slots__ = ("width", "height", "fps", "burn_subtitles", "music", "seed", "srt_speaker_names")
    WIDTH_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    FPS_FIELD_NUMBER: _ClassVar[int]
    BURN_SUBTITLES_FIELD_NUMBER: _ClassVar[int]
    MUSIC_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    SRT_SPEAKER_NAMES_FIELD_NUMBER: _ClassVar[int]
    width: int
    height: int
    fps: int
    burn_subtitles: bool
    music: bool
    seed: int
    srt_speaker_names: bool
    def __init__(self, width: _Optional[int] = ..., height: _Optional[int] = ..., fps: _Optional[int] = ..., burn_subtitles: _Optional[bool] = ..., music: _Optional[bool] = ..., seed: _Optional[int] = ..., srt_speaker_names: _Optional[bool] = ...) -> None: ...

class CastCard(_message.Message):
    __slots__ = ("name", "description", "portrait_uri")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    PORTRAIT_URI_FIELD_NUMBER: _ClassVar[int]
    name: str
    description: str
    portrait_uri: str
    def __init__(self, name: _Optional[str] = ..., description: _Optional[str] = ..., portrait_uri: _Optional[str] = ...) -> None: ...

class ComposeFilmRequest(_message.Message):
    __slots__ = ("cuts", "format", "output_prefix", "title", "cast", "cast_sheet")
    CUTS_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_PREFIX_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    CAST_FIELD_NUMBER: _ClassVar[int]
    CAST_SHEET_FIELD_NUMBER: _ClassVar[int]
    cuts: _containers.RepeatedCompositeFieldContainer[Cut]
    format: OutputFormat
    output_prefix: str
    title: str
    cast: _containers.RepeatedScalarFieldContainer[str]
    cast_sheet: _containers.RepeatedCompositeFieldContainer[CastCard]
    def __init__(self, cuts: _Optional[_Iterable[_Union[Cut, _Mapping]]] = ..., format: _Optional[_Union[OutputFormat, _Mapping]] = ..., output_prefix: _Optional[str] = ..., title: _Optional[str] = ..., cast: _Optional[_Iterable[str]] = ..., cast_sheet: _Optional[_Iterable[_Union[CastCard, _Mapping]]] = ...) -> None: ...

class ComposeResult(_message.Message):
    __slots__ = ("video_uri", "subtitles_vtt_uri", "subtitles_srt_uri", "poster_uri", "storyboard_uri", "frame_count", "duration")
    VIDEO_URI_FIELD_NUMBER: _ClassVar[int]
    SUBTITLES_VTT_URI_FIELD_NUMBER: _ClassVar[int]
    SUBTITLES_SRT_URI_FIELD_NUMBER: _ClassVar[int]
    POSTER_URI_FIELD_NUMBER: _ClassVar[int]
    STORYBOARD_URI_FIELD_NUMBER: _ClassVar[int]
    FRAME_COUNT_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    video_uri: str
    subtitles_vtt_uri: str
    subtitles_srt_uri: str
    poster_uri: str
    storyboard_uri: str
    frame_count: int
    duration: _duration_pb2.Duration
    def __init__(self, video_uri: _Optional[str] = ..., subtitles_vtt_uri: _Optional[str] = ..., subtitles_srt_uri: _Optional[str] = ..., poster_uri: _Optional[str] = ..., storyboard_uri: _Optional[str] = ..., frame_count: _Optional[int] = ..., duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class ComposeFilmResponse(_message.Message):
    __slots__ = ("progress", "result")
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    progress: ComposeProgress
    result: ComposeResult
    def __init__(self, progress: _Optional[_Union[ComposeProgress, _Mapping]] = ..., result: _Optional[_Union[ComposeResult, _Mapping]] = ...) -> None: ...

class ComposeProgress(_message.Message):
    __slots__ = ("frames_done", "frames_total")
    FRAMES_DONE_FIELD_NUMBER: _ClassVar[int]
    FRAMES_TOTAL_FIELD_NUMBER: _ClassVar[int]
    frames_done: int
    frames_total: int
    def __init__(self, frames_done: _Optional[int] = ..., frames_total: _Optional[int] = ...) -> None: ...
