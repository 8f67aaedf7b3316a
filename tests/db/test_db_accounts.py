"""Accounts on SQLite and PostgreSQL: sign-up and sign-in with the lockout, sessions that rotate and
end, personal API tokens, and credits — reserved with the film in one transaction (50 concurrent
creates cannot overdraw a balance), refunded for what a failed or cancelled film did not render,
charged again for a redone shot, topped up once a month."""

from __future__ import annotations

import asyncio
import datetime

import pytest

from filmstudio import auth
from filmstudio.errors import AlreadyExists, InvalidArgument, NotFound, ResourceExhausted, Unauthenticated
from filmstudio.v1 import account_pb2, film_pb2, script_pb2
from orchestrator.accounts import LOCKOUT, Accounts
from tests.db.films import new_film, settings

SECRET = "a-test-signing-key-of-at-least-32-bytes"
PASSWORD = "correct horse battery"


def accounts_of(db, clock) -> Accounts:
    return Accounts(db, SECRET, clock=lambda: clock().timestamp())


def graph(*seconds: float) -> script_pb2.SceneGraph:
    """A planned scene graph of shots s1, s2, ... of these lengths."""
    scene = script_pb2.Scene(id="sc1")
    for i, length in enumerate(seconds, 1):
        shot = scene.shots.add(id=f"s{i}")
        shot.duration.FromMilliseconds(round(length * 1000))
    return script_pb2.SceneGraph(scenes=[scene])


async def balance(db, user: str) -> float:
    return (await db.account(user)).balance_s


async def test_sign_up_then_in_and_the_lockout_after_five_wrong_passwords(backend, clock):
    db = await backend.open()
    accounts = accounts_of(db, clock)
    session = await accounts.sign_up(account_pb2.SignUpRequest(email=" Ann@Example.COM ", password=PASSWORD))
    assert session.account.email == "ann@example.com" and session.account.display_name == "ann"
    assert session.access_token and session.refresh_token.startswith("fsr_")
    with pytest.raises(AlreadyExists, match="ann@example.com exists"):
        await accounts.sign_up(account_pb2.SignUpRequest(email="ann@example.com", password=PASSWORD))
    with pytest.raises(InvalidArgument, match="at least 10"):
        await accounts.sign_up(account_pb2.SignUpRequest(email="bob@example.com", password="short"))
    with pytest.raises(InvalidArgument, match="not an email"):
        await accounts.sign_up(account_pb2.SignUpRequest(email="bob@", password=PASSWORD))
    stored = await db.user_by_email("ann@example.com")
    assert stored.password_hash.startswith("$argon2id$") and PASSWORD not in stored.password_hash

    assert (await accounts.sign_in(account_pb2.SignInRequest(email="ANN@example.com", password=PASSWORD))).access_token
    with pytest.raises(Unauthenticated, match="^wrong email or password$"):
        await accounts.sign_in(account_pb2.SignInRequest(email="nobody@example.com", password=PASSWORD))
    wrong = account_pb2.SignInRequest(email="ann@example.com", password="not the password")
    for left in (4, 3, 2, 1):
        with pytest.raises(Unauthenticated, match=f"{left} more and the account is locked for 15 minutes"):
            await accounts.sign_in(wrong)
    with pytest.raises(ResourceExhausted, match="5 in a row, so the account is locked for 15 minutes"):
        await accounts.sign_in(wrong)
    right = account_pb2.SignInRequest(email="ann@example.com", password=PASSWORD)
    with pytest.raises(ResourceExhausted, match="locked for 15 more minutes"):
        await accounts.sign_in(right)  # the right password too, while locked
    clock.advance(LOCKOUT.total_seconds() - 60)
    with pytest.raises(ResourceExhausted, match="locked for 1 more minutes"):
        await accounts.sign_in(right)
    clock.advance(61)
    assert (await accounts.sign_in(right)).account.email == "ann@example.com"
    with pytest.raises(Unauthenticated, match="4 more"):  # the count started again
        await accounts.sign_in(wrong)


