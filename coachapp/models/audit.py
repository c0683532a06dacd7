"""The append-only audit trail (security.md, "Audit")."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from coachapp.models.base import Base, enum_check, utcnow
from coachapp.models.enums import AuditAction


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (
        enum_check("action", AuditAction),
        Index("ix_audit_events_client_occurred", "client_id", "occurred_at"),
        Index("ix_audit_events_user_occurred", "user_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(20))
    entity_type: Mapped[str | None] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    # No foreign key: the trail must outlive anything it mentions, merges included.
    client_id: Mapped[int | None] = mapped_column(Integer)
    program_id: Mapped[int | None] = mapped_column(Integer, index=True)
    ip_address: Mapped[str | None] = mapped_column(String(45))
    # Comma-separated names of the changed fields; never their values, never note text.
    fields: Mapped[str | None] = mapped_column(String(1000))
    # A short, non-clinical detail: a break-the-glass reason, an export's kind, a login email's
    # absence. Never narrative text.
    detail: Mapped[str | None] = mapped_column(String(500))
