"""Imports into the resource directory: Open Referral HSDS CSV exports and Meeting Guide feeds.

Both are pure functions of a path: they add and flush rows in the current session and return an
``ImportReport``; the caller commits once, so an import is one transaction (or rolls back, for a
dry run). A row that cannot be imported is refused, with its row number and why, and skipped;
every other row is imported. A problem with the input as a whole (missing file, not UTF-8, not
CSV/JSON of the expected shape) imports nothing.

Every import belongs to a ``ResourceSource`` (the feed's URL, or a name given at import, by
default the file's name). An entry's identity is (source, ``external_id``): HSDS services keep
their HSDS ``id``, meetings ``"mg:" + slug``, so two intergroups' ``big-book-study`` are two
meetings. Re-importing a source updates and adds its own entries and retires its own entries the
file no longer has (``active`` False, ``retired_on`` set; records that point at them keep them);
another source's entries are never touched.

Lenient on optional fields, strict on required ones: a bad optional value (a date, an email, a
web address, a type code, a status word) is dropped with a warning in the report and the record
imported; a record missing a required field (a name, an id or slug) or with a bad day or time is
refused.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

from sqlalchemy import select

from coachapp import records
from coachapp.extensions import db
from coachapp.models import AuditEvent, Organization, Resource, ResourceSource
from coachapp.models.enums import AuditAction, MeetingFormat, MeetingModel, ResourceCategory
from coachapp.resources.forms import is_http_url
from coachapp.resources.queries import schedule_text, taxonomy_overrides
from coachapp.resources.taxonomy import Guess, Overrides, category_for, guess_category

MAX_EXTERNAL_ID = 100
MAX_NAME = 200
MAX_EMAIL = 254
MAX_URL = 300
MAX_PHONE = 40
MAX_DESCRIPTION = 20_000
MAX_SOURCE_NAME = 300
MAX_TIMEZONE = 64
EARLIEST = date(1900, 1, 1)
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


# --- Open Referral HSDS -----------------------------------------------------------------------

HSDS_STATUSES = {
    "": True,
    "active": True,
    "inactive": False,
    "defunct": False,
    "temporarily closed": False,
    "temporarily_closed": False,
}
CATEGORY_ALIASES = {"health_care": "healthcare", "health": "healthcare"}


def category_from_terms(
    terms: Iterable[str], codes: Iterable[str] = (), overrides: Overrides | None = None
) -> str | None:
    """Our category for a service's taxonomy terms (codes, then names, most specific first),
    if any: the edited mapping's (``overrides``) when one of its lines matches, else the default
    mapping of ``coachapp.resources.taxonomy``."""
    return category_for(codes, terms, overrides)


def _category_value(value: str) -> str:
    key = re.sub(r"[\s\-]+", "_", value.strip().lower())
    key = CATEGORY_ALIASES.get(key, key)
    if key not in set(ResourceCategory):
        raise RowError(f"unknown category {value[:40]!r}")
    return key


def _read_csv(path: Path, *required: str) -> list[tuple[int, dict[str, str]]]:
    """(row number as a spreadsheet shows it, row) for each non-blank row; headers lower-case.
    ``required`` columns must be present."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            headers = {str(name).strip().lower() for name in reader.fieldnames or []}
            missing = [column for column in required if column not in headers]
            if missing:
                raise InputError(f"{path.name} has no {', '.join(missing)} column")
            rows = []
            for number, raw in enumerate(reader, start=2):
                row = {
                    str(key).strip().lower(): value.strip() if isinstance(value, str) else ""
                    for key, value in raw.items()
                    if key is not None
                }
                if any(row.values()):
                    rows.append((number, row))
            return rows
    except UnicodeDecodeError:
        raise InputError(f"{path.name} is not UTF-8 text") from None
    except csv.Error as exc:
        raise InputError(f"{path.name} is not readable CSV: {exc}") from None
    except OSError as exc:
        raise InputError(f"{path.name} cannot be read: {exc.strerror or exc}") from None


@dataclass
class HsdsFiles:
    services: Path
    organizations: Path | None = None
    phones: Path | None = None
    service_taxonomy: Path | None = None  # HSDS 2: services_taxonomy.csv + taxonomy.csv
    taxonomy: Path | None = None
    attributes: Path | None = None  # HSDS 3: attributes.csv + taxonomy_terms.csv
    taxonomy_terms: Path | None = None
    locations: Path | None = None
    addresses: Path | None = None  # HSDS 1/2: physical_addresses.csv; 3: addresses.csv
    postal_addresses: Path | None = None  # HSDS 2: postal_addresses.csv
    service_at_location: Path | None = None
    schedules: Path | None = None  # HSDS 1/2: regular_schedules.csv; 3: schedules.csv
    languages: Path | None = None
    eligibility: Path | None = None  # HSDS 2: eligibility.csv
    cost_options: Path | None = None  # HSDS 3: cost_options.csv


