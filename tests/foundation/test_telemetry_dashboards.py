"""deploy/observability: the alert rules are a valid Prometheus rule file (promtool, when installed, and a
structure check always), the Grafana dashboard is well formed, and every metric either of them names
is one our services export or one Triton documents."""

from __future__ import annotations

import json
import pathlib
import re
import shutil
import subprocess

import pytest
import yaml
from prometheus_client import REGISTRY

import composer.server  # noqa: F401  (registers the composer's metrics)
import gateway.app  # noqa: F401  (the gateway's)
import orchestrator.metrics  # noqa: F401  (the orchestrator's)

ROOT = pathlib.Path(__file__).resolve().parents[2]
ALERTS = ROOT / "deploy/observability/prometheus/alerts.yaml"
DASHBOARD = ROOT / "deploy/observability/grafana/filmstudio.json"

# Triton's documented metrics we use:
# https://docs.nvidia.com/deeplearning/triton-inference-server/user-guide/docs/user_guide/metrics.html
TRITON_METRICS = {"nv_inference_request_success", "nv_inference_request_failure", "nv_inference_count",
                  "nv_inference_queue_duration_us", "nv_inference_request_duration_us",
                  "nv_inference_compute_infer_duration_us", "nv_gpu_utilization", "nv_gpu_memory_used_bytes",
                  "nv_gpu_memory_total_bytes", "nv_gpu_power_usage"}
METRIC = re.compile(r"\b((?:filmstudio|nv)_[a-zA-Z0-9_]+)\b")
DURATION = re.compile(r"^\d+[smhd]$")


def our_metrics() -> set[str]:
    """Every sample name our registries can expose (a histogram's _bucket/_count/_sum, a counter's _total),
    and the counter our Triton models register (inference/backend.py, read without Triton's pb_utils)."""
    names = set()
    for family in REGISTRY.collect():
        if not family.name.startswith("filmstudio_"):
            continue
        suffixes = {"histogram": ("_bucket", "_count", "_sum"), "counter": ("_total",)}.get(family.type, ("",))
        names.update(family.name + suffix for suffix in suffixes)
    made = re.search(r'^MADE = "(\w+)"', (ROOT / "inference/backend.py").read_text(), re.MULTILINE)
    assert made, "inference/backend.py names its counter MADE"
    return names | {made.group(1)}


def rules() -> list[dict]:
    return [rule for group in yaml.safe_load(ALERTS.read_text())["groups"] for rule in group["rules"]]


def dashboard_exprs() -> list[str]:
    return [target["expr"] for panel in json.loads(DASHBOARD.read_text())["panels"] for target in panel["targets"]]


def test_the_alert_rules_are_a_prometheus_rule_file():
    document = yaml.safe_load(ALERTS.read_text())
    assert set(document) == {"groups"}
    names = [group["name"] for group in document["groups"]]
    assert len(names) == len(set(names))
    for group in document["groups"]:
        assert set(group) <= {"name", "interval", "rules"} and group["rules"], group["name"]
        for rule in group["rules"]:
            assert set(rule) <= {"alert", "expr", "for", "labels", "annotations"}, rule
            assert rule["alert"] and rule["expr"].strip(), rule
            assert DURATION.match(rule["for"]), rule
            assert rule["labels"]["severity"] in ("page", "ticket"), rule
            assert rule["annotations"]["summary"], rule
    alerts = {rule["alert"] for rule in rules()}
    assert {"FilmSuccessRateLow", "ApiLatencyP99High", "FilmQueueTimeHigh", "GpuSaturated"} <= alerts


def test_the_objectives_are_the_ones_we_promise():
    by_name = {rule["alert"]: rule["expr"] for rule in rules()}
    assert "< 0.95" in by_name["FilmSuccessRateLow"] and "[1h]" in by_name["FilmSuccessRateLow"]
    assert "histogram_quantile(0.99" in by_name["ApiLatencyP99High"] and "> 0.2" in by_name["ApiLatencyP99High"]


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool is not installed (Debian: prometheus)")
def test_promtool_accepts_the_rules_and_every_dashboard_query(tmp_path):
    checked = subprocess.run(["promtool", "check", "rules", str(ALERTS)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # The dashboard's queries as recording rules, so promtool parses each one ($__rate_interval is Grafana's).
    recorded = {"groups": [{"name": "dashboard", "rules": [
        {"record": f"filmstudio:dashboard_{i}", "expr": expr.replace("$__rate_interval", "5m")}
        for i, expr in enumerate(dashboard_exprs())]}]}
    path = tmp_path / "dashboard-rules.yaml"
    path.write_text(yaml.safe_dump(recorded))
    checked = subprocess.run(["promtool", "check", "rules", str(path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_dashboard_shows_what_we_watch():
    document = json.loads(DASHBOARD.read_text())
    assert document["uid"] == "filmstudio" and document["panels"]
    ids = [panel["id"] for panel in document["panels"]]
    assert len(ids) == len(set(ids))
    for panel in document["panels"]:
        assert panel["title"] and panel["targets"], panel
        assert panel["datasource"]["type"] == "prometheus"
        grid = panel["gridPos"]
        assert 0 <= grid["x"] and grid["x"] + grid["w"] <= 24
    titles = " ".join(panel["title"] for panel in document["panels"]).lower()
    for shown in ("films by state", "success rate", "api p99", "queue depth", "queue time", "shot duration",
                  "compose duration", "triton queue time", "gpu utilisation"):
        assert shown in titles, shown


def test_every_metric_the_rules_and_dashboard_name_exists():
    known = our_metrics() | TRITON_METRICS
    used = {name for expr in [*dashboard_exprs(), *(rule["expr"] for rule in rules())] for name in METRIC.findall(expr)}
    assert used - known == set(), f"not exported by our code nor documented by Triton: {sorted(used - known)}"
    # Each service's metrics are on the dashboard.
    for metric in ("filmstudio_films", "filmstudio_queue_depth", "filmstudio_gateway_request_seconds_bucket",
                   "filmstudio_composer_compose_seconds_bucket", "filmstudio_shot_seconds_bucket"):
        assert metric in used, metric
