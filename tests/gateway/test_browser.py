"""The studio in Debian's Chromium, driven by Playwright (never a downloaded browser): make a film,
watch the storyboard fill in from the SSE stream, see the player get the film, redo one shot."""

from __future__ import annotations

import pathlib

import pytest

from filmstudio.storage import LocalStore
from filmstudio.auth import mint_token
from tests.gateway.live import live_gateway
from tests.gateway.tokens import SECRET

CHROMIUM = pathlib.Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed (apt-get install -y chromium)"),
]


def test_make_watch_play_and_redo_in_chromium(tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")
    store = LocalStore(tmp_path / "store")
    with live_gateway(store, SECRET, step_s=0.05) as live, sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            page = browser.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(f"{live.base_url}/#token={mint_token('browser', SECRET, 600)}")
            page.click("#new-film")
            page.fill("#script", "INT. ROOM - DAY\n\nShe waits.\n\nHe arrives.\n\nThey leave.")
            page.select_option("#style", "noir")
            page.select_option("#aspect", "ASPECT_RATIO_SQUARE")
            page.click("#make")
            page.wait_for_selector("#storyboard li[data-state='SHOT_STATE_SUCCEEDED']", timeout=10_000)
            page.wait_for_function("document.getElementById('status').textContent === 'succeeded'", timeout=10_000)
            cards = page.locator("#storyboard li")
            assert cards.count() == 4
            assert page.locator("#storyboard li[data-state='SHOT_STATE_SUCCEEDED']").count() == 4
            # Every still really loaded through /v1/files with the token.
            page.wait_for_function("[...document.querySelectorAll('#storyboard img')].every(i => i.naturalWidth > 0)",
                                   timeout=10_000)
            assert page.get_attribute("#player", "src").startswith("/v1/files/films/")
            assert page.is_visible("#player")
            assert page.get_attribute("#player track", "kind") == "subtitles"
            cards.nth(1).locator("button.redo").click()
            page.wait_for_selector("#storyboard li[data-shot='s2'][data-take='2']", timeout=10_000)
            assert errors == []
            created = next(f for f in live.films.films.values())
            assert created.owner == "browser"
            assert created.film.settings.style == "noir"
            assert created.film.settings.aspect_ratio == 3
        finally:
            browser.close()