def _hsds_files(path: Path) -> HsdsFiles:
    if path.is_dir():

        def first(*names: str) -> Path | None:
            return next((path / n for n in names if (path / n).is_file()), None)

        services = first("services.csv", "service.csv")
        if services is None:
            raise InputError(f"{path} has no services.csv")
        return HsdsFiles(
            services=services,
            organizations=first("organizations.csv", "organization.csv"),
            phones=first("phones.csv", "phone.csv"),
            service_taxonomy=first("services_taxonomy.csv", "service_taxonomy.csv"),
            taxonomy=first("taxonomy.csv"),
            attributes=first("attributes.csv", "attribute.csv"),
            taxonomy_terms=first("taxonomy_terms.csv", "taxonomy_term.csv"),
            locations=first("locations.csv", "location.csv"),
            addresses=first("physical_addresses.csv", "physical_address.csv", "addresses.csv"),
            postal_addresses=first("postal_addresses.csv", "postal_address.csv"),
            service_at_location=first(
                "service_at_location.csv",
                "services_at_location.csv",
                "service_at_locations.csv",
                "services_at_locations.csv",
            ),
            schedules=first("regular_schedules.csv", "regular_schedule.csv", "schedules.csv"),
            languages=first("languages.csv", "language.csv"),
            eligibility=first("eligibility.csv"),
            cost_options=first("cost_options.csv", "cost_option.csv"),
        )
    if path.is_file():
        return HsdsFiles(services=path)
    raise InputError(f"{path} is neither a file nor a directory")


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _terms_by_service(
    files: HsdsFiles, service_rows: list[tuple[int, dict[str, str]]]
) -> dict[str, tuple[list[str], list[str]]]:
    """(codes, names) of the taxonomy terms (and their parents) linked to each service id:
    through services_taxonomy.csv or the services' ``taxonomy_ids`` (HSDS 1/2, ids of
    taxonomy.csv), attributes.csv (HSDS 3, ids of taxonomy_terms.csv), then the services'
    ``keywords`` (Ohana)."""
    terms: dict[str, tuple[list[str], list[str]]] = {}

    def add(service_id: str, codes: Iterable[str], names: Iterable[str]) -> None:
        found = terms.setdefault(service_id, ([], []))
        found[0].extend(c for c in codes if c)
        found[1].extend(n for n in names if n)

    if files.taxonomy:
        taxonomy = {
            row.get("id") or row.get("taxonomy_id", ""): row for _, row in _read_csv(files.taxonomy)
        }

        def link(service_id: str, taxonomy_id: str) -> None:
            row = taxonomy.get(taxonomy_id)
            if row is None:
                return
            parent = taxonomy.get(row.get("parent_id", ""), {})
            add(
                service_id,
                [row.get("code", "") or taxonomy_id, parent.get("code", "")],
                [row.get("name", ""), row.get("parent_name", "") or parent.get("name", "")],
            )

        if files.service_taxonomy:
            for _, row in _read_csv(files.service_taxonomy):
                link(row.get("service_id", ""), row.get("taxonomy_id", ""))
        for _, row in service_rows:
            for taxonomy_id in _split(row.get("taxonomy_ids", "")):
                link(row.get("id", ""), taxonomy_id)
    if files.attributes and files.taxonomy_terms:
        term_rows = {row.get("id", ""): row for _, row in _read_csv(files.taxonomy_terms)}
        for _, row in _read_csv(files.attributes):
            term = term_rows.get(row.get("taxonomy_term_id", ""))
            if term is None:
                continue
            parent = term_rows.get(term.get("parent_id", ""), {})
            add(
                row.get("link_id", ""),
                [term.get("code", ""), parent.get("code", "")],
                [term.get("name", ""), parent.get("name", "")],
            )
    for _, row in service_rows:
        add(row.get("id", ""), [], _split(row.get("keywords", "")))
    return terms


def _phones(files: HsdsFiles) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """The first usable phone number of each service, organization and location."""
    by_service: dict[str, str] = {}
    by_org: dict[str, str] = {}
    by_location: dict[str, str] = {}
    if files.phones is None:
        return by_service, by_org, by_location
    for _, row in _read_csv(files.phones):
        number = row.get("number", "").strip("\"' ")
        if not number or len(number) > MAX_PHONE or "\x00" in number:
            continue
        if row.get("number_type", row.get("type", "")).lower() == "fax":
            continue
        if row.get("location_id"):
            by_location.setdefault(row["location_id"], number)
        if row.get("service_id"):
            by_service.setdefault(row["service_id"], number)
        elif row.get("organization_id"):
            by_org.setdefault(row["organization_id"], number)
    return by_service, by_org, by_location


def _id_order(value: str) -> tuple[int, int, str]:
    """Ids in order: numbers by value ("2" before "10"), then the rest as text."""
    return (0, int(value), "") if value.isdigit() else (1, 0, value)


def format_address(row: dict[str, str]) -> str:
    """ "address_1, address_2, city, state_province postal_code, country", blanks skipped."""
    region = " ".join(p for p in (row.get("state_province", ""), row.get("postal_code", "")) if p)
    parts = [row.get(k, "") for k in ("address_1", "address_2", "address_3", "address_4")]
    parts += [row.get("city", ""), region, row.get("country", "")]
    return ", ".join(p for p in parts if p)


WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
WEEKDAY_NAMES = {
    **{name.lower(): i for i, name in enumerate(WEEKDAYS)},
    **{
        name: i
        for i, name in enumerate(
            ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
        )
    },
    **{code: i for i, code in enumerate(["mo", "tu", "we", "th", "fr", "sa", "su"])},
    **{str(i + 1): i for i in range(7)},  # HSDS 2.0 numbers the days 1 (Monday) to 7
}


def _weekdays(row: dict[str, str]) -> list[int]:
    """The days of a schedule row: ``weekday`` (HSDS 1/2: a name or 1-7), or ``byday`` of a
    weekly schedule (HSDS 3: "MO,TU")."""
    if row.get("weekday"):
        values = [row["weekday"]]
    elif row.get("byday") and row.get("freq", "weekly").lower() in ("weekly", ""):
        values = _split(row["byday"])
    else:
        raise RowError("no weekday")
    days = []
    for value in values:
        day = WEEKDAY_NAMES.get(value.strip().lower()[-2:] if row.get("byday") else value.lower())
        if day is None:
            raise RowError(f"unknown weekday {value[:20]!r}")
        days.append(day)
    return days


AM_PM_RE = re.compile(r"^(1[0-2]|0?[1-9])(?::([0-5]\d))?\s*([ap])\.?m\.?$", re.IGNORECASE)


def _clock(name: str, value: str) -> str:
    """A time as HH:MM from "09:00", "9:00:00", or 12-hour "4:00 PM" / "9am" (HSDS 1.0)."""
    twelve = AM_PM_RE.match(value.strip())
    if twelve:
        hour = int(twelve.group(1)) % 12 + (12 if twelve.group(3).lower() == "p" else 0)
        return f"{hour:02d}:{twelve.group(2) or '00'}"
    match = TIME_RE.match(value.strip())
    if not match:
        raise RowError(f"{name} must be HH:MM (24-hour), not {value[:20]!r}")
    return f"{int(match.group(1)):02d}:{match.group(2)}"


