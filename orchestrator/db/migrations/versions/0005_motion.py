"""shots.motion_key: the shot's moving picture in the object store — its animatic rig or its generated
clip (Shot.motion) — beside its still.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("shots", sa.Column("motion_key", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("shots", "motion_key")
