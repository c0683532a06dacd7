"""Staff accounts, their API tokens and coaches' training hours."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coachapp.models.base import ArchiveMixin, Base, TimestampMixin, enum_check, utcnow
from coachapp.models.enums import Role, TrainingDomain

if TYPE_CHECKING:
    from coachapp.models.programs import Program, Team


class User(UserMixin, TimestampMixin, Base):
    __tablename__ = "users"
    __table_args__ = (enum_check("role", Role),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-case
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    program_id: Mapped[int | None] = mapped_column(ForeignKey("programs.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped on logout and password change: every cookie carrying the old value stops working.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The credential a coach signs notes and plans with ("CPRS", "CRPS"); copied onto each
    # signature, so a later change leaves earlier signatures as they were.
    credential: Mapped[str | None] = mapped_column(String(100))

    program: Mapped[Program | None] = relationship()
    team: Mapped[Team | None] = relationship()
    supervisor: Mapped[User | None] = relationship(remote_side=[id], back_populates="coaches")
    coaches: Mapped[list[User]] = relationship(back_populates="supervisor")

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"

    # Flask-Login: the cookie carries the id and the session version, so bumping the version
    # signs out every browser of this user at once.
    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    @property
    def is_coach(self) -> bool:
        return self.role == Role.COACH

    @property
    def is_supervisor(self) -> bool:
        return self.role == Role.SUPERVISOR

    @property
    def is_program_manager(self) -> bool:
        return self.role == Role.PROGRAM_MANAGER

    @property
    def is_billing(self) -> bool:
        return self.role == Role.BILLING

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def role_label(self) -> str:
        if self.role == Role.BILLING:
            return "Billing specialist"
        return self.role.replace("_", " ").capitalize()


class ApiToken(Base):
    """A personal API token. Only its SHA-256 is stored; the token is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))  # to tell tokens apart on the profile page
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()


class TrainingRecord(ArchiveMixin, TimestampMixin, Base):
    """Training hours a coach completed, by IC&RC domain (46 required, 16 of them ethics)."""

    __tablename__ = "training_records"
    __table_args__ = (
        enum_check("domain", TrainingDomain),
        CheckConstraint("hours > 0 AND hours <= 200", name="hours_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    domain: Mapped[str] = mapped_column(String(30))
    hours: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    completed_on: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(200))
    provider: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)

    coach: Mapped[User] = relationship(foreign_keys=[coach_id])
