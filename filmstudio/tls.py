"""Mutual TLS between the services: certificates from the files FILMSTUDIO_TLS_CERT, _KEY and _CA name
(cert-manager writes them in k8s). Unset, the mesh speaks plaintext gRPC (one machine, loopback)."""

from __future__ import annotations

import dataclasses
import pathlib
from collections.abc import Sequence

import grpc

from filmstudio.config import Config, ConfigError


@dataclasses.dataclass(frozen=True)
class Certificates:
    """PEM bytes: this service's certificate chain and key, and the CA every service is signed by."""

    cert: bytes
    key: bytes
    ca: bytes


def certificates(config: Config) -> Certificates | None:
    """The configured certificates; None when TLS is off. ConfigError naming the variable when only
    some are set or a file cannot be read."""
    named = {"FILMSTUDIO_TLS_CERT": config.tls_cert, "FILMSTUDIO_TLS_KEY": config.tls_key,
             "FILMSTUDIO_TLS_CA": config.tls_ca}
    if not any(named.values()):
        return None
    missing = [name for name, path in named.items() if not path]
    if missing:
        raise ConfigError(f"mutual TLS needs all of FILMSTUDIO_TLS_CERT, _KEY and _CA; {', '.join(missing)} unset")
    pems = []
    for name, path in named.items():
        try:
            pems.append(pathlib.Path(path).read_bytes())
        except OSError as exc:
            raise ConfigError(f"{name}={path!r}: {exc.strerror}") from None
    return Certificates(*pems)


def server_credentials(certs: Certificates | None) -> grpc.ServerCredentials | None:
    """TLS that requires a client certificate signed by the CA; None for plaintext."""
    if certs is None:
        return None
    return grpc.ssl_server_credentials([(certs.key, certs.cert)], root_certificates=certs.ca,
                                       require_client_auth=True)


def channel_credentials(certs: Certificates) -> grpc.ChannelCredentials:
    """TLS that trusts the CA and presents our certificate."""
    return grpc.ssl_channel_credentials(root_certificates=certs.ca, private_key=certs.key,
                                        certificate_chain=certs.cert)


def channel(addr: str, certs: Certificates | None,
            options: Sequence[tuple[str, object]] = ()) -> grpc.aio.Channel:
    """A channel to another service: TLS presenting our certificate when configured, else plaintext."""
    if certs is None:
        return grpc.aio.insecure_channel(addr, options=list(options))
    return grpc.aio.secure_channel(addr, channel_credentials(certs), options=list(options))
