"""Importing an Open Referral HSDS export: organizations and services of one source."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from sqlalchemy import select

from coachapp.extensions import db
from coachapp.limits import MAX_EXTERNAL_ID, MAX_IMPORTED_DESCRIPTION, MAX_LINE
from coachapp.models import AuditEvent, Organization, Resource, ResourceSource
from coachapp.models.enums import AuditAction, ResourceCategory
from coachapp.resources.imports.common import (
    ImportReport,
    InputError,
    RowError,
    _check_length,
    _check_storable,
    _date,
    _email,
    _existing,
    _imported,
    _lenient,
    _refuse_empty,
    _retire_missing,
    _today,
    _upsert,
    _web_address,
    source_for,
)
from coachapp.resources.imports.hsds_files import (
    HSDS_STATUSES,
    HsdsDetails,
    HsdsFiles,
    _category_value,
    _details_text,
    _hsds_details,
    _hsds_files,
    _phones,
    _read_csv,
    _terms_by_service,
    category_from_terms,
)
from coachapp.resources.queries import taxonomy_overrides
from coachapp.resources.taxonomy import Guess, Overrides, guess_category


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
            _check_length("name", row["name"], MAX_LINE)
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
    _check_length("name", row["name"], MAX_LINE)
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
    _check_length("description", description, MAX_IMPORTED_DESCRIPTION)
    locations = details.locations.get(external_id, [])
    extra = _details_text(row, details, locations)
    if extra:
        full = "\n".join([description or "", *extra]).strip()
        if len(full) <= MAX_IMPORTED_DESCRIPTION:
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
