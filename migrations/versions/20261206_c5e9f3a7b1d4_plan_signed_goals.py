"""plan signed goals: a signed plan version keeps its goals' descriptions as signed

- recovery_plans.signed_goals: the goals' descriptions when both signed the version (JSON,
  encrypted like notes); a goal edited later leaves the signed version as it was.

Revision ID: c5e9f3a7b1d4
Revises: b4d8e2f6a913
Create Date: 2026-12-06 14:50:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c5e9f3a7b1d4"
down_revision = "b4d8e2f6a913"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("recovery_plans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("signed_goals", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("recovery_plans", schema=None) as batch_op:
        batch_op.drop_column("signed_goals")
