"""Reading an Open Referral HSDS export: the CSV files of a folder (or one services file),
taxonomy terms, phones, addresses, schedules and the details that become a description."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from coachapp.limits import MAX_PHONE
from coachapp.models.enums import ResourceCategory
from coachapp.resources.imports.common import (
    TIME_RE,
    ImportReport,
    InputError,
    RowError,
)
from coachapp.resources.taxonomy import Overrides, category_for

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
