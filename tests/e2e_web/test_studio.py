"""A new user's whole visit to the studio in Debian's Chromium, against the real mesh, with no token
anywhere: sign up, see a broken script's error and line, paste a good one, make the film and watch the
storyboard fill in, redo a shot with an edited prompt, play the film with its subtitles showing,
download its files, sign out; a second user sees none of the first one's films. On the way: axe-core
finds nothing serious on the sign-in page, the editor or the film page, and the page logs no errors."""

from __future__ import annotations

import http.server
import json
import pathlib
import re
import shutil
import threading
import time
import uuid

import pytest

from standardwebhooks.webhooks import Webhook as Verifier

from tests.e2e_web.test_browser import ARGS, CHROMIUM

pytestmark = pytest.mark.mesh

AXE = pathlib.Path(__file__).resolve().parents[2] / "gateway/studio/node_modules/axe-core/axe.min.js"
SHOTS_DIR = pathlib.Path("/tmp/fs/shots")
PASSWORD = "a long enough password"
SCRIPT = """INT. BOATHOUSE - DAWN

Mist drifts over the still water. An old rowing boat knocks against the dock.

ELLIOT
The tide will turn before we are ready.

Gulls lift from the roof and wheel away over the lake.
"""
# An unclosed boneyard on line 3: ParseScript answers "line 3, column 1: unclosed boneyard /* ...".
BROKEN = "INT. BOATHOUSE - DAWN\n\n/* the mist, the water\n\nELLIOT\nThe tide will turn.\n"
EDITED_PROMPT = "a wooden rowing boat drifting alone on a misty lake at dawn, gulls overhead"



class Receiver:
    """A webhook receiver on loopback, in a thread: records each POST and answers 204."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.arrived = threading.Event()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                receiver.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(204)
                self.end_headers()
                receiver.arrived.set()

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def __enter__(self) -> "Receiver":
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


PLAY_AND_SEEK = """async () => {
  const player = document.getElementById("player");
  if (player.readyState < 1) await new Promise((ok) => player.addEventListener("loadedmetadata", ok, {once: true}));
  const track = player.textTracks[0];
  const trackElement = player.querySelector("track");
  if (trackElement.readyState !== 2) {
    await new Promise((ok) => { trackElement.addEventListener("load", ok, {once: true}); setTimeout(ok, 10000); });
  }
  player.muted = true;
  await player.play();
  await new Promise((ok) => setTimeout(ok, 500));
  player.pause();
  const middle = player.duration / 2;
  const seeked = new Promise((ok) => player.addEventListener("seeked", ok, {once: true}));
  player.currentTime = middle;
  await seeked;
  return {duration: player.duration, middle, at: player.currentTime, error: player.error && player.error.code,
          tracks: player.textTracks.length, kind: track && track.kind, mode: track && track.mode,
          cues: track && track.cues ? track.cues.length : 0, trackState: trackElement.readyState,
          firstCue: track && track.cues && track.cues.length ? track.cues[0].text : ""};
}"""
# What the page asks RegenerateShot for: the body of every :regenerate call it makes.
RECORD_REDO = """() => {
  window.redoBodies = [];
  const fetch = window.fetch;
  window.fetch = async (input, init) => {
    if (input instanceof Request && input.url.includes(":regenerate")) window.redoBodies.push(await input.clone().text());
    return fetch(input, init);
  };
}"""
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
                                        nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5)}));
}"""
NAVIGATION = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  return {domContentLoaded: nav.domContentLoadedEventEnd, load: nav.loadEventEnd};
}"""


class Watched:
    """A page's errors: uncaught exceptions, and console errors other than the expected failed loads."""

    def __init__(self, page, name: str):
        self.page, self.name = page, name
        self.other: list[str] = []
        self.failed_loads: list[tuple[str, int]] = []  # (path, status), as Chromium logs them
        # (path, status) of loads that are meant to fail and that Chromium reports as console errors.
        self.expected: set[tuple[str, int]] = set()
        page.on("pageerror", lambda exc: self.other.append(f"{name} pageerror: {exc}"))
        page.on("console", self.console)

    def console(self, message) -> None:
        if message.type != "error":
            return
        failed = re.match(r"Failed to load resource: the server responded with a status of (\d+)", message.text)
        if failed:
            path = re.sub(r"^https?://[^/]+", "", message.location.get("url", "")).split("?")[0]
            self.failed_loads.append((path, int(failed.group(1))))
        else:
            self.other.append(f"{self.name} console: {message.text} at {message.location.get('url')}")

    @property
    def errors(self) -> list[str]:
        return self.other + [f"{self.name} console: {path} answered {status}" for path, status in self.failed_loads
                             if (path, status) not in self.expected]


