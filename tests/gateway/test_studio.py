"""The studio: its contract file is what the protos make now, gateway.static serves its build with
the right caching and nothing outside it, and its own component tests pass."""

from __future__ import annotations

import pathlib
import shutil
import subprocess

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from gateway import static
from tools import openapi as openapi_tool

STUDIO = pathlib.Path(__file__).resolve().parents[2] / "gateway" / "studio"


def test_committed_openapi_document_is_what_the_protos_make():
    committed = openapi_tool.TARGET.read_text(encoding="utf-8")
    assert committed == openapi_tool.render(), \
        "gateway/studio/src/api/openapi.json is stale: python -m tools.openapi, then npm run gen in gateway/studio"


def test_openapi_check_names_a_stale_file(tmp_path, monkeypatch, capsys):
    stale = tmp_path / "openapi.json"
    stale.write_text("{}\n")
    monkeypatch.setattr(openapi_tool, "TARGET", stale)
    monkeypatch.setattr(openapi_tool, "ROOT", tmp_path)
    assert openapi_tool.main(["--check"]) == 1
    assert "openapi.json is stale" in capsys.readouterr().err


@pytest.fixture
def dist(tmp_path):
    root = tmp_path / "dist"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text('<!doctype html><script type="module" src="/assets/index-abc123.js"></script>')
    (root / "assets" / "index-abc123.js").write_text("console.log('studio')")
    (tmp_path / "secret.txt").write_text("not for the web")
    return root


def client(dist: pathlib.Path) -> TestClient:
    return TestClient(Starlette(routes=static.routes(dist)))


@pytest.mark.parametrize("path", ["/", "/films/abc", "/films/abc/shots/s1", "/signin", "/account"])
def test_page_routes_answer_index_uncached(dist, path):
    reply = client(dist).get(path)
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/html")
    assert reply.headers["cache-control"] == "no-cache"
    assert "/assets/index-abc123.js" in reply.text


def test_hashed_assets_are_cached_for_a_year(dist):
    reply = client(dist).get("/assets/index-abc123.js")
    assert reply.status_code == 200
    assert reply.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "javascript" in reply.headers["content-type"]


@pytest.mark.parametrize("path", ["/assets/missing.js", "/assets/../index.html", "/assets/%2e%2e/%2e%2e/secret.txt",
                                  "/assets/..%2f..%2fsecret.txt", "/assets/", "/assets//etc/passwd"])
def test_missing_or_outside_assets_are_404(dist, path):
    reply = client(dist).get(path)
    assert reply.status_code == 404
    assert "not for the web" not in reply.text


def test_without_a_build_the_page_says_how_to_make_it(tmp_path):
    reply = client(tmp_path / "dist").get("/")
    assert reply.status_code == 503
    assert "tools/bootstrap.sh" in reply.text
    assert client(tmp_path / "dist").get("/assets/index.js").status_code == 404


def test_studio_component_tests_pass():
    if not (STUDIO / "node_modules").is_dir():
        pytest.skip("gateway/studio/node_modules is missing: run tools/bootstrap.sh (needs Node.js and npm)")
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed")
    result = subprocess.run([npm, "test", "--silent"], cwd=STUDIO, capture_output=True, text=True, timeout=50)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
