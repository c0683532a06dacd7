"""failed sign-ins, counted in the database

- login_failures: one row per failed sign-in, keyed by the SHA-256 of the email (never the
  address), so that the lockout holds across every gunicorn worker and app server, with or
  without Redis. The (key, failed_at) index answers "failures of this email in the window".

Revision ID: c41a9e7d2b10
Revises: 7b3e2f91a4c5
Create Date: 2026-12-06 01:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c41a9e7d2b10"
down_revision = "7b3e2f91a4c5"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.create_index(
            "ix_login_failures_key_failed_at", ["key", "failed_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.drop_index("ix_login_failures_key_failed_at")
    op.drop_table("login_failures")
