"""What funders ask about a client beyond the coaching record: intake demographics
(``ClientProfile``, one row per client, every field optional) and housing and employment status
kept as a dated history (``ClientStatusRecord``: a change adds a row, the intake value stays).

Coaches and supervisors see these on the client page; program managers only in aggregates and
de-identified rows (the access rule, as for every client-linked record)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coachapp.models.base import ArchiveMixin, Base, TimestampMixin, VersionMixin, enum_check
from coachapp.models.enums import (
    EmploymentStatus,
    GenderIdentity,
    Insurance,
    LivingSituation,
    PrimarySubstance,
    RaceEthnicity,
    ReferralSource,
    StatusKind,
    VeteranStatus,
)

if TYPE_CHECKING:
    from coachapp.models.clients import Client

DEMOGRAPHIC_FIELDS: dict[str, type] = {
    "gender_identity": GenderIdentity,
    "race_ethnicity": RaceEthnicity,
    "veteran_status": VeteranStatus,
    "primary_substance": PrimarySubstance,
    "insurance": Insurance,
    "referral_source": ReferralSource,
}


class ClientProfile(VersionMixin, TimestampMixin, Base):
    """A client's intake demographics. Empty = not asked yet; "declined" = asked, not answered.
    The age band is not stored: it comes from the date of birth at each episode's intake."""

    __tablename__ = "client_profiles"
    __table_args__ = tuple(
        enum_check(name, enum_cls, nullable=True) for name, enum_cls in DEMOGRAPHIC_FIELDS.items()
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), unique=True)
    gender_identity: Mapped[str | None] = mapped_column(String(40))
    race_ethnicity: Mapped[str | None] = mapped_column(String(40))
    veteran_status: Mapped[str | None] = mapped_column(String(40))
    primary_substance: Mapped[str | None] = mapped_column(String(40))
    insurance: Mapped[str | None] = mapped_column(String(40))
    referral_source: Mapped[str | None] = mapped_column(String(40))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)

    client: Mapped[Client] = relationship()


STATUS_VALUES: dict[str, type] = {
    StatusKind.HOUSING: LivingSituation,
    StatusKind.EMPLOYMENT: EmploymentStatus,
}


class ClientStatusRecord(ArchiveMixin, TimestampMixin, Base):
    """One dated value of a client's housing (HMIS living situation) or employment status.

    A change adds a row ``as_of`` the day it became true; rows are never edited into another
    value (a mistake is archived and entered again), so the value at intake and every later one
    stay readable. The status on a day is the latest row of that kind dated on or before it."""

    __tablename__ = "client_status_records"
    __table_args__ = (
        enum_check("kind", StatusKind),
        CheckConstraint(
            " OR ".join(
                f"(kind = '{kind.value}' AND status IN "
                + "({}))".format(", ".join(f"'{v.value}'" for v in values))
                for kind, values in (
                    (StatusKind.HOUSING, LivingSituation),
                    (StatusKind.EMPLOYMENT, EmploymentStatus),
                )
            ),
            name="status_valid",
        ),
        Index("ix_client_status_records_client_kind_as_of", "client_id", "kind", "as_of"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(40))
    as_of: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)

    client: Mapped[Client] = relationship()