async def test_a_session_rotates_its_refresh_token_and_a_replayed_one_ends_it(backend, clock):
    db = await backend.open()
    accounts = accounts_of(db, clock)
    verifier = auth.Verifier(SECRET, clock=lambda: clock().timestamp())
    first = await accounts.sign_up(account_pb2.SignUpRequest(email="cy@example.com", password=PASSWORD))
    second = await accounts.refresh(account_pb2.RefreshSessionRequest(refresh_token=first.refresh_token))
    assert second.refresh_token != first.refresh_token and second.account.name == first.account.name
    identity = await verifier.verify_identity(second.access_token)
    assert identity.subject == first.account.name.split("/")[1] and identity.session_id
    assert await accounts.revoked(identity) == ""
    # The first token again: someone copied it. The whole session ends, the newer token with it.
    with pytest.raises(Unauthenticated, match="used already, so the session is ended"):
        await accounts.refresh(account_pb2.RefreshSessionRequest(refresh_token=first.refresh_token))
    with pytest.raises(Unauthenticated, match="has ended"):
        await accounts.refresh(account_pb2.RefreshSessionRequest(refresh_token=second.refresh_token))
    assert await accounts_of(db, clock).revoked(identity) == "the session has ended; sign in again"

    third = await accounts.sign_in(account_pb2.SignInRequest(email="cy@example.com", password=PASSWORD))
    await accounts.sign_out(account_pb2.SignOutRequest(refresh_token=third.refresh_token))
    ended = await verifier.verify_identity(third.access_token)
    assert await accounts_of(db, clock).revoked(ended) == "the session has ended; sign in again"
    clock.advance(31 * 24 * 3600)
    late = await accounts.sign_in(account_pb2.SignInRequest(email="cy@example.com", password=PASSWORD))
    clock.advance(31 * 24 * 3600)
    with pytest.raises(Unauthenticated, match="expired"):
        await accounts.refresh(account_pb2.RefreshSessionRequest(refresh_token=late.refresh_token))


async def test_personal_api_tokens_are_listed_and_revoked(backend, clock):
    db = await backend.open()
    accounts = accounts_of(db, clock)
    made = await accounts.create_token("dana", account_pb2.CreateApiTokenRequest(display_name="render farm"))
    identity = await auth.Verifier(SECRET).verify_identity(made.secret)
    assert identity.subject == "dana" and identity.token_id == made.token.name.rsplit("/", 1)[1]
    assert [t.display_name for t in (await accounts.list_tokens("dana")).tokens] == ["render farm"]
    assert (await accounts.list_tokens("erin")).tokens == []
    with pytest.raises(NotFound):
        await accounts.delete_token("erin", made.token.name)  # not erin's
    assert await accounts.revoked(identity) == ""
    await accounts.delete_token("dana", made.token.name)
    assert await accounts.revoked(identity) == "this personal API token was revoked"
    assert (await accounts.list_tokens("dana")).tokens == []
    with pytest.raises(InvalidArgument, match="out of range"):
        request = account_pb2.CreateApiTokenRequest(display_name="x")
        request.ttl.FromSeconds(60)
        await accounts.create_token("dana", request)


async def test_fifty_concurrent_creates_never_overdraw_the_balance(backend):
    db = await backend.open(monthly_grant_s=300.0)  # five 60 s films
    results = await asyncio.gather(*(new_film(db, "fran") for _ in range(50)), return_exceptions=True)
    made = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(made) == 5, refused[:1]
    # Refused by credit or by the in-flight quota check run in the same transaction; never anything else.
    assert all(isinstance(r, ResourceExhausted) for r in refused)
    assert await balance(db, "fran") == 0
    entries, _ = await db.ledger_page("fran", 100, None)
    assert sum(e.delta_s for e in entries) == 0 and len(entries) == 6  # the grant and five films


async def test_a_failed_film_refunds_what_it_did_not_render_and_a_redo_costs_its_shot(backend, clock):
    db = await backend.open(monthly_grant_s=1000.0)
    film = await new_film(db, "gus", scene_graph=graph(20, 30, 10))
    assert await balance(db, "gus") == 940  # a 60 s target
    assert (await db.claim_film("w1", 30)).id == film.id
    await db.set_state(film.id, "w1", film_pb2.FILM_STATE_PLANNING)
    await db.put_shots(film.id, "w1", [("s1", 0), ("s2", 1), ("s3", 2)])
    await db.set_state(film.id, "w1", film_pb2.FILM_STATE_GENERATING)
    await db.set_shot(film.id, "s1", "w1", film_pb2.SHOT_STATE_SUCCEEDED, image_key="assets/i/1.png")
    await db.set_state(film.id, "w1", film_pb2.FILM_STATE_FAILED)
    assert await balance(db, "gus") == 980  # s2 and s3 were not rendered: 40 s back
    entries, _ = await db.ledger_page("gus", 10, None)
    assert entries[0].reason == account_pb2.LEDGER_REASON_REFUND and entries[0].delta_s == 40
    assert entries[0].film_id == film.id and "not rendered" in entries[0].description

    done = await new_film(db, "gus", scene_graph=graph(20, 40))
    assert (await db.claim_film("w1", 30)).id == done.id
    await db.set_state(done.id, "w1", film_pb2.FILM_STATE_PLANNING)
    await db.put_shots(done.id, "w1", [("s1", 0), ("s2", 1)])
    await db.set_state(done.id, "w1", film_pb2.FILM_STATE_GENERATING)
    await db.set_state(done.id, "w1", film_pb2.FILM_STATE_COMPOSING)
    await db.set_state(done.id, "w1", film_pb2.FILM_STATE_SUCCEEDED)
    assert await balance(db, "gus") == 920  # kept: the film succeeded
    await db.reopen_for_shot("gus", done.id, "s2")
    assert await balance(db, "gus") == 880  # the 40 s shot again
    entries, _ = await db.ledger_page("gus", 1, None)
    assert entries[0].reason == account_pb2.LEDGER_REASON_RERENDER and "s2 redone" in entries[0].description

    queued = await new_film(db, "gus")
    await db.request_cancel("gus", queued.id)  # nothing rendered, nothing planned: all of it back
    assert await balance(db, "gus") == 880


