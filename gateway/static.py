"""The studio (gateway/studio, built into gateway/studio/dist by tools/bootstrap.sh): index.html for
the page's own routes, its hashed files under /assets/.

index.html is never cached (it names this build's files); the hashed files never change, so they are
cached for a year. A missing build answers 503 with how to make it, not a blank page.
"""

from __future__ import annotations

import pathlib

import grpc
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from gateway.errors import error_response

DIST = pathlib.Path(__file__).resolve().parent / "studio" / "dist"
# The page's client routes (hash routing keeps them in #..., but a reload of these paths still works).
PAGES = ("/", "/films/{rest:path}", "/signin", "/new", "/account", "/trash")
INDEX_CACHE = {"Cache-Control": "no-cache"}
ASSET_CACHE = {"Cache-Control": "public, max-age=31536000, immutable"}
NOT_BUILT = """<!doctype html><html lang="en"><meta charset="utf-8"><title>Film Studio</title>
<body style="font:16px system-ui;background:#101114;color:#e9e6df;padding:3rem">
<h1>The studio is not built</h1><p>Run <code>tools/bootstrap.sh</code> (it needs Node.js) and reload.</p>
<p>The REST API works without it: <a href="/docs" style="color:#e0b25c">/docs</a>.</p></body></html>"""


def routes(dist: pathlib.Path = DIST) -> list[BaseRoute]:
    """GET routes for the studio built in `dist`."""
    root = dist.resolve()

    async def index(request: Request) -> Response:
        page = root / "index.html"
        if not page.is_file():
            return HTMLResponse(NOT_BUILT, status_code=503, headers=INDEX_CACHE)
        return FileResponse(page, media_type="text/html", headers=INDEX_CACHE)

    async def asset(request: Request) -> Response:
        path = (root / "assets" / request.path_params["path"]).resolve()
        if not path.is_relative_to(root / "assets") or not path.is_file():
            return error_response(grpc.StatusCode.NOT_FOUND, "Not Found", http=404)
        return FileResponse(path, headers=ASSET_CACHE)

    return [*(Route(page, index, methods=["GET", "HEAD"]) for page in PAGES),
            Route("/assets/{path:path}", asset, methods=["GET", "HEAD"])]
