"""Programs (the unit of reporting, with their time zone) and the teams inside them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coachapp.models.base import Base, utcnow


class Program(Base):
    __tablename__ = "programs"
    __table_args__ = (
        CheckConstraint(
            "fiscal_year_start_month >= 1 AND fiscal_year_start_month <= 12",
            name="fiscal_year_start_month_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    # IANA zone name; an appointment's reporting date is its local date in this zone.
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # Last client number handed out; client codes are C-00001, C-00002, ... per program.
    client_seq: Mapped[int] = mapped_column(Integer, default=0)
    # First month (1-12) of the program's fiscal year: FY2026 with October ends in Sep 2026.
    fiscal_year_start_month: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # How long a break-the-glass access stays open (minutes; admins set it per program).
    break_glass_minutes: Mapped[int] = mapped_column(Integer, default=120, server_default="120")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    teams: Mapped[list[Team]] = relationship(back_populates="program", order_by="Team.name")

    def __repr__(self) -> str:
        return f"<Program {self.id}>"


class Team(Base):
    """A supervisor's group of coaches inside a program."""

    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("program_id", "name", name="program_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    program: Mapped[Program] = relationship(back_populates="teams")