@dataclass
class HsdsDetails:
    """What the export says about each service beyond services.csv."""

    locations: dict[str, list[str]] = field(default_factory=dict)  # service -> location ids
    location_org: dict[str, str] = field(default_factory=dict)
    address: dict[str, str] = field(default_factory=dict)  # location -> formatted address
    location_phone: dict[str, str] = field(default_factory=dict)
    hours: dict[str, list[tuple[int, str]]] = field(default_factory=dict)  # service/location
    location_hours: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    languages: dict[str, list[str]] = field(default_factory=dict)
    eligibility: dict[str, list[str]] = field(default_factory=dict)
    location_languages: dict[str, list[str]] = field(default_factory=dict)
    costs: dict[str, list[str]] = field(default_factory=dict)  # service -> cost options


def _hsds_details(
    files: HsdsFiles,
    service_rows: list[tuple[int, dict[str, str]]],
    location_phones: dict[str, str],
    report: ImportReport,
) -> HsdsDetails:
    """Locations, addresses, schedules, languages and eligibility of the export's services. A
    row of these files with a bad value is dropped with a warning."""
    details = HsdsDetails(location_phone=location_phones)

    def rows(path: Path | None):
        if path is None:
            return
        for number, row in _read_csv(path):
            if any("\x00" in v for v in row.values()):
                report.warn(
                    f"{path.name} row {number}", "a character that cannot be stored: dropped"
                )
                continue
            yield number, row

    for _, row in rows(files.locations):
        if row.get("id") and row.get("organization_id"):
            details.location_org[row["id"]] = row["organization_id"]
    links: dict[str, set[str]] = {}
    for _, row in service_rows:
        if row.get("location_id"):  # HSDS 1.0 (Ohana): a service belongs to one location
            links.setdefault(row.get("id", ""), set()).add(row["location_id"])
    for _, row in rows(files.service_at_location):
        if row.get("service_id") and row.get("location_id"):
            links.setdefault(row["service_id"], set()).add(row["location_id"])
    details.locations = {sid: sorted(ids, key=_id_order) for sid, ids in links.items()}

    physical: dict[str, str] = {}
    postal: dict[str, str] = {}
    for _, row in rows(files.addresses):
        kind = row.get("address_type", "physical").lower() or "physical"
        text = format_address(row)
        if text and row.get("location_id"):
            (physical if kind == "physical" else postal).setdefault(row["location_id"], text)
    for _, row in rows(files.postal_addresses):
        text = format_address(row)
        if text and row.get("location_id"):
            postal.setdefault(row["location_id"], text)
    details.address = {
        **{loc: f"{text} (postal address)" for loc, text in postal.items()},
        **physical,
    }

    for number, row in rows(files.schedules):
        where = f"{files.schedules.name} row {number}"  # type: ignore[union-attr]
        try:
            days = _weekdays(row)
            opens = _clock("opens_at", row.get("opens_at", ""))
            closes = _clock("closes_at", row.get("closes_at", ""))
        except RowError as exc:
            report.warn(where, f"{exc}: hours dropped")
            continue
        if row.get("service_id"):
            target = details.hours.setdefault(row["service_id"], [])
        elif row.get("location_id"):
            target = details.location_hours.setdefault(row["location_id"], [])
        else:
            continue
        target.extend((day, f"{WEEKDAYS[day]} {opens}\u2013{closes}") for day in days)

    for _, row in rows(files.languages):
        name = row.get("language") or row.get("name", "")
        if not name:
            continue
        if row.get("service_id"):
            found = details.languages.setdefault(row["service_id"], [])
        elif row.get("location_id"):  # spoken at a location: by every service there
            found = details.location_languages.setdefault(row["location_id"], [])
        else:
            continue
        if name not in found:
            found.append(name)
    for _, row in rows(files.cost_options):
        if row.get("service_id") and (text := cost_text(row)):
            details.costs.setdefault(row["service_id"], []).append(text)
    for _, row in rows(files.eligibility):
        if row.get("service_id") and row.get("eligibility"):
            details.eligibility.setdefault(row["service_id"], []).append(row["eligibility"])
    return details


def cost_text(row: dict[str, str]) -> str:
    """An HSDS 3.0 cost option as a line: "Under 18s and Over 60s: 35 GBP per 1 hour session
    (2020-01-01 to 2022-12-31)"."""
    amount = " ".join(p for p in (row.get("amount", ""), row.get("currency", "").upper()) if p)
    price = " ".join(p for p in (amount, row.get("amount_description", "")) if p)
    text = ": ".join(p for p in (row.get("option", ""), price) if p)
    start, end = row.get("valid_from", ""), row.get("valid_to", "")
    if text and start and end:
        text += f" ({start} to {end})"
    elif text and (start or end):
        text += f" (from {start})" if start else f" (until {end})"
    return text


def _details_text(row: dict[str, str], details: HsdsDetails, locations: list[str]) -> list[str]:
    """The labelled lines a service's description gets: other locations, eligibility, fees,
    languages, how to apply, hours."""
    service_id = row.get("id", "")
    others = [details.address[loc] for loc in locations if loc in details.address][1:]
    eligibility = [row.get("eligibility_description") or row.get("eligibility", "")]
    eligibility += details.eligibility.get(service_id, [])
    languages = details.languages.get(service_id, []) + [
        lang for lang in _split(row.get("languages", "")) if lang
    ]
    for location in locations:
        languages += details.location_languages.get(location, [])
    fees = [row.get("fees_description") or row.get("fees", ""), *details.costs.get(service_id, [])]
    hours = details.hours.get(service_id)
    if hours is None and locations:
        hours = details.location_hours.get(locations[0])
    lines = {
        "Also at": "; ".join(others),
        "Eligibility": "; ".join(dict.fromkeys(e for e in eligibility if e)),
        "Fees": "; ".join(dict.fromkeys(f for f in fees if f)),
        "Languages": ", ".join(dict.fromkeys(languages)),
        "How to apply": row.get("application_process", ""),
        "Hours": "; ".join(dict.fromkeys(text for _, text in sorted(hours or []))),
    }
    return [f"{label}: {text}" for label, text in lines.items() if text]


