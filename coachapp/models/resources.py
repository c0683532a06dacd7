"""The resource directory, shaped like Open Referral HSDS: organization -> service.

A ``Resource`` is an HSDS *service*. Entries of category ``recovery_support`` may be mutual-aid
meetings, with the Meeting Guide fields (model, format, open or closed, schedule).
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coachapp.models.base import Base, TimestampMixin, enum_check
from coachapp.models.enums import MeetingFormat, MeetingModel, ResourceCategory

SOURCE_KINDS = ("meeting_guide", "hsds")

if TYPE_CHECKING:
    from coachapp.models.programs import Program


class ResourceSource(TimestampMixin, Base):
    """Where imported entries come from: one Meeting Guide feed or one HSDS export.

    An imported entry's identity is (source, external id): two intergroups' feeds may both have
    a ``big-book-study``. A re-import of a source updates, adds and retires its own entries only.
    Entries typed in by hand have no source.
    """

    __tablename__ = "resource_sources"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('meeting_guide', 'hsds')",
            name="kind_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)  # the feed's URL or a name
    kind: Mapped[str] = mapped_column(String(20))
    url: Mapped[str | None] = mapped_column(String(300))  # fetched by `flask resources refresh`
    # Meeting Guide: the model of meetings whose entry names no program (kept for the refresh).
    default_model: Mapped[str | None] = mapped_column(String(20))
    program_id: Mapped[int | None] = mapped_column(ForeignKey("programs.id"), index=True)
    last_imported_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Organization(TimestampMixin, Base):
    """HSDS organization: the agency that offers one or more services."""

    __tablename__ = "organizations"
    __table_args__ = (UniqueConstraint("source_id", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("resource_sources.id"))
    external_id: Mapped[str | None] = mapped_column(String(100))  # HSDS id, within its source
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
        UniqueConstraint("source_id", "external_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("resource_sources.id"))
    external_id: Mapped[str | None] = mapped_column(String(100))  # HSDS / feed id in its source
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
    # Set (with active False) when a re-import of its source no longer has the entry; records
    # that point at it keep showing it, marked retired.
    retired_on: Mapped[date | None] = mapped_column(Date)
    # Mutual-aid meeting details (Meeting Guide spec); empty for other resources.
    meeting_model: Mapped[str | None] = mapped_column(String(20))
    meeting_format: Mapped[str | None] = mapped_column(String(20))
    meeting_open: Mapped[bool | None] = mapped_column(Boolean)  # open to anyone, or closed
    meeting_day: Mapped[int | None] = mapped_column()  # 0 = Sunday ... 6 = Saturday
    meeting_time: Mapped[time | None] = mapped_column(Time)
    meeting_end_time: Mapped[time | None] = mapped_column(Time)
    meeting_schedule: Mapped[str | None] = mapped_column(String(200))  # free-text schedule
    conference_url: Mapped[str | None] = mapped_column(String(300))
    meeting_timezone: Mapped[str | None] = mapped_column(
        String(64)
    )  # the feed's, e.g. "America/New_York"

    organization: Mapped[Organization | None] = relationship(back_populates="services")
    program: Mapped[Program | None] = relationship()
    source: Mapped[ResourceSource | None] = relationship()

    @property
    def is_retired(self) -> bool:
        return self.retired_on is not None

    @property
    def is_meeting(self) -> bool:
        return self.meeting_model is not None


TAXONOMY_MATCHES = ("code", "name", "word")


class TaxonomyMapping(TimestampMixin, Base):
    """One edited line of the taxonomy mapping: an HSDS taxonomy term -> a directory category.

    Scoped as the directory is: shared by every program (``program_id`` NULL, managed by admins)
    or one program's (its supervisors and program managers). An HSDS import consults its
    program's lines, then the shared ones, then the default mapping of
    ``coachapp.resources.taxonomy``. ``match`` says how ``term`` is compared (stored normalised):

    - ``code``: a 211/AIRS code prefix, upper case ("BH" matches "BH-1800.8500"; the longest
      matching prefix wins);
    - ``name``: a term's whole name, lower case ("emergency food");
    - ``word``: a word or phrase inside a term's name, lower case ("detox").
    """

    __tablename__ = "taxonomy_mappings"
    __table_args__ = (
        enum_check("category", ResourceCategory),
        CheckConstraint("match IN ('code', 'name', 'word')", name="match_known"),
        UniqueConstraint("program_id", "match", "term"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int | None] = mapped_column(ForeignKey("programs.id"), index=True)
    match: Mapped[str] = mapped_column(String(10))
    term: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(30))

    program: Mapped[Program | None] = relationship()
