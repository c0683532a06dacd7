"""initial schema: every table of product.md

Reviewed by hand: named constraints (naming convention), CHECKs on every enumeration and
range, an index on every foreign key and on the (client, date) / (coach, date) pairs the
reports filter on. Batch operations keep SQLite and PostgreSQL on the same script.

Revision ID: c069700fc118
Revises: 
Create Date: 2026-11-28 11:16:04.470954

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c069700fc118'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('organizations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=100), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('website', sa.String(length=300), nullable=True),
    sa.Column('last_verified_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organizations')),
    sa.UniqueConstraint('external_id', name=op.f('uq_organizations_external_id'))
    )
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organizations_name'), ['name'], unique=False)

    op.create_table('programs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('client_seq', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programs')),
    sa.UniqueConstraint('name', name=op.f('uq_programs_name'))
    )
    op.create_table('resources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=100), nullable=True),
    sa.Column('program_id', sa.Integer(), nullable=True),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('category', sa.String(length=30), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('website', sa.String(length=300), nullable=True),
    sa.Column('address', sa.Text(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('last_verified_on', sa.Date(), nullable=True),
    sa.Column('meeting_model', sa.String(length=20), nullable=True),
    sa.Column('meeting_format', sa.String(length=20), nullable=True),
    sa.Column('meeting_open', sa.Boolean(), nullable=True),
    sa.Column('meeting_day', sa.Integer(), nullable=True),
    sa.Column('meeting_time', sa.Time(), nullable=True),
    sa.Column('meeting_end_time', sa.Time(), nullable=True),
    sa.Column('meeting_schedule', sa.String(length=200), nullable=True),
    sa.Column('conference_url', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("category IN ('housing', 'employment', 'healthcare', 'mental_health', 'treatment', 'recovery_support', 'legal', 'benefits', 'food', 'transportation', 'education', 'other')", name=op.f('ck_resources_category_valid')),
    sa.CheckConstraint("meeting_format IS NULL OR meeting_format IN ('in_person', 'virtual', 'hybrid')", name=op.f('ck_resources_meeting_format_valid')),
    sa.CheckConstraint("meeting_model IS NULL OR meeting_model IN ('aa', 'na', 'smart_recovery', 'lifering', 'dual_recovery', 'family', 'other')", name=op.f('ck_resources_meeting_model_valid')),
    sa.CheckConstraint('meeting_day IS NULL OR (meeting_day >= 0 AND meeting_day <= 6)', name=op.f('ck_resources_meeting_day_range')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_resources_organization_id_organizations')),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_resources_program_id_programs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resources')),
    sa.UniqueConstraint('external_id', name=op.f('uq_resources_external_id'))
    )
    with op.batch_alter_table('resources', schema=None) as batch_op:
        batch_op.create_index('ix_resources_category_active', ['category', 'active'], unique=False)
        batch_op.create_index(batch_op.f('ix_resources_name'), ['name'], unique=False)
        batch_op.create_index(batch_op.f('ix_resources_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_resources_program_id'), ['program_id'], unique=False)

    op.create_table('teams',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_teams_program_id_programs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_teams')),
    sa.UniqueConstraint('program_id', 'name', name='program_name')
    )
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_teams_program_id'), ['program_id'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('supervisor_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('session_version', sa.Integer(), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('coach', 'supervisor', 'program_manager', 'admin')", name=op.f('ck_users_role_valid')),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_users_program_id_programs')),
    sa.ForeignKeyConstraint(['supervisor_id'], ['users.id'], name=op.f('fk_users_supervisor_id_users')),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_users_team_id_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_program_id'), ['program_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_users_supervisor_id'), ['supervisor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_users_team_id'), ['team_id'], unique=False)

    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('entity_type', sa.String(length=40), nullable=True),
    sa.Column('entity_id', sa.Integer(), nullable=True),
    sa.Column('client_id', sa.Integer(), nullable=True),
    sa.Column('program_id', sa.Integer(), nullable=True),
    sa.Column('ip_address', sa.String(length=45), nullable=True),
    sa.Column('fields', sa.String(length=1000), nullable=True),
    sa.Column('detail', sa.String(length=500), nullable=True),
    sa.CheckConstraint("action IN ('view', 'create', 'update', 'archive', 'restore', 'export', 'login', 'login_failed', 'logout', 'break_glass', 'access_denied')", name=op.f('ck_audit_events_action_valid')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_audit_events_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index('ix_audit_events_client_occurred', ['client_id', 'occurred_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_occurred_at'), ['occurred_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_program_id'), ['program_id'], unique=False)
        batch_op.create_index('ix_audit_events_user_occurred', ['user_id', 'occurred_at'], unique=False)

    op.create_table('clients',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('first_name', sa.String(length=100), nullable=False),
    sa.Column('last_name', sa.String(length=100), nullable=False),
    sa.Column('preferred_name', sa.String(length=100), nullable=True),
    sa.Column('name_key', sa.String(length=200), nullable=False),
    sa.Column('date_of_birth', sa.Date(), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('address', sa.Text(), nullable=True),
    sa.Column('okay_to_call', sa.Boolean(), nullable=False),
    sa.Column('okay_to_text', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('coach_id', sa.Integer(), nullable=False),
    sa.Column('consent_on_file', sa.Boolean(), nullable=False),
    sa.Column('consent_date', sa.Date(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('support_person', sa.String(length=20), nullable=True),
    sa.Column('support_person_since', sa.Date(), nullable=True),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('archive_reason', sa.Text(), nullable=True),
    sa.Column('archived_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('active', 'inactive', 'discharged')", name=op.f('ck_clients_status_valid')),
    sa.CheckConstraint("support_person IS NULL OR support_person IN ('sponsor', 'mentor')", name=op.f('ck_clients_support_person_valid')),
    sa.ForeignKeyConstraint(['archived_by_id'], ['users.id'], name=op.f('fk_clients_archived_by_id_users')),
    sa.ForeignKeyConstraint(['coach_id'], ['users.id'], name=op.f('fk_clients_coach_id_users')),
    sa.ForeignKeyConstraint(['merged_into_id'], ['clients.id'], name=op.f('fk_clients_merged_into_id_clients')),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_clients_program_id_programs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clients')),
    sa.UniqueConstraint('program_id', 'code', name='program_code')
    )
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clients_archived_by_id'), ['archived_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_clients_coach_id'), ['coach_id'], unique=False)
        batch_op.create_index('ix_clients_coach_status', ['coach_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_clients_merged_into_id'), ['merged_into_id'], unique=False)
        batch_op.create_index('ix_clients_name_key_dob', ['name_key', 'date_of_birth'], unique=False)
        batch_op.create_index(batch_op.f('ix_clients_program_id'), ['program_id'], unique=False)

    op.create_table('supervision_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('supervisor_id', sa.Integer(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('format', sa.String(length=20), nullable=False),
    sa.Column('topics', sa.Text(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('action_items', sa.Text(), nullable=True),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('archive_reason', sa.Text(), nullable=True),
    sa.Column('archived_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("format IN ('individual', 'group')", name=op.f('ck_supervision_notes_format_valid')),
    sa.CheckConstraint('duration_minutes >= 1 AND duration_minutes <= 720', name=op.f('ck_supervision_notes_duration_range')),
    sa.ForeignKeyConstraint(['archived_by_id'], ['users.id'], name=op.f('fk_supervision_notes_archived_by_id_users')),
    sa.ForeignKeyConstraint(['supervisor_id'], ['users.id'], name=op.f('fk_supervision_notes_supervisor_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_notes'))
    )
    with op.batch_alter_table('supervision_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supervision_notes_archived_by_id'), ['archived_by_id'], unique=False)
        batch_op.create_index('ix_supervision_notes_supervisor_date', ['supervisor_id', 'date'], unique=False)
        batch_op.create_index(batch_op.f('ix_supervision_notes_supervisor_id'), ['supervisor_id'], unique=False)

    op.create_table('training_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coach_id', sa.Integer(), nullable=False),
    sa.Column('domain', sa.String(length=30), nullable=False),
    sa.Column('hours', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('provider', sa.String(length=200), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('archive_reason', sa.Text(), nullable=True),
    sa.Column('archived_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("domain IN ('advocacy', 'mentoring_education', 'recovery_wellness', 'ethics')", name=op.f('ck_training_records_domain_valid')),
    sa.CheckConstraint('hours > 0 AND hours <= 200', name=op.f('ck_training_records_hours_range')),
    sa.ForeignKeyConstraint(['archived_by_id'], ['users.id'], name=op.f('fk_training_records_archived_by_id_users')),
    sa.ForeignKeyConstraint(['coach_id'], ['users.id'], name=op.f('fk_training_records_coach_id_users')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_training_records_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_records'))
    )
    with op.batch_alter_table('training_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_records_archived_by_id'), ['archived_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_records_coach_id'), ['coach_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_records_created_by_id'), ['created_by_id'], unique=False)

    op.create_table('appointments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('coach_id', sa.Integer(), nullable=False),
    sa.Column('scheduled_at', sa.DateTime(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('location', sa.String(length=300), nullable=True),
    sa.Column('resource_id', sa.Integer(), nullable=True),
    sa.Column('accompaniment_planned', sa.Boolean(), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('outcome_recorded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('coach_accompanied', sa.Boolean(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('archive_reason', sa.Text(), nullable=True),
    sa.Column('archived_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('medical', 'mental_health', 'treatment', 'housing', 'employment', 'legal_court', 'benefits', 'other')", name=op.f('ck_appointments_kind_valid')),
    sa.CheckConstraint("outcome IN ('scheduled', 'attended', 'no_show', 'cancelled', 'rescheduled')", name=op.f('ck_appointments_outcome_valid')),
    sa.ForeignKeyConstraint(['archived_by_id'], ['users.id'], name=op.f('fk_appointments_archived_by_id_users')),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_appointments_client_id_clients')),
    sa.ForeignKeyConstraint(['coach_id'], ['users.id'], name=op.f('fk_appointments_coach_id_users')),
    sa.ForeignKeyConstraint(['resource_id'], ['resources.id'], name=op.f('fk_appointments_resource_id_resources')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appointments'))
    )
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appointments_archived_by_id'), ['archived_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_appointments_client_id'), ['client_id'], unique=False)
        batch_op.create_index('ix_appointments_client_scheduled', ['client_id', 'scheduled_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_appointments_coach_id'), ['coach_id'], unique=False)
        batch_op.create_index('ix_appointments_coach_scheduled', ['coach_id', 'scheduled_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_appointments_resource_id'), ['resource_id'], unique=False)
        batch_op.create_index('ix_appointments_scheduled_outcome', ['scheduled_at', 'outcome'], unique=False)

    op.create_table('assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('coach_id', sa.Integer(), nullable=True),
    sa.Column('administered_on', sa.Date(), nullable=False),
    sa.Column('item1', sa.Integer(), nullable=False),
    sa.Column('item2', sa.Integer(), nullable=False),
    sa.Column('item3', sa.Integer(), nullable=False),
    sa.Column('item4', sa.Integer(), nullable=False),
    sa.Column('item5', sa.Integer(), nullable=False),
    sa.Column('item6', sa.Integer(), nullable=False),
    sa.Column('item7', sa.Integer(), nullable=False),
    sa.Column('item8', sa.Integer(), nullable=False),
    sa.Column('item9', sa.Integer(), nullable=False),
    sa.Column('item10', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('archive_reason', sa.Text(), nullable=True),
    sa.Column('archived_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('item1 >= 1 AND item1 <= 6', name=op.f('ck_assessments_item1_range')),
    sa.CheckConstraint('item10 >= 1 AND item10 <= 6', name=op.f('ck_assessments_item10_range')),
    sa.CheckConstraint('item2 >= 1 AND item2 <= 6', name=op.f('ck_assessments_item2_range')),
    sa.CheckConstraint('item3 >= 1 AND item3 <= 6', name=op.f('ck_assessments_item3_range')),
    sa.CheckConstraint('item4 >= 1 AND item4 <= 6', name=op.f('ck_assessments_item4_range')),
    sa.CheckConstraint('item5 >= 1 AND item5 <= 6', name=op.f('ck_assessments_item5_range')),
    sa.CheckConstraint('item6 >= 1 AND item6 <= 6', name=op.f('ck_assessments_item6_range')),
    sa.CheckConstraint('item7 >= 1 AND item7 <= 6', name=op.f('ck_assessments_item7_range')),
    sa.CheckConstraint('item8 >= 1 AND item8 <= 6', name=op.f('ck_assessments_item8_range')),
    sa.CheckConstraint('item9 >= 1 AND item9 <= 6', name=op.f('ck_assessments_item9_range')),
    sa.CheckConstraint('total = item1 + item2 + item3 + item4 + item5 + item6 + item7 + item8 + item9 + item10', name=op.f('ck_assessments_total_is_sum')),
    sa.ForeignKeyConstraint(['archived_by_id'], ['users.id'], name=op.f('fk_assessments_archived_by_id_users')),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_assessments_client_id_clients')),
    sa.ForeignKeyConstraint(['coach_id'], ['users.id'], name=op.f('fk_assessments_coach_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessments'))
    )
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessments_archived_by_id'), ['archived_by_id'], unique=False)
        batch_op.create_index('ix_assessments_client_administered', ['client_id', 'administered_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessments_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessments_coach_id'), ['coach_id'], unique=False)

    op.create_table('break_glass_accesses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_break_glass_accesses_client_id_clients')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_break_glass_accesses_reviewed_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_break_glass_accesses_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_break_glass_accesses'))
    )
    with op.batch_alter_table('break_glass_accesses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_break_glass_accesses_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_break_glass_accesses_reviewed_by_id'), ['reviewed_by_id'], unique=False)
        batch_op.create_index('ix_break_glass_accesses_user_expires', ['user_id', 'expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_break_glass_accesses_user_id'), ['user_id'], unique=False)

    op.create_table('client_merges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survivor_id', sa.Integer(), nullable=False),
    sa.Column('merged_id', sa.Integer(), nullable=False),
    sa.Column('moved', sa.Text(), nullable=False),
    sa.Column('merged_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('merged_by_id', sa.Integer(), nullable=True),
    sa.Column('undone_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('undone_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['merged_by_id'], ['users.id'], name=op.f('fk_client_merges_merged_by_id_users')),
    sa.ForeignKeyConstraint(['merged_id'], ['clients.id'], name=op.f('fk_client_merges_merged_id_clients')),
    sa.ForeignKeyConstraint(['survivor_id'], ['clients.id'], name=op.f('fk_client_merges_survivor_id_clients')),
    sa.ForeignKeyConstraint(['undone_by_id'], ['users.id'], name=op.f('fk_client_merges_undone_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_client_merges'))
    )
    with op.batch_alter_table('client_merges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_client_merges_merged_by_id'), ['merged_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_client_merges_merged_id'), ['merged_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_client_merges_survivor_id'), ['survivor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_client_merges_undone_by_id'), ['undone_by_id'], unique=False)

    op.create_table('consent_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('recipient', sa.String(length=200), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('information_disclosed', sa.Text(), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('revoked_on', sa.Date(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('archive_reason', sa.Text(), nullable=True),
    sa.Column('archived_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['archived_by_id'], ['users.id'], name=op.f('fk_consent_records_archived_by_id_users')),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_consent_records_client_id_clients')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_consent_records_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consent_records'))
    )
    with op.batch_alter_table('consent_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consent_records_archived_by_id'), ['archived_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_consent_records_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_consent_records_recorded_by_id'), ['recorded_by_id'], unique=False)

    op.create_table('covering_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('covering_user_id', sa.Integer(), nullable=False),
    sa.Column('coach_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=True),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_covering_assignments_dates_ordered')),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_covering_assignments_client_id_clients')),
    sa.ForeignKeyConstraint(['coach_id'], ['users.id'], name=op.f('fk_covering_assignments_coach_id_users')),
    sa.ForeignKeyConstraint(['covering_user_id'], ['users.id'], name=op.f('fk_covering_assignments_covering_user_id_users')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_covering_assignments_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_covering_assignments'))
    )
    with op.batch_alter_table('covering_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_covering_assignments_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_covering_assignments_coach_id'), ['coach_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_covering_assignments_covering_user_id'), ['covering_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_covering_assignments_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index('ix_covering_assignments_user_dates', ['covering_user_id', 'starts_on', 'ends_on'], unique=False)

    op.create_table('enrollments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('intake_date', sa.Date(), nullable=False),
    sa.Column('discharge_date', sa.Date(), nullable=True),
    sa.Column('discharge_reason', sa.String(length=20), nullable=True),
    sa.Column('discharge_note', sa.Text(), nullable=True),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('discharged_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("discharge_reason IS NULL OR discharge_reason IN ('completed', 'disengaged', 'moved', 'incarcerated', 'deceased', 'transferred', 'other')", name=op.f('ck_enrollments_discharge_reason_valid')),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_enrollments_client_id_clients')),
    sa.ForeignKeyConstraint(['discharged_by_id'], ['users.id'], name=op.f('fk_enrollments_discharged_by_id_users')),
    sa.ForeignKeyConstraint(['opened_by_id'], ['users.id'], name=op.f('fk_enrollments_opened_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enrollments'))
    )
    with op.batch_alter_table('enrollments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enrollments_client_id'), ['client_id'], unique=False)
        batch_op.create_index('ix_enrollments_client_intake', ['client_id', 'intake_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_enrollments_discharged_by_id'), ['discharged_by_id'], unique=False)
        batch_op.create_index('ix_enrollments_intake_discharge', ['intake_date', 'discharge_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_enrollments_opened_by_id'), ['opened_by_id'], unique=False)

    op.create_table('goals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('domain', sa.String(length=30), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('target_date', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('opened_on', sa.Date(), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('archive_reason', sa.Text(), nullable=True),
    sa.Column('archived_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("domain IN ('housing', 'employment', 'education', 'physical_health', 'mental_health', 'substance_use', 'family_social', 'legal', 'financial', 'transportation', 'other')", name=op.f('ck_goals_domain_valid')),
    sa.CheckConstraint("status IN ('active', 'achieved', 'discontinued')", name=op.f('ck_goals_status_valid')),
    sa.ForeignKeyConstraint(['archived_by_id'], ['users.id'], name=op.f('fk_goals_archived_by_id_users')),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_goals_client_id_clients')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_goals_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goals'))
    )
    with op.batch_alter_table('goals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_goals_archived_by_id'), ['archived_by_id'], unique=False)
        batch_op.create_index('ix_goals_client_closed', ['client_id', 'closed_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_goals_client_id'), ['client_id'], unique=False)
        batch_op.create_index('ix_goals_client_opened', ['client_id', 'opened_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_goals_created_by_id'), ['created_by_id'], unique=False)

    op.create_table('mutual_aid_attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('resource_id', sa.Integer(), nullable=True),
    sa.Column('model', sa.String(length=20), nullable=False),
    sa.Column('frequency', sa.String(length=100), nullable=True),
    sa.Column('since', sa.Date(), nullable=True),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('archive_reason', sa.Text(), nullable=True),
    sa.Column('archived_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("model IN ('aa', 'na', 'smart_recovery', 'lifering', 'dual_recovery', 'family', 'other')", name=op.f('ck_mutual_aid_attendance_model_valid')),
    sa.ForeignKeyConstraint(['archived_by_id'], ['users.id'], name=op.f('fk_mutual_aid_attendance_archived_by_id_users')),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_mutual_aid_attendance_client_id_clients')),
    sa.ForeignKeyConstraint(['resource_id'], ['resources.id'], name=op.f('fk_mutual_aid_attendance_resource_id_resources')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mutual_aid_attendance'))
    )
    with op.batch_alter_table('mutual_aid_attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mutual_aid_attendance_archived_by_id'), ['archived_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mutual_aid_attendance_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mutual_aid_attendance_resource_id'), ['resource_id'], unique=False)

    op.create_table('referrals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('coach_id', sa.Integer(), nullable=False),
    sa.Column('resource_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=30), nullable=False),
    sa.Column('referred_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('connected_on', sa.Date(), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('archive_reason', sa.Text(), nullable=True),
    sa.Column('archived_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("category IN ('housing', 'employment', 'healthcare', 'mental_health', 'treatment', 'recovery_support', 'legal', 'benefits', 'food', 'transportation', 'education', 'other')", name=op.f('ck_referrals_category_valid')),
    sa.CheckConstraint("status IN ('referred', 'connected', 'declined', 'not_connected')", name=op.f('ck_referrals_status_valid')),
    sa.ForeignKeyConstraint(['archived_by_id'], ['users.id'], name=op.f('fk_referrals_archived_by_id_users')),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_referrals_client_id_clients')),
    sa.ForeignKeyConstraint(['coach_id'], ['users.id'], name=op.f('fk_referrals_coach_id_users')),
    sa.ForeignKeyConstraint(['resource_id'], ['resources.id'], name=op.f('fk_referrals_resource_id_resources')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referrals'))
    )
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referrals_archived_by_id'), ['archived_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referrals_client_id'), ['client_id'], unique=False)
        batch_op.create_index('ix_referrals_client_referred', ['client_id', 'referred_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_referrals_coach_id'), ['coach_id'], unique=False)
        batch_op.create_index('ix_referrals_coach_referred', ['coach_id', 'referred_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_referrals_resource_id'), ['resource_id'], unique=False)
        batch_op.create_index('ix_referrals_status_referred', ['status', 'referred_on'], unique=False)

    op.create_table('sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('coach_id', sa.Integer(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('modality', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('next_steps', sa.Text(), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('review_comment', sa.Text(), nullable=True),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('archive_reason', sa.Text(), nullable=True),
    sa.Column('archived_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('coaching', 'accompaniment', 'crisis_support', 'outreach', 'group', 'other')", name=op.f('ck_sessions_kind_valid')),
    sa.CheckConstraint("modality IN ('in_person', 'phone', 'video', 'text')", name=op.f('ck_sessions_modality_valid')),
    sa.CheckConstraint("outcome IN ('completed', 'attempted')", name=op.f('ck_sessions_outcome_valid')),
    sa.CheckConstraint('duration_minutes >= 1 AND duration_minutes <= 720', name=op.f('ck_sessions_duration_range')),
    sa.ForeignKeyConstraint(['archived_by_id'], ['users.id'], name=op.f('fk_sessions_archived_by_id_users')),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_sessions_client_id_clients')),
    sa.ForeignKeyConstraint(['coach_id'], ['users.id'], name=op.f('fk_sessions_coach_id_users')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_sessions_reviewed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sessions'))
    )
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sessions_archived_by_id'), ['archived_by_id'], unique=False)
        batch_op.create_index('ix_sessions_client_date', ['client_id', 'date'], unique=False)
        batch_op.create_index(batch_op.f('ix_sessions_client_id'), ['client_id'], unique=False)
        batch_op.create_index('ix_sessions_coach_date', ['coach_id', 'date'], unique=False)
        batch_op.create_index(batch_op.f('ix_sessions_coach_id'), ['coach_id'], unique=False)
        batch_op.create_index('ix_sessions_date_outcome', ['date', 'outcome'], unique=False)
        batch_op.create_index(batch_op.f('ix_sessions_reviewed_by_id'), ['reviewed_by_id'], unique=False)

    op.create_table('supervision_note_clients',
    sa.Column('note_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_supervision_note_clients_client_id_clients')),
    sa.ForeignKeyConstraint(['note_id'], ['supervision_notes.id'], name=op.f('fk_supervision_note_clients_note_id_supervision_notes')),
    sa.PrimaryKeyConstraint('note_id', 'client_id', name=op.f('pk_supervision_note_clients'))
    )
    with op.batch_alter_table('supervision_note_clients', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supervision_note_clients_client_id'), ['client_id'], unique=False)

    op.create_table('supervision_note_coaches',
    sa.Column('note_id', sa.Integer(), nullable=False),
    sa.Column('coach_id', sa.Integer(), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['coach_id'], ['users.id'], name=op.f('fk_supervision_note_coaches_coach_id_users')),
    sa.ForeignKeyConstraint(['note_id'], ['supervision_notes.id'], name=op.f('fk_supervision_note_coaches_note_id_supervision_notes')),
    sa.PrimaryKeyConstraint('note_id', 'coach_id', name=op.f('pk_supervision_note_coaches'))
    )
    with op.batch_alter_table('supervision_note_coaches', schema=None) as batch_op:
        batch_op.create_index('ix_supervision_note_coaches_coach_note', ['coach_id', 'note_id'], unique=False)

    op.create_table('referral_status_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('changed_on', sa.Date(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('referred', 'connected', 'declined', 'not_connected')", name=op.f('ck_referral_status_changes_status_valid')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_referral_status_changes_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], name=op.f('fk_referral_status_changes_referral_id_referrals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_status_changes'))
    )
    with op.batch_alter_table('referral_status_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referral_status_changes_recorded_by_id'), ['recorded_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referral_status_changes_referral_id'), ['referral_id'], unique=False)

    op.create_table('session_goals',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('goal_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['goal_id'], ['goals.id'], name=op.f('fk_session_goals_goal_id_goals')),
    sa.ForeignKeyConstraint(['session_id'], ['sessions.id'], name=op.f('fk_session_goals_session_id_sessions')),
    sa.PrimaryKeyConstraint('session_id', 'goal_id', name=op.f('pk_session_goals'))
    )
    with op.batch_alter_table('session_goals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_goals_goal_id'), ['goal_id'], unique=False)



def downgrade():
    with op.batch_alter_table('session_goals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_goals_goal_id'))

    op.drop_table('session_goals')
    with op.batch_alter_table('referral_status_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referral_status_changes_referral_id'))
        batch_op.drop_index(batch_op.f('ix_referral_status_changes_recorded_by_id'))

    op.drop_table('referral_status_changes')
    with op.batch_alter_table('supervision_note_coaches', schema=None) as batch_op:
        batch_op.drop_index('ix_supervision_note_coaches_coach_note')

    op.drop_table('supervision_note_coaches')
    with op.batch_alter_table('supervision_note_clients', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supervision_note_clients_client_id'))

    op.drop_table('supervision_note_clients')
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sessions_reviewed_by_id'))
        batch_op.drop_index('ix_sessions_date_outcome')
        batch_op.drop_index(batch_op.f('ix_sessions_coach_id'))
        batch_op.drop_index('ix_sessions_coach_date')
        batch_op.drop_index(batch_op.f('ix_sessions_client_id'))
        batch_op.drop_index('ix_sessions_client_date')
        batch_op.drop_index(batch_op.f('ix_sessions_archived_by_id'))

    op.drop_table('sessions')
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_index('ix_referrals_status_referred')
        batch_op.drop_index(batch_op.f('ix_referrals_resource_id'))
        batch_op.drop_index('ix_referrals_coach_referred')
        batch_op.drop_index(batch_op.f('ix_referrals_coach_id'))
        batch_op.drop_index('ix_referrals_client_referred')
        batch_op.drop_index(batch_op.f('ix_referrals_client_id'))
        batch_op.drop_index(batch_op.f('ix_referrals_archived_by_id'))

    op.drop_table('referrals')
    with op.batch_alter_table('mutual_aid_attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mutual_aid_attendance_resource_id'))
        batch_op.drop_index(batch_op.f('ix_mutual_aid_attendance_client_id'))
        batch_op.drop_index(batch_op.f('ix_mutual_aid_attendance_archived_by_id'))

    op.drop_table('mutual_aid_attendance')
    with op.batch_alter_table('goals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_goals_created_by_id'))
        batch_op.drop_index('ix_goals_client_opened')
        batch_op.drop_index(batch_op.f('ix_goals_client_id'))
        batch_op.drop_index('ix_goals_client_closed')
        batch_op.drop_index(batch_op.f('ix_goals_archived_by_id'))

    op.drop_table('goals')
    with op.batch_alter_table('enrollments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enrollments_opened_by_id'))
        batch_op.drop_index('ix_enrollments_intake_discharge')
        batch_op.drop_index(batch_op.f('ix_enrollments_discharged_by_id'))
        batch_op.drop_index('ix_enrollments_client_intake')
        batch_op.drop_index(batch_op.f('ix_enrollments_client_id'))

    op.drop_table('enrollments')
    with op.batch_alter_table('covering_assignments', schema=None) as batch_op:
        batch_op.drop_index('ix_covering_assignments_user_dates')
        batch_op.drop_index(batch_op.f('ix_covering_assignments_created_by_id'))
        batch_op.drop_index(batch_op.f('ix_covering_assignments_covering_user_id'))
        batch_op.drop_index(batch_op.f('ix_covering_assignments_coach_id'))
        batch_op.drop_index(batch_op.f('ix_covering_assignments_client_id'))

    op.drop_table('covering_assignments')
    with op.batch_alter_table('consent_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consent_records_recorded_by_id'))
        batch_op.drop_index(batch_op.f('ix_consent_records_client_id'))
        batch_op.drop_index(batch_op.f('ix_consent_records_archived_by_id'))

    op.drop_table('consent_records')
    with op.batch_alter_table('client_merges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_client_merges_undone_by_id'))
        batch_op.drop_index(batch_op.f('ix_client_merges_survivor_id'))
        batch_op.drop_index(batch_op.f('ix_client_merges_merged_id'))
        batch_op.drop_index(batch_op.f('ix_client_merges_merged_by_id'))

    op.drop_table('client_merges')
    with op.batch_alter_table('break_glass_accesses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_break_glass_accesses_user_id'))
        batch_op.drop_index('ix_break_glass_accesses_user_expires')
        batch_op.drop_index(batch_op.f('ix_break_glass_accesses_reviewed_by_id'))
        batch_op.drop_index(batch_op.f('ix_break_glass_accesses_client_id'))

    op.drop_table('break_glass_accesses')
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessments_coach_id'))
        batch_op.drop_index(batch_op.f('ix_assessments_client_id'))
        batch_op.drop_index('ix_assessments_client_administered')
        batch_op.drop_index(batch_op.f('ix_assessments_archived_by_id'))

    op.drop_table('assessments')
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.drop_index('ix_appointments_scheduled_outcome')
        batch_op.drop_index(batch_op.f('ix_appointments_resource_id'))
        batch_op.drop_index('ix_appointments_coach_scheduled')
        batch_op.drop_index(batch_op.f('ix_appointments_coach_id'))
        batch_op.drop_index('ix_appointments_client_scheduled')
        batch_op.drop_index(batch_op.f('ix_appointments_client_id'))
        batch_op.drop_index(batch_op.f('ix_appointments_archived_by_id'))

    op.drop_table('appointments')
    with op.batch_alter_table('training_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_records_created_by_id'))
        batch_op.drop_index(batch_op.f('ix_training_records_coach_id'))
        batch_op.drop_index(batch_op.f('ix_training_records_archived_by_id'))

    op.drop_table('training_records')
    with op.batch_alter_table('supervision_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supervision_notes_supervisor_id'))
        batch_op.drop_index('ix_supervision_notes_supervisor_date')
        batch_op.drop_index(batch_op.f('ix_supervision_notes_archived_by_id'))

    op.drop_table('supervision_notes')
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clients_program_id'))
        batch_op.drop_index('ix_clients_name_key_dob')
        batch_op.drop_index(batch_op.f('ix_clients_merged_into_id'))
        batch_op.drop_index('ix_clients_coach_status')
        batch_op.drop_index(batch_op.f('ix_clients_coach_id'))
        batch_op.drop_index(batch_op.f('ix_clients_archived_by_id'))

    op.drop_table('clients')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_user_occurred')
        batch_op.drop_index(batch_op.f('ix_audit_events_program_id'))
        batch_op.drop_index(batch_op.f('ix_audit_events_occurred_at'))
        batch_op.drop_index('ix_audit_events_client_occurred')

    op.drop_table('audit_events')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_team_id'))
        batch_op.drop_index(batch_op.f('ix_users_supervisor_id'))
        batch_op.drop_index(batch_op.f('ix_users_program_id'))

    op.drop_table('users')
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_teams_program_id'))

    op.drop_table('teams')
    with op.batch_alter_table('resources', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resources_program_id'))
        batch_op.drop_index(batch_op.f('ix_resources_organization_id'))
        batch_op.drop_index(batch_op.f('ix_resources_name'))
        batch_op.drop_index('ix_resources_category_active')

    op.drop_table('resources')
    op.drop_table('programs')
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organizations_name'))

    op.drop_table('organizations')