def _other_sources_organizations(
    source: ResourceSource, external_ids: set[str]
) -> dict[str, Organization]:
    """Organizations of other sources a services file links to, where exactly one has the id
    (a services file imported on its own may name organizations imported earlier)."""
    ids = sorted(i for i in external_ids if "\x00" not in i)
    found: dict[str, list[Organization]] = {}
    for start in range(0, len(ids), 500):
        query = select(Organization).where(
            Organization.external_id.in_(ids[start : start + 500]),
            (Organization.source_id != source.id) | Organization.source_id.is_(None),
        )
        for org in db.session.scalars(query):
            found.setdefault(org.external_id or "", []).append(org)
    return {key: orgs[0] for key, orgs in found.items() if len(orgs) == 1}


def import_hsds(
    path: str | Path,
    *,
    source: str | None = None,
    url: str | None = None,
    program_id: int | None = None,
    today: date | None = None,
) -> ImportReport:
    """Import an Open Referral HSDS CSV export into the directory.

    ``path`` is a directory holding ``services.csv`` (and usually ``organizations.csv``;
    ``phones.csv`` and taxonomy tables are used when present), or a single services CSV, which
    may carry an extra ``category`` column. ``source`` names the source (default: ``url``, else
    the file's or directory's name). Each service becomes a ``Resource`` whose ``external_id``
    is the HSDS id within the source (a re-import updates it; the source's services no longer in
    the export are retired); its organization is found by id in the source, else the one
    organization of another source with that id.
    Category: the ``category`` column, else the service's taxonomy terms (through the program's
    edited mapping lines, then the shared ones, then the default mapping), else a guess from the
    service's own words (its name, description, organization's name: ``guess_category``), named
    in the report, else ``other``. A re-import keeps a category someone chose by hand when the
    export says nothing better than a guess.
    ``last_verified_on``: ``assured_date``, else the date of ``last_modified``.
    """
    path = Path(path)
    report = ImportReport(source=f"HSDS import of {path.name or path}")
    today = today or _today()
    try:
        files = _hsds_files(path)
        service_rows = _read_csv(files.services, "id", "name")
        org_rows: list[tuple[int, dict[str, str]]] = []
        if files.organizations is not None:
            org_rows = _read_csv(files.organizations, "id", "name")
        terms = _terms_by_service(files, service_rows)
        service_phones, org_phones, location_phones = _phones(files)
        details = _hsds_details(files, service_rows, location_phones, report)
        origin = source_for(
            source or url or path.name or str(path), "hsds", url=url, program_id=program_id
        )
        _refuse_empty(origin, len(service_rows), files.services.name)
    except InputError as exc:
        report.error = str(exc)
        return report
    report.source_name = origin.name

    orgs = _import_organizations(origin, files, org_rows, org_phones, report)
    for _, row in service_rows:  # HSDS 1.0: a service's organization is its location's
        locations = details.locations.get(row.get("id", ""), [])
        if not row.get("organization_id") and locations:
            row["organization_id"] = details.location_org.get(locations[0], "")
    wanted_orgs = {row.get("organization_id", "") for _, row in service_rows} - set(orgs) - {""}
    orgs.update(_existing(Organization, origin.id, wanted_orgs))  # type: ignore[arg-type]
    orgs.update(_other_sources_organizations(origin, wanted_orgs - set(orgs)))
    existing: dict[str, Resource] = _existing(  # type: ignore[assignment]
        Resource, origin.id, (row.get("id", "") for _, row in service_rows)
    )
    by_hand = _category_chosen_by_hand(r.id for r in existing.values())
    overrides = taxonomy_overrides(program_id)
    seen: dict[str, int] = {}
    name = files.services.name
    for number, row in service_rows:
        where = f"{name} row {number}"
        try:
            values, guess = _service_values(
                row, orgs, terms, service_phones, details, seen, today, report, where, overrides
            )
        except RowError as exc:
            report.refuse(where, str(exc))
            continue
        external_id = row["id"]
        seen[external_id] = number
        resource = existing.get(external_id)
        values["retired_on"] = None
        if guess is not None and (resource is None or resource.id not in by_hand):
            values["category"] = guess.category
            report.guess(where, _guessed(guess))
        elif values["category"] is None and (resource is None or resource.category == "other"):
            report.guess(
                where,
                "no taxonomy term maps and no word of its name, description or organization's "
                "name does: other",
            )
        if resource is None:
            values["category"] = values["category"] or ResourceCategory.OTHER.value
            db.session.add(
                Resource(
                    source_id=origin.id, external_id=external_id, program_id=program_id, **values
                )
            )
            report.created += 1
        else:
            if values["category"] is None:
                values.pop("category")  # keep the category someone chose by hand
            if program_id is not None:
                values["program_id"] = program_id
            if _upsert(resource, values):
                report.updated += 1
            else:
                report.unchanged += 1
    db.session.flush()
    _retire_missing(origin, {row.get("id", "") for _, row in service_rows}, report, today)
    _imported(origin)
    db.session.flush()
    if not org_rows and files.organizations is None and path.is_dir():
        report.notes.append("no organizations.csv: services were linked to known organizations")
    return report


def _guessed(guess: Guess) -> str:
    where = (
        "its organization's name"
        if guess.field == "organization's name"
        else f"the service's {guess.field}"
    )
    return f"category guessed from {where}: {guess.word} ({guess.category})"


def _category_chosen_by_hand(resource_ids: Iterable[int]) -> set[int]:
    """The entries whose category someone changed in the directory (the audit trail records
    each change): a guess from a service's words does not replace such a choice."""
    ids = sorted(set(resource_ids))
    found: set[int] = set()
    for start in range(0, len(ids), 500):
        query = select(AuditEvent.entity_id).where(
            AuditEvent.entity_type == "resource",
            AuditEvent.action == AuditAction.UPDATE.value,
            AuditEvent.fields.contains("category"),
            AuditEvent.entity_id.in_(ids[start : start + 500]),
        )
        found.update(i for i in db.session.scalars(query) if i is not None)
    return found


