"""assignment history and calendar subscription tokens

- client_assignments: who held a client from when to when (metrics.md, "Credit to coaches"),
  with a reassignment's reason and encrypted hand-off note. Rows are written by reassignments;
  a client without rows has been with their current coach since intake.
- calendar_feed_tokens: a user's secret calendar subscription address, stored as a SHA-256.

Revision ID: b8d2f6a3c0e4
Revises: f1b2c3d4e5a6
Create Date: 2026-12-06 04:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b8d2f6a3c0e4"
down_revision = "f1b2c3d4e5a6"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "client_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("coach_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("handoff_note", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "ends_on IS NULL OR ends_on >= starts_on",
            name=op.f("ck_client_assignments_dates_ordered"),
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name=op.f("fk_client_assignments_client_id_clients")
        ),
        sa.ForeignKeyConstraint(
            ["coach_id"], ["users.id"], name=op.f("fk_client_assignments_coach_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_client_assignments_created_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_assignments")),
    )
    with op.batch_alter_table("client_assignments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_client_assignments_client_id"), ["client_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_client_assignments_coach_id"), ["coach_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_client_assignments_created_by_id"), ["created_by_id"], unique=False
        )
        batch_op.create_index(
            "ix_client_assignments_client_starts", ["client_id", "starts_on"], unique=False
        )

    op.create_table(
        "calendar_feed_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_calendar_feed_tokens_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_feed_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_calendar_feed_tokens_token_hash")),
    )
    with op.batch_alter_table("calendar_feed_tokens", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_calendar_feed_tokens_user_id"), ["user_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("calendar_feed_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calendar_feed_tokens_user_id"))
    op.drop_table("calendar_feed_tokens")
    with op.batch_alter_table("client_assignments", schema=None) as batch_op:
        batch_op.drop_index("ix_client_assignments_client_starts")
        batch_op.drop_index(batch_op.f("ix_client_assignments_created_by_id"))
        batch_op.drop_index(batch_op.f("ix_client_assignments_coach_id"))
        batch_op.drop_index(batch_op.f("ix_client_assignments_client_id"))
    op.drop_table("client_assignments")
