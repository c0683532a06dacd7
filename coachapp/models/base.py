"""Declarative base, naming convention and the column mixins shared by clinical records."""

from __future__ import annotations

import enum
from datetime import datetime, timezone

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, MetaData, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Ids are INTEGER columns: a larger number is no row's id (and PostgreSQL refuses it).
MAX_ID = 2**31 - 1


def parse_id(value: object) -> int | None:
    """A database id from user input (a query argument, a form field), or None: never raises,
    never outside 1 .. MAX_ID."""
    text = str(value).strip() if value is not None else ""
    if not text.isascii() or not text.isdigit() or len(text) > len(str(MAX_ID)):
        return None  # isascii: "²" is a digit to isdigit() but not to int()
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def enum_values(enum_cls: type[enum.Enum]) -> list[str]:
    return [member.value for member in enum_cls]


def enum_check(
    column: str, enum_cls: type[enum.Enum], *, nullable: bool = False
) -> CheckConstraint:
    """A CHECK constraint keeping a string column inside an enumeration's values."""
    values = ", ".join(f"'{v}'" for v in enum_values(enum_cls))
    condition = f"{column} IN ({values})"
    if nullable:
        condition = f"{column} IS NULL OR {condition}"
    return CheckConstraint(condition, name=f"{column}_valid")


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class ArchiveMixin:
    """Clinical records are archived, never deleted: who, when and why."""

    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    archive_reason: Mapped[str | None] = mapped_column(Text)

    @declared_attr
    def archived_by_id(cls) -> Mapped[int | None]:
        return mapped_column(Integer, ForeignKey("users.id"), index=True)

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class VersionMixin:
    """Optimistic locking: every UPDATE checks and bumps ``version``.

    A stale write raises ``StaleDataError``; services compare the version a form or API
    client saw before they write, so the user gets a clear message instead.
    """

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        return {"version_id_col": cls.version}
