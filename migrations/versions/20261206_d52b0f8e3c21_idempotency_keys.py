"""idempotency keys of the API

- idempotency_keys: one row per (user, Idempotency-Key) of a POST whose change was committed,
  saved in the same transaction with the response (encrypted) that a retry gets again; kept
  24 hours (coachapp/api/idempotency.py).

Revision ID: d52b0f8e3c21
Revises: c41a9e7d2b10
Create Date: 2026-12-06 02:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d52b0f8e3c21"
down_revision = "c41a9e7d2b10"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "idempotency_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key_digest", sa.String(length=64), nullable=False),
        sa.Column("request_digest", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("response_body", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_idempotency_keys_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_keys")),
        sa.UniqueConstraint("user_id", "key_digest", name=op.f("uq_idempotency_keys_user_id")),
    )


def downgrade():
    op.drop_table("idempotency_keys")
