"""Accounts as a browser meets them, over the real mesh's REST gateway: sign up and the session
cookies (HttpOnly, SameSite=Strict), CSRF on every change, the lockout, the balance a film takes,
a personal API token for scripts, refresh and sign-out, and another user who sees nothing."""

from __future__ import annotations

import uuid

import httpx
import pytest

pytestmark = pytest.mark.mesh

PASSWORD = "a long enough password"
SCRIPT = "INT. HALL - DAY\n\nA clock ticks.\n\nANN\nWe begin.\n"


def sign_up(base: str, name: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=base, timeout=30)
    email = f"{name}-{uuid.uuid4().hex[:6]}@example.com"
    reply = client.post("/auth/signup", json={"email": email, "password": PASSWORD, "displayName": name.title()})
    assert reply.status_code == 201, reply.text
    return client, email


def csrf(client: httpx.Client) -> dict[str, str]:
    return {"X-CSRF-Token": client.cookies["fs_csrf"]}


def test_sign_up_make_a_film_with_cookies_and_csrf_then_sign_out(gateway_url):
    ann, email = sign_up(gateway_url, "ann")
    cookies = {c.split("=", 1)[0]: c.lower() for c in ann.post("/auth/signin", json={
        "email": email, "password": PASSWORD}).headers.get_list("set-cookie")}
    assert {"fs_access", "fs_refresh", "fs_csrf"} <= set(cookies)
    for name in ("fs_access", "fs_refresh"):
        assert "httponly" in cookies[name] and "samesite=strict" in cookies[name]
    assert "httponly" not in cookies["fs_csrf"]  # the page reads it to send it back
    assert "path=/auth" in cookies["fs_refresh"]

    account = ann.get("/v1/account").json()
    assert account["email"] == email and account["displayName"] == "Ann"
    assert account["balanceSeconds"] == account["monthlyGrantSeconds"] > 0

    body = {"script": SCRIPT, "settings": {"targetDuration": "15s"}}
    refused = ann.post("/v1/films", json=body)
    assert refused.status_code == 403 and "X-CSRF-Token" in refused.json()["message"].replace("x-csrf-token", "X-CSRF-Token")
    film = ann.post("/v1/films", json=body, headers=csrf(ann))
    assert film.status_code == 200, film.text
    film = film.json()
    assert film["displayName"]  # the script's first line, not the film's id
    after = ann.get("/v1/account").json()
    assert after["balanceSeconds"] == account["balanceSeconds"] - 15
    # The cast's voices can be heard before anything renders.
    preview = ann.post(f"/v1/{film['name']}/characters/char-ann:previewVoice", json={}, headers=csrf(ann))
    assert preview.status_code == 200, preview.text
    assert preview.json()["text"] == "We begin." and preview.json()["audioUri"].startswith("/v1/files/assets/")
    clip = ann.get(preview.json()["audioUri"])
    assert clip.status_code == 200 and clip.content[:4] == b"RIFF" and len(clip.content) > 8000
    ledger = ann.get("/v1/account/ledger").json()["entries"]
    assert ledger[0]["reason"] == "LEDGER_REASON_FILM" and ledger[0]["film"] == film["name"]
    assert ledger[0]["deltaSeconds"] == -15

    # Another user sees none of it.
    bob, _ = sign_up(gateway_url, "bob")
    assert bob.get("/v1/films").json().get("films", []) == []
    assert bob.get(f"/v1/{film['name']}").status_code == 404

    # A personal API token works for a script, with no cookie, until it is revoked.
    made = ann.post("/v1/account/tokens", json={"displayName": "render farm"}, headers=csrf(ann)).json()
    script_client = httpx.Client(base_url=gateway_url, timeout=30,
                                 headers={"Authorization": f"Bearer {made['secret']}"})
    assert [f["name"] for f in script_client.get("/v1/films").json()["films"]] == [film["name"]]
    assert [t["displayName"] for t in ann.get("/v1/account/tokens").json()["tokens"]] == ["render farm"]
    assert ann.delete(f"/v1/{made['token']['name']}", headers=csrf(ann)).status_code == 200
    revoked = script_client.get("/v1/films")
    assert revoked.status_code == 401 and "revoked" in revoked.json()["message"]

    # Refresh gives new cookies; sign-out ends the session everywhere.
    old_refresh = ann.cookies["fs_refresh"]
    assert ann.post("/auth/refresh").status_code == 403  # CSRF applies to the session's own calls too
    refreshed = ann.post("/auth/refresh", headers=csrf(ann))
    # A new refresh token each time (an access token minted in the same second can be the same string).
    assert refreshed.status_code == 200 and ann.cookies["fs_refresh"] != old_refresh
    assert ann.get("/v1/account").status_code == 200
    access = ann.cookies["fs_access"]
    assert ann.post("/auth/signout", headers=csrf(ann)).status_code == 204
    assert "fs_access" not in ann.cookies
    assert ann.get("/v1/account").status_code == 401
    stale = httpx.get(f"{gateway_url}/v1/account", headers={"Authorization": f"Bearer {access}"})
    assert stale.status_code == 401 and "session has ended" in stale.json()["message"]
    for client in (ann, bob, script_client):
        client.close()


def test_wrong_passwords_lock_the_account_and_bad_bodies_are_refused(gateway_url):
    eve, email = sign_up(gateway_url, "eve")
    wrong = {"email": email, "password": "not my password"}
    codes = [eve.post("/auth/signin", json=wrong) for _ in range(5)]
    assert [c.status_code for c in codes] == [401, 401, 401, 401, 429]
    assert "4 more" in codes[0].json()["message"] and "locked for 15 minutes" in codes[4].json()["message"]
    locked = eve.post("/auth/signin", json={"email": email, "password": PASSWORD})
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0
    assert eve.post("/auth/signup", json={"email": email, "password": PASSWORD}).status_code == 409
    assert eve.post("/auth/signup", json={"email": "new@example.com", "password": "short"}).status_code == 400
    assert eve.post("/auth/signin", content=b"email=a", headers={"Content-Type": "text/plain"}).status_code == 415
    assert eve.post("/auth/signin", content=b"{", headers={"Content-Type": "application/json"}).status_code == 400
    assert eve.post("/auth/signin", json={"email": email, "password": PASSWORD, "admin": True}).status_code == 400
    assert httpx.post(f"{gateway_url}/auth/refresh").status_code == 401  # no session at all
    assert httpx.get(f"{gateway_url}/auth/providers").json() == {"password": True, "oidc": []}
    eve.close()