async def test_the_monthly_grant_tops_up_once_a_month_and_a_short_balance_refuses_the_film(backend, clock):
    db = await backend.open(monthly_grant_s=100.0)
    await new_film(db, "hal")
    assert await balance(db, "hal") == 40
    with pytest.raises(ResourceExhausted, match="not enough credit: 40 s of film left and this costs 60 s"):
        await new_film(db, "hal")
    clock.advance(40 * 24 * 3600)  # next month
    assert await balance(db, "hal") == 100
    entries, _ = await db.ledger_page("hal", 10, None)
    assert [e.reason for e in entries] == [account_pb2.LEDGER_REASON_GRANT, account_pb2.LEDGER_REASON_FILM,
                                           account_pb2.LEDGER_REASON_GRANT]
    assert entries[0].delta_s == 60 and entries[0].balance_s == 100
    short = await db.create_film("hal", "INT. A - DAY\n\nx", settings(target_duration={"seconds": 90}))
    assert short.created and await balance(db, "hal") == 10


async def test_an_openid_connect_id_token_signs_in_once_checked(backend, clock):
    import jwt
    from cryptography.hazmat.primitives.asymmetric import rsa

    from orchestrator.accounts import OidcProvider

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    db = await backend.open()
    accounts = Accounts(db, SECRET, OidcProvider("https://id.example", "studio", lambda token: key.public_key()),
                        clock=lambda: clock().timestamp())

    def id_token(**claims) -> str:
        now = int(clock().timestamp())
        base = {"iss": "https://id.example", "aud": "studio", "sub": "p-42", "iat": now, "exp": now + 300,
                "nonce": "n1", "email": "Ivy@Example.com", "email_verified": True, "name": "Ivy"}
        return jwt.encode(base | claims, key, algorithm="RS256")

    first = await accounts.sign_in_oidc(account_pb2.SignInWithOidcRequest(id_token=id_token(), nonce="n1"))
    assert first.account.email == "ivy@example.com" and first.account.display_name == "Ivy"
    again = await accounts.sign_in_oidc(account_pb2.SignInWithOidcRequest(id_token=id_token(), nonce="n1"))
    assert again.account.name == first.account.name  # the same person, the same account
    refusals = {
        "nonce": (id_token(), "n2"),
        "does not verify": (id_token(aud="another-app"), "n1"),
        "Invalid issuer": (id_token(iss="https://evil.example"), "n1"),
    }
    for words, (token, nonce) in refusals.items():
        with pytest.raises(Unauthenticated, match=words):
            await accounts.sign_in_oidc(account_pb2.SignInWithOidcRequest(id_token=token, nonce=nonce))
    # A password account's email is never taken over by a provider's identity.
    await accounts.sign_up(account_pb2.SignUpRequest(email="jo@example.com", password=PASSWORD))
    other = await accounts.sign_in_oidc(account_pb2.SignInWithOidcRequest(
        id_token=id_token(sub="p-43", email="jo@example.com"), nonce="n1"))
    assert other.account.email == "" and other.account.name != first.account.name


async def test_the_ledger_pages_newest_first_and_refuses_a_token_it_did_not_issue(backend, clock):
    db = await backend.open(monthly_grant_s=1000.0)
    accounts = accounts_of(db, clock)
    for _ in range(3):
        await new_film(db, "ike")
    first = await accounts.ledger("ike", account_pb2.ListLedgerEntriesRequest(page_size=2))
    assert [e.balance_seconds for e in first.entries] == [820, 880] and first.next_page_token
    rest = await accounts.ledger("ike", account_pb2.ListLedgerEntriesRequest(page_size=2, page_token=first.next_page_token))
    assert [e.balance_seconds for e in rest.entries] == [940, 1000] and not rest.next_page_token
    with pytest.raises(InvalidArgument, match="is not one this service issued"):
        await accounts.ledger("ike", account_pb2.ListLedgerEntriesRequest(page_token="bm90LWEtY3Vyc29y"))