def axe_serious(page, where: str, findings: dict) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(RUN_AXE)
    findings[where] = violations
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def sign_up(page, name: str) -> str:
    email = f"{name}-{uuid.uuid4().hex[:8]}@example.com"
    page.get_by_role("button", name="Sign up").click()
    page.fill("#signin-email", email)
    page.fill("#signin-name", name.title())
    page.fill("#signin-password", PASSWORD)
    page.click("#signin-submit")
    page.wait_for_selector("#new-film")
    return email


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed (apt-get install -y chromium)")
@pytest.mark.skipif(not AXE.exists(), reason="axe-core not installed (npm ci --prefix gateway/studio)")
def test_a_new_user_signs_up_makes_redoes_plays_downloads_and_signs_out(mesh, gateway_url, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")
    SHOTS_DIR.mkdir(parents=True, exist_ok=True)
    findings: dict[str, list] = {}

    def shoot(page, name: str, **options) -> None:
        page.screenshot(path=str(tmp_path / name), **options)
        shutil.copyfile(tmp_path / name, SHOTS_DIR / name)

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            page.set_default_timeout(20_000)
            watched = Watched(page, "first user")
            # Opening the studio without a session: the account read answers 401, and so does the one
            # refresh the client tries before it shows sign-in. Both are the page finding out, not faults.
            watched.expected |= {("/v1/account", 401), ("/auth/refresh", 401)}
            # The broken script: ParseScript answers 400 with the line and column the editor shows.
            watched.expected.add(("/v1/scripts:parse", 400))

            # 1. Sign-in, with no token anywhere; how fast the page loads.
            page.goto(f"{gateway_url}/")
            page.wait_for_selector("#signin-title")
            page.wait_for_load_state("load")
            timing = page.evaluate(NAVIGATION)
            print(f"\nsign-in page: DOMContentLoaded {timing['domContentLoaded']:.0f} ms, load {timing['load']:.0f} ms")
            assert 0 < timing["load"] < 10_000
            shoot(page, "signin.png")
            assert axe_serious(page, "sign-in", findings) == [], findings["sign-in"]
            sign_up(page, "first")
            assert "token" not in page.url

            # 2. The editor: a broken script shows its error and line, and Make is off; then the good one.
            page.click("#new-film")
            page.fill("#script", BROKEN)
            page.wait_for_selector("#parse-errors li")
            error = page.inner_text("#parse-errors li")
            assert "Line 3, column 1" in error and "unclosed boneyard" in error, error
            assert page.is_disabled("#make")
            page.select_option("#length", "15s")
            page.select_option("#aspect", "ASPECT_RATIO_SQUARE")
            page.fill("#script", SCRIPT)
            page.wait_for_selector("#count-shots")
            shots_planned = int(page.inner_text("#count-shots"))
            assert 2 <= shots_planned <= 4
            assert page.inner_text("#characters-found") == "ELLIOT"
            assert page.locator("#parse-errors").count() == 0
            assert page.is_enabled("#make")
            # How the shots move: the living animatic unless the creator chooses otherwise.
            assert page.is_checked("input[name='motion'][value='MOTION_ANIMATED']")
            assert page.locator("#motion-fallback").count() == 0 and page.locator("#gpu-estimate").count() == 0
            shoot(page, "editor.png", full_page=True)
            assert axe_serious(page, "editor", findings) == [], findings["editor"]
            page.set_viewport_size({"width": 360, "height": 740})
            shoot(page, "phone-editor.png")
            assert page.evaluate("document.documentElement.scrollWidth") <= 360  # nothing wider than a phone
            page.set_viewport_size({"width": 1280, "height": 900})

            # 3. Make it; the storyboard fills in and the film succeeds.
            started = time.monotonic()
            page.click("#make")
            page.wait_for_url(re.compile(r"#/films/[^/]+$"))
            film_id = page.url.rsplit("/", 1)[1]
            page.wait_for_selector("#storyboard li[data-shot]", timeout=60_000)
            page.wait_for_function("document.getElementById('status').textContent === 'succeeded'", timeout=120_000)
            print(f"film made in {time.monotonic() - started:.1f} s")
            cards = page.locator("#storyboard li[data-shot]")
            shots = cards.count()
            assert shots >= 2
            assert page.locator("#storyboard li[data-state='SHOT_STATE_SUCCEEDED']").count() == shots
            page.wait_for_function("[...document.querySelectorAll('#storyboard img')].every(i => i.naturalWidth > 0)")
            first_cut = page.get_attribute("#player", "src")
            # The cast sheet opens with the film, before the job has drawn the portrait: its first ask
            # answers 404, and the sheet asks again at the film's next state change, so the portrait shows.
            cast = context.request.get(f"{gateway_url}/v1/films/{film_id}/characters").json()["characters"]
            assert [c["name"] for c in cast] == ["ELLIOT"]
            watched.expected.add((cast[0]["portraitUri"], 404))
            page.wait_for_function("[...document.querySelectorAll('.portrait img')].every(i => i.naturalWidth > 0)"
                                   " && document.querySelectorAll('.portrait img').length === 1")
            shoot(page, "storyboard.png", full_page=True)
            assert axe_serious(page, "film", findings) == [], findings["film"]

            # 4. Redo the second shot with an edited prompt: it renders again as take 2, the film is re-cut.
            second = cards.nth(1)
            shot_id = second.get_attribute("data-shot")
            second.locator("button.edit").click()
            page.fill(f"#prompt-{shot_id}", EDITED_PROMPT)
            page.evaluate(RECORD_REDO)  # Chromium streams the body of a fetch(Request): read it in the page
            second.locator("button.redo").click()
            page.wait_for_function("window.redoBodies.length > 0")
            assert [json.loads(b) for b in page.evaluate("window.redoBodies")] == [{"prompt": EDITED_PROMPT}]
            page.wait_for_selector(f"#storyboard li[data-shot='{shot_id}'][data-take='2']"
                                   "[data-state='SHOT_STATE_SUCCEEDED']", timeout=120_000)
            page.wait_for_function("document.getElementById('status').textContent === 'succeeded'", timeout=120_000)
            page.wait_for_function(f"document.getElementById('player').src !== {first_cut!r}")
            film = context.request.get(f"{gateway_url}/v1/films/{film_id}").json()
            assert film["state"] == "FILM_STATE_SUCCEEDED"
            takes = {s["shotId"]: s.get("take") for s in film["shots"]}
            assert takes[shot_id] == 2 and all(t == 1 for s, t in takes.items() if s != shot_id), takes
            assert film["settings"]["aspectRatio"] == "ASPECT_RATIO_SQUARE" and film["settings"]["targetDuration"] == "15s"
            assert film["settings"]["motion"] == "MOTION_ANIMATED"

            # 5. Play it: the subtitle track is showing and its cues load; seek to the middle.
            played = page.evaluate(PLAY_AND_SEEK)
            assert played["error"] is None and 14.0 <= played["duration"] <= 16.0, played
            assert played["tracks"] == 1 and played["kind"] == "subtitles" and played["mode"] == "showing", played
            assert played["cues"] > 0 and "tide" in played["firstCue"], played
            assert abs(played["at"] - played["middle"]) < 1.0, played
            page.locator("#player").scroll_into_view_if_needed()
            shoot(page, "player.png")

            # 6. The downloads answer with the session's cookies and the right types.
            links = page.eval_on_selector_all(".downloads a", "as => as.map(a => [a.textContent.trim(), a.href])")
            want = {"MP4": "video/mp4", "SRT": "application/x-subrip", "VTT": "text/vtt", "Storyboard sheet": "image/png"}
            assert sorted(label for label, _ in links) == sorted(want)
            for label, href in links:
                reply = context.request.get(href)
                assert reply.status == 200, (label, reply.status)
                assert reply.headers["content-type"].split(";")[0] == want[label], (label, reply.headers)
                body = reply.body()
                if label == "MP4":
                    assert body[4:8] == b"ftyp"
                elif label == "VTT":
                    assert body.startswith(b"WEBVTT")
                elif label == "Storyboard sheet":
                    assert body.startswith(b"\x89PNG")
                else:
                    assert b"-->" in body

            # 7. Sign out: sign-in again, and the cookies no longer open the API.
            page.click("a[href='#/account']")
            # The ledger: the grant, the 15 s film, the redone shot (charged at its length).
            page.wait_for_function("document.querySelectorAll('#ledger tbody tr').length === 3")
            account = context.request.get(f"{gateway_url}/v1/account").json()
            assert 3600 - 15 - 30 < account["balanceSeconds"] < 3600 - 15
            shoot(page, "account.png", full_page=True)
            # A webhook to a receiver here (development takes http and loopback): its secret shown once,
            # a test event sent, signed, and listed as delivered.
            with Receiver() as receiver:
                page.fill("#webhook-url", receiver.url)
                page.fill("#webhook-description", "render farm")
                page.click("form:has(#webhook-url) button[type=submit]")
                secret = page.inner_text("#webhook-secret")
                assert secret.startswith("whsec_")
                page.click("#webhooks button:has-text('Send test')")
                receiver.arrived.wait(20)
                page.wait_for_timeout(500)  # the dispatcher records the answer just after it
                # Send test opened the deliveries as it was sent: close and open them to read them again.
                page.click("#webhooks button:has-text('Deliveries')")
                page.click("#webhooks button:has-text('Deliveries')")
                page.wait_for_selector(".deliveries td:has-text('delivered')")
                shoot(page, "webhooks.png", full_page=True)
            [(headers, body)] = receiver.requests
            assert Verifier(secret).verify(body, headers)["type"] == "webhook.test"
            page.click("#signout")
            page.wait_for_selector("#signin-title")
            assert page.locator("#new-film").count() == 0
            assert context.request.get(f"{gateway_url}/v1/films").status == 401

            # 8. A second user, in a fresh context: an empty library, and the first film is not found.
            other_context = browser.new_context(viewport={"width": 1280, "height": 900})
            other = other_context.new_page()
            other.set_default_timeout(20_000)
            other_watched = Watched(other, "second user")
            # As above, plus the first user's film: reading it answers 404, which the page shows as not found.
            other_watched.expected |= {("/v1/account", 401), ("/auth/refresh", 401), (f"/v1/films/{film_id}", 404)}
            other.goto(f"{gateway_url}/")
            other.wait_for_selector("#signin-title")
            sign_up(other, "second")
            other.wait_for_selector("#library-title")
            other.wait_for_selector(".empty.panel")
            assert other.locator("#films li").count() == 0
            assert other.locator(f"[data-film='{film_id}']").count() == 0
            other.goto(f"{gateway_url}/#/films/{film_id}")
            panel = other.wait_for_selector(".panel.error[role='alert']")
            assert "could not be opened" in panel.inner_text() and "not found" in panel.inner_text().lower()
            assert other.locator("#storyboard").count() == 0 and other.locator("#player").count() == 0
            listed = other_context.request.get(f"{gateway_url}/v1/films").json()
            assert listed.get("films", []) == []
            other_context.close()

            print("axe findings:", json.dumps(findings, indent=1))
            assert watched.errors + other_watched.errors == [], watched.errors + other_watched.errors
        finally:
            browser.close()
