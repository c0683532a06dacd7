"""report rollups

- report_client_months: per client, calendar month and assignment span, the counts of the
  client's sessions and appointments dated in the month (kept in the transaction of each change,
  coachapp/reports/upkeep.py);
- report_coach_months: their sums per program, coach and month over clients that count;
- report_episodes: per enrollment episode, its intake, the coach holding the client that day,
  its first completed session and whether it was retained at 30, 60 and 90 days;
- report_rollup_status: a database that already has sessions or appointments gets its rollups
  from ``flask reports rebuild``; until then reports are computed from the records.

Revision ID: c3d7f1a9e5b2
Revises: b5e9d3a7c1f2
Create Date: 2026-12-06 10:30:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "c3d7f1a9e5b2"
down_revision = "b5e9d3a7c1f2"
branch_labels = None
depends_on = None


def _counts():
    return [
        sa.Column("sessions_completed", sa.Integer(), nullable=False),
        sa.Column("sessions_attempted", sa.Integer(), nullable=False),
        sa.Column("minutes_completed", sa.Integer(), nullable=False),
        sa.Column("appointments_total", sa.Integer(), nullable=False),
        sa.Column("appointments_attended", sa.Integer(), nullable=False),
        sa.Column("appointments_no_show", sa.Integer(), nullable=False),
        sa.Column("appointments_cancelled", sa.Integer(), nullable=False),
        sa.Column("appointments_rescheduled", sa.Integer(), nullable=False),
        sa.Column("appointments_pending", sa.Integer(), nullable=False),
        sa.Column("appointments_accompanied", sa.Integer(), nullable=False),
        sa.Column("appointments_rated", sa.Integer(), nullable=False),
        sa.Column("appointments_no_show_planned", sa.Integer(), nullable=False),
        sa.Column("appointments_rated_planned", sa.Integer(), nullable=False),
        sa.Column("appointments_no_show_unplanned", sa.Integer(), nullable=False),
        sa.Column("appointments_rated_unplanned", sa.Integer(), nullable=False),
    ]


def upgrade():
    op.create_table(
        "report_client_months",
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("span_lo", sa.Date(), nullable=False),
        sa.Column("coach_id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("counted", sa.Boolean(), nullable=False),
        *_counts(),
        sa.PrimaryKeyConstraint(
            "client_id", "month", "span_lo", "coach_id", name=op.f("pk_report_client_months")
        ),
    )
    op.create_index("ix_report_client_months_month", "report_client_months", ["month", "client_id"])
    op.create_table(
        "report_coach_months",
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("coach_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        *_counts(),
        sa.PrimaryKeyConstraint(
            "program_id", "coach_id", "month", name=op.f("pk_report_coach_months")
        ),
    )
    op.create_table(
        "report_episodes",
        sa.Column("enrollment_id", sa.Integer(), nullable=False),
        sa.Column("span_lo", sa.Date(), nullable=False),
        sa.Column("coach_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("counted", sa.Boolean(), nullable=False),
        sa.Column("intake_date", sa.Date(), nullable=False),
        sa.Column("first_contact", sa.Date(), nullable=True),
        sa.Column("retained_30", sa.Boolean(), nullable=False),
        sa.Column("retained_60", sa.Boolean(), nullable=False),
        sa.Column("retained_90", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint(
            "enrollment_id", "span_lo", "coach_id", name=op.f("pk_report_episodes")
        ),
    )
    op.create_index(
        op.f("ix_report_episodes_client_id"), "report_episodes", ["client_id"], unique=False
    )
    op.create_index(
        "ix_report_episodes_program_intake", "report_episodes", ["program_id", "intake_date"]
    )
    op.create_table(
        "report_rollup_status",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("needs_rebuild", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_rollup_status")),
    )
    connection = op.get_bind()
    has_records = connection.execute(
        sa.text("SELECT EXISTS (SELECT 1 FROM sessions) OR EXISTS (SELECT 1 FROM appointments)")
    ).scalar()
    if has_records:
        status = sa.table(
            "report_rollup_status",
            sa.column("id", sa.Integer),
            sa.column("needs_rebuild", sa.Boolean),
        )
        op.bulk_insert(status, [{"id": 1, "needs_rebuild": True}])


def downgrade():
    op.drop_table("report_rollup_status")
    op.drop_index("ix_report_episodes_program_intake", table_name="report_episodes")
    op.drop_index(op.f("ix_report_episodes_client_id"), table_name="report_episodes")
    op.drop_table("report_episodes")
    op.drop_table("report_coach_months")
    op.drop_index("ix_report_client_months_month", table_name="report_client_months")
    op.drop_table("report_client_months")
