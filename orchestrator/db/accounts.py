"""Accounts: users who sign in (by password or OpenID Connect), their failed sign-ins and lockout,
their sessions and personal API tokens, and reading their balance and ledger.

Secrets never reach the database: passwords as argon2id hashes, refresh tokens as SHA-256 hashes,
personal API tokens by their id alone (the token is a JWT naming it)."""

from __future__ import annotations

import dataclasses
import datetime
import secrets
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from filmstudio.errors import AlreadyExists, NotFound, Unauthenticated
from orchestrator.db import credits
from orchestrator.db.engine import Engine
from orchestrator.db.schema import api_tokens, ledger, sessions, users


@dataclasses.dataclass(frozen=True)
class UserRecord:
    id: str
    email: str
    display_name: str
    password_hash: str
    failed_sign_ins: int
    locked_until: datetime.datetime | None
    balance_s: float
    created_at: datetime.datetime


@dataclasses.dataclass(frozen=True)
class ApiTokenRecord:
    id: str
    display_name: str
    created_at: datetime.datetime
    expires_at: datetime.datetime


@dataclasses.dataclass(frozen=True)
class LedgerRecord:
    id: int
    film_id: str
    reason: int
    delta_s: float
    balance_s: float
    description: str
    created_at: datetime.datetime


def _user(row: Any) -> UserRecord:
    return UserRecord(id=row.id, email=row.email or "", display_name=row.display_name,
                      password_hash=row.password_hash or "", failed_sign_ins=row.failed_sign_ins,
                      locked_until=row.locked_until, balance_s=row.balance_s, created_at=row.created_at)


def new_user_id() -> str:
    return "u" + secrets.token_hex(8)


