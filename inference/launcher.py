"""Start and stop the Triton server binary that ships in the nvidia-pytriton wheel.

`TritonProcess` is synchronous (subprocess + HTTP polling) so both tests and the async `filmstudio up` can use
it: call `start()` from the thread that will outlive Triton (the main thread; Triton is told to die with the
thread that started it, see PR_SET_PDEATHSIG), and from async code run `wait_ready` in a thread:

    triton = TritonProcess.from_config(Config.from_env())
    triton.start()
    await asyncio.to_thread(triton.wait_ready)
    ...
    await asyncio.to_thread(triton.stop)

Two traps of the wheel's layout are handled here: the Python backend's stub must sit in the backend
directory (we assemble one under data_dir), and the stub links the system libpython, so the running
interpreter's LIBDIR goes on LD_LIBRARY_PATH; PYTHONPATH lets model.py import numpy, Pillow, `inference`
and `filmstudio` from this checkout and virtualenv.
"""

from __future__ import annotations

import contextlib
import errno
import importlib.util
import os
import pathlib
import re
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence

from filmstudio import tensors, tls
from filmstudio.config import Config, parse_addr
from filmstudio.process import die_with_parent
from filmstudio.server import StartupError
from inference.video import MOTION_DIR_VARIABLE

MODEL_REPOSITORY = pathlib.Path(__file__).resolve().parent / "model_repository"
REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent
DEFAULT_MODELS = (tensors.STORYBOARD.name, tensors.ANIMATIC.name, tensors.TTS.name)
SDXL_DIR_VARIABLE = "FILMSTUDIO_SDXL_MODEL_DIR"



def pytriton_dir() -> pathlib.Path:
    """The installed wheel's tritonserver folder; StartupError if the wheel is not installed."""
    spec = importlib.util.find_spec("pytriton")
    if spec is None or not spec.submodule_search_locations:
        raise StartupError("Triton not found: install nvidia-pytriton==0.7.0 (requirements.txt)")
    return pathlib.Path(list(spec.submodule_search_locations)[0]) / "tritonserver"


def find_tritonserver() -> pathlib.Path:
    """Path of the tritonserver binary in the nvidia-pytriton wheel."""
    binary = pytriton_dir() / "bin" / "tritonserver"
    if not binary.is_file() or not os.access(binary, os.X_OK):
        raise StartupError(f"Triton binary missing or not executable: {binary} (reinstall nvidia-pytriton)")
    return binary


def prepare_backends(work_dir: pathlib.Path) -> pathlib.Path:
    """A backend directory holding the Python backend with the stub for this interpreter's version.

    The wheel keeps the stubs apart from the backend library; Triton looks for the stub next to it.
    """
    source = pytriton_dir()
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    stub = source / "python_backend_stubs" / version / "triton_python_backend_stub"
    if not stub.is_file():
        raise StartupError(f"no Triton Python backend stub for Python {version} in {stub.parent.parent}")
    backends = work_dir / "backends"
    target = backends / "python"
    target.mkdir(parents=True, exist_ok=True)
    for path in [*(source / "backends" / "python").iterdir(), stub]:
        if path.is_file():
            destination = target / path.name
            if not destination.exists() or destination.stat().st_size != path.stat().st_size:
                shutil.copy2(path, destination)
    return backends


