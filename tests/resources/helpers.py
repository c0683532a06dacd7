"""Helpers shared by the resources tests (tests/helpers.py has those of every feature)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from coachapp.models import AuditEvent, Resource, TaxonomyMapping


def line(db, term: str, category: str, *, match: str = "name", program=None) -> TaxonomyMapping:
    mapping = TaxonomyMapping(
        match=match, term=term, category=category, program_id=program.id if program else None
    )
    db.session.add(mapping)
    db.session.commit()
    return mapping


def mappings(db) -> list[tuple]:
    db.session.expire_all()  # the requests wrote through their own sessions
    rows = db.session.scalars(select(TaxonomyMapping).order_by(TaxonomyMapping.id))
    return [(m.program_id, m.match, m.term, m.category) for m in rows]


def events(db, action: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.entity_type == "taxonomy_mapping", AuditEvent.action == action
            )
        )
    )


TODAY = date(2026, 3, 15)


def by_external_id(db, external_id: str) -> Resource:
    return db.session.scalar(select(Resource).where(Resource.external_id == external_id))


def refusals(report) -> dict[str, str]:
    return {r.where: r.reason for r in report.refused}


def warnings(report) -> dict[str, str]:
    return {w.where: w.reason for w in report.warnings}
