"""The manifests stay true to the code: every command runs a real service module, every setting is
one the config loader knows, and kustomize lists every manifest."""

import dataclasses
import pathlib

import pytest
import yaml

from filmstudio.config import PREFIX, Config

ROOT = pathlib.Path(__file__).resolve().parents[2]
K8S = ROOT / "k8s" / "base"
KNOWN = {PREFIX + f.name.upper() for f in dataclasses.fields(Config)}


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
        if doc["kind"] in ("ConfigMap", "Secret"):
            names |= set((doc.get("data") or doc.get("stringData") or {}).keys())
    for _, container in containers():
        names |= {e["name"] for e in container.get("env", [])}
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
    assert any(p["spec"]["podSelector"] == {} and p["spec"]["policyTypes"] == ["Ingress"] and "ingress" not in p["spec"]
               for p in policies), "no default-deny ingress policy"
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
