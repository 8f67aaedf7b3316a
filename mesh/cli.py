"""filmstudio — script in, short film out.

    filmstudio up                      start the whole mesh here and supervise it (Ctrl-C stops it)
    filmstudio parse SCRIPT            show the scene graph and shot plan (no rendering)
    filmstudio render SCRIPT -o F.mp4  render a film (uses a running mesh, or starts one for the job)
    filmstudio export FILM -o PATH     write a film's cut for an editor (OTIO, OTIOZ, FCP XML, FCPXML, EDL)
    filmstudio token                   mint a development API token for the REST gateway
    filmstudio status                  health of each service

Configuration comes from FILMSTUDIO_* environment variables (see filmstudio/config.py).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import pathlib
import shutil
import sys
from collections.abc import Sequence

import grpc
from google.protobuf import duration_pb2, json_format

from filmstudio import health, settings as film_settings
from filmstudio.config import Config, ConfigError
from filmstudio.errors import FilmStudioError
from filmstudio.auth import bearer_metadata, mint_token
from filmstudio.identity import LOCAL_USER
from filmstudio.process import stop_event
from filmstudio.storage import opened_store
from filmstudio.v1 import film_pb2, film_pb2_grpc, script_pb2
from mesh.supervisor import ServiceFailed, Supervisor, local_config, mesh_services
from orchestrator import takes
from orchestrator.script import format_shot_list, parse_script

EXIT_USAGE = 2  # bad input: script, arguments
EXIT_FAILURE = 1  # the film or the mesh failed
RENDER_TOKEN_S = 24 * 3600  # how long `render` may watch its film


def _settings(args: argparse.Namespace) -> film_pb2.FilmSettings:
    """The film settings the options ask for, normalised (InvalidArgument names a bad one)."""
    return film_settings.normalize(film_pb2.FilmSettings(
        aspect_ratio=film_settings.ASPECTS[args.aspect], resolution=film_settings.RESOLUTIONS[args.resolution],
        fps=args.fps, target_duration=duration_pb2.Duration(seconds=args.seconds), style=args.style,
        image_backend=args.backend, seed=args.seed, burn_subtitles=args.burn_subtitles,
        srt_speaker_names=args.srt_speaker_names, motion=film_settings.MOTIONS[args.motion],
        motion_fallback=args.motion_fallback))


def _cast(args: argparse.Namespace) -> list[script_pb2.Character]:
    """The cast overrides in the --cast file: a JSON list of characters as the REST API writes them,
    for example [{"name": "MAYA", "hair": "long black hair", "gender": "GENDER_FEMALE"}]."""
    if not args.cast:
        return []
    try:
        entries = json.loads(pathlib.Path(args.cast).read_text(encoding="utf-8"))
        if not isinstance(entries, list):
            raise ValueError("expected a JSON list of characters")
        return [json_format.ParseDict(entry, script_pb2.Character()) for entry in entries]
    except OSError as exc:
        raise FilmStudioError(f"{args.cast}: {exc.strerror}") from None
    except (ValueError, json_format.ParseError) as exc:
        raise FilmStudioError(f"{args.cast}: {exc}") from None


def _read_script(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        return pathlib.Path(path).read_bytes()
    except OSError as exc:
        raise FilmStudioError(f"{path}: {exc.strerror}") from None


# --- parse -----------------------------------------------------------------------------------------

def cmd_parse(args: argparse.Namespace) -> int:
    data = _read_script(args.script)
    try:
        settings = _settings(args)
        parsed = parse_script(data, settings, _cast(args), cast_field=f"{args.cast}: character")
    except FilmStudioError as exc:
        print(f"{args.script}: {exc.message}", file=sys.stderr)
        return EXIT_USAGE
    takes.plan_motion(settings, parsed.scene_graph)  # each generated shot's GPU time, as ParseScript gives it
    for warning in parsed.warnings:
        print(f"{args.script}: warning: {warning}", file=sys.stderr)
    if args.format == "json":
        print(json_format.MessageToJson(parsed.scene_graph, indent=2, ensure_ascii=False))
    else:
        print(format_shot_list(parsed.scene_graph))
    return 0


# --- up --------------------------------------------------------------------------------------------

async def _up(config: Config, with_gateway: bool) -> int:
    supervisor = Supervisor(config, specs=mesh_services(config, with_gateway),
                            report=lambda line: print(f"filmstudio: {line}", file=sys.stderr, flush=True))
    stop = stop_event()
    try:
        await supervisor.start()
    except ServiceFailed as exc:
        print(f"filmstudio up: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    print(f"filmstudio: mesh up — orchestrator {config.orchestrator_addr}"
          + (f", REST http://{config.gateway_addr}/" if with_gateway else "") + " (Ctrl-C stops)",
          file=sys.stderr, flush=True)
    watcher = asyncio.create_task(supervisor.watch())
    await stop.wait()
    print("filmstudio: stopping", file=sys.stderr, flush=True)
    await supervisor.stop()
    watcher.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await watcher
    return 0


def cmd_up(args: argparse.Namespace) -> int:
    return asyncio.run(_up(local_config(Config.from_env()), not args.no_gateway))


# --- status ----------------------------------------------------------------------------------------

async def _status(config: Config) -> int:
    checks = {"inference (Triton)": health.check(config.triton_addr),
              "composer": health.check(config.composer_addr),
              "orchestrator": health.check(config.orchestrator_addr)}
    worst = 0
    for name, check in checks.items():
        status = await check
        worst = worst or int(status != "SERVING")
        print(f"{name:20} {status}")
    gateway = "SERVING" if await health.http_ok(config.gateway_addr) else "UNREACHABLE"
    print(f"{'gateway':20} {gateway}")
    return worst


def cmd_status(args: argparse.Namespace) -> int:
    return asyncio.run(_status(Config.from_env()))


# --- render ----------------------------------------------------------------------------------------

class ProgressBar:
    """One line on a terminal; plain lines otherwise."""

    def __init__(self, stream=sys.stderr) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.last = ""

    def show(self, progress: float, label: str) -> None:
        if self.tty:
            width = max(10, min(40, shutil.get_terminal_size().columns - 40))
            filled = int(width * progress)
            self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {progress * 100:5.1f}% {label:<24.24}")
            self.stream.flush()
        elif label != self.last:
            self.stream.write(f"{progress * 100:5.1f}% {label}\n")
        self.last = label

    def done(self) -> None:
        if self.tty:
            self.stream.write("\n")


def _label(event: film_pb2.FilmEvent) -> str:
    kind = event.WhichOneof("kind")
    if kind == "state_change":
        return film_pb2.FilmState.Name(event.state_change.state).removeprefix("FILM_STATE_").lower()
    if kind == "shot":
        return f"shot {event.shot.shot_id} {film_pb2.ShotState.Name(event.shot.state).removeprefix('SHOT_STATE_').lower()}"
    if kind == "compose":
        return f"encoding {event.compose.frames_done}/{event.compose.frames_total}"
    return "done"


def output_files(film: film_pb2.Film, output: pathlib.Path) -> list[tuple[str, pathlib.Path]]:
    """(store URI, local path) of everything a render writes: the MP4 at `output`, the subtitles beside
    it (.vtt, .srt), the poster (.poster.jpg) and the storyboard sheet (.storyboard.png)."""
    outputs = film.outputs
    wanted = [(outputs.video_uri, output), (outputs.subtitles_vtt_uri, output.with_suffix(".vtt")),
              (outputs.subtitles_srt_uri, output.with_suffix(".srt")),
              (outputs.poster_uri, output.with_suffix(".poster.jpg")),
              (outputs.storyboard_uri, output.with_suffix(".storyboard.png"))]
    return [(uri, path) for uri, path in wanted if uri]


async def render_film(config: Config, script: str, settings: film_pb2.FilmSettings, output: pathlib.Path,
                      display_name: str = "", cast: Sequence[script_pb2.Character] = (),
                      ) -> tuple[film_pb2.Film, list[pathlib.Path]]:
    """Create a film on the orchestrator at config.orchestrator_addr, watch it, copy its files beside
    `output` (see output_files); returns the film and the paths written."""
    if not config.jwt_secret:
        raise FilmStudioError("FILMSTUDIO_JWKS_URL is set: render through the REST API with a token from your "
                              "identity provider")
    metadata = bearer_metadata(mint_token(LOCAL_USER, config.jwt_secret, RENDER_TOKEN_S))
    bar = ProgressBar()
    async with grpc.aio.insecure_channel(config.orchestrator_addr) as channel:
        films = film_pb2_grpc.FilmServiceStub(channel)
        film = await films.CreateFilm(film_pb2.CreateFilmRequest(
            film=film_pb2.Film(script=script, settings=settings, display_name=display_name, cast=cast)),
            metadata=metadata)
        async for event in films.WatchFilm(film_pb2.WatchFilmRequest(name=film.name), metadata=metadata):
            bar.show(event.progress, _label(event))
        bar.done()
        film = await films.GetFilm(film_pb2.GetFilmRequest(name=film.name), metadata=metadata)
    if film.state != film_pb2.FILM_STATE_SUCCEEDED:
        raise FilmStudioError(f"{film.name} {film_pb2.FilmState.Name(film.state)}: {film.error.message}")
    written = []
    async with opened_store(config.store_url, config.s3_endpoint) as store:
        output.parent.mkdir(parents=True, exist_ok=True)
        for uri, path in output_files(film, output):
            path.write_bytes(await store.get(uri))
            written.append(path)
    return film, written


async def _render(args: argparse.Namespace, config: Config) -> int:
    data = _read_script(args.script)
    try:  # refuse bad settings or a bad script here, with its line and column, before starting anything
        settings, cast = _settings(args), _cast(args)
        parse_script(data, settings, cast, cast_field=f"{args.cast}: character")
    except FilmStudioError as exc:
        print(f"{args.script}: {exc.message}", file=sys.stderr)
        return EXIT_USAGE
    script = data.decode("utf-8")
    try:
        supervisor = await _mesh_for(config, "render")
    except ServiceFailed as exc:
        print(f"filmstudio render: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    try:
        film, written = await render_film(config, script, settings, pathlib.Path(args.output),
                                          display_name=pathlib.Path(args.script).stem, cast=cast)
    except grpc.aio.AioRpcError as exc:
        print(f"filmstudio render: {exc.code().name}: {exc.details()}", file=sys.stderr)
        return EXIT_USAGE if exc.code() == grpc.StatusCode.INVALID_ARGUMENT else EXIT_FAILURE
    except FilmStudioError as exc:
        print(f"filmstudio render: {exc.message}", file=sys.stderr)
        return EXIT_FAILURE
    finally:
        if supervisor is not None:
            await supervisor.stop()
    seconds = film.outputs.duration.seconds + film.outputs.duration.nanos / 1e9
    print(f"{args.output}: {seconds:.2f} s, {len(film.shots)} shots ({film.name})")
    for path in written[1:]:
        print(f"  {path}")
    return 0


async def _mesh_for(config: Config, command: str) -> Supervisor | None:
    """The mesh a one-off command uses: None when one serves at config.orchestrator_addr already, else
    one started for it here, for the caller to stop (ServiceFailed if it cannot start)."""
    if await health.check(config.orchestrator_addr) == "SERVING":
        return None
    print(f"filmstudio: no mesh at {config.orchestrator_addr}; starting one for this {command} "
          f"(logs in {config.data_dir / 'logs'})", file=sys.stderr, flush=True)
    supervisor = Supervisor(config, specs=mesh_services(config, with_gateway=False), log_dir=config.data_dir / "logs",
                            report=lambda line: print(f"filmstudio: {line}", file=sys.stderr, flush=True))
    await supervisor.start()
    return supervisor


def cmd_render(args: argparse.Namespace) -> int:
    return asyncio.run(_render(args, local_config(Config.from_env())))


# --- export ---------------------------------------------------------------------------------------

EXPORT_FORMATS = {"otio": film_pb2.EXPORT_FORMAT_OTIO, "otioz": film_pb2.EXPORT_FORMAT_OTIOZ,
                  "fcp-xml": film_pb2.EXPORT_FORMAT_FCP_XML, "fcpxml": film_pb2.EXPORT_FORMAT_FCPXML,
                  "edl": film_pb2.EXPORT_FORMAT_EDL}


async def export_film(config: Config, name: str, fmt: int, output: pathlib.Path) -> film_pb2.FilmExport:
    """Ask the orchestrator at config.orchestrator_addr to export one of the local user's films, and copy
    the file it stored to `output`."""
    if not config.jwt_secret:
        raise FilmStudioError("FILMSTUDIO_JWKS_URL is set: export through the REST API with a token from your "
                              "identity provider")
    metadata = bearer_metadata(mint_token(LOCAL_USER, config.jwt_secret, 600))
    async with grpc.aio.insecure_channel(config.orchestrator_addr) as channel:
        films = film_pb2_grpc.FilmServiceStub(channel)
        exported = await films.ExportFilm(film_pb2.ExportFilmRequest(name=name, format=fmt), metadata=metadata)
    async with opened_store(config.store_url, config.s3_endpoint) as store:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(await store.get(exported.uri))
    return exported


async def _export(args: argparse.Namespace, config: Config) -> int:
    name = args.film if args.film.startswith("films/") else f"films/{args.film}"
    try:
        supervisor = await _mesh_for(config, "export")
    except ServiceFailed as exc:
        print(f"filmstudio export: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    try:
        exported = await export_film(config, name, EXPORT_FORMATS[args.format], pathlib.Path(args.output))
    except grpc.aio.AioRpcError as exc:
        print(f"filmstudio export: {exc.code().name}: {exc.details()}", file=sys.stderr)
        return EXIT_USAGE if exc.code() == grpc.StatusCode.INVALID_ARGUMENT else EXIT_FAILURE
    finally:
        if supervisor is not None:
            await supervisor.stop()
    seconds = exported.duration.seconds + exported.duration.nanos / 1e9
    print(f"{args.output}: {args.format}, {exported.clip_count} clips, {seconds:.2f} s ({name})")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    return asyncio.run(_export(args, local_config(Config.from_env())))


# --- token -----------------------------------------------------------------------------------------

def cmd_token(args: argparse.Namespace) -> int:
    config = local_config(Config.from_env())
    if not config.jwt_secret:
        raise FilmStudioError("FILMSTUDIO_JWKS_URL is set: tokens come from your identity provider, not from here")
    print(mint_token(args.subject, config.jwt_secret, args.ttl))
    return 0


# --- main ------------------------------------------------------------------------------------------

def _film_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("script", help="Fountain screenplay or plain prose (UTF-8); - reads stdin")
    s = film_settings
    parser.add_argument("--seconds", type=int, default=s.DEFAULT_SECONDS, metavar="S",
                        help=f"target length, {s.MIN_SECONDS}-{s.MAX_SECONDS} (default {s.DEFAULT_SECONDS})")
    parser.add_argument("--style", default=s.DEFAULT_STYLE, help=f"one of {', '.join(s.STYLES)} "
                                                                  f"(default {s.DEFAULT_STYLE})")
    parser.add_argument("--seed", type=int, default=0, help="same script and seed give the same film")
    parser.add_argument("--aspect", choices=s.ASPECTS, default=s.DEFAULT_ASPECT)
    parser.add_argument("--resolution", choices=s.RESOLUTIONS, default=s.DEFAULT_RESOLUTION)
    parser.add_argument("--fps", type=int, choices=s.FPS, default=s.DEFAULT_FPS)
    parser.add_argument("--backend", default=s.DEFAULT_BACKEND,
                        help=f"image model: {' or '.join(s.IMAGE_BACKENDS)} (default {s.DEFAULT_BACKEND}, the CPU one)")
    default_motion = next(name for name, value in s.MOTIONS.items() if value == s.DEFAULT_MOTION)
    parser.add_argument("--motion", choices=s.MOTIONS, default=default_motion,
                        help="how shots move: camera (a Ken Burns move over the still), animated (the living "
                             f"animatic, CPU) or generated (image-to-video on a GPU) (default {default_motion})")
    parser.add_argument("--motion-fallback", action="store_true",
                        help="with --motion generated and no motion weights loaded, animate on the CPU instead")
    parser.add_argument("--burn-subtitles", action="store_true", help="draw subtitles into the picture too")
    parser.add_argument("--srt-speaker-names", action="store_true", help='lead each SRT cue with its speaker ("MAYA: ...")')
    parser.add_argument("--cast", metavar="FILE", help='cast overrides: a JSON list such as '
                        '[{"name": "MAYA", "hair": "long black hair"}]')


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="filmstudio", description=__doc__.split("\n\n")[0],
                                     epilog="Run `filmstudio COMMAND --help` for a command's options.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    up = commands.add_parser("up", help="start the whole mesh and supervise it (Ctrl-C stops all)")
    up.add_argument("--no-gateway", action="store_true", help="gRPC services only")
    up.set_defaults(run=cmd_up)

    parse = commands.add_parser("parse", help="print a script's scene graph and shot plan")
    _film_options(parse)
    parse.add_argument("--format", choices=("text", "json"), default="text",
                       help="text: a readable shot list; json: the SceneGraph as proto3 JSON")
    parse.set_defaults(run=cmd_parse)

    render = commands.add_parser("render", help="render a script to an MP4")
    _film_options(render)
    render.add_argument("-o", "--output", required=True, help="where to write the MP4 (.vtt/.srt beside it)")
    render.set_defaults(run=cmd_render)

    export = commands.add_parser("export", help="write a rendered film's cut for an editor",
                                 description="Write a succeeded film's cut (one of the local user's films, as "
                                             "`render` makes them) as an editor's timeline. Uses a running mesh, "
                                             "or starts one for the job.")
    export.add_argument("film", help='the film: "films/{film}" or its id, as `render` prints it')
    export.add_argument("--format", choices=EXPORT_FORMATS, default="otio",
                        help="otio (default), otioz (with the media), fcp-xml (Final Cut Pro 7 / Premiere / "
                             "Resolve), fcpxml (Final Cut Pro X) or edl (CMX 3600, the picture track)")
    export.add_argument("-o", "--output", required=True, help="where to write the file")
    export.set_defaults(run=cmd_export)

    token = commands.add_parser("token", help="mint a development token for the REST gateway")
    token.add_argument("--subject", default=LOCAL_USER, help="the user the token speaks for")
    token.add_argument("--ttl", type=int, default=24 * 3600, help="lifetime in seconds (default a day)")
    token.set_defaults(run=cmd_token)

    status = commands.add_parser("status", help="health of every service")
    status.set_defaults(run=cmd_status)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except ConfigError as exc:
        print(f"filmstudio: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except FilmStudioError as exc:
        print(f"filmstudio: {exc.message}", file=sys.stderr)
        return EXIT_USAGE if exc.code == grpc.StatusCode.INVALID_ARGUMENT else EXIT_FAILURE
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
