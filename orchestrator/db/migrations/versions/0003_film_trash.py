"""films.deleted_at: DeleteFilm moves a film to its owner's trash, and the sweeper purges it once the
retention has passed (indexed for the sweeper's scan).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

# Migrations are frozen history: they spell types out rather than import them from schema.py.
TIMESTAMP = sa.DateTime(timezone=True)

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("films", sa.Column("deleted_at", TIMESTAMP, nullable=True))
    op.create_index("ix_films_deleted_at", "films", ["deleted_at"])


def downgrade() -> None:
    op.drop_index("ix_films_deleted_at", table_name="films")
    op.drop_column("films", "deleted_at")
