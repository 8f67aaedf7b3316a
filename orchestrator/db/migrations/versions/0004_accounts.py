"""Accounts: users gain sign-in (email and argon2id hash, or an OpenID Connect identity), a lockout and
a balance of credits; sessions, personal API tokens and the credit ledger get tables; a film records
the credit held for its run.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

# Migrations are frozen history: they spell types out rather than import them from schema.py.
TIMESTAMP = sa.DateTime(timezone=True)

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for column in (
        sa.Column("email", sa.String(320), nullable=True),
        sa.Column("password_hash", sa.Text(), nullable=True),
        sa.Column("display_name", sa.Text(), nullable=False, server_default=""),
        sa.Column("oidc_issuer", sa.String(512), nullable=True),
        sa.Column("oidc_subject", sa.String(255), nullable=True),
        sa.Column("failed_sign_ins", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("locked_until", TIMESTAMP, nullable=True),
        sa.Column("balance_s", sa.Float(), nullable=False, server_default="0"),
        sa.Column("grant_month", sa.String(7), nullable=True),
    ):
        op.add_column("users", column)
    # Unique indexes, not constraints: SQLite adds an index to a table in place, a constraint never.
    op.create_index("ix_users_email", "users", ["email"], unique=True)
    op.create_index("ix_users_oidc_issuer_oidc_subject", "users", ["oidc_issuer", "oidc_subject"], unique=True)
    op.create_table(
        "sessions",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("refresh_hash", sa.String(64), nullable=False),
        sa.Column("previous_hash", sa.String(64), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("expires_at", TIMESTAMP, nullable=False),
        sa.Column("ended_at", TIMESTAMP, nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_sessions_user_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_sessions"),
        sa.UniqueConstraint("refresh_hash", name="uq_sessions_refresh_hash"),
        sa.UniqueConstraint("previous_hash", name="uq_sessions_previous_hash"),
    )
    op.create_index("ix_sessions_user_id", "sessions", ["user_id"])
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("expires_at", TIMESTAMP, nullable=False),
        sa.Column("revoked_at", TIMESTAMP, nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_api_tokens_user_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_api_tokens"),
    )
    op.create_index("ix_api_tokens_user_id", "api_tokens", ["user_id"])
    op.create_table(
        "ledger",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("film_id", sa.String(63), nullable=True),
        sa.Column("reason", sa.SmallInteger(), nullable=False),
        sa.Column("delta_s", sa.Float(), nullable=False),
        sa.Column("balance_s", sa.Float(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_ledger_user_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_ledger"),
    )
    op.create_index("ix_ledger_user_id_id", "ledger", ["user_id", "id"])
    op.add_column("films", sa.Column("credit_held_s", sa.Float(), nullable=False, server_default="0"))


def downgrade() -> None:
    op.drop_column("films", "credit_held_s")
    op.drop_index("ix_ledger_user_id_id", table_name="ledger")
    op.drop_table("ledger")
    op.drop_index("ix_api_tokens_user_id", table_name="api_tokens")
    op.drop_table("api_tokens")
    op.drop_index("ix_sessions_user_id", table_name="sessions")
    op.drop_table("sessions")
    op.drop_index("ix_users_oidc_issuer_oidc_subject", table_name="users")
    op.drop_index("ix_users_email", table_name="users")
    for column in ("grant_month", "balance_s", "locked_until", "failed_sign_ins", "oidc_subject",
                   "oidc_issuer", "display_name", "password_hash", "email"):
        op.drop_column("users", column)
