"""client profiles and status history

- client_profiles: intake demographics funders ask about, each optional, "declined" allowed.
- client_status_records: housing (HMIS living situation) and employment status as a dated
  history; a change adds a row.

Revision ID: a1c4e8f2b6d0
Revises: e7a9c3b5d1f0
Create Date: 2026-12-06 07:02:27.291590

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "a1c4e8f2b6d0"
down_revision = "e7a9c3b5d1f0"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "client_profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("gender_identity", sa.String(length=40), nullable=True),
        sa.Column("race_ethnicity", sa.String(length=40), nullable=True),
        sa.Column("veteran_status", sa.String(length=40), nullable=True),
        sa.Column("primary_substance", sa.String(length=40), nullable=True),
        sa.Column("insurance", sa.String(length=40), nullable=True),
        sa.Column("referral_source", sa.String(length=40), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "gender_identity IS NULL OR gender_identity IN ('woman', 'man', 'transgender', 'non_binary', 'culturally_specific', 'different_identity', 'questioning', 'declined')",
            name=op.f("ck_client_profiles_gender_identity_valid"),
        ),
        sa.CheckConstraint(
            "insurance IS NULL OR insurance IN ('medicaid', 'medicare', 'private', 'va_tricare', 'uninsured', 'other', 'declined')",
            name=op.f("ck_client_profiles_insurance_valid"),
        ),
        sa.CheckConstraint(
            "primary_substance IS NULL OR primary_substance IN ('alcohol', 'opioids', 'methamphetamine', 'cocaine', 'cannabis', 'sedatives', 'other', 'declined')",
            name=op.f("ck_client_profiles_primary_substance_valid"),
        ),
        sa.CheckConstraint(
            "race_ethnicity IS NULL OR race_ethnicity IN ('american_indian_alaska_native', 'asian', 'black', 'hispanic_latino', 'middle_eastern_north_african', 'native_hawaiian_pacific_islander', 'white', 'multiple', 'declined')",
            name=op.f("ck_client_profiles_race_ethnicity_valid"),
        ),
        sa.CheckConstraint(
            "referral_source IS NULL OR referral_source IN ('self', 'family_friend', 'treatment_provider', 'hospital_emergency', 'criminal_justice', 'community_organization', 'other', 'declined')",
            name=op.f("ck_client_profiles_referral_source_valid"),
        ),
        sa.CheckConstraint(
            "veteran_status IS NULL OR veteran_status IN ('yes', 'no', 'declined')",
            name=op.f("ck_client_profiles_veteran_status_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name=op.f("fk_client_profiles_client_id_clients")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_client_profiles_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_profiles")),
        sa.UniqueConstraint("client_id", name=op.f("uq_client_profiles_client_id")),
    )
    with op.batch_alter_table("client_profiles", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_client_profiles_updated_by_id"), ["updated_by_id"], unique=False
        )

    op.create_table(
        "client_status_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("archive_reason", sa.Text(), nullable=True),
        sa.Column("archived_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(kind = 'housing' AND status IN ('place_not_meant_for_habitation', 'emergency_shelter', 'safe_haven', 'foster_care', 'hospital', 'jail_prison', 'long_term_care', 'psychiatric_facility', 'substance_use_treatment', 'transitional_housing', 'residential_project', 'hotel_motel_no_voucher', 'host_home', 'family_temporary', 'friends_temporary', 'family_permanent', 'friends_permanent', 'rental_with_subsidy', 'rental_no_subsidy', 'owned_with_subsidy', 'owned_no_subsidy', 'other', 'declined')) OR (kind = 'employment' AND status IN ('full_time', 'part_time', 'unemployed_looking', 'unemployed_not_looking', 'not_in_labor_force', 'declined'))",
            name=op.f("ck_client_status_records_status_valid"),
        ),
        sa.CheckConstraint(
            "kind IN ('housing', 'employment')", name=op.f("ck_client_status_records_kind_valid")
        ),
        sa.ForeignKeyConstraint(
            ["archived_by_id"],
            ["users.id"],
            name=op.f("fk_client_status_records_archived_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name=op.f("fk_client_status_records_client_id_clients")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_client_status_records_recorded_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_status_records")),
    )
    with op.batch_alter_table("client_status_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_client_status_records_archived_by_id"), ["archived_by_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_client_status_records_client_id"), ["client_id"], unique=False
        )
        batch_op.create_index(
            "ix_client_status_records_client_kind_as_of",
            ["client_id", "kind", "as_of"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_client_status_records_recorded_by_id"), ["recorded_by_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("client_status_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_client_status_records_recorded_by_id"))
        batch_op.drop_index("ix_client_status_records_client_kind_as_of")
        batch_op.drop_index(batch_op.f("ix_client_status_records_client_id"))
        batch_op.drop_index(batch_op.f("ix_client_status_records_archived_by_id"))

    op.drop_table("client_status_records")
    with op.batch_alter_table("client_profiles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_client_profiles_updated_by_id"))

    op.drop_table("client_profiles")
