"""Fitting a plan to the target length: join the pieces of a passage when there are more shots
than the film has room for, drop what cannot fit, spread the time over the shots in proportion to
what each would like, and hold dialogue when the action alone cannot fill the film."""

from __future__ import annotations

from filmstudio.errors import InvalidArgument
from orchestrator.script.planned import MAX_DIALOGUE_HOLD_SECONDS, MIN_ACTION_SECONDS, PlannedShot, ms

# A film has room for a shot about every this many seconds; pieces of a passage beyond that are joined.
SECONDS_A_SHOT = 4.0


def fit(shots: list[PlannedShot], target_ms: int, warnings: list[str]) -> None:
    """Sets every shot's duration so the film runs target_ms, joining or dropping action shots if it must.

    Dialogue is never cut: if it alone overruns the target the script is refused. Otherwise the
    pieces of a passage are joined where the film has no room for them all (_join_passages), shots
    are dropped until the shortest cut fits, the rest share the time in proportion to their
    natural lengths, and if that cannot fill the target, dialogue shots are held longer.
    """
    dialogue_ms = sum(shot.speech_ms for shot in shots if shot.lines)
    if dialogue_ms > target_ms:
        raise InvalidArgument(
            f"dialogue needs {dialogue_ms / 1000:.1f} s but the target is {target_ms / 1000:g} s; "
            "raise the target duration or cut lines"
        )
    _join_passages(shots, target_ms)
    _drop_to_fit(shots, target_ms, warnings)
    _spread(shots, target_ms)
    _hold_dialogue(shots, target_ms, warnings)


def _passage(shot: PlannedShot) -> tuple[int, int, int, int] | None:
    """What makes shots pieces of one passage: an action shot's scene and source span. The prose
    reader cuts a paragraph into a shot a sentence, each with the paragraph's span; in Fountain
    no two shots share a span, so nothing there is joined. Shots with dialogue or a card never are."""
    if shot.lines or shot.card_text:
        return None
    return shot.scene, shot.line, shot.column, shot.end_line


