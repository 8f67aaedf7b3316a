"""Observability through the real mesh (`filmstudio up`): one film rendered through the gateway is one
trace with spans from every service, and every service's Prometheus port says what happened.

The services are separate processes, so they write their spans to one file (FILMSTUDIO_TRACE_FILE,
filmstudio.telemetry.FileSpanExporter) that the test reads back.
"""

from __future__ import annotations

import asyncio
import json
import pathlib
import time
import urllib.request

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from filmstudio.auth import mint_token
from tests.conftest import TEST_JWT_SECRET, free_port, start_mesh, stop_mesh

pytestmark = pytest.mark.mesh

SCRIPT = """Title: Traced

INT. OBSERVATORY - NIGHT

VERA turns the great brass telescope towards the traced comet.

VERA
There it is, right on time.
"""


@pytest.fixture(scope="module")
def observed_mesh(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("traced-mesh")
    ports = {"orchestrator": free_port(), "composer": free_port(), "gateway": free_port()}
    running = start_mesh(data_dir, FILMSTUDIO_TRACE_FILE=str(data_dir / "spans.jsonl"),
                         FILMSTUDIO_METRICS_PORT=str(ports["orchestrator"]),
                         FILMSTUDIO_COMPOSER_METRICS_PORT=str(ports["composer"]),
                         FILMSTUDIO_GATEWAY_METRICS_PORT=str(ports["gateway"]),
                         FILMSTUDIO_METRICS_HOST="127.0.0.1")
    film = asyncio.run(render_over_rest(running.config.gateway_addr))
    yield running, data_dir / "spans.jsonl", ports, film
    stop_mesh(running)


async def render_over_rest(gateway_addr: str) -> dict:
    """Create a film through the gateway and poll it to its end; the final film."""
    headers = {"Authorization": f"Bearer {mint_token('tracy', TEST_JWT_SECRET, 600)}"}
    async with httpx.AsyncClient(base_url=f"http://{gateway_addr}", timeout=60) as http:
        created = await http.post("/v1/films", headers=headers, json={
            "script": SCRIPT, "settings": {"targetDuration": "6s", "motion": "MOTION_CAMERA"}})
        assert created.status_code == 200, created.text
        name = created.json()["name"]
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            film = (await http.get(f"/v1/{name}", headers=headers)).json()
            if film["state"] in ("FILM_STATE_SUCCEEDED", "FILM_STATE_FAILED", "FILM_STATE_CANCELLED"):
                return film
            await asyncio.sleep(0.5)
    raise AssertionError(f"{name} did not end within 180 s")


def read_spans(path: pathlib.Path, wanted: set[str], timeout_s: float = 20) -> list[dict]:
    """The spans in the file, once it holds every name in `wanted` (the last ones end a moment after the
    film does)."""
    deadline = time.monotonic() + timeout_s
    while True:
        spans = [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []
        if wanted <= {s["name"] for s in spans} or time.monotonic() > deadline:
            return spans
        time.sleep(0.5)


def test_one_film_is_one_trace_across_every_service(observed_mesh):
    _, span_file, _, film = observed_mesh
    assert film["state"] == "FILM_STATE_SUCCEEDED", film
    spans = read_spans(span_file, {"POST /v1/films", "film.job", "film.compose", "compose",
                                   "filmstudio.v1.ComposerService/ComposeFilm"})
    created = [s for s in spans if s["name"] == "POST /v1/films" and s["service"] == "gateway"]
    assert len(created) == 1, sorted({(s["service"], s["name"]) for s in spans})
    trace_id = created[0]["trace_id"]
    trace = [s for s in spans if s["trace_id"] == trace_id]
    by_service: dict[str, set[str]] = {}
    for span in trace:
        by_service.setdefault(span["service"], set()).add(span["name"])

    assert {"gateway", "orchestrator", "composer"} <= set(by_service), by_service
    assert "filmstudio.v1.FilmService/CreateFilm" in by_service["orchestrator"]
    # The film's job ran under the trace of the call that created it (films.traceparent) ...
    assert {"film.job", "film.plan", "film.generate", "shot", "shot.image", "shot.voice",
            "film.compose"} <= by_service["orchestrator"], by_service["orchestrator"]
    # ... and called Triton (a CLIENT span per request, its traceparent in the request's headers) ...
    triton = [s for s in trace if s["name"].startswith("triton.infer ")]
    assert {s["attributes"]["triton.model"] for s in triton} >= {"tts"}, by_service["orchestrator"]
    assert all(s["kind"] == "CLIENT" for s in triton)
    # ... and the composer, whose server span is the child of the orchestrator's compose span.
    assert {"filmstudio.v1.ComposerService/ComposeFilm", "compose"} <= by_service["composer"]
    ids = {s["span_id"]: s for s in trace}
    compose_call = next(s for s in trace if s["name"] == "filmstudio.v1.ComposerService/ComposeFilm")
    assert ids[compose_call["parent_id"]]["name"] == "film.compose"
    job = next(s for s in trace if s["name"] == "film.job")
    assert ids[job["parent_id"]]["name"] == "filmstudio.v1.FilmService/CreateFilm"
    shot = next(s for s in trace if s["name"] == "shot")
    assert shot["attributes"]["shot"] and ids[shot["parent_id"]]["name"] == "film.generate"
    # Every span of the trace hangs from the gateway's request span: no orphans, one root.
    roots = [s for s in trace if s["parent_id"] not in ids]
    assert [r["span_id"] for r in roots] == [created[0]["span_id"]]


def scrape(port: int) -> dict[str, list]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as reply:
        text = reply.read().decode()
    return {family.name: family.samples for family in text_string_to_metric_families(text)}


def value(metrics: dict[str, list], sample: str, **labels: str) -> float:
    family = sample.removesuffix("_total").removesuffix("_count").removesuffix("_sum").removesuffix("_bucket")
    return sum(s.value for s in metrics.get(family, ()) if s.name == sample
               and all(s.labels.get(k) == v for k, v in labels.items()))


def test_every_service_serves_its_metrics(observed_mesh):
    _, _, ports, film = observed_mesh
    assert film["state"] == "FILM_STATE_SUCCEEDED", film

    gateway = scrape(ports["gateway"])
    assert value(gateway, "filmstudio_gateway_requests_total", route="/v1/films", method="POST", status="200") == 1
    assert value(gateway, "filmstudio_gateway_requests_total", route="/v1/{name=films/*}", method="GET",
                 status="200") >= 1
    assert value(gateway, "filmstudio_gateway_request_seconds_count", route="/v1/films", method="POST") == 1

    deadline = time.monotonic() + 15  # the film gauges are read from the database every 5 s
    while True:
        orchestrator = scrape(ports["orchestrator"])
        if value(orchestrator, "filmstudio_films", state="succeeded") >= 1 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert value(orchestrator, "filmstudio_films", state="succeeded") == 1
    assert value(orchestrator, "filmstudio_films", state="queued") == 0
    assert value(orchestrator, "filmstudio_queue_depth") == 0
    assert value(orchestrator, "filmstudio_film_outcomes_total", state="succeeded") == 1
    assert value(orchestrator, "filmstudio_queue_seconds_count") == 1
    assert value(orchestrator, "filmstudio_shot_seconds_count") >= 2
    assert value(orchestrator, "filmstudio_compose_seconds_count") == 1

    composer = scrape(ports["composer"])
    assert value(composer, "filmstudio_composer_compose_seconds_count") == 1
    assert value(composer, "filmstudio_composer_frames_total") > 0
    assert value(composer, "filmstudio_composer_encode_fps") > 0
