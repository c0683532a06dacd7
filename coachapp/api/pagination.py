"""``?page=&per_page=`` (at most 200) -> ``{items, page, per_page, total}``."""

from __future__ import annotations

from sqlalchemy import Select, func, select

from coachapp.extensions import db


def paginate(query: Select, args: dict, *, options=()) -> dict:
    page, per_page = args["page"], args["per_page"]
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = db.session.scalars(
        query.options(*options).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return {"items": items, "page": page, "per_page": per_page, "total": total}
