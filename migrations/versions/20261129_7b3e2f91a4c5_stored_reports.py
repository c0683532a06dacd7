"""stored reports and the monthly change counts that keep them exact

- report_changes: one row per calendar month, counting committed changes to what reports read
  whose earliest date falls in it (1900-01-01: changes that touch every period);
- stored_reports: a computed report (JSON figures, no client data) with the counts it was
  computed under; served again while they are unchanged (coachapp/reports/store.py).

Revision ID: 7b3e2f91a4c5
Revises: d650bc585194
Create Date: 2026-11-29 11:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "7b3e2f91a4c5"
down_revision = "d650bc585194"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "report_changes",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("changes", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("month", name=op.f("pk_report_changes")),
    )
    op.create_table(
        "stored_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope_key", sa.String(length=80), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.Column("definitions", sa.String(length=40), nullable=False),
        sa.Column("changes_token", sa.String(length=40), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stored_reports")),
        sa.UniqueConstraint("scope_key", "start", "end", "definitions", name="report_key"),
    )


def downgrade():
    op.drop_table("stored_reports")
    op.drop_table("report_changes")
