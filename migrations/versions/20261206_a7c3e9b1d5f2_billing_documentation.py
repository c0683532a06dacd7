"""billing documentation: recovery plans, signed and billable sessions, billing settings

- recovery_plans (+ recovery_plan_goals, recovery_plan_steps): an episode's recovery plan in
  numbered versions; signed by client and coach, a version is frozen.
- sessions: start and end time, place of service, billable, group size, the coach's signature
  (with credential) and a supervisor's co-signature; session_addenda: dated corrections.
- billing_settings: a program's payer, code, modifiers, unit rule and caps from a date on.
- clients: payer, member id (encrypted), diagnosis code; users: credential; the billing role.

Revision ID: a7c3e9b1d5f2
Revises: d4b8f2c6a0e3
Create Date: 2026-12-06 13:06:49.170337

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a7c3e9b1d5f2"
down_revision = "d4b8f2c6a0e3"
branch_labels = None
depends_on = None

ROLES = "role IN ('coach', 'supervisor', 'program_manager', 'admin')"
ROLES_WITH_BILLING = "role IN ('coach', 'supervisor', 'program_manager', 'billing', 'admin')"


def upgrade():
    op.create_table(
        "billing_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("payer", sa.String(length=200), nullable=False),
        sa.Column("code", sa.String(length=10), nullable=False),
        sa.Column("group_modifier", sa.String(length=2), nullable=True),
        sa.Column("telehealth_modifier", sa.String(length=2), nullable=True),
        sa.Column("unit_minutes", sa.Integer(), nullable=False),
        sa.Column("first_unit_minutes", sa.Integer(), nullable=False),
        sa.Column("next_unit_minutes", sa.Integer(), nullable=False),
        sa.Column("daily_cap_units", sa.Integer(), nullable=True),
        sa.Column("monthly_cap_units", sa.Integer(), nullable=True),
        sa.Column("cosign_required", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "daily_cap_units IS NULL OR daily_cap_units >= 1",
            name=op.f("ck_billing_settings_daily_cap_units_range"),
        ),
        sa.CheckConstraint(
            "first_unit_minutes >= 1 AND first_unit_minutes <= unit_minutes",
            name=op.f("ck_billing_settings_first_unit_minutes_range"),
        ),
        sa.CheckConstraint(
            "monthly_cap_units IS NULL OR monthly_cap_units >= 1",
            name=op.f("ck_billing_settings_monthly_cap_units_range"),
        ),
        sa.CheckConstraint(
            "next_unit_minutes >= 1 AND next_unit_minutes <= unit_minutes",
            name=op.f("ck_billing_settings_next_unit_minutes_range"),
        ),
        sa.CheckConstraint(
            "unit_minutes >= 1 AND unit_minutes <= 240",
            name=op.f("ck_billing_settings_unit_minutes_range"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_billing_settings_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["program_id"], ["programs.id"], name=op.f("fk_billing_settings_program_id_programs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_settings")),
        sa.UniqueConstraint("program_id", "effective_from", name="program_effective_from"),
    )
    with op.batch_alter_table("billing_settings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_billing_settings_created_by_id"), ["created_by_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_billing_settings_program_id"), ["program_id"], unique=False
        )

    op.create_table(
        "recovery_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("enrollment_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("strengths", sa.Text(), nullable=True),
        sa.Column("barriers", sa.Text(), nullable=True),
        sa.Column("supports", sa.Text(), nullable=True),
        sa.Column("review_on", sa.Date(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("signed_by_client_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("client_signature_method", sa.String(length=10), nullable=True),
        sa.Column("client_signature_name", sa.Text(), nullable=True),
        sa.Column("client_signature_image", sa.Text(), nullable=True),
        sa.Column("signed_by_coach_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("coach_signer_id", sa.Integer(), nullable=True),
        sa.Column("coach_signature_method", sa.String(length=10), nullable=True),
        sa.Column("coach_signature_name", sa.Text(), nullable=True),
        sa.Column("coach_signature_image", sa.Text(), nullable=True),
        sa.Column("coach_credential", sa.String(length=100), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "client_signature_method IS NULL OR client_signature_method IN ('drawn', 'typed')",
            name=op.f("ck_recovery_plans_client_signature_method_valid"),
        ),
        sa.CheckConstraint(
            "coach_signature_method IS NULL OR coach_signature_method IN ('drawn', 'typed')",
            name=op.f("ck_recovery_plans_coach_signature_method_valid"),
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'signed', 'superseded')",
            name=op.f("ck_recovery_plans_status_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name=op.f("fk_recovery_plans_client_id_clients")
        ),
        sa.ForeignKeyConstraint(
            ["coach_signer_id"], ["users.id"], name=op.f("fk_recovery_plans_coach_signer_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_recovery_plans_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollments.id"],
            name=op.f("fk_recovery_plans_enrollment_id_enrollments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_plans")),
        sa.UniqueConstraint("enrollment_id", "number", name="enrollment_number"),
    )
    with op.batch_alter_table("recovery_plans", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recovery_plans_client_id"), ["client_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_recovery_plans_coach_signer_id"), ["coach_signer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_recovery_plans_created_by_id"), ["created_by_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_recovery_plans_enrollment_id"), ["enrollment_id"], unique=False
        )

    op.create_table(
        "session_addenda",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_session_addenda_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], name=op.f("fk_session_addenda_session_id_sessions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_addenda")),
    )
    with op.batch_alter_table("session_addenda", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_session_addenda_author_id"), ["author_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_session_addenda_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "recovery_plan_goals",
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["goal_id"], ["goals.id"], name=op.f("fk_recovery_plan_goals_goal_id_goals")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["recovery_plans.id"],
            name=op.f("fk_recovery_plan_goals_plan_id_recovery_plans"),
        ),
        sa.PrimaryKeyConstraint("plan_id", "goal_id", name=op.f("pk_recovery_plan_goals")),
    )
    with op.batch_alter_table("recovery_plan_goals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recovery_plan_goals_goal_id"), ["goal_id"], unique=False
        )

    op.create_table(
        "recovery_plan_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("who", sa.String(length=200), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["recovery_plans.id"],
            name=op.f("fk_recovery_plan_steps_plan_id_recovery_plans"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_plan_steps")),
    )
    with op.batch_alter_table("recovery_plan_steps", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recovery_plan_steps_plan_id"), ["plan_id"], unique=False
        )

    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.add_column(sa.Column("payer", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("member_id", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("diagnosis_code", sa.String(length=10), nullable=True))

    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("start_time", sa.Time(), nullable=True))
        batch_op.add_column(sa.Column("end_time", sa.Time(), nullable=True))
        batch_op.add_column(sa.Column("place_of_service", sa.String(length=2), nullable=True))
        batch_op.add_column(
            sa.Column("billable", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("group_size", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("signed_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("signed_credential", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("cosigned_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("cosigned_by_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_sessions_cosigned_by_id"), ["cosigned_by_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_sessions_signed_by_id"), ["signed_by_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_sessions_cosigned_by_id_users"), "users", ["cosigned_by_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_sessions_signed_by_id_users"), "users", ["signed_by_id"], ["id"]
        )

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("credential", sa.String(length=100), nullable=True))
        batch_op.drop_constraint(batch_op.f("ck_users_role_valid"), type_="check")
        batch_op.create_check_constraint("role_valid", ROLES_WITH_BILLING)


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("credential")
        batch_op.drop_constraint(batch_op.f("ck_users_role_valid"), type_="check")
        batch_op.create_check_constraint("role_valid", ROLES)

    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_sessions_signed_by_id_users"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_sessions_cosigned_by_id_users"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_sessions_signed_by_id"))
        batch_op.drop_index(batch_op.f("ix_sessions_cosigned_by_id"))
        batch_op.drop_column("cosigned_by_id")
        batch_op.drop_column("cosigned_at")
        batch_op.drop_column("signed_credential")
        batch_op.drop_column("signed_by_id")
        batch_op.drop_column("signed_at")
        batch_op.drop_column("group_size")
        batch_op.drop_column("billable")
        batch_op.drop_column("place_of_service")
        batch_op.drop_column("end_time")
        batch_op.drop_column("start_time")

    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.drop_column("diagnosis_code")
        batch_op.drop_column("member_id")
        batch_op.drop_column("payer")

    with op.batch_alter_table("recovery_plan_steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recovery_plan_steps_plan_id"))

    op.drop_table("recovery_plan_steps")
    with op.batch_alter_table("recovery_plan_goals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recovery_plan_goals_goal_id"))

    op.drop_table("recovery_plan_goals")
    with op.batch_alter_table("session_addenda", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_session_addenda_session_id"))
        batch_op.drop_index(batch_op.f("ix_session_addenda_author_id"))

    op.drop_table("session_addenda")
    with op.batch_alter_table("recovery_plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recovery_plans_enrollment_id"))
        batch_op.drop_index(batch_op.f("ix_recovery_plans_created_by_id"))
        batch_op.drop_index(batch_op.f("ix_recovery_plans_coach_signer_id"))
        batch_op.drop_index(batch_op.f("ix_recovery_plans_client_id"))

    op.drop_table("recovery_plans")
    with op.batch_alter_table("billing_settings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_billing_settings_program_id"))
        batch_op.drop_index(batch_op.f("ix_billing_settings_created_by_id"))

    op.drop_table("billing_settings")
