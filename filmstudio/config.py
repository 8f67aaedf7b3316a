"""The one configuration loader: environment variables with sane local defaults.

Every setting is FILMSTUDIO_<NAME>. Defaults run the whole mesh on one machine with data under
./.filmstudio (SQLite database, local object store).
"""

from __future__ import annotations

import dataclasses
import os
import pathlib
from collections.abc import Mapping

PREFIX = "FILMSTUDIO_"
ENVIRONMENTS = ("development", "testing", "staging", "production")


class ConfigError(ValueError):
    """A setting is malformed. The message names the variable and says what is expected."""


@dataclasses.dataclass(frozen=True)
class Config:
    """Settings shared by every service; each service reads the ones it needs."""

    data_dir: pathlib.Path = pathlib.Path(".filmstudio")
    # Object store base URL: file:///abs/dir or s3://bucket/prefix.
    store_url: str = ""
    # S3-compatible endpoint (moto, MinIO); empty uses AWS.
    s3_endpoint: str = ""
    # SQLAlchemy async URL: sqlite+aiosqlite:///path or postgresql+asyncpg://...
    database_url: str = ""
    orchestrator_addr: str = "127.0.0.1:50051"
    composer_addr: str = "127.0.0.1:50052"
    triton_addr: str = "127.0.0.1:50053"  # Triton's gRPC (KServe v2) endpoint
    triton_http_port: int = 50054
    triton_metrics_port: int = 50055
    # Triton's response cache (for models whose config.pbtxt enables it; none does: Triton 2.51 answered
    # a request from the cache with no outputs after the same request had been cancelled); 0 = off.
    triton_cache_mb: int = 0
    gateway_addr: str = "127.0.0.1:8080"
    metrics_port: int = 0  # orchestrator Prometheus port; 0 = off
    composer_metrics_port: int = 0  # composer Prometheus port; 0 = off
    # Gateway Prometheus port; 0 = off. With gateway_workers > 1, worker i serves on this port + i.
    gateway_metrics_port: int = 0
    # Where the Prometheus ports listen: every interface, so Prometheus in the cluster can scrape them.
    metrics_host: str = "0.0.0.0"
    # OpenTelemetry traces: an OTLP/gRPC collector (host:port or http(s)://host:port); empty = no export.
    otlp_endpoint: str = ""
    # Spans as JSON lines appended to this file (tests, or a trace without a collector); empty = none.
    trace_file: str = ""
    # A worker's hold on a film: a replica that dies loses its films this long after its last renewal.
    lease_s: float = 15.0
    # How long a film waits (retrying with backoff) for a part that is down before it fails.
    retry_deadline_s: float = 600.0
    # How long a deleted film stays in its owner's trash (restorable) before the sweeper purges it.
    trash_retention_s: float = 30 * 24 * 3600.0
    # Films the composer encodes at once; 0 = half the CPU cores (x264 keeps about two busy per film).
    composer_max_encodes: int = 0
    log_level: str = "INFO"
    # HS256 key for tokens, at least 32 bytes (`filmstudio up` makes one under data_dir when neither this
    # nor jwks_url is set); production uses RS256 keys from jwks_url. The gateway and orchestrator refuse to
    # start with neither.
    jwt_secret: str = ""
    jwks_url: str = ""
    # Mutual TLS between services (PEM files): this service's certificate and key, and the CA that signs
    # every service's certificate. All three set: servers require client certificates, clients present theirs.
    tls_cert: str = ""
    tls_key: str = ""
    tls_ca: str = ""
    # The gateway's per-user token bucket: sustained requests per second, and the burst allowed.
    gateway_rate_per_s: float = 20.0
    gateway_burst: int = 40
    # REST gateway worker processes sharing its port (one event loop each); 1 serves in-process.
    gateway_workers: int = 1
    # Credits: the free grant each account's balance is topped up to once a calendar month, in seconds of film.
    monthly_credit_s: float = 3600.0
    # Sign-in through an OpenID Connect provider (production): its issuer URL (its discovery document is
    # ISSUER/.well-known/openid-configuration), this studio's client id and secret there, and the name the
    # sign-in page shows. Unset: email and password only.
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_name: str = "single sign-on"
    # Which deployment this is: development, testing, staging or production. Only development lets a
    # webhook be sent over plain http or to a loopback address (a receiver on the same machine).
    environment: str = "development"
    # How long a webhook receiver has to answer one delivery before the attempt counts as failed.
    webhook_timeout_s: float = 15.0
    # Seconds between a delivery's failed attempts, comma-separated; empty: the day-long schedule of
    # orchestrator.deliveries (5 s, 1 min, 5 min, 30 min, 2 h, 5 h, 8 h, 8 h).
    webhook_retry_s: str = ""
    # Where the sdxl model reads its weights (a diffusers directory).
    sdxl_model_dir: str = ""
    # Where the motion model (image-to-video) reads its weights (a diffusers directory); unset: no `generated` motion.
    motion_model_dir: str = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Config":
        """Read FILMSTUDIO_* variables over the defaults; raise ConfigError on a malformed one."""
        env = os.environ if env is None else env
        values: dict[str, object] = {}
        for field in dataclasses.fields(cls):
            raw = env.get(PREFIX + field.name.upper())
            if raw is None or raw == "":
                continue
            values[field.name] = _convert(field, raw)
        config = cls(**values)
        data_dir = config.data_dir.expanduser().resolve()
        config = dataclasses.replace(
            config,
            data_dir=data_dir,
            store_url=config.store_url or (data_dir / "store").as_uri(),
            database_url=config.database_url or f"sqlite+aiosqlite:///{data_dir / 'filmstudio.db'}",
        )
        for name in ("orchestrator_addr", "composer_addr", "triton_addr", "gateway_addr"):
            parse_addr(getattr(config, name), PREFIX + name.upper())
        if config.environment not in ENVIRONMENTS:
            raise ConfigError(f"{PREFIX}ENVIRONMENT={config.environment!r}: expected one of {', '.join(ENVIRONMENTS)}")
        return config

    def environ(self) -> dict[str, str]:
        """These settings as FILMSTUDIO_* variables, for child processes."""
        return {PREFIX + f.name.upper(): str(getattr(self, f.name)) for f in dataclasses.fields(self)}


def _convert(field: dataclasses.Field, raw: str) -> object:
    name = PREFIX + field.name.upper()
    if field.type in (int, "int"):
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"{name}={raw!r}: expected an integer") from None
    if field.type in (float, "float"):
        try:
            value = float(raw)
        except ValueError:
            raise ConfigError(f"{name}={raw!r}: expected a number of seconds") from None
        if not value > 0:
            raise ConfigError(f"{name}={raw!r}: expected a positive number of seconds")
        return value
    if field.type in (pathlib.Path, "pathlib.Path"):
        return pathlib.Path(raw)
    return raw


def parse_addr(addr: str, name: str = "address") -> tuple[str, int]:
    """Split "host:port"; raise ConfigError naming the setting if it is not one."""
    host, sep, port = addr.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"{name}={addr!r}: expected host:port with a port in 1-65535")
    return host.strip("[]"), int(port)
