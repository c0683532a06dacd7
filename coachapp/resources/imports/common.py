"""What both importers share: the import report, the checks of single values (lengths from
coachapp.limits), the feed's ``ResourceSource`` and the upsert/retire steps."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select

from coachapp import records
from coachapp.extensions import db
from coachapp.limits import (
    MAX_EMAIL,
    MAX_SOURCE_NAME,
    MAX_URL,
)
from coachapp.models import Resource, ResourceSource
from coachapp.resources.forms import is_http_url

EARLIEST = date(1900, 1, 1)
# A clock time: HH:MM, 24-hour, optional seconds (Meeting Guide's format; HSDS schedules too).
TIME_RE = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)(?::[0-5]\d)?$")
MAX_GUESS_LINES = 50  # a large export without taxonomy: the first ones, then a count

# --- The report -------------------------------------------------------------------------------


@dataclass
class Refusal:
    where: str  # "services.csv row 4", "meeting 3 (slug 'tuesday-step')"
    reason: str


@dataclass
class ImportReport:
    source: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    retired: int = 0
    organizations_created: int = 0
    organizations_updated: int = 0
    refused: list[Refusal] = field(default_factory=list)
    warnings: list[Refusal] = field(default_factory=list)  # a value dropped, the record kept
    guessed: list[Refusal] = field(default_factory=list)  # a category from a service's words
    notes: list[str] = field(default_factory=list)
    error: str | None = None  # the input as a whole was refused: nothing imported
    source_name: str | None = None  # the ResourceSource imported into

    @property
    def ok(self) -> bool:
        return self.error is None

    def refuse(self, where: str, reason: str) -> None:
        self.refused.append(Refusal(where, reason))

    def warn(self, where: str, reason: str) -> None:
        self.warnings.append(Refusal(where, reason))

    def guess(self, where: str, reason: str) -> None:
        self.guessed.append(Refusal(where, reason))

    def summary(self) -> str:
        """One line, safe for the audit trail (counts only)."""
        if self.error:
            return "nothing imported"
        counts = (
            f"created={self.created} updated={self.updated} unchanged={self.unchanged} "
            f"retired={self.retired} refused={len(self.refused)} warnings={len(self.warnings)}"
        )
        return f"{counts} guessed={len(self.guessed)}" if self.guessed else counts

    def lines(self, *, dry_run: bool = False) -> list[str]:
        """The report as printed by ``flask resources import`` (after the save), or what a dry
        run would do."""
        if self.error:
            return [f"{self.source}: nothing imported.", f"  {self.error}"]
        if dry_run:
            lines = [
                f"{self.source} (dry run): would create {self.created}, update {self.updated}, "
                f"retire {self.retired}; {self.unchanged} unchanged, {len(self.refused)} refused."
            ]
        else:
            lines = [
                f"{self.source}: {self.created} created, {self.updated} updated, "
                f"{self.unchanged} unchanged, {self.retired} retired, "
                f"{len(self.refused)} refused."
            ]
        if self.source_name:
            lines.append(f"Source: {self.source_name}")
        if self.organizations_created or self.organizations_updated:
            lines.append(
                f"Organizations: {self.organizations_created} created, "
                f"{self.organizations_updated} updated."
            )
        if self.refused:
            lines.append("Refused rows were skipped; every other row was imported:")
            lines.extend(f"  {r.where}: {r.reason}" for r in self.refused)
        if self.warnings:
            lines.append("Values dropped (the rest of each record was imported):")
            lines.extend(f"  {w.where}: {w.reason}" for w in self.warnings)
        if self.guessed:
            lines.append(
                f"Categories of {len(self.guessed)} services not placed by a taxonomy term, "
                'read from their own words (a "word" line of the taxonomy mapping changes one):'
            )
            lines.extend(f"  {g.where}: {g.reason}" for g in self.guessed[:MAX_GUESS_LINES])
            if len(self.guessed) > MAX_GUESS_LINES:
                lines.append(f"  ... and {len(self.guessed) - MAX_GUESS_LINES} more")
        lines.extend(f"Note: {note}" for note in self.notes)
        return lines


class InputError(Exception):
    """The input as a whole cannot be imported."""


class RowError(Exception):
    """One row cannot be imported; the message says why."""


# --- Shared checks ----------------------------------------------------------------------------


def _today() -> date:
    return datetime.now(timezone.utc).date()


def _check_length(name: str, value: str | None, limit: int) -> None:
    if value is not None and len(value) > limit:
        raise RowError(f"{name} is longer than {limit} characters")


def _check_storable(values: Iterable[object]) -> None:
    for value in values:
        if isinstance(value, str) and "\x00" in value:
            raise RowError("contains a character that cannot be stored (NUL)")


def _web_address(name: str, value: str | None) -> str | None:
    """A web address as stored: https:// added to a bare "www.example.org"; other schemes
    (javascript:, data:, ...) refused."""
    if not value:
        return None
    bare = "://" not in value and ":" not in value.split("/", 1)[0]
    if bare and " " not in value and "." in value:
        value = "https://" + value
    _check_length(name, value, MAX_URL)
    if not is_http_url(value):
        raise RowError(f"{name} is not a web address (http:// or https://)")
    return value


def _email(name: str, value: str | None) -> str | None:
    if not value:
        return None
    _check_length(name, value, MAX_EMAIL)
    if "@" not in value or any(ch.isspace() for ch in value):
        raise RowError(f"{name} is not an email address")
    return value


def _date(name: str, value: str | None, today: date) -> date | None:
    """A date from "2026-03-01", "2026-03-01 14:32:23" or "2023-03-15T10:30:45.123Z"."""
    if not value:
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            parsed = date.fromisoformat(text)
        else:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        raise RowError(f"bad date in {name}: {text[:40]!r}") from None
    if parsed < EARLIEST:
        raise RowError(f"bad date in {name}: {text[:40]!r} is too far in the past")
    if parsed > today + timedelta(days=1):
        raise RowError(f"bad date in {name}: {text[:40]!r} is in the future")
    return parsed


def _lenient(report: ImportReport, where: str, check: Callable, *args):
    """An optional value: ``check(*args)``, or None with a warning when it is bad."""
    try:
        return check(*args)
    except RowError as exc:
        report.warn(where, f"{exc}: dropped")
        return None


def source_for(
    name: str,
    kind: str,
    *,
    url: str | None = None,
    program_id: int | None = None,
    default_model: str | None = None,
) -> ResourceSource:
    """The source named ``name`` (created when new); an existing source of another kind is
    refused, so a feed is never imported over an HSDS export's entries."""
    name = name.strip()
    if not name or len(name) > MAX_SOURCE_NAME or "\x00" in name:
        raise InputError(f"a source name must be 1 to {MAX_SOURCE_NAME} characters")
    source = db.session.scalar(select(ResourceSource).where(ResourceSource.name == name))
    if source is None:
        source = ResourceSource(
            name=name, kind=kind, url=url, program_id=program_id, default_model=default_model
        )
        db.session.add(source)
        db.session.flush()
        return source
    if source.kind != kind:
        raise InputError(
            f"source {name!r} holds {KIND_LABELS[source.kind]} entries, not {KIND_LABELS[kind]}"
        )
    if url:
        source.url = url
    if program_id is not None:
        source.program_id = program_id
    if default_model is not None:
        source.default_model = default_model
    return source


