"""The manifests stay true to the code: every command runs a real service module, every setting is
one the config loader knows, and kustomize lists every manifest. Every overlay builds, and in every
build each Deployment has its probes, a locked-down securityContext, requests and limits, a
PodDisruptionBudget and an autoscaler (fast: kustomize only, no linters; k8s/check.sh runs those)."""

import asyncio
import dataclasses
import functools
import os
import pathlib
import re
import shutil
import socket
import subprocess
import sys

import pytest
import yaml

from filmstudio.config import PREFIX, Config

ROOT = pathlib.Path(__file__).resolve().parents[2]
K8S = ROOT / "k8s" / "base"
OVERLAYS = sorted(p.name for p in (ROOT / "k8s" / "overlays").iterdir() if (p / "kustomization.yaml").is_file())
PINNED = ("staging", "production")  # images by digest
KNOWN = {PREFIX + f.name.upper() for f in dataclasses.fields(Config)}
UID = 10001  # the images' user (deploy/Dockerfile, deploy/triton.Dockerfile)
sys.path.insert(0, str(ROOT / "k8s"))
import custom_resources  # noqa: E402  (k8s/custom_resources.py: the custom resources' own schemas)


def documents():
    for path in sorted(K8S.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                yield path.name, doc


def containers():
    for name, doc in documents():
        spec = doc.get("spec", {}).get("template", {}).get("spec", {})
        for container in spec.get("containers", []) + spec.get("initContainers", []):
            yield name, container


def test_kustomization_lists_every_manifest_but_the_secret_example():
    listed = set(yaml.safe_load((K8S / "kustomization.yaml").read_text())["resources"])
    present = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml", "secrets.example.yaml"}
    assert listed == present


@pytest.mark.parametrize("name,container", list(containers()), ids=lambda v: v if isinstance(v, str) else v["name"])
def test_service_commands_run_real_modules(name, container):
    command = container.get("command", [])
    if command[:2] == ["python", "-m"]:
        assert (ROOT / command[2] / "__main__.py").is_file(), f"{name}: no module {command[2]}"


def test_every_setting_is_known_to_the_config_loader():
    names = set()
    for _, doc in documents():
        if doc["kind"] == "ConfigMap" or (doc["kind"] == "Secret" and doc["metadata"]["name"] == "filmstudio"):
            names |= set((doc.get("data") or doc.get("stringData") or {}).keys())
    for _, container in containers():  # HOME, TMPDIR: the process's own, not settings
        names |= {e["name"] for e in container.get("env", []) if e["name"].startswith(PREFIX)}
    assert names and names <= KNOWN, names - KNOWN


def test_config_parses_the_cluster_settings():
    (config_map,) = [d for _, d in documents() if d["kind"] == "ConfigMap"]
    config = Config.from_env(config_map["data"])
    assert config.store_url.startswith("s3://") and config.triton_addr == "triton:8001"


def test_triton_image_loads_every_model_in_the_repository():
    dockerfile = (ROOT / "deploy" / "triton.Dockerfile").read_text()
    models = {p.parent.name for p in (ROOT / "inference" / "model_repository").glob("*/config.pbtxt")}
    assert models and all(f"--load-model={m}" in dockerfile for m in models)


def dockerfile_stages(name: str) -> list[list[str]]:
    """The instructions of each stage of deploy/<name>, continuation lines joined, comments dropped."""
    text = (ROOT / "deploy" / name).read_text().replace("\\\n", " ")
    stages: list[list[str]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.upper().startswith("FROM "):
            stages.append([])
        stages[-1].append(line)
    return stages


@pytest.mark.parametrize("name", ["Dockerfile", "triton.Dockerfile"])
def test_images_run_as_the_non_root_user_the_cluster_expects(name):
    # The pods' securityContext: runAsUser 10001, a read-only root file system with /tmp writable.
    runtime = dockerfile_stages(name)[-1]
    users = [line.split()[1] for line in runtime if line.upper().startswith("USER ")]
    assert users and users[-1] == "10001:10001"
    assert any("TMPDIR=/tmp" in line for line in runtime if line.upper().startswith("ENV "))
    assert all(":" in line.split()[1] and not line.split()[1].endswith(":latest")
               for stage in dockerfile_stages(name) for line in stage[:1]), "every base image pinned by tag"


def test_services_image_builds_in_stages_and_ships_only_the_runtime():
    stages = dockerfile_stages("Dockerfile")
    assert len(stages) >= 3
    runtime = " ".join(stages[-1])
    # The voice and the typeface of every card (tools/bootstrap.sh installs the same two packages).
    assert "espeak-ng" in runtime and "fonts-dejavu-core" in runtime
    assert "npm" not in runtime and "pip install" not in runtime
    assert "COPY --from=builder /opt/venv /opt/venv" in runtime and "COPY --from=studio" in runtime


def test_only_the_gateway_reaches_the_orchestrator_and_only_the_orchestrator_the_rest():
    policies = [doc for _, doc in documents() if doc["kind"] == "NetworkPolicy"]
    assert any(p["spec"]["podSelector"] == {} and p["spec"]["policyTypes"] == ["Ingress", "Egress"]
               and "ingress" not in p["spec"] and "egress" not in p["spec"] for p in policies), "no default-deny policy"
    senders: dict[str, set[str]] = {}
    for policy in policies:
        app = policy["spec"]["podSelector"].get("matchLabels", {}).get("app")
        for rule in policy["spec"].get("ingress", []):
            for peer in rule.get("from", []):
                if "podSelector" in peer:
                    senders.setdefault(app, set()).add(peer["podSelector"]["matchLabels"]["app"])
    assert senders == {"orchestrator": {"gateway"}, "composer": {"orchestrator"}, "triton": {"orchestrator"}}


def test_every_service_mounts_its_own_certificate():
    certificates = {doc["spec"]["secretName"] for _, doc in documents() if doc["kind"] == "Certificate"}
    (config_map,) = [d for _, d in documents() if d["kind"] == "ConfigMap"]
    assert config_map["data"]["FILMSTUDIO_TLS_CA"].startswith("/etc/filmstudio/tls/")
    for _, doc in documents():
        if doc["kind"] != "Deployment":
            continue
        volumes = {v["name"]: v for v in doc["spec"]["template"]["spec"].get("volumes", [])}
        assert volumes["tls"]["secret"]["secretName"] == f"{doc['metadata']['name']}-tls" in certificates


def test_only_the_orchestrator_sends_to_the_composer_triton_and_the_database():
    policies = [doc for _, doc in documents() if doc["kind"] == "NetworkPolicy"]
    receivers: dict[str, set[str]] = {}
    database = set()
    for policy in policies:
        app = policy["spec"]["podSelector"].get("matchLabels", {}).get("app")
        for rule in policy["spec"].get("egress", []):
            for peer in rule.get("to", []):
                if "podSelector" in peer and "namespaceSelector" not in peer:
                    receivers.setdefault(app, set()).add(peer["podSelector"]["matchLabels"]["app"])
            if {"port": 5432, "protocol": "TCP"} in rule.get("ports", []):
                database.add(app)
    assert receivers == {"gateway": {"orchestrator"}, "orchestrator": {"composer", "triton"}}
    assert database == {"orchestrator"}
    (dns,) = [p for p in policies if p["metadata"]["name"] == "dns"]
    assert dns["spec"]["podSelector"] == {} and {"port": 53, "protocol": "UDP"} in dns["spec"]["egress"][0]["ports"]


# --- every overlay's build ---------------------------------------------------------------------------

@functools.cache
def build(overlay: str) -> list[dict]:
    if shutil.which("kubectl") is None:
        pytest.skip("kubectl is not installed: the overlays cannot be built")
    path = ROOT / "k8s" / ("cluster" if overlay == "cluster" else f"overlays/{overlay}")
    result = subprocess.run(["kubectl", "kustomize", str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"{overlay}: {result.stderr}"
    return [d for d in yaml.safe_load_all(result.stdout) if d]


def kinds(overlay: str, kind: str) -> dict[str, dict]:
    return {d["metadata"]["name"]: d for d in build(overlay) if d["kind"] == kind}


def test_the_four_environments_have_overlays():
    assert OVERLAYS == ["development", "production", "staging", "testing"]


@pytest.mark.parametrize("overlay", OVERLAYS + ["cluster"])
def test_overlay_builds_and_its_custom_resources_match_their_schemas(overlay):
    docs = build(overlay)
    assert docs
    custom = [d for d in docs if custom_resources.is_custom(d)]
    assert [p for d in custom for p in custom_resources.problems(d)] == []
    if overlay == "cluster":
        assert {d["kind"] for d in docs} == {"NodePool", "EC2NodeClass"}
        assert all("namespace" not in d["metadata"] for d in docs)  # cluster-scoped


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_deployment_is_probed_locked_down_and_bounded(overlay):
    deployments = kinds(overlay, "Deployment")
    assert set(deployments) == {"gateway", "orchestrator", "composer", "triton"}
    for name, deployment in deployments.items():
        pod = deployment["spec"]["template"]["spec"]
        assert pod["automountServiceAccountToken"] is False, name
        assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] == UID, name
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, name
        mounts_by_volume = {v["name"]: v for v in pod["volumes"]}
        assert not any("persistentVolumeClaim" in v for v in pod["volumes"]), f"{name}: a volume pins the replicas"
        for container in pod["containers"] + pod.get("initContainers", []):
            where = f"{overlay}/{name}/{container['name']}"
            context = container["securityContext"]
            assert context["readOnlyRootFilesystem"] is True and context["allowPrivilegeEscalation"] is False, where
            assert context["capabilities"] == {"drop": ["ALL"]} and context["runAsNonRoot"] is True, where
            for bound in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(container["resources"][bound]), f"{where}: {bound}"
            # Whatever the code writes goes to an emptyDir (the root filesystem is read-only).
            assert any(m["mountPath"] == "/tmp" and "emptyDir" in mounts_by_volume[m["name"]]
                       for m in container["volumeMounts"]), f"{where}: no /tmp emptyDir"
        for container in pod["containers"]:
            where = f"{overlay}/{name}/{container['name']}"
            assert {"startupProbe", "readinessProbe", "livenessProbe"} <= set(container), where
            ports = {p["name"]: p["containerPort"] for p in container["ports"]}
            for probe in (container[k] for k in ("startupProbe", "readinessProbe", "livenessProbe")):
                if "exec" in probe:  # the gRPC health check over mutual TLS, on this container's gRPC port
                    command = probe["exec"]["command"]
                    assert command[:2] == ["python", "/etc/filmstudio/probes/health_probe.py"], where
                    assert int(command[2]) == ports["grpc"] and command[3] == name, where
                else:
                    assert probe["httpGet"]["port"] in ports, where


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_prometheus_scrapes_every_metrics_port(overlay):
    """Each pod's metrics port is annotated for scraping and open to the monitoring namespace."""
    opened: dict[str, set[int]] = {}
    for policy in kinds(overlay, "NetworkPolicy").values():
        app = policy["spec"]["podSelector"].get("matchLabels", {}).get("app")
        for rule in policy["spec"].get("ingress", []):
            if any(peer.get("namespaceSelector", {}).get("matchLabels") == {"kubernetes.io/metadata.name": "monitoring"}
                   for peer in rule.get("from", [])):
                opened.setdefault(app, set()).update(p["port"] for p in rule["ports"])
    scraped = {}
    for name, deployment in kinds(overlay, "Deployment").items():
        template = deployment["spec"]["template"]
        (port,) = [p["containerPort"] for c in template["spec"]["containers"] for p in c["ports"] if p["name"] == "metrics"]
        assert template["metadata"]["annotations"]["prometheus.io/scrape"] == "true", name
        scraped[name] = {int(template["metadata"]["annotations"]["prometheus.io/port"]), port}
    assert scraped == opened == {"gateway": {9090}, "orchestrator": {9090}, "composer": {9090}, "triton": {8002}}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_deployment_has_a_disruption_budget_and_an_autoscaler(overlay):
    deployments = kinds(overlay, "Deployment")
    budgets = kinds(overlay, "PodDisruptionBudget")
    assert {n: b["spec"]["selector"]["matchLabels"] for n, b in budgets.items()} == \
        {n: d["spec"]["selector"]["matchLabels"] for n, d in deployments.items()}
    autoscalers = kinds(overlay, "HorizontalPodAutoscaler")
    assert set(autoscalers) == {"gateway", "orchestrator", "composer"}
    for name, hpa in autoscalers.items():
        assert hpa["spec"]["scaleTargetRef"]["name"] == name
        assert 1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
        assert "replicas" not in deployments[name]["spec"], f"{name}: the autoscaler owns the replica count"
    (triton,) = kinds(overlay, "ScaledObject").values()
    assert triton["spec"]["scaleTargetRef"]["name"] == "triton" and "replicas" not in deployments["triton"]["spec"]
    assert 1 <= triton["spec"]["minReplicaCount"] <= triton["spec"]["maxReplicaCount"]
    namespace = deployments["triton"]["metadata"]["namespace"]
    query = triton["spec"]["triggers"][0]["metadata"]["query"]
    assert "nv_inference_queue_duration_us" in query and "nv_inference_request_success" in query and "by (model)" in query
    assert set(re.findall(r'namespace="([^"]*)"', query)) == {namespace}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_environment_has_its_own_namespace_store_and_database(overlay):
    (namespace,) = kinds(overlay, "Namespace")
    assert all(d["metadata"].get("namespace", namespace) == namespace for d in build(overlay))
    config = kinds(overlay, "ConfigMap")["filmstudio"]["data"]
    assert Config.from_env(config).store_url.startswith(f"s3://filmstudio-{overlay}-media/")
    orchestrator = kinds(overlay, "Deployment")["orchestrator"]["spec"]["template"]["spec"]["containers"][0]
    (database,) = [e for e in orchestrator["env"] if e["name"] == "FILMSTUDIO_DATABASE_URL"]
    assert database["valueFrom"]["secretKeyRef"]["name"].startswith("filmstudio-database-")
    triton = kinds(overlay, "Deployment")["triton"]["spec"]["template"]["spec"]
    (weights,) = triton["initContainers"]
    assert {"name": "MODELS_BUCKET", "value": f"filmstudio-{overlay}-models"} in weights["env"]
    assert all(s["metadata"]["annotations"]["eks.amazonaws.com/role-arn"].endswith(f":role/filmstudio-{overlay}-{name}")
               for name, s in kinds(overlay, "ServiceAccount").items())
    deployments = kinds(overlay, "Deployment")
    assert {n: d["spec"]["template"]["spec"]["serviceAccountName"] for n, d in deployments.items()} == \
        {n: n for n in deployments}  # each service its own IRSA role (deploy/cdk/service_roles.py)
    cidrs = {peer["ipBlock"]["cidr"] for policy in kinds(overlay, "NetworkPolicy").values()
             for rule in policy["spec"].get("ingress", []) + policy["spec"].get("egress", [])
             for peer in rule.get("from", []) + rule.get("to", []) if "ipBlock" in peer}
    assert cidrs == {vpc_cidr(overlay)}  # the ALB, RDS and the nodes are in the environment's VPC
    for certificate in kinds(overlay, "Certificate").values():
        assert certificate["spec"]["dnsNames"][1].endswith(f".{namespace}.svc")
    stores = {o: kinds(o, "ConfigMap")["filmstudio"]["data"]["FILMSTUDIO_STORE_URL"] for o in OVERLAYS}
    assert len(set(stores.values())) == len(OVERLAYS), stores


def vpc_cidr(environment: str) -> str:
    """The environment's VPC CIDR, from the one table the AWS CDK app builds it from."""
    environments = pytest.importorskip("deploy.cdk.environments", reason="no deploy/cdk in this checkout")
    return environments.ENVIRONMENTS[environment].vpc_cidr


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_staging_and_production_run_images_by_digest(overlay):
    images = {c["image"] for d in kinds(overlay, "Deployment").values()
              for c in d["spec"]["template"]["spec"]["containers"] + d["spec"]["template"]["spec"].get("initContainers", [])}
    pinned = {i for i in images if re.fullmatch(r"[^@:]+(:[0-9]+)?[^@:]*@sha256:[0-9a-f]{64}", i)}
    assert pinned == (images if overlay in PINNED else set()), images


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def probe_exit_status(port: int, server_name: str, env: dict[str, str]) -> int:
    result = subprocess.run([sys.executable, str(K8S / "probes" / "health_probe.py"), str(port), server_name],
                            env={**env, "PYTHONPATH": str(ROOT)}, capture_output=True, timeout=30)
    return result.returncode


async def serving_then(credentials, check) -> object:
    """Run check(port) in a thread while a gRPC server with its health service listens on port."""
    from filmstudio.server import start

    async def register(server):
        return []

    port = free_port()
    server, _ = await start(register, f"127.0.0.1:{port}", "composer", credentials=credentials)
    try:
        return await asyncio.to_thread(check, port)
    finally:
        await server.stop(0)


def test_the_grpc_probe_asks_the_health_service():
    """k8s/base/probes/health_probe.py exits 0 for a serving gRPC server and 1 where none listens."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(PREFIX)}  # plaintext
    closed = free_port()
    assert asyncio.run(serving_then(None, lambda port: probe_exit_status(port, "composer", env))) == 0
    assert probe_exit_status(closed, "composer", env) == 1


def test_the_grpc_probe_speaks_the_pods_mutual_tls(tmp_path):
    """Over mutual TLS it presents the pod's certificate and checks the server's name."""
    from filmstudio import tls

    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed: no certificates to test with")

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=tmp_path, check=True, capture_output=True)

    openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ca.key")
    openssl("req", "-x509", "-new", "-key", "ca.key", "-subj", "/CN=filmstudio-ca", "-days", "1", "-out", "ca.crt")
    openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "tls.key")
    openssl("req", "-new", "-key", "tls.key", "-subj", "/CN=composer", "-out", "tls.csr")
    (tmp_path / "ext").write_text("subjectAltName=DNS:composer\nextendedKeyUsage=serverAuth,clientAuth\n")
    openssl("x509", "-req", "-in", "tls.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "1",
            "-extfile", "ext", "-out", "tls.crt")
    env = {k: v for k, v in os.environ.items() if not k.startswith(PREFIX)}
    env |= {PREFIX + "TLS_CERT": str(tmp_path / "tls.crt"), PREFIX + "TLS_KEY": str(tmp_path / "tls.key"),
            PREFIX + "TLS_CA": str(tmp_path / "ca.crt")}
    credentials = tls.server_credentials(tls.certificates(Config.from_env(env)))
    statuses = asyncio.run(serving_then(credentials, lambda port: (
        probe_exit_status(port, "composer", env), probe_exit_status(port, "gateway", env))))
    assert statuses == (0, 1)  # its own name; another service's does not match the certificate


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_overlay_runs_where_its_environments_roles_trust_and_with_their_names(overlay):
    """The CDK app's IRSA roles trust system:serviceaccount:<namespace>:<service> of their environment:
    the overlay must deploy into that namespace, with ServiceAccounts naming those roles."""
    sys.path.insert(0, str(ROOT))
    from deploy.cdk.environments import ENVIRONMENTS

    environment = ENVIRONMENTS[overlay]
    accounts = kinds(overlay, "ServiceAccount")
    assert accounts and {a["metadata"]["namespace"] for a in accounts.values()} == {environment.namespace}
    for name, account in accounts.items():
        role = account["metadata"].get("annotations", {}).get("eks.amazonaws.com/role-arn", "")
        assert role.endswith(f":role/{environment.resource_name(name)}"), (name, role)
