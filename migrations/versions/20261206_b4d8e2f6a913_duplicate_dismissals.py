"""duplicate dismissals: pairs of client records a supervisor said are not one person

- duplicate_dismissals: (first_id, second_id), first the lower id, unique; who and when. The
  duplicate finder (coachapp/merges) leaves these pairs out.

Revision ID: b4d8e2f6a913
Revises: a7c3e9b1d5f2
Create Date: 2026-12-06 14:20:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b4d8e2f6a913"
down_revision = "a7c3e9b1d5f2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "duplicate_dismissals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("first_id", sa.Integer(), nullable=False),
        sa.Column("second_id", sa.Integer(), nullable=False),
        sa.Column("dismissed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dismissed_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("first_id < second_id", name=op.f("ck_duplicate_dismissals_ordered")),
        sa.ForeignKeyConstraint(
            ["first_id"], ["clients.id"], name=op.f("fk_duplicate_dismissals_first_id_clients")
        ),
        sa.ForeignKeyConstraint(
            ["second_id"], ["clients.id"], name=op.f("fk_duplicate_dismissals_second_id_clients")
        ),
        sa.ForeignKeyConstraint(
            ["dismissed_by_id"],
            ["users.id"],
            name=op.f("fk_duplicate_dismissals_dismissed_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duplicate_dismissals")),
        sa.UniqueConstraint("first_id", "second_id", name=op.f("pair")),
    )
    with op.batch_alter_table("duplicate_dismissals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_duplicate_dismissals_first_id"), ["first_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_duplicate_dismissals_second_id"), ["second_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_duplicate_dismissals_dismissed_by_id"), ["dismissed_by_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("duplicate_dismissals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_duplicate_dismissals_dismissed_by_id"))
        batch_op.drop_index(batch_op.f("ix_duplicate_dismissals_second_id"))
        batch_op.drop_index(batch_op.f("ix_duplicate_dismissals_first_id"))
    op.drop_table("duplicate_dismissals")