def _import_organizations(
    origin: ResourceSource,
    files: HsdsFiles,
    rows: list[tuple[int, dict[str, str]]],
    phones: dict[str, str],
    report: ImportReport,
) -> dict[str, Organization]:
    existing = _existing(Organization, origin.id, (row.get("id", "") for _, row in rows))
    accepted: dict[str, Organization] = {}
    seen: dict[str, int] = {}
    name = files.organizations.name if files.organizations else "organizations.csv"
    for number, row in rows:
        where = f"{name} row {number}"
        try:
            _check_storable(row.values())
            external_id = row.get("id", "")
            if not external_id:
                raise RowError("missing id")
            _check_length("id", external_id, MAX_EXTERNAL_ID)
            if external_id in seen:
                raise RowError(f"id {external_id!r} repeated (first on row {seen[external_id]})")
            if not row.get("name"):
                raise RowError("missing name")
            _check_length("name", row["name"], MAX_NAME)
            values = {
                "name": row["name"],
                "description": row.get("description") or None,
                "email": _lenient(report, where, _email, "email", row.get("email")),
                "website": _lenient(
                    report, where, _web_address, "website", row.get("website") or row.get("url")
                ),
                "phone": phones.get(external_id),
            }
        except RowError as exc:
            report.refuse(where, str(exc))
            continue
        seen[external_id] = number
        org = existing.get(external_id)
        if org is None:
            org = Organization(source_id=origin.id, external_id=external_id, **values)
            db.session.add(org)
            report.organizations_created += 1
        else:
            if values["phone"] is None:
                values.pop("phone")
            if _upsert(org, values):
                report.organizations_updated += 1
        accepted[external_id] = org  # type: ignore[assignment]
    db.session.flush()
    return accepted


def _service_values(
    row: dict[str, str],
    orgs: dict[str, Organization],
    terms: dict[str, tuple[list[str], list[str]]],
    phones: dict[str, str],
    details: HsdsDetails,
    seen: dict[str, int],
    today: date,
    report: ImportReport,
    where: str,
    overrides: Overrides | None = None,
) -> tuple[dict, Guess | None]:
    """The values of a service's ``Resource``, and the guess its category is (if it is one)."""
    _check_storable(row.values())
    external_id = row.get("id", "")
    if not external_id:
        raise RowError("missing id")
    _check_length("id", external_id, MAX_EXTERNAL_ID)
    if external_id in seen:
        raise RowError(f"id {external_id!r} repeated (first on row {seen[external_id]})")
    if not row.get("name"):
        raise RowError("missing name")
    _check_length("name", row["name"], MAX_NAME)
    org_ref = row.get("organization_id", "")
    organization = orgs.get(org_ref) if org_ref else None
    if org_ref and organization is None:
        raise RowError(f"unknown organization id {org_ref[:60]!r}")
    status = re.sub(r"\s+", " ", row.get("status", "").strip().lower())
    active = HSDS_STATUSES.get(status)
    if active is None:
        report.warn(where, f"unknown status {row['status'][:40]!r}: taken as active")
        active = True
    category = None
    if row.get("category"):
        category = _lenient(report, where, _category_value, row["category"])
    if category is None:
        codes, names = terms.get(external_id, ([], []))
        category = category_from_terms(names, codes, overrides)
    guess = None
    if category is None:
        guess = guess_category(
            (
                ("name", row["name"]),
                ("description", row.get("description")),
                ("organization's name", organization.name if organization is not None else None),
            ),
            overrides,
        )
    verified = _lenient(
        report, where, _date, "assured_date", row.get("assured_date"), today
    ) or _lenient(report, where, _date, "last_modified", row.get("last_modified"), today)
    description = row.get("description") or None
    _check_length("description", description, MAX_DESCRIPTION)
    locations = details.locations.get(external_id, [])
    extra = _details_text(row, details, locations)
    if extra:
        full = "\n".join([description or "", *extra]).strip()
        if len(full) <= MAX_DESCRIPTION:
            description = full
        else:
            report.warn(where, "eligibility, fees, languages and hours too long: dropped")
    address = next((details.address[loc] for loc in locations if loc in details.address), None)
    phone = phones.get(external_id) or next(
        (details.location_phone[loc] for loc in locations if loc in details.location_phone), None
    )
    values = {
        "name": row["name"],
        "category": category,
        "organization_id": organization.id if organization is not None else None,
        "description": description,
        "email": _lenient(report, where, _email, "email", row.get("email")),
        "website": _lenient(
            report, where, _web_address, "url", row.get("url") or row.get("website")
        ),
        "phone": phone,
        "address": address,
        "active": active,
        "last_verified_on": verified,
    }
    return values, guess


