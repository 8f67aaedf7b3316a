"""The shot plan as a readable text shot list (`filmstudio parse --format text`)."""

from __future__ import annotations

from filmstudio.v1 import script_pb2


def _name(enum: type, value: int, prefix: str) -> str:
    return enum.Name(value).removeprefix(prefix).replace("_", " ").lower()


def _clock(milliseconds: int) -> str:
    return f"{milliseconds // 60000}:{milliseconds % 60000 / 1000:04.1f}"


def _camera(shot: script_pb2.Shot) -> str:
    """"medium, static" for a picture; a card or black has no camera."""
    if shot.card_text:
        return "title card"
    if shot.black:
        return "black"
    return (f"{_name(script_pb2.Framing, shot.framing, 'FRAMING_')}, "
            f"{_name(script_pb2.CameraMove, shot.camera_move, 'CAMERA_MOVE_')}")


def format_shot_list(scene_graph: script_pb2.SceneGraph) -> str:
    """One block per scene, one line per shot (start, length, framing, move, transition), then its
    description and dialogue."""
    shot_count = sum(len(scene.shots) for scene in scene_graph.scenes)
    total = scene_graph.total_duration.ToMilliseconds()
    gpu_ms = sum(shot.gpu_time.ToMilliseconds() for scene in scene_graph.scenes for shot in scene.shots)
    lines = [
        f"{scene_graph.title or 'Untitled'} - {len(scene_graph.scenes)} scenes, {shot_count} shots, "
        f"{total / 1000:.1f} s, style {scene_graph.style}"
        + (f", about {gpu_ms / 1000:.0f} s of GPU for its generated clips" if gpu_ms else ""),
    ]
    names = {character.id: character.name for character in scene_graph.characters}
    if scene_graph.characters:
        lines.append("")
        lines.append("Characters:")
        for character in scene_graph.characters:
            voice = character.voice
            lines.append(
                f"  {character.name} ({character.id}) voice {voice.language}+{voice.variant} "
                f"pitch {voice.pitch} {voice.words_per_minute} wpm: {character.description}"
            )
    start = 0
    for scene in scene_graph.scenes:
        lines.append("")
        place = ", ".join(p for p in (_name(script_pb2.Setting, scene.setting, "SETTING_"), scene.location,
                                      scene.time_of_day) if p and p != "unspecified")
        lines.append(f"{scene.id}  {scene.heading or '(untitled scene)'}  [{place}]  line {scene.span.line}")
        for shot in scene.shots:
            length = shot.duration.ToMilliseconds()
            lines.append(
                f"  {shot.id}  {_clock(start)}  {length / 1000:4.1f}s  {_camera(shot)}, "
                f"in: {_name(script_pb2.Transition, shot.transition_in, 'TRANSITION_')}"
            )
            description = shot.description if len(shot.description) <= 100 else shot.description[:97] + "..."
            if shot.gpu_time.ToMilliseconds():
                description += f"  [generated clip, about {shot.gpu_time.ToMilliseconds() / 1000:.0f} s of GPU]"
            lines.append(f"      {description}")
            for line in shot.dialogue:
                cue = names.get(line.character_id, line.character_id)
                if line.extension:
                    cue += f" ({line.extension})"
                direction = f" ({line.parenthetical})" if line.parenthetical else ""
                sung = "~ " if line.lyric else ""
                lines.append(
                    f"      +{line.offset.ToMilliseconds() / 1000:.1f}s {cue}{direction}: {sung}{line.text}"
                )
            start += length
    return "\n".join(lines) + "\n"
