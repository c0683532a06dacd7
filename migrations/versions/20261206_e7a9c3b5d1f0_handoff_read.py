"""hand-off read: when the receiving coach read a reassignment's hand-off note

Until then the note is one of the coach's tasks.

Revision ID: e7a9c3b5d1f0
Revises: d4f8b2c6e0a9
Create Date: 2026-12-06 05:50:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e7a9c3b5d1f0"
down_revision = "d4f8b2c6e0a9"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("client_assignments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("handoff_read_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("client_assignments", schema=None) as batch_op:
        batch_op.drop_column("handoff_read_at")
