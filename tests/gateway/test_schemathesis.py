"""schemathesis against /openapi.json: generated requests (valid and not) never get a 5xx."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings

import schemathesis
from filmstudio.storage import LocalStore
from filmstudio.auth import mint_token
from gateway.openapi import document
from gateway.rules import build_api, load_descriptor_set
from tests.gateway.live import live_gateway
from tests.gateway.tokens import SECRET

schema = schemathesis.openapi.from_dict(document(build_api(load_descriptor_set())))
schema.config.generation.update(modes=list(schemathesis.GenerationMode))  # valid requests and invalid ones


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    with live_gateway(LocalStore(tmp_path_factory.mktemp("store")), SECRET) as running:
        yield running


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_5xx(case, live):
    headers = {"Authorization": "Bearer " + mint_token("fuzzer", SECRET, 600)}
    response = case.call(base_url=live.base_url, headers=headers, timeout=10)
    assert response.status_code < 500, (case.method, case.formatted_path, response.text[:300])
    assert "Traceback" not in response.text
