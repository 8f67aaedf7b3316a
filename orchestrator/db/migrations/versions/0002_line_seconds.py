"""shots.line_seconds: each line's true length, recorded when the shot is voiced (the cut is timed
from it instead of reading every clip back).

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("shots", sa.Column("line_seconds", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("shots", "line_seconds")