def backend_environment(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """Environment for tritonserver and the Python stubs it spawns (LD_LIBRARY_PATH, PYTHONPATH)."""
    env = dict(os.environ if base is None else base)
    libs = [sysconfig.get_config_var("LIBDIR") or "", str(pytriton_dir().parent.parent / "nvidia_pytriton.libs")]
    env["LD_LIBRARY_PATH"] = os.pathsep.join(p for p in [*libs, env.get("LD_LIBRARY_PATH", "")] if p)
    paths = [str(REPO_ROOT), sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(p for p in [*paths, env.get("PYTHONPATH", "")] if p))
    return env


def check_port_free(host: str, port: int, what: str) -> None:
    """StartupError naming the port if something already listens on it."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            reason = "port taken" if exc.errno == errno.EADDRINUSE else exc.strerror
            raise StartupError(f"Triton {what} cannot listen on {host}:{port}: {reason}") from None


_ERROR_LINE = re.compile(r"^E\d{4} [\d:.]+ +\d+ [^\]]+\] ?(.*)$")


def last_error(log_text: str) -> str:
    """The most telling line of a Triton log: its last error, else its last line."""
    lines = [line.strip() for line in log_text.splitlines() if line.strip()]
    errors = [_first_line(m.group(1)) for m in map(_ERROR_LINE.match, lines) if m and m.group(1)]
    # Triton ends with generic lines ("exiting: ..."); the cause is the first of the final burst.
    for message in errors:
        if "failed to load" in message or "failed to start" in message or "Unavailable" in message:
            return message
    if errors:
        return errors[-1]
    return lines[-1] if lines else "no output"


def _first_line(message: str) -> str:
    # Triton quotes its messages and escapes newlines; a Python traceback follows the first line.
    message = message.strip().strip('"')
    return message.split("\\n")[0].split("\n")[0].strip()


class TritonProcess:
    """One tritonserver serving our model repository with explicit model control."""

    def __init__(self, grpc_addr: str = "127.0.0.1:50053", http_port: int = 50054, metrics_port: int = 50055,
                 models: Sequence[str] = DEFAULT_MODELS, work_dir: pathlib.Path | str = ".filmstudio/triton",
                 model_repository: pathlib.Path = MODEL_REPOSITORY, env: Mapping[str, str] | None = None,
                 tls_files: tuple[str, str, str] | None = None, cache_mb: int = 0) -> None:
        self.host, self.grpc_port = parse_addr(grpc_addr, "Triton gRPC address")
        self.tls_files = tls_files  # (certificate, key, CA) PEM paths: gRPC with mutual TLS
        self.cache_mb = cache_mb  # Triton's response cache (models with response_cache enabled); 0 = off
        self.grpc_addr = grpc_addr
        self.http_port = http_port
        self.metrics_port = metrics_port
        self.models = tuple(models)
        self.work_dir = pathlib.Path(work_dir).resolve()
        self.model_repository = pathlib.Path(model_repository)
        self.env = dict(os.environ if env is None else env)
        self.log_path = self.work_dir / "tritonserver.log"
        self.process: subprocess.Popen | None = None

    @classmethod
    def from_config(cls, config: Config, env: Mapping[str, str] | None = None) -> "TritonProcess":
        """Ports and folders from the configuration; sdxl and motion are loaded only when their weights are
        configured."""
        env = dict(os.environ if env is None else env)
        # The models write results to the mesh's store (inference.results): its settings resolved here, since
        # Triton's working directory is not ours.
        env |= {"FILMSTUDIO_STORE_URL": config.store_url, "FILMSTUDIO_S3_ENDPOINT": config.s3_endpoint}
        models = list(DEFAULT_MODELS)
        if config.sdxl_model_dir:
            weights = pathlib.Path(config.sdxl_model_dir).expanduser()
            if not (weights / "model_index.json").is_file():
                raise StartupError(
                    f"{SDXL_DIR_VARIABLE}={config.sdxl_model_dir}: no diffusers pipeline there (model_index.json "
                    "missing); point it at a StableDiffusionXLPipeline saved with save_pretrained, or unset it")
            env[SDXL_DIR_VARIABLE] = str(weights.resolve())
            models.append(tensors.SDXL.name)
        if config.motion_model_dir:
            weights = pathlib.Path(config.motion_model_dir).expanduser()
            if not (weights / "model_index.json").is_file():
                raise StartupError(
                    f"{MOTION_DIR_VARIABLE}={config.motion_model_dir}: no diffusers pipeline there (model_index.json "
                    "missing); point it at an LTXImageToVideoPipeline or StableVideoDiffusionPipeline saved with "
                    "save_pretrained, or unset it")
            env[MOTION_DIR_VARIABLE] = str(weights.resolve())
            models.append(tensors.MOTION.name)
        tls_files = (config.tls_cert, config.tls_key, config.tls_ca) if tls.certificates(config) else None
        return cls(config.triton_addr, config.triton_http_port, config.triton_metrics_port, models,
                   config.data_dir / "triton", env=env, tls_files=tls_files, cache_mb=config.triton_cache_mb)

    def command(self, binary: pathlib.Path, backends: pathlib.Path) -> list[str]:
        """The tritonserver command line."""
        args = [str(binary), f"--model-repository={self.model_repository}", "--model-control-mode=explicit",
                f"--backend-directory={backends}", f"--grpc-address={self.host}", f"--grpc-port={self.grpc_port}",
                f"--http-address={self.host}", f"--http-port={self.http_port}", "--exit-timeout-secs=10",
                "--log-info=true"]
        if self.metrics_port:
            args += [f"--metrics-address={self.host}", f"--metrics-port={self.metrics_port}",
                     "--allow-gpu-metrics=false"]
        else:
            args.append("--allow-metrics=false")
        if self.cache_mb:
            args += [f"--cache-directory={binary.parent.parent / 'caches'}", f"--cache-config=local,size={self.cache_mb << 20}"]
        if self.tls_files is not None:
            cert, key, ca = self.tls_files
            args += ["--grpc-use-ssl=true", "--grpc-use-ssl-mutual=true", f"--grpc-server-cert={cert}",
                     f"--grpc-server-key={key}", f"--grpc-root-cert={ca}"]
        args += [f"--load-model={model}" for model in self.models]
        return args

    def start(self) -> None:
        """Check the ports, assemble the backend directory and start tritonserver (returns at once)."""
        if self.process is not None and self.process.poll() is None:
            raise StartupError(f"Triton already running (pid {self.process.pid})")
        binary = find_tritonserver()
        if not self.model_repository.is_dir():
            raise StartupError(f"Triton model repository missing: {self.model_repository}")
        check_port_free(self.host, self.grpc_port, "gRPC")
        check_port_free(self.host, self.http_port, "HTTP")
        if self.metrics_port:
            check_port_free(self.host, self.metrics_port, "metrics")
        backends = prepare_backends(self.work_dir)
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                self.command(binary, backends), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                env=backend_environment(self.env), cwd=self.work_dir, preexec_fn=die_with_parent,
                start_new_session=True)  # Ctrl-C reaches us; we stop Triton in order

    @property
    def pid(self) -> int | None:
        return None if self.process is None else self.process.pid

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def is_ready(self) -> bool:
        """Triton answers ready on HTTP: every model asked for has loaded."""
        try:
            with urllib.request.urlopen(f"http://{self._http_host()}:{self.http_port}/v2/health/ready",
                                        timeout=1.0) as reply:
                return reply.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def _http_host(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        return f"[{host}]" if ":" in host else host

    def wait_ready(self, timeout: float = 180.0) -> None:
        """Block until Triton is ready; StartupError with Triton's own error if it exits or times out."""
        if self.process is None:
            raise StartupError("Triton was not started")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise StartupError(f"Triton exited with status {self.process.returncode}: "
                                   f"{last_error(self.log_text())} (log: {self.log_path})")
            if self.is_ready():
                return
            time.sleep(0.1)
        self.stop()
        raise StartupError(f"Triton not ready after {timeout:.0f} s: {last_error(self.log_text())} "
                           f"(log: {self.log_path})")

    def stop(self, timeout: float = 20.0) -> int | None:
        """SIGTERM, wait for a clean exit, then SIGKILL; returns the exit status (None if never started).

        Then the whole process group goes: Triton's Python backend stubs are its children in its group,
        and a tritonserver that died (kill -9, a crash) leaves them running, holding memory and their
        /dev/shm regions."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)  # the group keeps Triton's pid as its id
        return self.process.returncode

    def __enter__(self) -> "TritonProcess":
        self.start()
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def model_config_json(model: str, model_repository: pathlib.Path = MODEL_REPOSITORY, **parameters: str) -> str:
    """A model's config.pbtxt as the JSON Triton's load API takes, with string parameters overridden.

    For loading a model with other settings at run time, e.g. sdxl from another weights directory:
    `await client.load_model("sdxl", config=model_config_json("sdxl", model_dir="/weights/sdxl"))`.
    """
    from google.protobuf import json_format, text_format
    from tritonclient.grpc import model_config_pb2

    config = text_format.Parse((model_repository / model / "config.pbtxt").read_text(), model_config_pb2.ModelConfig())
    for key, value in parameters.items():
        config.parameters[key].string_value = value
    return json_format.MessageToJson(config)
