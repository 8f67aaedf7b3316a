"""The composer: cut list in, film out (Ken Burns motion, transitions, sound, subtitles, H.264/AAC MP4).

`compose_film` is the plain async function; `composer.server` wraps it as ComposerService."""

from composer.compose import compose_film

__all__ = ["compose_film"]
