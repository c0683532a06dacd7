"""Idempotency keys of the API (api.md): a POST sent again with the same ``Idempotency-Key`` by
the same user is answered with the first answer and changes nothing twice
(``coachapp.api.idempotency``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from coachapp.crypto import EncryptedText
from coachapp.models.base import Base, utcnow


class IdempotencyKey(Base):
    """One key of one user, kept 24 hours. Saved in the transaction of the change it answers,
    with that answer: a key row exists exactly when its request's change was committed. The
    unique (user, key) makes the second of two concurrent requests fail at its insert, roll
    back and answer with the first's response."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key_digest"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # SHA-256 of the key (whatever a client put in it is not stored).
    key_digest: Mapped[str] = mapped_column(String(64))
    # SHA-256 of the method, the path and the body (JSON with its keys sorted).
    request_digest: Mapped[str] = mapped_column(String(64))
    # The answer, set before the commit that saves the row: it may hold decrypted notes, so it
    # is stored encrypted, and only ever replayed to the same user.
    status_code: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[str | None] = mapped_column(EncryptedText)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    def __repr__(self) -> str:
        return f"<IdempotencyKey {self.id} user={self.user_id}>"
