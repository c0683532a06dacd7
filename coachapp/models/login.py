"""Failed sign-ins, counted in the database so that every worker and app server sees them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from coachapp.models.base import Base, utcnow


class LoginFailure(Base):
    """One failed sign-in for an email, known or not. ``key`` is the SHA-256 of the trimmed,
    lower-cased email: the table never holds an address. Rows older than the lockout window
    are deleted as new failures come (``auth.services``); a success deletes its email's rows."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_key_failed_at", "key", "failed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    failed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    def __repr__(self) -> str:
        return f"<LoginFailure {self.id}>"
