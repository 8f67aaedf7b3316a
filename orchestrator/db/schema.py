"""The tables, as SQLAlchemy Core metadata. Migrations create them; queries are written against them.

A film's protobuf parts (settings, scene graph, outputs) and every event are stored as serialized
messages: the proto is the schema for those, so adding a proto field never needs a migration.
"""

from __future__ import annotations

import datetime

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on both backends.

    SQLite has no timezone type: values are stored as naive UTC text (which sorts and compares
    correctly) and come back tagged UTC; PostgreSQL uses timestamptz.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime.datetime | None, dialect) -> datetime.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the database stores UTC-aware times only")
        value = value.astimezone(datetime.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime.datetime | None, dialect) -> datetime.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=datetime.UTC)
        return value.astimezone(datetime.UTC)


metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# Everyone who owns films: accounts signed up with a password or through OpenID Connect, and the
# subjects of development tokens (made on their first film, with neither email nor password).
users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.String(128), primary_key=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("email", sa.String(320), nullable=True),  # lower case
    sa.Column("password_hash", sa.Text(), nullable=True),  # argon2id, with its parameters
    sa.Column("display_name", sa.Text(), nullable=False, server_default=""),
    sa.Column("oidc_issuer", sa.String(512), nullable=True),
    sa.Column("oidc_subject", sa.String(255), nullable=True),
    # Failed password sign-ins in a row; at the limit the account is locked until locked_until.
    sa.Column("failed_sign_ins", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("locked_until", UTCDateTime(), nullable=True),
    # Seconds of film the user can still make, and the month ("2026-12") of their last monthly grant.
    sa.Column("balance_s", sa.Float(), nullable=False, server_default="0"),
    sa.Column("grant_month", sa.String(7), nullable=True),
    # Unique indexes rather than constraints: SQLite can add an index to a table, not a constraint.
    sa.Index(None, "email", unique=True),
    sa.Index(None, "oidc_issuer", "oidc_subject", unique=True),
)

# Signed-in sessions: the hash of the current refresh token (and of the one before it, to tell a
# stolen one replayed) and when the session ends.
sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("user_id", sa.String(128), sa.ForeignKey("users.id"), nullable=False),
    sa.Column("refresh_hash", sa.String(64), nullable=False, unique=True),  # sha256 hex
    sa.Column("previous_hash", sa.String(64), nullable=True, unique=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("expires_at", UTCDateTime(), nullable=False),
    sa.Column("ended_at", UTCDateTime(), nullable=True),  # signed out, or a replayed refresh token
    sa.Index(None, "user_id"),
)

# Personal API tokens: only their ids are stored (the token is a signed JWT naming its id).
api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("user_id", sa.String(128), sa.ForeignKey("users.id"), nullable=False),
    sa.Column("display_name", sa.Text(), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("expires_at", UTCDateTime(), nullable=False),
    sa.Column("revoked_at", UTCDateTime(), nullable=True),
    sa.Index(None, "user_id"),
)

