"""The kubelet's probe of a gRPC service in this pod: grpc.health.v1 Check over the pod's own mutual TLS.

Kubernetes' built-in `grpc:` probe speaks plaintext and cannot present a client certificate, and every
port here requires one (filmstudio.tls.server_credentials), so the probe is this script, run with
`exec` in the service's own container, where its certificate and FILMSTUDIO_TLS_* already are.

    python /etc/filmstudio/probes/health_probe.py PORT SERVER_NAME    # exit 0 when SERVING
"""

import sys

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from filmstudio import tls
from filmstudio.config import Config


def main(port: str, server_name: str) -> int:
    certs = tls.certificates(Config.from_env())
    target = f"127.0.0.1:{port}"
    if certs is None:
        channel = grpc.insecure_channel(target)
    else:  # the certificate names the Service (e.g. "composer"), not 127.0.0.1
        channel = grpc.secure_channel(target, tls.channel_credentials(certs),
                                      options=[("grpc.ssl_target_name_override", server_name)])
    with channel:
        try:
            reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=3)
        except grpc.RpcError as exc:
            print(f"{server_name} at {target}: {exc.code().name}", file=sys.stderr)
            return 1
    status = health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)
    print(f"{server_name} at {target}: {status}")
    return 0 if reply.status == health_pb2.HealthCheckResponse.SERVING else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
