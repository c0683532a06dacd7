"""Clients (the person), their enrollment episodes, consents, mutual-aid groups and merges."""

from __future__ import annotations

from datetime import date, datetime
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
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coachapp.crypto import EncryptedText
from coachapp.models.base import (
    ArchiveMixin,
    Base,
    TimestampMixin,
    VersionMixin,
    enum_check,
    utcnow,
)
from coachapp.models.enums import (
    ClientStatus,
    ConsentType,
    DischargeReason,
    DisclosureKind,
    MeetingModel,
    SupportPerson,
)

if TYPE_CHECKING:
    from coachapp.models.programs import Program
    from coachapp.models.resources import Resource
    from coachapp.models.users import User


class Client(ArchiveMixin, VersionMixin, TimestampMixin, Base):
    __tablename__ = "clients"
    __table_args__ = (
        UniqueConstraint("program_id", "code", name="program_code"),
        enum_check("status", ClientStatus),
        enum_check("support_person", SupportPerson, nullable=True),
        Index("ix_clients_name_key_dob", "name_key", "date_of_birth"),
        Index("ix_clients_coach_status", "coach_id", "status"),
        # A team's clients within a program (metrics scope of a supervisor: coach_id IN team
        # AND program_id = ?). Led by coach_id: a whole-program report keeps reading clients
        # through ix_clients_program_id, in id order.
        Index("ix_clients_coach_program", "coach_id", "program_id"),
        # Only merged records: every live client has NULL here, which SQLite (planning without
        # statistics) would otherwise take for a selective condition.
        Index(
            "ix_clients_merged_into_id",
            "merged_into_id",
            sqlite_where=text("merged_into_id IS NOT NULL"),
            postgresql_where=text("merged_into_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    preferred_name: Mapped[str | None] = mapped_column(String(100))
    # first + last name folded (accents and case removed) for the duplicate check at intake.
    name_key: Mapped[str] = mapped_column(String(200))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    address: Mapped[str | None] = mapped_column(Text)
    okay_to_call: Mapped[bool] = mapped_column(Boolean, default=False)
    okay_to_text: Mapped[bool] = mapped_column(Boolean, default=False)
    # Kept in step with the latest episode by the services (and "inactive" set by hand).
    status: Mapped[str] = mapped_column(String(20), default=ClientStatus.ACTIVE)
    coach_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    consent_on_file: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_date: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(EncryptedText)
    support_person: Mapped[str | None] = mapped_column(String(20))  # sponsor or mentor
    support_person_since: Mapped[date | None] = mapped_column(Date)
    # Set when this record was merged into another; the merge can be undone.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id"))
    # Billing fields (the billing specialist sees these, never clinical text).
    payer: Mapped[str | None] = mapped_column(String(200))
    member_id: Mapped[str | None] = mapped_column(EncryptedText)  # the payer's member id
    diagnosis_code: Mapped[str | None] = mapped_column(String(10))  # ICD-10, optional

    program: Mapped[Program] = relationship()
    coach: Mapped[User] = relationship(foreign_keys=[coach_id])
    enrollments: Mapped[list[Enrollment]] = relationship(
        back_populates="client", order_by="Enrollment.intake_date"
    )

    def __repr__(self) -> str:
        return f"<Client {self.id} {self.code}>"

    @property
    def display_name(self) -> str:
        first = self.preferred_name or self.first_name
        return f"{first} {self.last_name}"

    @property
    def initials(self) -> str:
        return f"{self.first_name[:1]}{self.last_name[:1]}".upper()

    @property
    def latest_enrollment(self) -> Enrollment | None:
        return self.enrollments[-1] if self.enrollments else None


class Enrollment(TimestampMixin, Base):
    """One episode of a client's time in the program; a re-enrollment is a new episode."""

    __tablename__ = "enrollments"
    __table_args__ = (
        enum_check("discharge_reason", DischargeReason, nullable=True),
        Index("ix_enrollments_client_intake", "client_id", "intake_date"),
        Index("ix_enrollments_intake_discharge", "intake_date", "discharge_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    intake_date: Mapped[date] = mapped_column(Date)
    discharge_date: Mapped[date | None] = mapped_column(Date)
    discharge_reason: Mapped[str | None] = mapped_column(String(20))
    discharge_note: Mapped[str | None] = mapped_column(EncryptedText)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    discharged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)

    client: Mapped[Client] = relationship(back_populates="enrollments")


class ConsentRecord(ArchiveMixin, TimestampMixin, Base):
    """A 42 CFR Part 2 consent to disclose to one outside recipient."""

    __tablename__ = "consent_records"
    __table_args__ = (enum_check("consent_type", ConsentType),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    recipient: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text)
    information_disclosed: Mapped[str] = mapped_column(Text)
    signed_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    revoked_on: Mapped[date | None] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    consent_type: Mapped[str] = mapped_column(
        String(20), default=ConsentType.SPECIFIC, server_default=ConsentType.SPECIFIC.value
    )
    # Comma-separated ``ConsentCategory`` values, sorted; ``information_disclosed`` is free
    # text beside them (what the form said before categories existed, or anything more).
    categories: Mapped[str] = mapped_column(String(200), default="", server_default=text("''"))
    # For a TPO consent: which wording of the required statements the client was given
    # (``coachapp.consents.statements``); None for a specific consent.
    statements_version: Mapped[str | None] = mapped_column(String(20))

    client: Mapped[Client] = relationship()


class MutualAidAttendance(ArchiveMixin, TimestampMixin, Base):
    """A mutual-aid group a client attends: which model, how often, since when."""

    __tablename__ = "mutual_aid_attendance"
    __table_args__ = (enum_check("model", MeetingModel),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    resource_id: Mapped[int | None] = mapped_column(ForeignKey("resources.id"), index=True)
    model: Mapped[str] = mapped_column(String(20))
    frequency: Mapped[str | None] = mapped_column(String(100))  # "twice a week"
    since: Mapped[date | None] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)

    client: Mapped[Client] = relationship()
    resource: Mapped[Resource | None] = relationship()


class Disclosure(Base):
    """One disclosure of a client's information (42 CFR 2.24, 2.25 accounting): recorded by
    the code path that makes it, never edited."""

    __tablename__ = "disclosures"
    __table_args__ = (
        enum_check("kind", DisclosureKind),
        Index("ix_disclosures_client_disclosed", "client_id", "disclosed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"))
    consent_id: Mapped[int | None] = mapped_column(ForeignKey("consent_records.id"), index=True)
    disclosed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    kind: Mapped[str] = mapped_column(String(30))
    recipient: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text)
    # What was disclosed, in words: the categories carried, or the export's name.
    what: Mapped[str] = mapped_column(String(500))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)

    client: Mapped[Client] = relationship()
    consent: Mapped[ConsentRecord | None] = relationship()


class ClientMerge(Base):
    """A merge of a duplicate record into a surviving one, with what moved, so it can be undone."""

    __tablename__ = "client_merges"

    id: Mapped[int] = mapped_column(primary_key=True)
    survivor_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    merged_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    # JSON of the rows re-pointed and each value changed (``coachapp.merges.services``);
    # encrypted, as the values can be the survivor's former notes or member id.
    moved: Mapped[str] = mapped_column(EncryptedText, default="{}")
    merged_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    merged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    undone_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)


class DuplicateDismissal(Base):
    """A pair of records a supervisor said are not one person: the duplicate finder leaves it
    out for good. ``first_id`` is the lower id of the two."""

    __tablename__ = "duplicate_dismissals"
    __table_args__ = (
        UniqueConstraint("first_id", "second_id", name="pair"),
        CheckConstraint("first_id < second_id", name="ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    first_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    second_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    dismissed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    dismissed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