def _join_passages(shots: list[PlannedShot], target_ms: int) -> None:
    """Joins the pieces of passages until the plan has a shot for every SECONDS_A_SHOT of the
    target (or every passage is one shot). Each passage keeps a share of the room in proportion
    to its words, at least one shot, and its pieces are joined into runs of about equal words."""
    room = max(1, target_ms // ms(SECONDS_A_SHOT))
    runs: list[list[PlannedShot]] = []
    for shot in shots:
        key = _passage(shot)
        if runs and key is not None and key == _passage(runs[-1][-1]):
            runs[-1].append(shot)
        else:
            runs.append([shot])
    if len(shots) <= room or len(runs) == len(shots):
        return
    split = [run for run in runs if len(run) > 1]
    spare = max(0, room - (len(runs) - len(split)))  # shots left for the passages of several pieces
    words = {id(run): sum(len(shot.description.split()) for shot in run) for run in split}
    total = max(1, sum(words.values()))
    joined: list[PlannedShot] = []
    for run in runs:
        if len(run) == 1:
            joined.extend(run)
            continue
        count = min(len(run), max(1, spare * words[id(run)] // total))
        joined.extend(_join(group) for group in _groups(run, count))
    shots[:] = joined


def _groups(run: list[PlannedShot], count: int) -> list[list[PlannedShot]]:
    """The run in `count` consecutive groups of about equal words."""
    total = sum(len(shot.description.split()) for shot in run)
    groups: list[list[PlannedShot]] = [[]]
    words = 0
    for index, shot in enumerate(run):
        behind = words >= total * len(groups) / count
        must = len(run) - index <= count - len(groups)  # one shot left for every group still to open
        if groups[-1] and len(groups) < count and (behind or must):
            groups.append([])
        groups[-1].append(shot)
        words += len(shot.description.split())
    return groups


def _join(group: list[PlannedShot]) -> PlannedShot:
    """Pieces of a passage as one shot: framed as the first, showing everyone any piece shows, as
    long as its pieces together would like to be."""
    first = group[0]
    if len(group) == 1:
        return first
    first.description = " ".join(shot.description for shot in group)
    first.subject = " ".join(shot.subject for shot in group)
    first.character_ids = list(dict.fromkeys(c for shot in group for c in shot.character_ids))
    first.base_ms = sum(shot.base_ms for shot in group)
    first.end_line = max(shot.end_line for shot in group)
    return first


def _drop_to_fit(shots: list[PlannedShot], target_ms: int, warnings: list[str]) -> None:
    """Removes the shots _kept does not keep; a dropped shot's transition passes to the next kept one."""
    keep = _kept(shots, target_ms, warnings)
    for i in range(len(shots) - 1, -1, -1):
        if not keep[i]:
            if shots[i].transition and i + 1 < len(shots) and keep[i + 1] and not shots[i + 1].transition:
                shots[i + 1].transition = shots[i].transition
            del shots[i]


def _kept(shots: list[PlannedShot], target_ms: int, warnings: list[str]) -> list[bool]:
    """Which shots stay so that every shot at its shortest fits target_ms.

    Too many shots for the time: drop the least important action shots (shortest text first,
    later ones first among equals), keeping every scene's first shot while we can and every
    scene at least one. Raises InvalidArgument when even that is too long.
    """
    keep = [True] * len(shots)
    total_min = sum(shot.min_ms() for shot in shots)
    if total_min <= target_ms:
        return keep
    kept_in_scene: dict[int, int] = {}
    for shot in shots:
        kept_in_scene[shot.scene] = kept_in_scene.get(shot.scene, 0) + 1
    for establishing in (False, True):
        order = sorted(
            (i for i, shot in enumerate(shots) if not shot.lines and shot.establishing == establishing),
            key=lambda i: (shots[i].base_ms, -i),
        )
        for i in order:
            if total_min <= target_ms:
                break
            if kept_in_scene[shots[i].scene] <= 1:
                continue  # every scene keeps at least one shot
            keep[i] = False
            kept_in_scene[shots[i].scene] -= 1
            total_min -= shots[i].min_ms()
            warnings.append(f"line {shots[i].line}: shot dropped to fit the {target_ms / 1000:g} s target")
    if total_min > target_ms:
        raise InvalidArgument(
            f"the script needs at least {total_min / 1000:.1f} s ({sum(keep)} shots of at least "
            f"{MIN_ACTION_SECONDS:g} s plus dialogue) but the target is {target_ms / 1000:g} s"
        )
    return keep


def _spread(shots: list[PlannedShot], target_ms: int) -> None:
    """Sets every shot's duration: its shortest, or for a shot that may run longer, its natural
    length times one scale shared by all, the largest that keeps the film within target_ms."""
    flexible = [shot for shot in shots if shot.max_ms() > shot.min_ms()]
    fixed_ms = sum(shot.min_ms() for shot in shots if shot.max_ms() <= shot.min_ms())
    for shot in shots:
        shot.duration_ms = shot.min_ms()
        shot.fit_base_ms = max(shot.base_ms, shot.min_ms(), 1)
    if not flexible:
        return
    room = target_ms - fixed_ms
    # (shortest, longest, natural length) of each flexible shot, read once: the bisection asks 60 times.
    bounds = [(shot.min_ms(), shot.max_ms(), shot.fit_base_ms) for shot in flexible]

    def scaled(scale: float) -> list[int]:
        return [min(longest, max(shortest, int(scale * natural))) for shortest, longest, natural in bounds]

    # Bisect for the scale: the film's length only grows with it, and 60 halvings reach the
    # precision of a float.
    low, high = 0.0, max(longest / natural for _, longest, natural in bounds)
    for _ in range(60):
        middle = (low + high) / 2
        if sum(scaled(middle)) > room:
            high = middle
        else:
            low = middle
    for shot, duration in zip(flexible, scaled(low)):
        shot.duration_ms = duration
    # Rounding down leaves milliseconds over: hand them out, in order, to shots with room to grow.
    short = room - sum(shot.duration_ms for shot in flexible)
    while short > 0:
        growable = [shot for shot in flexible if shot.duration_ms < shot.max_ms()]
        if not growable:
            break
        step = max(1, short // len(growable))
        for shot in growable:
            if short <= 0:
                break
            add = min(step, shot.max_ms() - shot.duration_ms, short)
            shot.duration_ms += add
            short -= add


def _hold_dialogue(shots: list[PlannedShot], target_ms: int, warnings: list[str]) -> None:
    """Fills a film still short of target_ms by holding dialogue shots past their last line, up to
    MAX_DIALOGUE_HOLD_SECONDS each; warns if even that leaves it short."""
    total = sum(shot.duration_ms for shot in shots)
    if total >= target_ms:
        return
    # Every action shot is at its longest here: only the dialogue shots can grow.
    talkers = [shot for shot in shots if shot.subject_is_speech]
    hold = ms(MAX_DIALOGUE_HOLD_SECONDS)
    short = target_ms - total
    while short > 0 and talkers:
        step = max(1, short // len(talkers))
        grew = False
        for shot in talkers:
            limit = shot.speech_ms + hold
            add = min(step, limit - shot.duration_ms, short)
            if add > 0:
                shot.duration_ms += add
                short -= add
                grew = True
        if not grew:
            break
    total = sum(shot.duration_ms for shot in shots)
    if total < target_ms:
        warnings.append(
            f"the plan runs {total / 1000:.1f} s, short of the {target_ms / 1000:g} s target: "
            "every shot is held as long as it can be; add action or lower the target"
        )