# Every change to a user's balance, with the balance after it. film_id has no foreign key: the
# history outlives a purged film.
ledger = sa.Table(
    "ledger",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("user_id", sa.String(128), sa.ForeignKey("users.id"), nullable=False),
    sa.Column("film_id", sa.String(63), nullable=True),
    sa.Column("reason", sa.SmallInteger(), nullable=False),  # LedgerReason
    sa.Column("delta_s", sa.Float(), nullable=False),
    sa.Column("balance_s", sa.Float(), nullable=False),
    sa.Column("description", sa.Text(), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Index(None, "user_id", "id"),
)

films = sa.Table(
    "films",
    metadata,
    sa.Column("id", sa.String(63), primary_key=True),
    sa.Column("owner", sa.String(128), sa.ForeignKey("users.id"), nullable=False),
    # The id in the film's resource name, unique per owner (0006); films.id is the internal one, the same
    # string unless the caller chose the film's id.
    sa.Column("public_id", sa.String(63), nullable=True),
    # NULL when the caller gave no idempotency key; NULLs never collide in the unique constraint.
    sa.Column("request_id", sa.String(128), nullable=True),
    sa.Column("display_name", sa.Text(), nullable=False, server_default=""),
    sa.Column("state", sa.SmallInteger(), nullable=False),
    sa.Column("progress", sa.Float(), nullable=False, server_default="0"),
    sa.Column("script", sa.Text(), nullable=False),
    sa.Column("settings", sa.LargeBinary(), nullable=False),  # FilmSettings
    sa.Column("scene_graph", sa.LargeBinary(), nullable=True),  # SceneGraph
    sa.Column("outputs", sa.LargeBinary(), nullable=True),  # FilmOutputs
    sa.Column("error_code", sa.Integer(), nullable=False, server_default="0"),  # google.rpc.Code
    sa.Column("error_message", sa.Text(), nullable=False, server_default=""),
    sa.Column("cancel_requested", sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("not_before", UTCDateTime(), nullable=True),  # retry backoff: unclaimable until then
    sa.Column("lease_owner", sa.String(128), nullable=True),
    sa.Column("lease_expires_at", UTCDateTime(), nullable=True),
    # Running time charged to the owner's daily quota: the target at creation, the real one once cut.
    sa.Column("seconds", sa.Float(), nullable=False, server_default="0"),
    # The sequence of the film's newest event; appends bump it under the film's row lock.
    sa.Column("last_sequence", sa.BigInteger(), nullable=False, server_default="0"),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    # When DeleteFilm moved the film to its owner's trash; NULL for a film not in it. The sweeper
    # purges the film once this is older than the retention.
    sa.Column("deleted_at", UTCDateTime(), nullable=True),
    # Credit taken for the run in progress (the film, or shots sent back to render) and not yet settled:
    # kept when it succeeds, given back in part when it fails or is cancelled.
    sa.Column("credit_held_s", sa.Float(), nullable=False, server_default="0"),
    # The W3C traceparent of the CreateFilm call (0007): the film's job continues that trace. NULL: none.
    sa.Column("traceparent", sa.String(64), nullable=True),
    sa.UniqueConstraint("owner", "request_id"),
    sa.Index("ix_films_owner_public_id", "owner", "public_id", unique=True),
    sa.Index(None, "owner", "created_at", "id"),
    sa.Index(None, "state", "not_before"),
    sa.Index(None, "deleted_at"),
)

shots = sa.Table(
    "shots",
    metadata,
    sa.Column("film_id", sa.String(63), sa.ForeignKey("films.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("shot_id", sa.String(128), primary_key=True),
    sa.Column("position", sa.Integer(), nullable=False),
    sa.Column("state", sa.SmallInteger(), nullable=False),
    sa.Column("take", sa.Integer(), nullable=False, server_default="1"),
    sa.Column("seed_override", sa.BigInteger(), nullable=True),
    sa.Column("prompt_override", sa.Text(), nullable=True),
    sa.Column("image_key", sa.Text(), nullable=True),
    sa.Column("audio_key", sa.Text(), nullable=True),
    sa.Column("motion_key", sa.Text(), nullable=True),  # the rig or clip (0005)
    # JSON list of each line's true length in seconds, recorded when the shot is voiced.
    sa.Column("line_seconds", sa.Text(), nullable=True),
    sa.Column("cached", sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column("error", sa.Text(), nullable=False, server_default=""),
    sa.Column("lease_owner", sa.String(128), nullable=True),
    sa.Column("lease_expires_at", UTCDateTime(), nullable=True),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
)

assets = sa.Table(
    "assets",
    metadata,
    sa.Column("key", sa.String(512), primary_key=True),  # content-hash object key
    sa.Column("kind", sa.String(32), nullable=False),  # "image", "audio", ...
    sa.Column("model", sa.String(128), nullable=False),
    sa.Column("model_version", sa.String(64), nullable=False),
    sa.Column("size", sa.BigInteger(), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
)

# Which films use which assets: an asset no row points at is garbage.
film_assets = sa.Table(
    "film_assets",
    metadata,
    sa.Column("film_id", sa.String(63), sa.ForeignKey("films.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("asset_key", sa.String(512), sa.ForeignKey("assets.key"), primary_key=True),
    sa.Index(None, "asset_key"),
)

events = sa.Table(
    "events",
    metadata,
    sa.Column("film_id", sa.String(63), sa.ForeignKey("films.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("sequence", sa.BigInteger(), primary_key=True),
    sa.Column("payload", sa.LargeBinary(), nullable=False),  # FilmEvent
    sa.Column("created_at", UTCDateTime(), nullable=False),
)

# Endpoints a user has registered for webhooks (0008), with how their deliveries are going.
webhooks = sa.Table(
    "webhooks",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("owner", sa.String(128), sa.ForeignKey("users.id"), nullable=False),
    sa.Column("url", sa.Text(), nullable=False),
    sa.Column("secret", sa.String(64), nullable=False),  # "whsec_" + base64: signs every delivery
    sa.Column("event_types", sa.Text(), nullable=False),  # "film.succeeded,shot.failed"
    sa.Column("description", sa.Text(), nullable=False, server_default=""),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("consecutive_failures", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("last_attempt_at", UTCDateTime(), nullable=True),
    sa.Column("last_result", sa.Text(), nullable=False, server_default=""),
    sa.Index(None, "owner", "created_at"),
)

# The outbox: one row per event per endpoint, written in the transaction of the change it reports and
# sent by any replica's dispatcher (orchestrator.deliveries), which leases it while an attempt is out.
webhook_deliveries = sa.Table(
    "webhook_deliveries",
    metadata,
    sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("id", sa.String(40), nullable=False, unique=True),  # the webhook-id header: "msg_..."
    sa.Column("webhook_id", sa.String(32), sa.ForeignKey("webhooks.id", ondelete="CASCADE"), nullable=False),
    sa.Column("event_type", sa.SmallInteger(), nullable=False),  # WebhookEventType
    sa.Column("film", sa.String(80), nullable=False, server_default=""),  # "films/{film}" as its owner names it
    sa.Column("payload", sa.Text(), nullable=False),  # the JSON body, fixed when the event happened
    sa.Column("state", sa.SmallInteger(), nullable=False),  # WebhookDeliveryState
    sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("next_attempt_at", UTCDateTime(), nullable=True),  # while PENDING
    sa.Column("lease_owner", sa.String(128), nullable=True),
    sa.Column("lease_expires_at", UTCDateTime(), nullable=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("delivered_at", UTCDateTime(), nullable=True),
    sa.Index(None, "state", "next_attempt_at"),
    sa.Index(None, "webhook_id", "seq"),
)

# A delivery's last attempts. duration_s is NULL while the attempt is out, and stays so, with a result
# saying why, for one whose replica stopped before the receiver answered.
webhook_attempts = sa.Table(
    "webhook_attempts",
    metadata,
    sa.Column("delivery_seq", sa.Integer(), sa.ForeignKey("webhook_deliveries.seq", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("number", sa.Integer(), primary_key=True),
    sa.Column("started_at", UTCDateTime(), nullable=False),
    sa.Column("duration_s", sa.Float(), nullable=True),
    sa.Column("http_status", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("result", sa.Text(), nullable=False, server_default=""),
    sa.Column("delivered", sa.Boolean(), nullable=False, server_default=sa.false()),
)