class AccountRows(Engine):
    """The users (as accounts), sessions, api_tokens and ledger tables."""

    async def create_user(self, email: str, password_hash: str, display_name: str) -> UserRecord:
        """A new password account; AlreadyExists if the email is taken."""

        async def work(conn: AsyncConnection) -> UserRecord:
            if (await conn.execute(sa.select(users.c.id).where(users.c.email == email))).first():
                raise AlreadyExists(f"an account with the email {email} exists; sign in instead")
            user_id = new_user_id()
            await conn.execute(sa.insert(users).values(
                id=user_id, email=email, password_hash=password_hash, display_name=display_name,
                created_at=self.clock()))
            return await self._topped_up(conn, user_id)

        try:
            return await self._write(work)
        except sa.exc.IntegrityError:  # the same email signed up at the same moment
            raise AlreadyExists(f"an account with the email {email} exists; sign in instead") from None

    async def oidc_user(self, issuer: str, subject: str, email: str, display_name: str) -> UserRecord:
        """The account of an OpenID Connect identity, made on its first sign-in. The provider's email is
        recorded only if no other account has it (a password account is never taken over by it)."""

        async def work(conn: AsyncConnection) -> UserRecord:
            query = sa.select(users.c.id).where(users.c.oidc_issuer == issuer, users.c.oidc_subject == subject)
            found = (await conn.execute(query)).scalar()
            if found is None:
                taken = email and (await conn.execute(sa.select(users.c.id).where(users.c.email == email))).first()
                found = new_user_id()
                await conn.execute(sa.insert(users).values(
                    id=found, email=None if taken or not email else email, display_name=display_name,
                    oidc_issuer=issuer, oidc_subject=subject, created_at=self.clock()))
            return await self._topped_up(conn, found)

        return await self._write(work)

    async def user_by_email(self, email: str) -> UserRecord | None:
        async def work(conn: AsyncConnection) -> UserRecord | None:
            row = (await conn.execute(sa.select(users).where(users.c.email == email))).first()
            return None if row is None else _user(row)

        return await self._read(work)

    async def account(self, user_id: str) -> UserRecord:
        """The user (made if a development token's subject is new), with this month's grant given."""

        async def work(conn: AsyncConnection) -> UserRecord:
            await conn.execute(self._insert(users).values(id=user_id, created_at=self.clock()).on_conflict_do_nothing())
            return await self._topped_up(conn, user_id)

        return await self._write(work)

    async def _topped_up(self, conn: AsyncConnection, user_id: str) -> UserRecord:
        await credits.top_up(conn, await credits.locked_user(conn, user_id), self.clock(), self.monthly_grant_s)
        return _user((await conn.execute(sa.select(users).where(users.c.id == user_id))).one())

    async def sign_in_failed(self, user_id: str, limit: int, lock_for: datetime.timedelta) -> UserRecord:
        """Count a wrong password; the `limit`-th in a row locks the account for `lock_for` (and starts
        the count again). Returns the user after."""

        async def work(conn: AsyncConnection) -> UserRecord:
            user = await credits.locked_user(conn, user_id)
            failed = user.failed_sign_ins + 1
            values: dict[str, Any] = {"failed_sign_ins": failed}
            if failed >= limit:
                values = {"failed_sign_ins": 0, "locked_until": self.clock() + lock_for}
            await conn.execute(sa.update(users).where(users.c.id == user_id).values(**values))
            return _user((await conn.execute(sa.select(users).where(users.c.id == user_id))).one())

        return await self._write(work)

    async def sign_in_succeeded(self, user_id: str, password_hash: str | None = None) -> None:
        """Clear the failure count (and store a rehashed password, when the hash's parameters changed)."""
        values: dict[str, Any] = {"failed_sign_ins": 0, "locked_until": None}
        if password_hash:
            values["password_hash"] = password_hash

        async def work(conn: AsyncConnection) -> None:
            await conn.execute(sa.update(users).where(users.c.id == user_id).values(**values))

        await self._write(work)

    # --- sessions --------------------------------------------------------------------------------------

    async def create_session(self, user_id: str, refresh_hash: str, expires_at: datetime.datetime) -> str:
        session_id = secrets.token_hex(8)

        async def work(conn: AsyncConnection) -> None:
            await conn.execute(sa.insert(sessions).values(
                id=session_id, user_id=user_id, refresh_hash=refresh_hash, created_at=self.clock(),
                expires_at=expires_at))

        await self._write(work)
        return session_id

    async def rotate_session(self, refresh_hash: str, new_hash: str,
                             expires_at: datetime.datetime) -> tuple[str, str]:
        """Replace a session's refresh token; (session id, user id). Unauthenticated for an unknown,
        expired or ended session; a refresh token already replaced ends its session (it was copied)."""

        async def work(conn: AsyncConnection) -> tuple[str, str] | str:
            now = self.clock()
            row = (await conn.execute(sa.select(sessions).where(sessions.c.refresh_hash == refresh_hash)
                                      .with_for_update())).first()
            if row is None:
                replayed = (await conn.execute(sa.select(sessions.c.id).where(
                    sessions.c.previous_hash == refresh_hash, sessions.c.ended_at.is_(None)))).scalar()
                if replayed is None:
                    return "the session has ended or the refresh token is unknown; sign in again"
                await conn.execute(sa.update(sessions).where(sessions.c.id == replayed).values(ended_at=now))
                return "this refresh token was used already, so the session is ended; sign in again"
            if row.ended_at is not None:
                return "the session has ended; sign in again"
            if row.expires_at <= now:
                return "the session expired; sign in again"
            await conn.execute(sa.update(sessions).where(sessions.c.id == row.id).values(
                refresh_hash=new_hash, previous_hash=refresh_hash, expires_at=expires_at))
            return row.id, row.user_id

        # The replayed-token case ends the session and must commit, so the refusal is raised after it.
        outcome = await self._write(work)
        if isinstance(outcome, str):
            raise Unauthenticated(outcome)
        return outcome

    async def end_session(self, refresh_hash: str) -> str:
        """Sign out: the session of this refresh token ends; its id ("" for an unknown token)."""

        async def work(conn: AsyncConnection) -> str:
            ended = await conn.execute(sa.update(sessions).where(
                sessions.c.refresh_hash == refresh_hash, sessions.c.ended_at.is_(None))
                .values(ended_at=self.clock()).returning(sessions.c.id))
            return ended.scalar() or ""

        return await self._write(work)

    async def session_ended(self, session_id: str) -> bool:
        async def work(conn: AsyncConnection) -> bool:
            row = (await conn.execute(sa.select(sessions.c.ended_at, sessions.c.expires_at)
                                      .where(sessions.c.id == session_id))).first()
            return row is None or row.ended_at is not None or row.expires_at <= self.clock()

        return await self._read(work)

    # --- personal API tokens ---------------------------------------------------------------------------

    async def create_api_token(self, user_id: str, display_name: str, expires_at: datetime.datetime) -> ApiTokenRecord:
        record = ApiTokenRecord(secrets.token_hex(8), display_name, self.clock(), expires_at)

        async def work(conn: AsyncConnection) -> None:
            await conn.execute(self._insert(users).values(id=user_id, created_at=record.created_at)
                               .on_conflict_do_nothing())
            await conn.execute(sa.insert(api_tokens).values(
                id=record.id, user_id=user_id, display_name=display_name, created_at=record.created_at,
                expires_at=expires_at))

        await self._write(work)
        return record

    async def list_api_tokens(self, user_id: str) -> list[ApiTokenRecord]:
        async def work(conn: AsyncConnection) -> list[ApiTokenRecord]:
            query = (sa.select(api_tokens).where(api_tokens.c.user_id == user_id, api_tokens.c.revoked_at.is_(None),
                                                 api_tokens.c.expires_at > self.clock())
                     .order_by(api_tokens.c.created_at.desc(), api_tokens.c.id))
            return [ApiTokenRecord(r.id, r.display_name, r.created_at, r.expires_at)
                    for r in (await conn.execute(query)).all()]

        return await self._read(work)

    async def revoke_api_token(self, user_id: str, token_id: str) -> None:
        """NotFound for a token that is not the user's, or is revoked already."""

        async def work(conn: AsyncConnection) -> int:
            done = await conn.execute(sa.update(api_tokens).where(
                api_tokens.c.id == token_id, api_tokens.c.user_id == user_id, api_tokens.c.revoked_at.is_(None))
                .values(revoked_at=self.clock()))
            return done.rowcount

        if not await self._write(work):
            raise NotFound(f"no personal API token account/tokens/{token_id}")

    async def api_token_revoked(self, token_id: str) -> bool:
        async def work(conn: AsyncConnection) -> bool:
            row = (await conn.execute(sa.select(api_tokens.c.revoked_at).where(api_tokens.c.id == token_id))).first()
            return row is None or row.revoked_at is not None

        return await self._read(work)

    # --- the ledger ------------------------------------------------------------------------------------

    async def ledger_page(self, user_id: str, size: int, before_id: int | None) -> tuple[list[LedgerRecord], bool]:
        """Up to `size` entries, newest first, older than entry `before_id`; and whether more follow."""

        async def work(conn: AsyncConnection) -> tuple[list[LedgerRecord], bool]:
            query = sa.select(ledger).where(ledger.c.user_id == user_id)
            if before_id is not None:
                query = query.where(ledger.c.id < before_id)
            rows = (await conn.execute(query.order_by(ledger.c.id.desc()).limit(size + 1))).all()
            return [LedgerRecord(r.id, r.film_id or "", r.reason, r.delta_s, r.balance_s, r.description, r.created_at)
                    for r in rows[:size]], len(rows) > size

        return await self._read(work)
