"""Read queries of the resource directory.

Directory entries are not client data: any signed-in user may read them. An entry is shared by
every program (``program_id`` NULL) or belongs to one program; a user sees the shared ones and
their own program's (an admin, who manages the directory, sees all).
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata

from sqlalchemy import (
    ColumnElement,
    Engine,
    Select,
    String,
    and_,
    event,
    false,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import selectinload

from coachapp.extensions import db
from coachapp.models import Organization, Resource, TaxonomyMapping, User
from coachapp.models.enums import MeetingFormat, MeetingModel, ResourceCategory, Role
from coachapp.resources.taxonomy import Overrides, Scope

ANY_MEETING = "any"
PER_PAGE = 25
MAX_SEARCH = 100  # characters of a search box read
MAX_TERMS = 10  # words of a search matched; the rest are ignored
ZIP_CODE = re.compile(r"(\d{5})(?:-\d{4})?", re.ASCII)
# What separates the parts of an address ("12 Main St, Springfield, IL 62701-1234"): read as
# spaces, so that a ZIP code is matched as a whole word (62701 is not 162701, nor a street number
# inside a longer one) and a ZIP+4 address is found by its 5-digit ZIP.
ADDRESS_SEPARATORS = (",", ";", ".", "-", "/", "(", ")", "\n", "\r", "\t")
DAY_NAMES = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
MODEL_LABELS = {
    "aa": "AA",
    "na": "NA",
    "smart_recovery": "SMART Recovery",
    "lifering": "LifeRing",
    "dual_recovery": "Dual recovery",
    "family": "Family groups",
    "other": "Other",
}


def _accent_table() -> tuple[str, str]:
    """Latin letters with accents (both cases) and their plain letters, one for one: "Núñez"
    is searched as "Nunez". Letters that do not decompose (ø, ł, đ) are added by hand."""
    accented, plain = [], []
    for code in range(0xC0, 0x250):
        char = chr(code)
        base = unicodedata.normalize("NFKD", char)[0]
        if base != char and base.isascii() and base.isalpha():
            accented.append(char)
            plain.append(base)
    for char, base in (("ø", "o"), ("Ø", "O"), ("ł", "l"), ("Ł", "L"), ("đ", "d"), ("Đ", "D")):
        accented.append(char)
        plain.append(base)
    return "".join(accented), "".join(plain)


ACCENTED, PLAIN = _accent_table()
_FOLD = str.maketrans(ACCENTED, PLAIN)


def fold(text: str) -> str:
    """``text`` with its accents taken off, as ``folded`` does in SQL."""
    return text.translate(_FOLD)


def folded(column) -> ColumnElement:
    """The column with its accents taken off: ``translate`` is built into PostgreSQL; SQLite
    gets the same function on every connection (``_sqlite_translate``)."""
    return func.translate(column, ACCENTED, PLAIN, type_=String)


def _translate(text, source, target):
    if text is None or source is None or target is None:
        return None
    table = {ord(a): (target[i] if i < len(target) else None) for i, a in enumerate(source)}
    return str(text).translate(table)


@event.listens_for(Engine, "connect")
def _sqlite_translate(dbapi_connection, connection_record) -> None:  # noqa: ARG001
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.create_function("translate", 3, _translate, deterministic=True)


def like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def program_condition(program_id: int | None):
    """Entries a program may use: the shared ones and its own."""
    if program_id is None:
        return Resource.program_id.is_(None)
    return or_(Resource.program_id.is_(None), Resource.program_id == program_id)


def visible_resources(user: User) -> Select:
    """``SELECT resources`` the user may read in the directory."""
    if user is None or not getattr(user, "is_authenticated", False):
        return select(Resource).where(false())
    if user.role == Role.ADMIN:
        return select(Resource)
    return select(Resource).where(program_condition(user.program_id))


def get_visible_resource_or_404(resource_id: int, user: User) -> Resource:
    return db.one_or_404(
        visible_resources(user)
        .where(Resource.id == resource_id)
        .options(selectinload(Resource.organization))
    )


def zip_code(text: str) -> str | None:
    """The 5-digit ZIP code of ``text`` when it is one ("19103" or ZIP+4 "19103-2841")."""
    found = ZIP_CODE.fullmatch(text.strip())
    return found.group(1) if found else None


def _address_words() -> ColumnElement:
    """The address with its separators read as spaces and a space at each end, so that
    ``LIKE '% 19103 %'`` finds the ZIP code as a whole word (SQLite and PostgreSQL alike)."""
    expr: ColumnElement = func.coalesce(Resource.address, "", type_=String)
    for separator in ADDRESS_SEPARATORS:
        expr = func.replace(expr, separator, " ", type_=String)
    return literal(" ", String) + expr + literal(" ", String)


def zip_condition(zip5: str) -> ColumnElement:
    """Entries whose address holds this 5-digit ZIP code (alone or as the start of a ZIP+4)."""
    return _address_words().like(f"% {zip5} %")


def search_terms(q: str) -> list[str]:
    """The words of a search, without the punctuation around them ("Springfield," is
    "Springfield"), at most ``MAX_TERMS`` of them."""
    words = (word.strip(",;.()\"'") for word in q[:MAX_SEARCH].split())
    return [word for word in words if word][:MAX_TERMS]


def text_condition(q: str) -> ColumnElement | None:
    """Every word of ``q`` is in the entry's name, organization, address or description (case
    and accents ignored); a word that is a ZIP code is matched against the address only, as a
    whole word. The query must outer-join ``Organization``. None when there is nothing to
    search for."""
    conditions = []
    for word in search_terms(q):
        zip5 = zip_code(word)
        if zip5 is not None:
            conditions.append(zip_condition(zip5))
            continue
        # Accents ignored on both sides: "Nunez" finds "Núñez", "Núñez" finds "Nunez".
        pattern = f"%{like_escape(fold(word))}%"
        conditions.append(
            or_(
                folded(Resource.name).ilike(pattern, escape="\\"),
                folded(Organization.name).ilike(pattern, escape="\\"),
                folded(Resource.address).ilike(pattern, escape="\\"),
                folded(Resource.description).ilike(pattern, escape="\\"),
            )
        )
    return and_(*conditions) if conditions else None


def near_condition(near: str) -> ColumnElement | None:
    """Entries "near" a city or a ZIP code: their address contains the city's name (case
    ignored) or the ZIP code. No geocoding: a neighbouring town or ZIP is not near."""
    place = near[:MAX_SEARCH].strip().strip(",;.")
    if not place:
        return None
    zip5 = zip_code(place)
    if zip5 is not None:
        return zip_condition(zip5)
    place = fold(" ".join(place.split()))
    return folded(Resource.address).ilike(f"%{like_escape(place)}%", escape="\\")


def narrow(query: Select, *, q: str = "", near: str = "") -> Select:
    """``query`` (of resources, outer-joined to ``Organization``) narrowed by a search and a
    place."""
    for condition in (text_condition(q), near_condition(near)):
        if condition is not None:
            query = query.where(condition)
    return query


def directory(
    user: User,
    *,
    q: str = "",
    near: str = "",
    category: str = "",
    model: str = "",
    fmt: str = "",
    show: str = "active",
) -> Select:
    """The directory as the browse page shows it: searched by name, organization, address
    (ZIP codes included) or description; near a city or ZIP code; filtered by category,
    meeting model and meeting format; active entries only unless ``show`` says otherwise."""
    query = visible_resources(user).outerjoin(Organization, Resource.organization)
    if show == "active":
        query = query.where(Resource.active.is_(True))
    elif show == "inactive":
        query = query.where(Resource.active.is_(False))
    if category in set(ResourceCategory):
        query = query.where(Resource.category == category)
    if model == ANY_MEETING:
        query = query.where(Resource.meeting_model.is_not(None))
    elif model in set(MeetingModel):
        query = query.where(Resource.meeting_model == model)
    if fmt in set(MeetingFormat):
        query = query.where(Resource.meeting_format == fmt)
    query = narrow(query, q=q, near=near)
    return query.options(selectinload(Resource.organization)).order_by(Resource.name, Resource.id)


def referable_resources(
    program_id: int | None, *, category: str = "", q: str = "", near: str = ""
) -> Select:
    """Active entries a client of ``program_id`` can be referred to, by category then name;
    ``q`` and ``near`` narrow them as the directory's search does."""
    query = (
        select(Resource)
        .outerjoin(Organization, Resource.organization)
        .where(Resource.active.is_(True), program_condition(program_id))
    )
    if category in set(ResourceCategory):
        query = query.where(Resource.category == category)
    query = narrow(query, q=q, near=near)
    return query.order_by(Resource.category, Resource.name, Resource.id)


