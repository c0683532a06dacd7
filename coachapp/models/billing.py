"""A program's billing settings, kept as dated versions: a change applies from its date on."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from coachapp.models.base import Base, utcnow


class BillingSetting(Base):
    """How a program bills peer support from ``effective_from`` on (until the next version).

    A unit needs ``first_unit_minutes`` when it is the first, and each further unit needs
    ``next_unit_minutes`` past the last whole unit (8/8 with 15-minute units: 8-22 min = 1,
    23-37 = 2, 38-52 = 3)."""

    __tablename__ = "billing_settings"
    __table_args__ = (
        UniqueConstraint("program_id", "effective_from", name="program_effective_from"),
        CheckConstraint("unit_minutes >= 1 AND unit_minutes <= 240", name="unit_minutes_range"),
        CheckConstraint(
            "first_unit_minutes >= 1 AND first_unit_minutes <= unit_minutes",
            name="first_unit_minutes_range",
        ),
        CheckConstraint(
            "next_unit_minutes >= 1 AND next_unit_minutes <= unit_minutes",
            name="next_unit_minutes_range",
        ),
        CheckConstraint(
            "daily_cap_units IS NULL OR daily_cap_units >= 1", name="daily_cap_units_range"
        ),
        CheckConstraint(
            "monthly_cap_units IS NULL OR monthly_cap_units >= 1", name="monthly_cap_units_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), index=True)
    effective_from: Mapped[date] = mapped_column(Date)
    payer: Mapped[str] = mapped_column(String(200))
    code: Mapped[str] = mapped_column(String(10), default="H0038")  # HCPCS
    group_modifier: Mapped[str | None] = mapped_column(String(2))  # e.g. HQ
    telehealth_modifier: Mapped[str | None] = mapped_column(String(2))  # e.g. 95 or GT
    unit_minutes: Mapped[int] = mapped_column(Integer, default=15)
    first_unit_minutes: Mapped[int] = mapped_column(Integer, default=8)
    next_unit_minutes: Mapped[int] = mapped_column(Integer, default=8)
    daily_cap_units: Mapped[int | None] = mapped_column(Integer)  # per client and day
    monthly_cap_units: Mapped[int | None] = mapped_column(Integer)  # per client and month
    # A supervisor's co-signature is needed before a signed note may be billed.
    cosign_required: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