# --- Meeting Guide JSON feed ------------------------------------------------------------------
# Field definitions: README of github.com/code4recovery/spec; its data/types.json lists the 87
# type codes (labels in English below; the open/closed and temporarily-closed codes are read).
LANGUAGES = {
    "AF": "Afrikaans",
    "AM": "Amharic",
    "AR": "Arabic",
    "ASL": "American Sign Language",
    "BG": "Bulgarian",
    "DA": "Danish",
    "DE": "German",
    "EL": "Greek",
    "EN": "English",
    "FA": "Persian",
    "FI": "Finnish",
    "FR": "French",
    "HE": "Hebrew",
    "HI": "Hindi",
    "HR": "Croatian",
    "HU": "Hungarian",
    "IS": "Icelandic",
    "ITA": "Italian",
    "JA": "Japanese",
    "KA": "Georgian",
    "KOR": "Korean",
    "LT": "Lithuanian",
    "ML": "Malayalam",
    "MT": "Maltese",
    "NE": "Nepali",
    "NL": "Dutch",
    "NO": "Norwegian",
    "POL": "Polish",
    "POR": "Portuguese",
    "PUN": "Punjabi",
    "RUS": "Russian",
    "S": "Spanish",
    "SK": "Slovak",
    "SL": "Slovenian",
    "SV": "Swedish",
    "TH": "Thai",
    "TL": "Tagalog",
    "TUR": "Turkish",
    "UK": "Ukrainian",
}
TYPE_LABELS = {
    "11": "11th Step Meditation",
    "12x12": "12 Steps & 12 Traditions",
    "A": "Secular",
    "ABSI": "As Bill Sees It",
    "AL": "Concurrent with Alateen",
    "AL-AN": "Concurrent with Al-Anon",
    "B": "Big Book",
    "BA": "Babysitting Available",
    "BE": "Newcomer",
    "BI": "Bisexual",
    "BRK": "Breakfast",
    "CAN": "Candlelight",
    "CF": "Child-friendly",
    "D": "Discussion",
    "DB": "Digital Basket",
    "DD": "Dual Diagnosis",
    "DR": "Daily Reflections",
    "FF": "Fragrance Free",
    "G": "Gay",
    "GR": "Grapevine",
    "H": "Birthday",
    "L": "Lesbian",
    "LGBTQ": "LGBTQ",
    "LIT": "Literature",
    "LS": "Living Sober",
    "M": "Men",
    "MED": "Meditation",
    "N": "Native American",
    "NB": "Non-Binary",
    "NDG": "Indigenous",
    "OUT": "Outdoor",
    "P": "Professionals",
    "POA": "Proof of Attendance",
    "POC": "People of Color",
    "SEN": "Seniors",
    "SM": "Smoking Permitted",
    "SP": "Speaker",
    "ST": "Step Study",
    "T": "Transgender",
    "TC": "Location temporarily closed",
    "TR": "Tradition Study",
    "W": "Women",
    "X": "Wheelchair access",
    "XB": "Wheelchair-accessible bathroom",
    "XT": "Cross Talk Permitted",
    "Y": "Young People",
}
ONLINE_TYPE = "ONL"  # older feeds mark online meetings with it; the spec uses conference_*
CLOSED_TEMPORARILY = "TC"
KNOWN_TYPES = {*LANGUAGES, *TYPE_LABELS, "O", "C", ONLINE_TYPE}
PROGRAMS = {
    "aa": "aa",
    "alcoholics anonymous": "aa",
    "na": "na",
    "narcotics anonymous": "na",
    "smart": "smart_recovery",
    "smart recovery": "smart_recovery",
    "smart_recovery": "smart_recovery",
    "lifering": "lifering",
    "lifering secular recovery": "lifering",
    "dra": "dual_recovery",
    "dual recovery": "dual_recovery",
    "dual recovery anonymous": "dual_recovery",
    "dual_recovery": "dual_recovery",
    "al-anon": "family",
    "alateen": "family",
    "nar-anon": "family",
    "family": "family",
    "other": "other",
}
TIME_RE = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)(?::[0-5]\d)?$")


def _text(entry: dict, key: str) -> str:
    value = entry.get(key)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise RowError(f"{key} must be text")
    text = str(value).strip()
    if "\x00" in text:
        raise RowError("contains a character that cannot be stored (NUL)")
    return text


def _days(value) -> list[int]:
    items = value if isinstance(value, list) else [] if value in (None, "") else [value]
    days = []
    for item in items:
        if isinstance(item, bool):
            raise RowError("day must be 0 (Sunday) to 6 (Saturday), or a list of them")
        if isinstance(item, str) and item.strip().isdigit():
            item = int(item.strip())
        if not isinstance(item, int) or not 0 <= item <= 6:
            raise RowError("day must be 0 (Sunday) to 6 (Saturday), or a list of them")
        days.append(item)
    return sorted(set(days))


def _time(key: str, value: str) -> time | None:
    """A meeting time: HH:MM as the spec says, or an unambiguous 12-hour time ("11:00 AM",
    "7pm"), which some intergroups' feeds carry (Edmonton's, every meeting)."""
    if not value:
        return None
    match = TIME_RE.match(value)
    if match:
        return time(int(match.group(1)), int(match.group(2)))
    twelve = AM_PM_RE.match(value.strip())
    if twelve:
        hour = int(twelve.group(1)) % 12 + (12 if twelve.group(3).lower() == "p" else 0)
        return time(hour, int(twelve.group(2) or 0))
    raise RowError(f"{key} must be HH:MM (24-hour), not {value[:20]!r}")


def meeting_external_id(slug: str) -> str:
    """``"mg:" + slug``; a slug too long for the column (SE Pennsylvania's run to 150
    characters) keeps its start and a digest of the whole, so it stays one stable id of its
    own."""
    external_id = f"mg:{slug}"
    if len(external_id) <= MAX_EXTERNAL_ID:
        return external_id
    digest = hashlib.sha256(slug.encode("utf-8", "surrogatepass")).hexdigest()[:24]
    return f"{external_id[: MAX_EXTERNAL_ID - len(digest) - 1]}~{digest}"


# Type "codes" some feeds write as words or in lower case (North West Texas: "[open]").
TYPE_WORDS = {"OPEN": "O", "CLOSED": "C", "ONLINE": "ONL"}


def _type_code(text: str) -> str | None:
    """A spec type code from ``text``: exact, else case ignored, brackets and quotes
    stripped, or one of ``TYPE_WORDS``."""
    if text in KNOWN_TYPES:
        return text
    key = text.strip("[]\"' ").upper()
    key = TYPE_WORDS.get(key, key)
    return key if key in KNOWN_TYPES else None


def _types(value, warn: Callable[[str], None]) -> list[str]:
    """The type codes (optional: what is not a known code is dropped with a warning)."""
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list):
        warn("types is not a list of codes: dropped")
        return []
    codes = []
    for item in value:
        code = str(item).strip() if isinstance(item, str | int) and item is not True else ""
        known = _type_code(code) if code else None
        if known is not None:
            if known not in codes:
                codes.append(known)
        elif code:
            warn(f"unknown type code {code[:20]!r}: dropped")
        elif not isinstance(item, str):
            warn("a type that is not a code: dropped")
    return codes