def referable_resource(program_id: int | None, resource_id: int | None) -> Resource | None:
    if resource_id is None:
        return None
    return db.session.scalar(
        select(Resource).where(
            Resource.id == resource_id,
            Resource.active.is_(True),
            program_condition(program_id),
        )
    )


def organization_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(Organization.id, Organization.name).order_by(Organization.name, Organization.id)
    )
    return [(row.id, row.name) for row in rows]


def address_line(address: str | None) -> str:
    """An address on one line: "12 Main St, Springfield, IL 62701" from its lines."""
    lines = (line.strip().rstrip(",").strip() for line in (address or "").splitlines())
    return ", ".join(line for line in lines if line)


def meeting_summary(resource: Resource) -> str:
    """ "Tuesdays 19:00–20:00" from the structured meeting fields, or the free-text schedule."""
    if resource.meeting_schedule:
        return resource.meeting_schedule
    return schedule_text(
        [resource.meeting_day] if resource.meeting_day is not None else [],
        resource.meeting_time.strftime("%H:%M") if resource.meeting_time else None,
        resource.meeting_end_time.strftime("%H:%M") if resource.meeting_end_time else None,
    )


def schedule_text(
    days: list[int], start: str | None, end: str | None, languages: list[str] | None = None
) -> str:
    """A readable weekly schedule: "Mondays and Thursdays 19:00–20:00, English"."""
    names = [DAY_NAMES[d] + "s" for d in sorted(set(days)) if 0 <= d <= 6]
    if len(names) > 1:
        day_part = ", ".join(names[:-1]) + " and " + names[-1]
    else:
        day_part = names[0] if names else ""
    time_part = ""
    if start:
        time_part = f"{start}–{end}" if end else start
    text = " ".join(part for part in (day_part, time_part) if part)
    if not text:
        text = "By appointment" if not languages else ""
    if languages:
        text = ", ".join(part for part in (text, ", ".join(languages)) if part)
    return text[:200]


