"""The resource directory, shaped like Open Referral HSDS: organization -> service.

A ``Resource`` is an HSDS *service*. Entries of category ``recovery_support`` may be mutual-aid
meetings, with the Meeting Guide fields (model, format, open or closed, schedule).
"""

from __future__ import annotations

from datetime import date, time
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, String, Text, Time
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coachapp.models.base import Base, TimestampMixin, enum_check
from coachapp.models.enums import MeetingFormat, MeetingModel, ResourceCategory

if TYPE_CHECKING:
    from coachapp.models.programs import Program


class Organization(TimestampMixin, Base):
    """HSDS organization: the agency that offers one or more services."""

    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True)  # HSDS id
    name: Mapped[str] = mapped_column(String(200), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    website: Mapped[str | None] = mapped_column(String(300))
    last_verified_on: Mapped[date | None] = mapped_column(Date)

    services: Mapped[list[Resource]] = relationship(back_populates="organization")


class Resource(TimestampMixin, Base):
    __tablename__ = "resources"
    __table_args__ = (
        enum_check("category", ResourceCategory),
        enum_check("meeting_model", MeetingModel, nullable=True),
        enum_check("meeting_format", MeetingFormat, nullable=True),
        CheckConstraint(
            "meeting_day IS NULL OR (meeting_day >= 0 AND meeting_day <= 6)",
            name="meeting_day_range",
        ),
        Index("ix_resources_category_active", "category", "active"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True)  # HSDS / feed id
    # A directory entry may be shared by every program (NULL) or belong to one.
    program_id: Mapped[int | None] = mapped_column(ForeignKey("programs.id"), index=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    category: Mapped[str] = mapped_column(String(30))
    description: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    website: Mapped[str | None] = mapped_column(String(300))
    address: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_verified_on: Mapped[date | None] = mapped_column(Date)
    # Mutual-aid meeting details (Meeting Guide spec); empty for other resources.
    meeting_model: Mapped[str | None] = mapped_column(String(20))
    meeting_format: Mapped[str | None] = mapped_column(String(20))
    meeting_open: Mapped[bool | None] = mapped_column(Boolean)  # open to anyone, or closed
    meeting_day: Mapped[int | None] = mapped_column()  # 0 = Sunday ... 6 = Saturday
    meeting_time: Mapped[time | None] = mapped_column(Time)
    meeting_end_time: Mapped[time | None] = mapped_column(Time)
    meeting_schedule: Mapped[str | None] = mapped_column(String(200))  # free-text schedule
    conference_url: Mapped[str | None] = mapped_column(String(300))

    organization: Mapped[Organization | None] = relationship(back_populates="services")
    program: Mapped[Program | None] = relationship()

    @property
    def is_meeting(self) -> bool:
        return self.meeting_model is not None