KIND_LABELS = {"meeting_guide": "Meeting Guide", "hsds": "HSDS"}


def _existing(model, source_id: int, external_ids: Iterable[str]) -> dict[str, object]:
    """Rows of ``model`` of one source by ``external_id`` (in chunks, for SQLite's parameter
    limit)."""
    # NUL cannot even be sent to PostgreSQL; such rows are refused later anyway.
    ids = sorted({i for i in external_ids if i and "\x00" not in i})
    found: dict[str, object] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        query = select(model).where(model.source_id == source_id, model.external_id.in_(chunk))
        for row in db.session.scalars(query):
            found[row.external_id] = row
    return found


def _retire_missing(
    source: ResourceSource, in_file: set[str], report: ImportReport, today: date
) -> None:
    """Retire the source's entries the file no longer has (refused rows still count as in the
    file: a row with a typo is not a meeting that ended)."""
    query = select(Resource).where(Resource.source_id == source.id, Resource.retired_on.is_(None))
    for resource in db.session.scalars(query):
        if resource.external_id not in in_file:
            resource.active = False
            resource.retired_on = today
            report.retired += 1


def _refuse_empty(source: ResourceSource, count: int, what: str) -> None:
    """A file with no entries at all would retire every entry of its source: refuse it."""
    if count:
        return
    held = db.session.scalar(
        select(Resource.id).where(Resource.source_id == source.id, Resource.retired_on.is_(None))
    )
    if held is not None:
        raise InputError(f"{what} has no entries: nothing imported and nothing retired")


def _imported(source: ResourceSource) -> None:
    source.last_imported_at = datetime.now(timezone.utc)


def _upsert(row, values: dict) -> bool:
    """Set ``values`` on an existing row; True when something changed."""
    return bool(records.apply_changes(row, values))