# --- The taxonomy mapping -----------------------------------------------------------------------


def visible_mappings(user: User) -> Select:
    """``SELECT taxonomy_mappings`` the user may read: as the directory, the shared lines and
    their program's (an admin: all), the shared ones first, then by how they match and term."""
    query = select(TaxonomyMapping)
    if user is None or not getattr(user, "is_authenticated", False):
        return query.where(false())
    if user.role != Role.ADMIN:
        query = query.where(
            or_(
                TaxonomyMapping.program_id.is_(None),
                TaxonomyMapping.program_id == user.program_id,
            )
        )
    return query.options(selectinload(TaxonomyMapping.program)).order_by(
        TaxonomyMapping.program_id.is_not(None),
        TaxonomyMapping.program_id,
        TaxonomyMapping.match,
        TaxonomyMapping.term,
        TaxonomyMapping.id,
    )


def mapping_list(user: User) -> list[TaxonomyMapping]:
    """The edited mapping lines the user sees (``visible_mappings``), loaded."""
    return list(db.session.scalars(visible_mappings(user)))


def get_visible_mapping_or_404(mapping_id: int, user: User) -> TaxonomyMapping:
    return db.one_or_404(
        visible_mappings(user).where(TaxonomyMapping.id == mapping_id).order_by(None)
    )


def taxonomy_overrides(program_id: int | None) -> Overrides:
    """The edited mapping lines an import for ``program_id`` consults before the default: the
    program's, then the shared ones (an import shared by every program: the shared ones)."""
    condition = TaxonomyMapping.program_id.is_(None)
    if program_id is not None:
        condition = or_(condition, TaxonomyMapping.program_id == program_id)
    own, shared = Scope(), Scope()
    rows = db.session.execute(
        select(
            TaxonomyMapping.program_id,
            TaxonomyMapping.match,
            TaxonomyMapping.term,
            TaxonomyMapping.category,
        )
        .where(condition)
        .order_by(TaxonomyMapping.id)
    )
    for row in rows:
        (shared if row.program_id is None else own).add(row.match, row.term, row.category)
    return Overrides([own, shared])
