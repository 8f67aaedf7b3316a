"""The studio in Debian's Chromium (Playwright, never a downloaded browser) against the real mesh:
paste a script, pick length, style and aspect, make it, watch the storyboard fill in shot by shot,
play and seek the film, redo one shot and see it re-rendered and the film re-cut."""

from __future__ import annotations

import os
import pathlib

import httpx
import pytest

pytestmark = pytest.mark.mesh

CHROMIUM = pathlib.Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--autoplay-policy=no-user-gesture-required"]
SCRIPT = """INT. LIGHTHOUSE - NIGHT

Rain hammers the glass. The great lamp turns.

MARA
Somebody has to keep it burning.

A ship's horn, far out in the dark.
"""
# Every change of a storyboard card's state, in the order the page made them. Installed before Make:
# the storyboard itself appears only once the page has moved to the new film.
RECORD_CARDS = """() => {
  window.cardStates = [];
  const card = "#storyboard li[data-shot]";
  const note = (li) => window.cardStates.push([li.dataset.shot, li.dataset.state]);
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === "attributes") { if (r.target.matches(card)) note(r.target); continue; }
      for (const added of r.addedNodes) {
        if (added.nodeType !== 1) continue;
        if (added.matches(card)) note(added);
        else added.querySelectorAll(card).forEach(note);
      }
    }
  }).observe(document.body, {subtree: true, childList: true, attributes: true, attributeFilter: ["data-state"]});
}"""
SEEK_TO_MIDDLE = """async () => {
  const player = document.getElementById("player");
  if (player.readyState < 1) await new Promise((ok) => player.addEventListener("loadedmetadata", ok, {once: true}));
  const middle = player.duration / 2;
  const seeked = new Promise((ok) => player.addEventListener("seeked", ok, {once: true}));
  player.currentTime = middle;
  await seeked;
  return {duration: player.duration, middle, at: player.currentTime, seekable: player.seekable.length,
          error: player.error && player.error.code};
}"""


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed (apt-get install -y chromium)")
def test_make_watch_play_and_redo_a_shot_in_chromium(mesh, gateway_url, token_for, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")
    token = token_for("browser-e2e")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            media: list[tuple[int, str]] = []
            page.on("response", lambda r: media.append((r.status, r.request.headers.get("range", "")))
                    if "/film.mp4" in r.url else None)
            page.goto(f"{gateway_url}/#token={token}")
            page.click("#new-film")
            page.fill("#script", SCRIPT)
            page.select_option("#length", "15s")
            page.select_option("#style", "noir")
            page.select_option("#aspect", "ASPECT_RATIO_SQUARE")
            page.evaluate(RECORD_CARDS)
            page.click("#make")

            page.wait_for_function("document.getElementById('status')?.textContent === 'succeeded'", timeout=120_000)
            cards = page.locator("#storyboard li")
            shots = cards.count()
            assert shots >= 2
            assert page.locator("#storyboard li[data-state='SHOT_STATE_SUCCEEDED']").count() == shots
            # Shot by shot: each card appeared while its shot was rendering and was filled in by its own event.
            states = page.evaluate("window.cardStates")
            assert len({s for s, _ in states}) == shots
            for shot in {s for s, _ in states}:
                mine = [state for s, state in states if s == shot]
                assert mine[0] != "SHOT_STATE_SUCCEEDED" and mine[-1] == "SHOT_STATE_SUCCEEDED", (shot, mine)
            page.wait_for_function("[...document.querySelectorAll('#storyboard img')].every(i => i.naturalWidth > 0)",
                                   timeout=30_000)

            # The film plays and seeks: its length is the 15 s asked for, and the browser fetched ranges.
            played = page.evaluate(SEEK_TO_MIDDLE)
            assert page.is_visible("#player")
            assert played["error"] is None and played["seekable"] >= 1
            assert 14.0 <= played["duration"] <= 16.0
            assert abs(played["at"] - played["middle"]) < 1.0
            assert any(status == 206 and rng.startswith("bytes=") for status, rng in media), media
            first_cut = page.get_attribute("#player", "src")

            page.screenshot(path=str(tmp_path / "made.png"), full_page=True)

            # Redo the second shot: it renders again as take 2, and the film is cut again around it.
            second = cards.nth(1)
            shot_id = second.get_attribute("data-shot")
            old_still = second.locator("img").get_attribute("src")
            second.locator("button.redo").click()
            page.wait_for_selector(f"#storyboard li[data-shot='{shot_id}'][data-take='2']"
                                   "[data-state='SHOT_STATE_SUCCEEDED']", timeout=120_000)
            page.wait_for_function("document.getElementById('status')?.textContent === 'succeeded'", timeout=120_000)
            page.wait_for_function(f"document.getElementById('player')?.src !== {first_cut!r}", timeout=30_000)
            assert second.locator("img").get_attribute("src") != old_still
            page.wait_for_function("[...document.querySelectorAll('#storyboard img')].every(i => i.naturalWidth > 0)",
                                   timeout=30_000)
            replayed = page.evaluate(SEEK_TO_MIDDLE)
            assert replayed["error"] is None and 14.0 <= replayed["duration"] <= 16.0
            page.screenshot(path=str(tmp_path / "redone.png"), full_page=True)
            if os.environ.get("FILMSTUDIO_SCREENSHOT_DIR"):  # to look at the page by eye
                for name in ("made.png", "redone.png"):
                    (pathlib.Path(os.environ["FILMSTUDIO_SCREENSHOT_DIR"]) / name).write_bytes((tmp_path / name).read_bytes())
            assert errors == []
        finally:
            browser.close()

    # What the page asked for is what the orchestrator made.
    reply = httpx.get(f"{gateway_url}/v1/films", headers={"Authorization": f"Bearer {token}"})
    film = reply.json()["films"][0]
    assert film["settings"]["style"] == "noir" and film["settings"]["aspectRatio"] == "ASPECT_RATIO_SQUARE"
    assert film["settings"]["targetDuration"] == "15s" and film["script"] == SCRIPT
    redone = next(s for s in film["shots"] if s["shotId"] == shot_id)
    assert redone["take"] == 2 and redone["state"] == "SHOT_STATE_SUCCEEDED"
