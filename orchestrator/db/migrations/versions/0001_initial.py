"""Users, films, shots, assets, film_assets and events.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

# Migrations are frozen history: they spell types out rather than import them from schema.py.
TIMESTAMP = sa.DateTime(timezone=True)

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.String(128), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
    )
    op.create_table(
        "films",
        sa.Column("id", sa.String(63), nullable=False),
        sa.Column("owner", sa.String(128), nullable=False),
        sa.Column("request_id", sa.String(128), nullable=True),
        sa.Column("display_name", sa.Text(), nullable=False, server_default=""),
        sa.Column("state", sa.SmallInteger(), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False, server_default="0"),
        sa.Column("script", sa.Text(), nullable=False),
        sa.Column("settings", sa.LargeBinary(), nullable=False),
        sa.Column("scene_graph", sa.LargeBinary(), nullable=True),
        sa.Column("outputs", sa.LargeBinary(), nullable=True),
        sa.Column("error_code", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("error_message", sa.Text(), nullable=False, server_default=""),
        sa.Column("cancel_requested", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("not_before", TIMESTAMP, nullable=True),
        sa.Column("lease_owner", sa.String(128), nullable=True),
        sa.Column("lease_expires_at", TIMESTAMP, nullable=True),
        sa.Column("seconds", sa.Float(), nullable=False, server_default="0"),
        sa.Column("last_sequence", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_films"),
        sa.ForeignKeyConstraint(["owner"], ["users.id"], name="fk_films_owner_users"),
        sa.UniqueConstraint("owner", "request_id", name="uq_films_owner_request_id"),
    )
    op.create_index("ix_films_owner_created_at_id", "films", ["owner", "created_at", "id"])
    op.create_index("ix_films_state_not_before", "films", ["state", "not_before"])
    op.create_table(
        "shots",
        sa.Column("film_id", sa.String(63), nullable=False),
        sa.Column("shot_id", sa.String(128), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("state", sa.SmallInteger(), nullable=False),
        sa.Column("take", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("seed_override", sa.BigInteger(), nullable=True),
        sa.Column("prompt_override", sa.Text(), nullable=True),
        sa.Column("image_key", sa.Text(), nullable=True),
        sa.Column("audio_key", sa.Text(), nullable=True),
        sa.Column("cached", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("error", sa.Text(), nullable=False, server_default=""),
        sa.Column("lease_owner", sa.String(128), nullable=True),
        sa.Column("lease_expires_at", TIMESTAMP, nullable=True),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("film_id", "shot_id", name="pk_shots"),
        sa.ForeignKeyConstraint(["film_id"], ["films.id"], name="fk_shots_film_id_films", ondelete="CASCADE"),
    )
    op.create_table(
        "assets",
        sa.Column("key", sa.String(512), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("model", sa.String(128), nullable=False),
        sa.Column("model_version", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_assets"),
    )
    op.create_table(
        "film_assets",
        sa.Column("film_id", sa.String(63), nullable=False),
        sa.Column("asset_key", sa.String(512), nullable=False),
        sa.PrimaryKeyConstraint("film_id", "asset_key", name="pk_film_assets"),
        sa.ForeignKeyConstraint(
            ["film_id"], ["films.id"], name="fk_film_assets_film_id_films", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["asset_key"], ["assets.key"], name="fk_film_assets_asset_key_assets"),
    )
    op.create_index("ix_film_assets_asset_key", "film_assets", ["asset_key"])
    op.create_table(
        "events",
        sa.Column("film_id", sa.String(63), nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("film_id", "sequence", name="pk_events"),
        sa.ForeignKeyConstraint(["film_id"], ["films.id"], name="fk_events_film_id_films", ondelete="CASCADE"),
    )


def downgrade() -> None:
    for table in ("events", "film_assets", "assets", "shots", "films", "users"):
        op.drop_table(table)
