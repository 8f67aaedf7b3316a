"""films.public_id: the id in a film's resource name (films/{film}), unique per owner rather than
across owners, so that one user's film ids say nothing about another's. A film made with a film_id of
its caller's choosing gets a generated internal id (films.id: its rows, events and stored files); one
with a generated id has the same in both. Existing films keep their id as their public id.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("films", sa.Column("public_id", sa.String(63), nullable=True))
    op.execute("UPDATE films SET public_id = id")
    op.create_index("ix_films_owner_public_id", "films", ["owner", "public_id"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_films_owner_public_id", table_name="films")
    op.drop_column("films", "public_id")