def _timezone(value: str) -> str | None:
    if not value:
        return None
    if len(value) > MAX_TIMEZONE or value not in _timezones():
        raise RowError(f"unknown timezone {value[:40]!r}")
    return value


_TIMEZONES: set[str] = set()


def _timezones() -> set[str]:
    if not _TIMEZONES:
        _TIMEZONES.update(zoneinfo.available_timezones())
    return _TIMEZONES


def is_approximate(formatted_address: str) -> bool:
    """tsml-ui's rule: an address of fewer than four comma-separated parts has no street part
    ("Philadelphia, PA, USA", "Lewes, DE 19958, USA"): it only says where, roughly."""
    return len(formatted_address.split(",")) < 4


def _meeting_format(has_place: bool, online: bool) -> str | None:
    if has_place and online:
        return MeetingFormat.HYBRID.value
    if online:
        return MeetingFormat.VIRTUAL.value
    if has_place:
        return MeetingFormat.IN_PERSON.value
    return None


def _meeting_values(
    entry: dict, *, default_model: str, today: date, report: ImportReport, where: str = ""
):
    name = _text(entry, "name")
    if not name:
        raise RowError("missing name")
    _check_length("name", name, MAX_NAME)

    def warn(message: str) -> None:
        report.warn(where, message)

    def optional(key: str, check: Callable, *args):
        try:
            return check(*args)
        except RowError as exc:
            warn(f"{exc}: dropped")
            return None

    def optional_text(key: str) -> str:
        return optional(key, _text, entry, key) or ""

    types = _types(entry.get("types"), warn)
    program = _text(entry, "program").lower()
    model = PROGRAMS.get(program, default_model) if program else default_model
    if program and program not in PROGRAMS:
        report.notes.append(f"program {program[:40]!r} not recognised: used {default_model}")
    days = _days(entry.get("day"))
    start = _time("time", _text(entry, "time"))
    end = _time("end_time", _text(entry, "end_time")) if start else None
    if start and not TIME_RE.match(_text(entry, "time")):
        report.notes.append('12-hour times ("7:00 PM") were read as 24-hour times')

    conference_url = optional(
        "conference_url", _web_address, "conference_url", optional_text("conference_url")
    )
    conference_phone = optional_text("conference_phone")
    formatted = _text(entry, "formatted_address")
    if not formatted:
        parts = [_text(entry, k) for k in ("address", "city")]
        region = " ".join(p for p in (_text(entry, "state"), _text(entry, "postal_code")) if p)
        formatted = ", ".join(p for p in (*parts, region, _text(entry, "country")) if p)
    location = _text(entry, "location")
    address = "\n".join(p for p in (location, formatted) if p) or None
    temporarily_closed = CLOSED_TEMPORARILY in types
    online = bool(conference_url or conference_phone or ONLINE_TYPE in types)
    flag = entry.get("approximate")
    if isinstance(flag, bool):
        approximate = flag
    elif isinstance(flag, str) and flag.strip():
        approximate = flag.strip().lower() == "yes"
    else:
        # An online meeting with only a city-level address is online-only, not hybrid.
        approximate = online and bool(formatted) and is_approximate(formatted)
    has_place = bool(formatted) and not approximate and not temporarily_closed
    meeting_format = _meeting_format(has_place, online)
    active = not (temporarily_closed and not online)

    phone = conference_phone if conference_phone and len(conference_phone) <= MAX_PHONE else None
    labels = [TYPE_LABELS[t] for t in types if t in TYPE_LABELS]
    description_parts = [
        " · ".join(labels),
        f"Group: {_text(entry, 'group')}" if _text(entry, "group") else "",
        _text(entry, "location_notes"),
        _text(entry, "notes"),
        f"Online: {_text(entry, 'conference_url_notes')}"
        if _text(entry, "conference_url_notes")
        else "",
        f"Dial-in: {conference_phone}" if conference_phone and phone is None else "",
        f"Dial-in: {_text(entry, 'conference_phone_notes')}"
        if _text(entry, "conference_phone_notes")
        else "",
    ]
    description = "\n".join(p for p in description_parts if p) or None
    _check_length("notes", description, MAX_DESCRIPTION)
    languages = [LANGUAGES[t] for t in types if t in LANGUAGES]
    return {
        "name": name,
        "category": ResourceCategory.RECOVERY_SUPPORT.value,
        "description": description,
        "address": address,
        "phone": phone,
        "website": optional("url", _web_address, "url", optional_text("url")),
        "active": active,
        "last_verified_on": optional("updated", _date, "updated", optional_text("updated"), today),
        "meeting_model": model,
        "meeting_format": meeting_format,
        "meeting_open": True if "O" in types else False if "C" in types else None,
        "meeting_day": days[0] if len(days) == 1 else None,
        "meeting_time": start,
        "meeting_end_time": end,
        "meeting_schedule": schedule_text(
            days,
            start.strftime("%H:%M") if start else None,
            end.strftime("%H:%M") if end else None,
            languages,
        ),
        "conference_url": conference_url,
        "meeting_timezone": optional("timezone", _timezone, optional_text("timezone")),
    }


def _entity(
    entry: dict, origin: ResourceSource, cache: dict[str, Organization], report: ImportReport
):
    """The service entity (intergroup, district) as an organization, when the feed names one."""
    try:
        name = _text(entry, "entity")
    except RowError:
        return None
    if not name or len(name) > MAX_NAME:
        return None
    external_id = "mg-entity:" + re.sub(r"\s+", " ", name.lower())[: MAX_EXTERNAL_ID - 10]
    if external_id in cache:
        return cache[external_id]
    org = db.session.scalar(
        select(Organization).where(
            Organization.source_id == origin.id, Organization.external_id == external_id
        )
    )
    if org is None:
        try:
            website = _web_address("entity_url", _text(entry, "entity_url")) or _web_address(
                "entity_website_url", _text(entry, "entity_website_url")
            )
            email = _email("entity_email", _text(entry, "entity_email"))
            phone = _text(entry, "entity_phone")
        except RowError:
            website = email = phone = None
        org = Organization(
            source_id=origin.id,
            external_id=external_id,
            name=name,
            website=website,
            email=email,
            phone=phone if phone and len(phone) <= MAX_PHONE else None,
        )
        db.session.add(org)
        db.session.flush()
        report.organizations_created += 1
    cache[external_id] = org
    return org


