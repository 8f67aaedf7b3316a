"""Tokens verified where the user is served, keys that must be real, and mutual TLS between services
(a real grpc.aio server from filmstudio.server, with certificates this test signs)."""

from __future__ import annotations

import datetime
import pathlib
import os
import stat
import subprocess
import sys

import grpc
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from grpc_health.v1 import health_pb2, health_pb2_grpc

from filmstudio import tls
from filmstudio.auth import (CALLER, LEEWAY_S, TokenInterceptor, Verifier, bearer_metadata, check_secret,
                             development_secret, mint_token)
from filmstudio.config import Config, ConfigError
from filmstudio.server import start
from tests.conftest import free_port

SECRET = "a-key-for-these-tests-only-of-more-than-32-bytes"


@pytest.mark.parametrize("secret,jwks,named", [
    ("", "", "FILMSTUDIO_JWT_SECRET"),
    ("filmstudio-development-secret", "", "at least 32"),  # the key that used to be the public default
])
def test_no_service_runs_without_a_real_key(secret, jwks, named):
    with pytest.raises(ConfigError, match=named):
        check_secret(secret, jwks)
    check_secret("", "https://issuer.example/jwks.json")
    check_secret("x" * 32, "")


def test_the_gateway_refuses_to_start_without_a_key(tmp_path):
    env = {**os.environ, "FILMSTUDIO_JWT_SECRET": "", "FILMSTUDIO_DATA_DIR": str(tmp_path)}
    gateway = subprocess.run([sys.executable, "-m", "gateway"], env=env, capture_output=True, text=True,
                             timeout=60)
    assert gateway.returncode != 0
    assert "FILMSTUDIO_JWT_SECRET" in gateway.stderr and "FILMSTUDIO_JWKS_URL" in gateway.stderr


def test_the_development_key_is_random_private_and_kept(tmp_path):
    key = development_secret(tmp_path)
    assert len(key.encode()) >= 32 and development_secret(tmp_path) == key
    assert stat.S_IMODE((tmp_path / "jwt-secret").stat().st_mode) == 0o600
    assert development_secret(tmp_path / "other") != key


class Context:
    def __init__(self, metadata):
        self.metadata = metadata

    def invocation_metadata(self):
        return self.metadata


@pytest.mark.parametrize("subject", ["alice", "jürgen", "a\nb", "ends in a tab\t", "名前"])
async def test_any_unicode_subject_is_the_caller_intact(subject):
    interceptor = TokenInterceptor(Verifier(SECRET), ("filmstudio.v1.FilmService",))
    assert await interceptor._authenticate(Context(bearer_metadata(mint_token(subject, SECRET, 60)))) == subject


@pytest.mark.parametrize("metadata,says", [
    ((), "missing Authorization"),
    ((("x-filmstudio-user", "alice"),), "missing Authorization"),  # naming a user proves nothing
    (bearer_metadata(mint_token("alice", "another-key-of-at-least-thirty-two-bytes", 60)), "signature"),
    (bearer_metadata(mint_token("alice", SECRET, -300)), "expired"),
    ((("authorization", "Basic YWxpY2U6cHc="),), "Bearer"),
])
async def test_a_call_without_a_valid_token_is_unauthenticated(metadata, says):
    interceptor = TokenInterceptor(Verifier(SECRET), ("filmstudio.v1.FilmService",))
    with pytest.raises(Exception, match=says) as refused:
        await interceptor._authenticate(Context(metadata))
    assert refused.value.code == grpc.StatusCode.UNAUTHENTICATED


async def test_a_remembered_token_still_expires_and_is_still_revoked():
    """A token is verified once and then looked up, but the lookup judges expiry by the clock of each
    call, and revocation is asked of every call (`revoked` keeps its own short memory)."""
    now = [1_000_000.0]
    verifier = Verifier(SECRET, clock=lambda: now[0])
    checked = []
    verify_signature = verifier._verify_signature

    async def counted(token):
        checked.append(token)
        return await verify_signature(token)

    verifier._verify_signature = counted
    reasons = {"s1": ""}

    async def revoked(identity):
        return reasons[identity.session_id]

    interceptor = TokenInterceptor(verifier, ("filmstudio.v1.FilmService",), revoked=revoked)
    token = mint_token("alice", SECRET, 60, now=now[0], typ="access", sid="s1")
    call = Context(bearer_metadata(token))
    assert [await interceptor._authenticate(call) for _ in range(3)] == ["alice"] * 3
    assert checked == [token]  # verified once, remembered after
    reasons["s1"] = "the session has ended; sign in again"
    with pytest.raises(Exception, match="session has ended") as refused:
        await interceptor._authenticate(call)
    assert refused.value.code == grpc.StatusCode.UNAUTHENTICATED
    reasons["s1"] = ""
    now[0] += 60 + LEEWAY_S + 1  # past its expiry and the leeway
    with pytest.raises(Exception, match="expired"):
        await interceptor._authenticate(call)
    assert checked == [token, token]  # forgotten once expired: verified again, and refused


