"""indexes for the caseload, the team dashboard and the supervisor's comments

Reviewed by hand, from the query plans at program scale (bench/README.md):

- referrals (client_id, status, referred_on): a client's waiting referrals (the caseload's
  "referral waiting" alert and its counts), instead of every waiting referral of the program;
- clients (coach_id, program_id): a team's clients within a program (metrics scopes); led by
  coach_id so that whole-program reports keep ix_clients_program_id (clients in id order);
- clients (merged_into_id) only where it is set: SQLite, planning without statistics, took
  "merged_into_id IS NULL" (every live client) for a selective condition;
- sessions (client_id) where a note awaits review: the team's notes to sign off;
- sessions (coach_id, reviewed_at) where there is a review comment: a coach's recent comments.

Revision ID: d650bc585194
Revises: c069700fc118
Create Date: 2026-11-29 03:45:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd650bc585194'
down_revision = 'c069700fc118'
branch_labels = None
depends_on = None

AWAITING_REVIEW = "reviewed_at IS NULL AND note IS NOT NULL AND archived_at IS NULL"
HAS_REVIEW_COMMENT = "review_comment IS NOT NULL"
MERGED = "merged_into_id IS NOT NULL"


def upgrade():
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.create_index(
            'ix_referrals_client_status_referred',
            ['client_id', 'status', 'referred_on'],
            unique=False,
        )
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.create_index('ix_clients_coach_program', ['coach_id', 'program_id'], unique=False)
        batch_op.drop_index('ix_clients_merged_into_id')
        batch_op.create_index(
            'ix_clients_merged_into_id',
            ['merged_into_id'],
            unique=False,
            sqlite_where=sa.text(MERGED),
            postgresql_where=sa.text(MERGED),
        )
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.create_index(
            'ix_sessions_awaiting_review',
            ['client_id'],
            unique=False,
            sqlite_where=sa.text(AWAITING_REVIEW),
            postgresql_where=sa.text(AWAITING_REVIEW),
        )
        batch_op.create_index(
            'ix_sessions_coach_review_comment',
            ['coach_id', 'reviewed_at'],
            unique=False,
            sqlite_where=sa.text(HAS_REVIEW_COMMENT),
            postgresql_where=sa.text(HAS_REVIEW_COMMENT),
        )


def downgrade():
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_sessions_coach_review_comment')
        batch_op.drop_index('ix_sessions_awaiting_review')
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.drop_index('ix_clients_merged_into_id')
        batch_op.create_index('ix_clients_merged_into_id', ['merged_into_id'], unique=False)
        batch_op.drop_index('ix_clients_coach_program')
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_index('ix_referrals_client_status_referred')
