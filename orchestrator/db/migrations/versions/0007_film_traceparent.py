"""films.traceparent: the W3C trace context of the CreateFilm call that made the film, so the job's
spans, on whichever replica runs it, continue that call's trace.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("films", sa.Column("traceparent", sa.String(64), nullable=True))


def downgrade() -> None:
    op.drop_column("films", "traceparent")