def _meeting_ids(feed: list) -> dict[int, tuple[str, int | None]]:
    """Each meeting's external id (by its number in the feed) and the number of the first
    meeting with its slug, when it repeats one. A repeated slug of a different meeting (San
    Jose has two "pass-it-on-group" in two places) gets "#2", "#3" in the feed's order."""
    slugs: dict[int, str] = {}
    for number, entry in enumerate(feed, start=1):
        try:
            slug = _text(entry, "slug") if isinstance(entry, dict) else ""
        except RowError:
            slug = ""
        if slug:
            slugs[number] = slug
    ids: dict[int, tuple[str, int | None]] = {}
    first: dict[str, int] = {}
    for number, slug in slugs.items():
        if slug not in first:
            first[slug] = number
            ids[number] = (meeting_external_id(slug), None)
    taken = {external_id for external_id, _ in ids.values()}
    for number, slug in slugs.items():
        if number in ids:
            continue
        count = 2
        while meeting_external_id(f"{slug}#{count}") in taken:
            count += 1
        external_id = meeting_external_id(f"{slug}#{count}")
        taken.add(external_id)
        ids[number] = (external_id, first[slug])
    return ids


def import_meetings(
    path: str | Path,
    *,
    source: str | None = None,
    url: str | None = None,
    default_model: str = MeetingModel.AA.value,
    program_id: int | None = None,
    today: date | None = None,
) -> ImportReport:
    """Import a Meeting Guide JSON feed (an array of meetings) into the directory.

    ``source`` names the source (default: ``url``, else the file's name). Each meeting becomes a
    ``recovery_support`` resource with ``external_id`` ``"mg:" + slug`` within the source (a
    re-import updates it; the source's meetings no longer in the feed are retired). Model: the
    entry's ``program`` when present, else ``default_model``. Format: ``hybrid`` with an
    address and a ``conference_url`` / ``conference_phone``, ``virtual`` with only the latter
    (or when the location is temporarily closed, type ``TC``, or only approximate: the feed
    says so, or an online meeting's address has no street part), ``in_person`` with only an
    address.
    Open/closed from the ``O`` / ``C`` types; languages from their type codes, in the schedule.
    Real feeds stray from the spec, and are read: 12-hour times ("11:00 AM", with a note),
    type codes in lower case or as words ("[open]"), slugs longer than the column (start and
    digest), a slug repeated by another meeting (``#2``, with a warning; an exact copy of the
    first is refused).
    """
    path = Path(path)
    report = ImportReport(source=f"Meeting Guide import of {path.name}")
    if default_model not in set(MeetingModel):
        report.error = f"unknown model {default_model!r}"
        return report
    today = today or _today()
    try:
        with path.open(encoding="utf-8-sig") as handle:
            feed = json.load(handle)
    except UnicodeDecodeError:
        report.error = f"{path.name} is not UTF-8 text"
        return report
    except json.JSONDecodeError as exc:
        report.error = f"{path.name} is not JSON ({exc.msg}, line {exc.lineno})"
        return report
    except (OSError, RecursionError) as exc:
        report.error = f"{path.name} cannot be read: {getattr(exc, 'strerror', None) or exc}"
        return report
    if not isinstance(feed, list):
        report.error = f"{path.name} is not a Meeting Guide feed (a JSON array of meetings)"
        return report
    try:
        origin = source_for(
            source or url or path.name,
            "meeting_guide",
            url=url,
            program_id=program_id,
            default_model=default_model,
        )
        _refuse_empty(origin, len(feed), path.name)
    except InputError as exc:
        report.error = str(exc)
        return report
    report.source_name = origin.name

    ids = _meeting_ids(feed)
    slugs = [external_id for external_id, _ in ids.values()]
    existing = _existing(Resource, origin.id, slugs)
    entities: dict[str, Organization] = {}
    for number, entry in enumerate(feed, start=1):
        where = f"meeting {number}"
        try:
            if not isinstance(entry, dict):
                raise RowError("not a JSON object")
            slug = _text(entry, "slug")
            if slug:
                where = f"meeting {number} (slug {slug[:64]!r})"
            if not slug:
                raise RowError("missing slug")
            external_id, first = ids[number]
            if first is not None:
                if entry == feed[first - 1]:
                    raise RowError(f"the same meeting as meeting {first}")
                report.warn(
                    where,
                    f"slug repeated (first as meeting {first}): imported as "
                    f"{external_id.removeprefix('mg:')[:80]!r}",
                )
            values = _meeting_values(
                entry, default_model=default_model, today=today, report=report, where=where
            )
        except RowError as exc:
            report.refuse(where, str(exc))
            continue
        org = _entity(entry, origin, entities, report)
        values["organization_id"] = org.id if org is not None else None
        values["retired_on"] = None
        resource = existing.get(external_id)
        if resource is None:
            db.session.add(
                Resource(
                    source_id=origin.id, external_id=external_id, program_id=program_id, **values
                )
            )
            report.created += 1
        else:
            if program_id is not None:
                values["program_id"] = program_id
            if _upsert(resource, values):
                report.updated += 1
            else:
                report.unchanged += 1
        if not values["active"]:
            report.notes.append(
                f"{where}: location temporarily closed and no online meeting: imported inactive"
            )
    report.notes = list(dict.fromkeys(report.notes))
    db.session.flush()
    _retire_missing(origin, set(slugs), report, today)
    _imported(origin)
    db.session.flush()
    return report
