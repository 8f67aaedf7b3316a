"""A film's state machine: which moves are allowed. Plain functions over FilmState values."""

from __future__ import annotations

from filmstudio.errors import FailedPrecondition
from filmstudio.v1 import film_pb2

QUEUED = film_pb2.FILM_STATE_QUEUED
PLANNING = film_pb2.FILM_STATE_PLANNING
GENERATING = film_pb2.FILM_STATE_GENERATING
COMPOSING = film_pb2.FILM_STATE_COMPOSING
SUCCEEDED = film_pb2.FILM_STATE_SUCCEEDED
FAILED = film_pb2.FILM_STATE_FAILED
CANCELLED = film_pb2.FILM_STATE_CANCELLED

# States a worker still has to drive; a film in one of these can be claimed.
ACTIVE_STATES = (QUEUED, PLANNING, GENERATING, COMPOSING)
TERMINAL_STATES = (SUCCEEDED, FAILED, CANCELLED)
# The pipeline's order; a film only ever moves right along it (RegenerateShot excepted, see
# orchestrator.db.films.FilmRows.reopen_for_shot).
_PIPELINE = (QUEUED, PLANNING, GENERATING, COMPOSING, SUCCEEDED)


def state_name(state: int) -> str:
    """"GENERATING" for FILM_STATE_GENERATING: the short name used in messages."""
    return film_pb2.FilmState.Name(state).removeprefix("FILM_STATE_")


def is_terminal(state: int) -> bool:
    return state in TERMINAL_STATES


def can_move(current: int, target: int) -> bool:
    """Whether a film in `current` may move to `target`.

    Forward along queued -> planning -> generating -> composing (skipping is allowed), succeeded only
    from composing, failed and cancelled from any state that is not yet terminal. Nothing leaves a
    terminal state and no state moves to itself.
    """
    if current in TERMINAL_STATES or target not in _PIPELINE + TERMINAL_STATES:
        return False
    if target in (FAILED, CANCELLED):
        return True
    if target == SUCCEEDED:
        return current == COMPOSING
    return _PIPELINE.index(target) > _PIPELINE.index(current)


def check_move(film_name: str, current: int, target: int) -> None:
    """Raise FailedPrecondition naming the film and both states if the move is not allowed."""
    if not can_move(current, target):
        raise FailedPrecondition(
            f"film {film_name} is {state_name(current)}; it cannot move to {state_name(target)}"
        )