# --- mutual TLS -------------------------------------------------------------------------------------

def _certificate(name: str, key, issuer_name, issuer_key, ca: bool = False) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    builder = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
               .issuer_name(issuer_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(minutes=1)).not_valid_after(now + datetime.timedelta(hours=1))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if not ca:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _pem(thing) -> bytes:
    if isinstance(thing, x509.Certificate):
        return thing.public_bytes(serialization.Encoding.PEM)
    return thing.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                               serialization.NoEncryption())


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    """A CA, a service certificate it signs, and a stranger's certificate it does not."""
    folder = tmp_path_factory.mktemp("pki")
    ca_key, stranger_key, service_key = (ec.generate_private_key(ec.SECP256R1()) for _ in range(3))
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "filmstudio test CA")])
    ca = _certificate("filmstudio test CA", ca_key, ca_name, ca_key, ca=True)
    files = {"ca.pem": _pem(ca), "service.pem": _pem(_certificate("localhost", service_key, ca_name, ca_key)),
             "service.key": _pem(service_key),
             "stranger.pem": _pem(_certificate("localhost", stranger_key, x509.Name([
                 x509.NameAttribute(NameOID.COMMON_NAME, "stranger")]), stranger_key)),
             "stranger.key": _pem(stranger_key)}
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def _config(folder, cert: str, key: str) -> Config:
    return Config(tls_cert=str(folder / cert), tls_key=str(folder / key), tls_ca=str(folder / "ca.pem"))


def test_tls_needs_all_three_files(pki):
    assert tls.certificates(Config()) is None
    with pytest.raises(ConfigError, match="FILMSTUDIO_TLS_KEY"):
        tls.certificates(Config(tls_cert=str(pki / "service.pem"), tls_ca=str(pki / "ca.pem")))
    with pytest.raises(ConfigError, match="FILMSTUDIO_TLS_CA"):
        tls.certificates(Config(tls_cert=str(pki / "service.pem"), tls_key=str(pki / "service.key"),
                                tls_ca=str(pki / "missing.pem")))


async def test_mutual_tls_admits_only_clients_the_ca_signed(pki):
    certs = tls.certificates(_config(pki, "service.pem", "service.key"))

    async def register(server):
        return []

    addr = f"localhost:{free_port()}"
    server, _ = await start(register, addr, "tls-test", credentials=tls.server_credentials(certs))
    request = health_pb2.HealthCheckRequest()
    try:
        async with tls.channel(addr, certs) as channel:
            reply = await health_pb2_grpc.HealthStub(channel).Check(request, timeout=5)
            assert reply.status == health_pb2.HealthCheckResponse.SERVING
        stranger = tls.Certificates(cert=(pki / "stranger.pem").read_bytes(), key=(pki / "stranger.key").read_bytes(),
                                    ca=certs.ca)
        for channel in (tls.channel(addr, stranger), grpc.aio.insecure_channel(addr)):
            async with channel:
                with pytest.raises(grpc.aio.AioRpcError) as refused:
                    await health_pb2_grpc.HealthStub(channel).Check(request, timeout=5)
                assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
    finally:
        await server.stop(None)


def test_caller_is_unset_outside_a_call():
    with pytest.raises(LookupError):
        CALLER.get()


def test_the_gateway_serves_from_several_worker_processes_and_stops_them_all(tmp_path):
    import asyncio
    import time

    from filmstudio.health import http_ok

    addr = f"127.0.0.1:{free_port()}"
    env = {**os.environ, "FILMSTUDIO_GATEWAY_ADDR": addr, "FILMSTUDIO_GATEWAY_WORKERS": "2",
           "FILMSTUDIO_DATA_DIR": str(tmp_path)}
    gateway = subprocess.Popen([sys.executable, "-m", "gateway"], env=env, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not asyncio.run(http_ok(addr)):
            assert gateway.poll() is None and time.monotonic() < deadline, gateway.stderr.read()
            time.sleep(0.2)
        children = pathlib.Path(f"/proc/{gateway.pid}/task/{gateway.pid}/children").read_text().split()
        assert len(children) == 2
        assert all(asyncio.run(http_ok(addr)) for _ in range(10))
    finally:
        gateway.terminate()
        assert gateway.wait(30) == 0
    assert not any(pathlib.Path(f"/proc/{pid}").exists() for pid in children)
