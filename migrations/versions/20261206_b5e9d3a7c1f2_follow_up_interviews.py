"""follow-up interviews (SAMHSA SUPRT)

- follow_up_interviews: that an enrollment episode's baseline, six-month or closeout interview
  was done, and when. The schedule (windows, states) is computed, not stored. Mistakes are
  archived with a reason; a partial unique index keeps one live row per (episode, kind), on
  SQLite and PostgreSQL alike.

Revision ID: b5e9d3a7c1f2
Revises: c8f2a6d4e0b3
Create Date: 2026-12-06 07:05:51.440484

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "b5e9d3a7c1f2"
down_revision = "c8f2a6d4e0b3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "follow_up_interviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("enrollment_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("archive_reason", sa.Text(), nullable=True),
        sa.Column("archived_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('baseline', 'six_month', 'closeout')",
            name=op.f("ck_follow_up_interviews_kind_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["archived_by_id"],
            ["users.id"],
            name=op.f("fk_follow_up_interviews_archived_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name=op.f("fk_follow_up_interviews_client_id_clients")
        ),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollments.id"],
            name=op.f("fk_follow_up_interviews_enrollment_id_enrollments"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_follow_up_interviews_recorded_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up_interviews")),
    )
    with op.batch_alter_table("follow_up_interviews", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_follow_up_interviews_archived_by_id"), ["archived_by_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_follow_up_interviews_client_id"), ["client_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_follow_up_interviews_enrollment_id"), ["enrollment_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_follow_up_interviews_recorded_by_id"), ["recorded_by_id"], unique=False
        )
        batch_op.create_index(
            "uq_follow_up_interviews_live",
            ["enrollment_id", "kind"],
            unique=True,
            sqlite_where=sa.text("archived_at IS NULL"),
            postgresql_where=sa.text("archived_at IS NULL"),
        )


def downgrade():
    with op.batch_alter_table("follow_up_interviews", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_follow_up_interviews_live",
            sqlite_where=sa.text("archived_at IS NULL"),
            postgresql_where=sa.text("archived_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_follow_up_interviews_recorded_by_id"))
        batch_op.drop_index(batch_op.f("ix_follow_up_interviews_enrollment_id"))
        batch_op.drop_index(batch_op.f("ix_follow_up_interviews_client_id"))
        batch_op.drop_index(batch_op.f("ix_follow_up_interviews_archived_by_id"))

    op.drop_table("follow_up_interviews")
