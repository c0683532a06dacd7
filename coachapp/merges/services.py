"""Merging a duplicate client record into the one kept, and undoing it (product.md: "a merge
of two records that can be undone").

``merge(survivor, duplicate, keep, actor=...)`` moves every record of the duplicate to the
survivor and marks the duplicate ``merged_into_id`` (never deleted). Which tables hold client
records is read from the schema: every table with a foreign key to ``clients`` is moved, except
the ones ``STAYING`` names (and the two ``SPECIAL`` ones, each merged by its own rule), so a
table added later moves without an edit here. Each row moves through the ORM, one by one: the
report rollups (``reports.upkeep``) and the report store's change counts (``reports.store``)
see both clients change, as for any edit.

What moved, and each value it changed, is written to ``ClientMerge.moved`` (stored encrypted:
it can hold the survivor's former notes or member id) so ``undo`` puts everything back: rows
to their owner, fields to their old values, and each untouched row's ``version`` and
``updated_at`` as they were. Records added to the survivor after the merge stay with it.

The rules, each a ``MergeRuleError`` before anything is written:

- merge: two different live clients of the same program, neither merged already;
- overlapping enrollment episodes (one person is in one episode at a time) are resolved by the
  person merging, pair by pair, never silently (``check_episodes``): ``combine`` makes the
  survivor's episode of the pair span both (the earlier intake; the later discharge, or open if
  either is open, with the discharge reason, note and author of the one ending last) and
  re-points every row hanging on the duplicate's episode (recovery plans, follow-up interviews:
  read from the schema) to it, then removes the duplicate's episode; ``end_earlier`` discharges
  the episode with the earlier intake the day before the other's intake, with its own discharge
  reason if it had one, else "other" (a duplicate record is not a transfer to another provider,
  which is what "transferred" tells a funder). Both are written to ``moved`` with the old
  values and the removed episode whole, so undo puts them back;
- undo: once; not while the survivor is itself merged into another record (undo that merge
  first); not when a field the merge set on the survivor, or an episode it combined or ended,
  has been changed since (undoing would silently overwrite that edit: change it back, or keep
  the merge); not when a record added
  since hangs on a record that would go back (a plan or follow-up on a moved episode, a session
  addressing a moved goal): those would be split between two people.

Assignment history (metrics.md, "Credit to coaches"): the survivor's stays as it is; the
duplicate's rows dated before the survivor's first one move to the survivor (the last one
closed on the day the survivor's history starts), so the coach who held the duplicate before
the survivor existed keeps the credit for that work; later rows stay with the duplicate (the
survivor's history decides who held the person from then on). Covering assignments and
break-the-glass accesses stay with the duplicate: they opened that record, and a merge must
not open the survivor's to anyone new. Audit events stay where they are.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Column, Table, and_, delete, func, insert, inspect, select, update
from sqlalchemy.orm import Mapper

from coachapp import audit, records
from coachapp.clients.services import name_key
from coachapp.extensions import db
from coachapp.models import (
    Base,
    Client,
    ClientAssignment,
    ClientMerge,
    ClientProfile,
    DuplicateDismissal,
    Enrollment,
    FollowUpInterview,
    RecoveryPlan,
)
from coachapp.models.enums import AuditAction, ClientStatus, DischargeReason
from coachapp.models.profiles import DEMOGRAPHIC_FIELDS

SURVIVOR, DUPLICATE = "survivor", "duplicate"
# How a pair of overlapping episodes is resolved (``check_episodes``).
COMBINE, END_EARLIER = "combine", "end_earlier"
RESOLUTIONS = (COMBINE, END_EARLIER)
# The discharge reason of an episode ended by a merge that had none (see the module docstring).
ENDED_REASON = DischargeReason.OTHER.value
# The columns of an episode a resolution may change, in the order the page shows them.
EPISODE_FIELDS = (
    "intake_date",
    "opened_by_id",
    "discharge_date",
    "discharge_reason",
    "discharge_note",
    "discharged_by_id",
)

# The person's own fields a merge chooses between, in the order the page shows them.
CLIENT_FIELDS = (
    "first_name",
    "last_name",
    "preferred_name",
    "date_of_birth",
    "phone",
    "email",
    "address",
    "okay_to_call",
    "okay_to_text",
    "notes",
    "support_person",
    "support_person_since",
    "consent_on_file",
    "consent_date",
    "payer",
    "member_id",
    "diagnosis_code",
)
PROFILE_FIELDS = tuple(DEMOGRAPHIC_FIELDS)
KEEP_FIELDS = CLIENT_FIELDS + PROFILE_FIELDS

# Tables with a foreign key to clients whose rows stay where they are.
STAYING = frozenset(
    [
        "clients",  # merged_into_id
        "client_merges",  # the merges themselves
        "covering_assignments",  # opened the duplicate's record to a covering coach
        "break_glass_accesses",  # opened the duplicate's record to an admin, for review
        "duplicate_dismissals",  # said of that pair of records
    ]
)
# Merged by a rule of their own (see the module docstring).
SPECIAL = frozenset(["client_profiles", "client_assignments"])


class MergeRuleError(records.RuleError):
    """A merge or an undo the rules refuse; nothing was written."""


# --- The schema: which tables hold a client's records ------------------------------------------


def client_link_columns() -> list[Column]:
    """Every column of the schema with a foreign key to ``clients.id``, except ``STAYING``'s."""
    return [
        fk.parent
        for table in Base.metadata.sorted_tables
        if table.name not in STAYING
        for fk in table.foreign_keys
        if fk.column.table.name == Client.__tablename__
    ]


def _mappers() -> dict[str, Mapper]:
    return {
        m.local_table.name: m
        for m in Base.registry.mappers
        if isinstance(m.local_table, Table) and m.inherits is None
    }


def _attribute(mapper: Mapper, column: Column) -> str:
    return mapper.get_property_by_column(column).key


# --- Stamps: a row's version and updated_at, put back by undo when nobody changed it since -----


def _iso(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _stamp(obj: object) -> dict[str, Any]:
    stamp: dict[str, Any] = {}
    mapper = inspect(obj).mapper
    if mapper.version_id_col is not None:
        stamp["version"] = getattr(obj, _attribute(mapper, mapper.version_id_col))
    if hasattr(obj, "updated_at"):
        stamp["updated_at"] = _iso(obj.updated_at)
    return stamp


def _value(column_type_python: type | None, value: Any) -> Any:
    if value is None or column_type_python is None:
        return value
    if column_type_python is date and isinstance(value, str):
        return date.fromisoformat(value)
    return value


def _python_type(model: type, field: str) -> type | None:
    try:
        return inspect(model).columns[field].type.python_type
    except (KeyError, NotImplementedError):
        return None


# --- Checks ------------------------------------------------------------------------------------


def check_keep(keep: Mapping[str, Any]) -> dict[str, str]:
    """``keep`` names fields of ``KEEP_FIELDS`` with "survivor" or "duplicate"; the others keep
    the survivor's value. Raises ``MergeRuleError`` on ``keep``."""
    if not isinstance(keep, Mapping):
        raise MergeRuleError("keep", "Give an object of field names.")
    unknown = sorted(str(k) for k in keep if k not in KEEP_FIELDS)
    if unknown:
        raise MergeRuleError("keep", f"Unknown field: {', '.join(unknown)}.")
    bad = sorted(str(k) for k, v in keep.items() if v not in (SURVIVOR, DUPLICATE))
    if bad:
        raise MergeRuleError("keep", f'Use "survivor" or "duplicate" for: {", ".join(bad)}.')
    return {field: keep.get(field, SURVIVOR) for field in KEEP_FIELDS}


def overlapping_episodes(
    survivor: Client, duplicate: Client
) -> list[tuple[Enrollment, Enrollment]]:
    """Pairs (survivor's, duplicate's) of episodes whose days overlap (an open one runs on)."""

    def episodes(client: Client) -> list[Enrollment]:
        return list(
            db.session.scalars(
                select(Enrollment)
                .where(Enrollment.client_id == client.id)
                .order_by(Enrollment.intake_date, Enrollment.id)
            )
        )

    far = date.max
    return [
        (mine, theirs)
        for mine in episodes(survivor)
        for theirs in episodes(duplicate)
        if mine.intake_date <= (theirs.discharge_date or far)
        and theirs.intake_date <= (mine.discharge_date or far)
    ]


def _span(episode: Enrollment) -> str:
    end = episode.discharge_date.isoformat() if episode.discharge_date else "open"
    return f"{episode.intake_date.isoformat()} to {end}"


def check_merge(survivor: Client, duplicate: Client | None) -> None:
    """The rules of a merge, asked without writing (``MergeRuleError`` on ``duplicate_id``)."""
    if duplicate is None:
        raise MergeRuleError("duplicate_id", "Choose the duplicate record.")
    if duplicate.id == survivor.id:
        raise MergeRuleError("duplicate_id", "A record cannot be merged into itself.")
    if survivor.merged_into_id is not None or duplicate.merged_into_id is not None:
        raise MergeRuleError("duplicate_id", "This record has been merged already.")
    if survivor.archived_at is not None or duplicate.archived_at is not None:
        raise MergeRuleError("duplicate_id", "An archived record cannot be merged.")
    if duplicate.program_id != survivor.program_id:
        raise MergeRuleError("duplicate_id", "Both records must belong to the same program.")


# --- Overlapping episodes ----------------------------------------------------------------------


def enrollment_link_columns() -> list[Column]:
    """Every column of the schema with a foreign key to ``enrollments.id``."""
    return [
        fk.parent
        for table in Base.metadata.sorted_tables
        for fk in table.foreign_keys
        if fk.column.table.name == Enrollment.__tablename__
    ]


def _ends_last(mine: Enrollment, theirs: Enrollment) -> Enrollment:
    """The episode of the two that ends last (an open one runs on; the survivor's on a tie)."""
    if mine.discharge_date is None:
        return mine
    if theirs.discharge_date is None:
        return theirs
    return theirs if theirs.discharge_date > mine.discharge_date else mine


@dataclass
class Overlap:
    """Two overlapping episodes, the survivor's (``mine``) and the duplicate's (``theirs``),
    with the resolutions offered and, for one not offered, why."""

    mine: Enrollment
    theirs: Enrollment
    offered: list[str] = dataclasses.field(default_factory=list)
    not_offered: dict[str, str] = dataclasses.field(default_factory=dict)

    @property
    def earlier(self) -> Enrollment:
        """The episode with the earlier intake (the survivor's on a tie)."""
        return self.theirs if self.theirs.intake_date < self.mine.intake_date else self.mine

    @property
    def later(self) -> Enrollment:
        return self.mine if self.earlier is self.theirs else self.theirs

    def outcome(self, choice: str, actor_id: int | None = None) -> tuple[Enrollment, dict]:
        """The episode ``choice`` changes and its new values (only those that change)."""
        if choice == COMBINE:
            first = self.earlier
            last = _ends_last(self.mine, self.theirs)
            values = {
                "intake_date": first.intake_date,
                "opened_by_id": first.opened_by_id,
                "discharge_date": last.discharge_date,
                "discharge_reason": last.discharge_reason,
                "discharge_note": last.discharge_note,
                "discharged_by_id": last.discharged_by_id,
            }
            target = self.mine
        else:
            target = self.earlier
            values = {
                "discharge_date": self.later.intake_date - timedelta(days=1),
                "discharge_reason": target.discharge_reason or ENDED_REASON,
            }
            if target.discharge_date is None:
                values["discharged_by_id"] = actor_id
        return target, {k: v for k, v in values.items() if getattr(target, k) != v}

    def describe(self, choice: str) -> str:
        """What ``choice`` does, in words (ids and dates, never names)."""
        if choice == COMBINE:
            target, values = self.outcome(COMBINE)
            merged = {k: getattr(target, k) for k in EPISODE_FIELDS} | values
            end = merged["discharge_date"]
            span = f"{merged['intake_date'].isoformat()} to " + (
                f"{end.isoformat()} ({merged['discharge_reason'] or 'no reason'})"
                if end
                else "open"
            )
            return (
                f"Combine: episode {self.mine.id} becomes {span}; episode {self.theirs.id} is "
                "removed and its plans and follow-ups move to it."
            )
        target, values = self.outcome(END_EARLIER)
        return (
            f"End the earlier: episode {target.id} ends on "
            f"{values.get('discharge_date', target.discharge_date).isoformat()} "
            f"({values.get('discharge_reason', target.discharge_reason)}), the day before "
            f"episode {self.later.id} starts."
        )


def _hanging(episode: Enrollment) -> dict[str, list[object]]:
    """Table name -> live rows hanging on ``episode`` (a plan, a follow-up interview)."""
    mappers = _mappers()
    found: dict[str, list[object]] = {}
    for column in enrollment_link_columns():
        mapper = mappers[column.table.name]
        model = mapper.class_
        query = select(model).where(getattr(model, _attribute(mapper, column)) == episode.id)
        found.setdefault(column.table.name, []).extend(
            db.session.scalars(query.order_by(*mapper.primary_key))
        )
    return found


def _combine_clash(mine: Enrollment, theirs: Enrollment) -> str | None:
    """Why the two episodes cannot become one, or None: both hold a recovery plan (one plan per
    episode), or a live follow-up interview of the same kind."""

    def count(model, *where) -> int:
        return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0

    if count(RecoveryPlan, RecoveryPlan.enrollment_id == mine.id) and count(
        RecoveryPlan, RecoveryPlan.enrollment_id == theirs.id
    ):
        return "both episodes hold a recovery plan, and an episode holds one plan"
    kinds = [
        set(
            db.session.scalars(
                select(FollowUpInterview.kind).where(
                    FollowUpInterview.enrollment_id == episode.id,
                    FollowUpInterview.archived_at.is_(None),
                )
            )
        )
        for episode in (mine, theirs)
    ]
    both = sorted(kinds[0] & kinds[1])
    if both:
        return f"both episodes hold a {', '.join(both)} follow-up interview"
    return None


def overlaps(survivor: Client, duplicate: Client) -> list[Overlap]:
    """The overlapping pairs of ``overlapping_episodes``, each with the resolutions offered."""
    found = []
    for mine, theirs in overlapping_episodes(survivor, duplicate):
        pair = Overlap(mine, theirs)
        clash = _combine_clash(mine, theirs)
        if clash:
            pair.not_offered[COMBINE] = f"Combining is not offered: {clash}."
        else:
            pair.offered.append(COMBINE)
        if pair.later.intake_date - timedelta(days=1) >= pair.earlier.intake_date:
            pair.offered.append(END_EARLIER)
        else:
            pair.not_offered[END_EARLIER] = (
                "Ending the earlier is not offered: both start on the same day."
            )
        found.append(pair)
    return found


def _pair_text(pair: Overlap) -> str:
    return (
        f"duplicate's episode {pair.theirs.id} ({_span(pair.theirs)}) with episode "
        f"{pair.mine.id} ({_span(pair.mine)})"
    )


def episode_problems(pairs: list[Overlap], episodes: Any) -> dict[int, str]:
    """Duplicate's episode id -> why its resolution is missing or refused (empty: all fine)."""
    chosen = episodes if isinstance(episodes, Mapping) else {}
    problems: dict[int, str] = {}
    mine_count: dict[int, int] = {}
    theirs_count: dict[int, int] = {}
    for pair in pairs:
        mine_count[pair.mine.id] = mine_count.get(pair.mine.id, 0) + 1
        theirs_count[pair.theirs.id] = theirs_count.get(pair.theirs.id, 0) + 1
    for pair in pairs:
        if mine_count[pair.mine.id] > 1 or theirs_count[pair.theirs.id] > 1:
            problems[pair.theirs.id] = (
                "This episode overlaps more than one episode of the other record: correct the "
                "dates of one of them first."
            )
            continue
        choice = chosen.get(str(pair.theirs.id))
        if choice is None:
            problems[pair.theirs.id] = "Choose how to resolve this overlap."
        elif choice not in pair.offered:
            problems[pair.theirs.id] = pair.not_offered.get(
                choice, "Choose one of the resolutions offered."
            )
        if not pair.offered:
            problems[pair.theirs.id] = (
                " ".join(pair.not_offered.values()) + " Correct the episodes first."
            )
    return problems


def check_episodes(survivor: Client, duplicate: Client, episodes: Any) -> dict[int, str]:
    """How each overlapping pair is resolved: ``episodes`` maps the duplicate's episode id (a
    string) to ``COMBINE`` or ``END_EARLIER``. Returns it as {episode id: resolution};
    ``MergeRuleError`` on ``episodes`` naming the pairs when one is missing or refused."""
    if episodes is None:
        episodes = {}
    if not isinstance(episodes, Mapping):
        raise MergeRuleError("episodes", "Give an object of episode ids.")
    bad = sorted(str(k) for k, v in episodes.items() if v not in RESOLUTIONS)
    if bad:
        raise MergeRuleError(
            "episodes", f'Use "combine" or "end_earlier" for episode: {", ".join(bad)}.'
        )
    pairs = overlaps(survivor, duplicate)
    known = {str(pair.theirs.id) for pair in pairs}
    unknown = sorted(str(k) for k in episodes if str(k) not in known)
    if unknown:
        raise MergeRuleError(
            "episodes",
            "Not an episode of the duplicate that overlaps one of this record: "
            + ", ".join(unknown)
            + ".",
        )
    problems = episode_problems(pairs, episodes)
    if problems:
        raise MergeRuleError(
            "episodes",
            "Enrollment episodes overlap, and one person is in one episode at a time: "
            + "; ".join(
                f"{_pair_text(pair)}: {problems[pair.theirs.id]}"
                for pair in pairs
                if pair.theirs.id in problems
            )
            + ' Resolve each pair with "combine" or "end_earlier".',
        )
    return {pair.theirs.id: episodes[str(pair.theirs.id)] for pair in pairs}


# --- Merge -------------------------------------------------------------------------------------


def _move_rows(survivor: Client, duplicate: Client, moved: dict) -> None:
    """Every record of the duplicate in an ordinary client-linked table, to the survivor."""
    mappers = _mappers()
    for column in client_link_columns():
        table = column.table
        if table.name in SPECIAL:
            continue
        mapper = mappers.get(table.name)
        if mapper is None:
            _move_links(table, column, survivor.id, duplicate.id, moved)
            continue
        model, attr = mapper.class_, _attribute(mapper, column)
        rows = db.session.scalars(
            select(model).where(getattr(model, attr) == duplicate.id).order_by(*mapper.primary_key)
        ).all()
        entries = moved["rows"].setdefault(f"{table.name}.{column.name}", [])
        for row in rows:
            entries.append({"id": inspect(row).identity[0], "before": _stamp(row)})
            setattr(row, attr, survivor.id)


def _move_links(table: Table, column: Column, survivor_id: int, duplicate_id: int, moved) -> None:
    """An association table (a supervision note's clients): the duplicate's links move, or are
    dropped where the survivor is linked already (kept in ``moved`` to be put back)."""
    others = [c for c in table.primary_key.columns if c is not column]
    entries = moved["links"].setdefault(f"{table.name}.{column.name}", [])
    for link in db.session.execute(select(*others).where(column == duplicate_id)).all():
        key = dict(zip([c.name for c in others], link, strict=True))
        match = and_(*(table.c[name] == value for name, value in key.items()))
        taken = db.session.execute(select(column).where(match, column == survivor_id)).first()
        if taken is not None:
            db.session.execute(delete(table).where(match, column == duplicate_id))
        else:
            db.session.execute(
                update(table)
                .where(match, column == duplicate_id)
                .values({column.name: survivor_id})
            )
        entries.append({"key": key, "dropped": taken is not None})


def _load(model: type, name: str, value: Any) -> Any:
    """A value as ``moved`` keeps it (``_iso``), back to the column's Python type."""
    kind = _python_type(model, name)
    if isinstance(value, str) and kind is datetime:
        return datetime.fromisoformat(value)
    return _value(kind, value)


def _dump(obj: object) -> dict[str, Any]:
    """Every column of a row, as ``moved`` keeps it."""
    return {attr.key: _iso(getattr(obj, attr.key)) for attr in inspect(obj).mapper.column_attrs}


def _resolve_episodes(pairs: list[Overlap], chosen: Mapping[int, str], actor, moved) -> None:
    """Each overlapping pair resolved as chosen (``check_episodes``), what changed in
    ``moved["episodes"]`` with the old values; before any row moves."""
    mappers = _mappers()
    entries = moved["episodes"]
    for pair in pairs:
        choice = chosen[pair.theirs.id]
        target, values = pair.outcome(choice, actor.id)
        entry: dict[str, Any] = {
            "choice": choice,
            "id": target.id,
            "before": _stamp(target),
            "fields": {k: [_iso(getattr(target, k)), _iso(v)] for k, v in values.items()},
        }
        if choice == COMBINE:
            gone = pair.theirs
            entry["removed"] = _dump(gone)
            entry["repointed"] = {}
            for table, rows in _hanging(gone).items():
                column = next(c for c in enrollment_link_columns() if c.table.name == table)
                attr = _attribute(mappers[table], column)
                entry["repointed"][f"{table}.{column.name}"] = [
                    {"id": inspect(row).identity[0], "before": _stamp(row)} for row in rows
                ]
                for row in rows:
                    setattr(row, attr, target.id)
        for name, value in values.items():
            setattr(target, name, value)
        entry["result"] = {name: _iso(getattr(target, name)) for name in EPISODE_FIELDS}
        db.session.flush()
        if choice == COMBINE:
            db.session.delete(pair.theirs)
            db.session.flush()
        entries.append(entry)


def _merge_history(survivor: Client, duplicate: Client, moved: dict) -> None:
    """The duplicate's assignment rows before the survivor's first one move to the survivor."""
    first = db.session.scalar(
        select(ClientAssignment.starts_on)
        .where(ClientAssignment.client_id == survivor.id)
        .order_by(ClientAssignment.starts_on)
        .limit(1)
    )
    entries = moved["history"]
    if first is None:
        return  # held by their coach at every date: nothing to fill
    rows = db.session.scalars(
        select(ClientAssignment)
        .where(ClientAssignment.client_id == duplicate.id, ClientAssignment.starts_on < first)
        .order_by(ClientAssignment.starts_on, ClientAssignment.id)
    ).all()
    for row in rows:
        entries.append({"id": row.id, "ends_on": _iso(row.ends_on), "before": _stamp(row)})
        row.client_id = survivor.id
        if row.ends_on is None or row.ends_on > first:
            row.ends_on = first


def _choose(record: object, source: object | None, fields: Iterable[str], keep, changed) -> None:
    for field in fields:
        if keep[field] != DUPLICATE or source is None:
            continue
        old, new = getattr(record, field), getattr(source, field)
        if old != new:
            changed[field] = [_iso(old), _iso(new)]
            setattr(record, field, new)


def _merge_fields(survivor: Client, duplicate: Client, keep: dict[str, str], moved: dict) -> None:
    changed: dict[str, list] = moved["fields"]
    _choose(survivor, duplicate, CLIENT_FIELDS, keep, changed)
    if "consent_date" in changed and survivor.consent_date and not survivor.consent_on_file:
        # A signed consent date means the consent is on file (clients.services).
        changed["consent_on_file"] = [False, True]
        survivor.consent_on_file = True
    if {"first_name", "last_name"} & set(changed):
        new_key = name_key(survivor.first_name, survivor.last_name)
        changed["name_key"] = [survivor.name_key, new_key]
        survivor.name_key = new_key

    profile = db.session.scalar(select(ClientProfile).where(ClientProfile.client_id == survivor.id))
    theirs = db.session.scalar(select(ClientProfile).where(ClientProfile.client_id == duplicate.id))
    if profile is None and theirs is not None:
        # One profile per person: the duplicate's becomes the survivor's.
        moved["profile"] = {"moved": theirs.id, "before": _stamp(theirs)}
        theirs.client_id = survivor.id
    elif profile is not None:
        profile_changed: dict[str, list] = {}
        before = _stamp(profile)
        _choose(profile, theirs, PROFILE_FIELDS, keep, profile_changed)
        if profile_changed:
            moved["profile"] = {"id": profile.id, "fields": profile_changed, "before": before}


def _latest(client_id: int) -> Enrollment | None:
    return db.session.scalar(
        select(Enrollment)
        .where(Enrollment.client_id == client_id)
        .order_by(Enrollment.intake_date.desc(), Enrollment.id.desc())
        .limit(1)
    )


def _status_after(client: Client, fallback: str) -> str:
    """The status the latest episode gives: discharged, or (an open one) the client's own,
    ``fallback`` when that said discharged."""
    latest = _latest(client.id)
    if latest is not None and latest.discharge_date is not None:
        return ClientStatus.DISCHARGED
    if client.status == ClientStatus.DISCHARGED:
        return fallback
    return client.status


def _after_stamps(moved: dict) -> None:
    """Each moved row's stamp once flushed: undo puts ``before`` back only on rows still so."""
    mappers = _mappers()
    for key, entries in moved["rows"].items():
        model = mappers[key.split(".")[0]].class_
        for entry in entries:
            entry["after"] = _stamp(db.session.get(model, entry["id"]))
    for entry in moved["history"]:
        entry["after"] = _stamp(db.session.get(ClientAssignment, entry["id"]))
    for entry in moved["episodes"]:
        entry["after"] = _stamp(db.session.get(Enrollment, entry["id"]))
        for key, rows in entry.get("repointed", {}).items():
            model = mappers[key.split(".")[0]].class_
            for row in rows:
                row["after"] = _stamp(db.session.get(model, row["id"]))
    profile = moved.get("profile")
    if profile:
        profile["after"] = _stamp(
            db.session.get(ClientProfile, profile.get("id", profile.get("moved")))
        )


def merge(
    survivor: Client,
    duplicate: Client,
    keep: Mapping[str, Any],
    *,
    actor,
    episodes: Mapping[str, str] | None = None,
) -> ClientMerge:
    """Merge ``duplicate`` into ``survivor``: ``keep`` chooses whose value each field takes
    (``check_keep``), ``episodes`` how each pair of overlapping episodes is resolved
    (``check_episodes``), every record moves, the duplicate is marked merged. Audited on both,
    naming the episodes changed."""
    choice = check_keep(keep)
    check_merge(survivor, duplicate)
    resolved = check_episodes(survivor, duplicate, episodes)
    pairs = overlaps(survivor, duplicate)
    moved: dict[str, Any] = {
        "episodes": [],
        "rows": {},
        "links": {},
        "history": [],
        "fields": {},
        "clients": {
            "survivor": {"before": _stamp(survivor)},
            "duplicate": {"before": _stamp(duplicate)},
        },
    }
    _resolve_episodes(pairs, resolved, actor, moved)
    _merge_fields(survivor, duplicate, choice, moved)
    _move_rows(survivor, duplicate, moved)
    _merge_history(survivor, duplicate, moved)
    db.session.flush()
    status = _status_after(survivor, duplicate.status)
    if status != survivor.status:
        moved["fields"]["status"] = [survivor.status, status]
        survivor.status = status
    duplicate.merged_into_id = survivor.id
    db.session.flush()
    db.session.expire_all()
    _after_stamps(moved)
    moved["clients"]["survivor"]["after"] = _stamp(survivor)
    moved["clients"]["duplicate"]["after"] = _stamp(duplicate)
    row = ClientMerge(
        survivor_id=survivor.id,
        merged_id=duplicate.id,
        moved=json.dumps(moved, sort_keys=True),
        merged_by_id=actor.id,
    )
    db.session.add(row)
    db.session.flush()
    for client_id in (survivor.id, duplicate.id):
        audit.record(
            AuditAction.UPDATE,
            actor=actor,
            entity_type="client_merge",
            entity_id=row.id,
            client_id=client_id,
            fields=sorted(moved["fields"]),
            detail=(
                f"merge of client {duplicate.id} into client {survivor.id}"
                + _episodes_detail(moved["episodes"])
            )[:500],
        )
    return row


def _episodes_detail(entries: list[dict]) -> str:
    """The episodes a merge changed, for the audit detail (ids only)."""
    parts = []
    for entry in entries:
        if entry["choice"] == COMBINE:
            parts.append(f"episode {entry['removed']['id']} combined into episode {entry['id']}")
        else:
            parts.append(f"episode {entry['id']} ended")
    return "; " + "; ".join(parts) if parts else ""


# --- Undo --------------------------------------------------------------------------------------


def _moved(merge_row: ClientMerge) -> dict:
    return json.loads(merge_row.moved or "{}")


def _ids(moved: dict) -> dict[str, set[int]]:
    """Table name -> ids of the rows the merge moved."""
    found: dict[str, set[int]] = {}
    for key, entries in moved.get("rows", {}).items():
        found.setdefault(key.split(".")[0], set()).update(e["id"] for e in entries)
    found.setdefault("client_assignments", set()).update(e["id"] for e in moved.get("history", []))
    profile = moved.get("profile") or {}
    if "moved" in profile:
        found.setdefault("client_profiles", set()).add(profile["moved"])
    return found


def _field_conflicts(merge_row: ClientMerge, moved: dict) -> list[str]:
    survivor = db.session.get(Client, merge_row.survivor_id)
    conflicts = []
    for field, (_old, new) in moved.get("fields", {}).items():
        if field in ("name_key", "status"):
            continue
        if _iso(getattr(survivor, field)) != new:
            conflicts.append(field)
    profile = moved.get("profile") or {}
    if "fields" in profile:
        row = db.session.get(ClientProfile, profile["id"])
        conflicts.extend(
            field
            for field, (_old, new) in profile["fields"].items()
            if row is None or getattr(row, field) != new
        )
    return sorted(conflicts)


def _hanging_records(merge_row: ClientMerge, moved: dict) -> list[str]:
    """Records the survivor gained since the merge that point at a record going back."""
    going = _ids(moved)
    mappers = _mappers()
    linked_tables = {c.table.name: c for c in client_link_columns()}
    found: list[str] = []
    for table in Base.metadata.sorted_tables:
        fks = [fk for fk in table.foreign_keys if going.get(fk.column.table.name)]
        if not fks:
            continue
        client_column = linked_tables.get(table.name)
        for fk in fks:
            target = going[fk.column.table.name]
            if client_column is not None and table.name in mappers:
                # A client-linked record that stays with the survivor but hangs on one going.
                pk = list(table.primary_key.columns)[0]
                query = select(pk).where(
                    fk.parent.in_(target),
                    client_column == merge_row.survivor_id,
                    pk.notin_(going.get(table.name, set()) or {0}),
                )
                found.extend(f"{table.name} {i}" for i in db.session.scalars(query))
            elif client_column is None:
                # An association (a session's goals): its other side must go back too.
                for other in table.foreign_keys:
                    if other is fk or other.column.table.name not in linked_tables:
                        continue
                    other_table = other.column.table
                    staying = select(other_table.c.id).where(
                        linked_tables[other_table.name] == merge_row.survivor_id,
                        other_table.c.id.notin_(going.get(other_table.name, set()) or {0}),
                    )
                    query = select(other.parent, fk.parent).where(
                        fk.parent.in_(target), other.parent.in_(staying)
                    )
                    found.extend(
                        f"{other_table.name} {a} with {fk.column.table.name} {b}"
                        for a, b in db.session.execute(query)
                    )
    return sorted(set(found))


def _episode_conflicts(moved: dict) -> list[str]:
    """Episodes the merge combined or ended, changed since (or an id it removed, taken since)."""
    mappers = _mappers()
    found = []
    for entry in moved.get("episodes", []):
        row = db.session.get(Enrollment, entry["id"])
        if row is None or any(
            _iso(getattr(row, name)) != value for name, value in entry["result"].items()
        ):
            found.append(f"episode {entry['id']}")
        if "removed" in entry:
            if db.session.get(Enrollment, entry["removed"]["id"]) is not None:
                found.append(f"episode {entry['removed']['id']}")
            for key, rows in entry["repointed"].items():
                table, column = key.split(".")
                mapper = mappers[table]
                attr = _attribute(mapper, mapper.local_table.c[column])
                for item in rows:
                    obj = db.session.get(mapper.class_, item["id"])
                    if obj is not None and getattr(obj, attr) != entry["id"]:
                        found.append(f"{table} {item['id']}")
    return found


def check_undo(merge_row: ClientMerge) -> None:
    """The rules of an undo, asked without writing (``MergeRuleError`` on ``merge``)."""
    if merge_row.undone_at is not None:
        raise MergeRuleError("merge", "This merge has been undone already.")
    survivor = db.session.get(Client, merge_row.survivor_id)
    if survivor is None or survivor.merged_into_id is not None:
        raise MergeRuleError(
            "merge", "The record kept has since been merged into another: undo that merge first."
        )
    moved = _moved(merge_row)
    conflicts = _field_conflicts(merge_row, moved)
    if conflicts:
        raise MergeRuleError(
            "merge",
            "Changed since the merge, and undoing would overwrite it: "
            + ", ".join(conflicts)
            + ". Set it back to the merged value first, or keep the merge.",
        )
    episodes = _episode_conflicts(moved)
    if episodes:
        raise MergeRuleError(
            "merge",
            "Episodes the merge combined or ended have been changed since, and undoing would "
            "overwrite that: " + ", ".join(episodes) + ". Set them back to the merged dates "
            "first, or keep the merge.",
        )
    hanging = _hanging_records(merge_row, moved)
    if hanging:
        raise MergeRuleError(
            "merge",
            "Records added since the merge depend on records that would go back to the "
            "duplicate (" + "; ".join(hanging) + "). Move or archive them first.",
        )


def undo(merge_row: ClientMerge, *, actor) -> ClientMerge:
    """Put both records back as they were before ``merge_row`` (see the module docstring)."""
    check_undo(merge_row)
    moved = _moved(merge_row)
    survivor = db.session.get(Client, merge_row.survivor_id)
    duplicate = db.session.get(Client, merge_row.merged_id)
    mappers = _mappers()
    # Rows nobody changed since the merge get their version and updated_at back at the end.
    untouched: list[tuple[object, dict]] = []

    def note(obj: object | None, entry: Mapping[str, Any]) -> None:
        if obj is not None and entry.get("before") and _stamp(obj) == entry.get("after"):
            untouched.append((obj, entry["before"]))

    for key, entries in moved.get("rows", {}).items():
        for entry in entries:
            note(db.session.get(mappers[key.split(".")[0]].class_, entry["id"]), entry)
    for entry in moved.get("history", []):
        note(db.session.get(ClientAssignment, entry["id"]), entry)
    profile = moved.get("profile") or {}
    if profile:
        note(db.session.get(ClientProfile, profile.get("id", profile.get("moved"))), profile)
    note(survivor, moved["clients"]["survivor"])
    note(duplicate, moved["clients"]["duplicate"])
    # Last: a row both moved and changed by a resolution gets the stamp from before both.
    for entry in moved.get("episodes", []):
        note(db.session.get(Enrollment, entry["id"]), entry)
        for key, rows in entry.get("repointed", {}).items():
            for item in rows:
                note(db.session.get(mappers[key.split(".")[0]].class_, item["id"]), item)

    for key, entries in moved.get("rows", {}).items():
        table_name, column_name = key.split(".")
        mapper = mappers[table_name]
        attr = _attribute(mapper, mapper.local_table.c[column_name])
        for entry in entries:
            row = db.session.get(mapper.class_, entry["id"])
            if row is None:
                continue
            setattr(row, attr, duplicate.id)
    for key, entries in moved.get("links", {}).items():
        table_name, column_name = key.split(".")
        table = Base.metadata.tables[table_name]
        column = table.c[column_name]
        for entry in entries:
            match = and_(*(table.c[name] == value for name, value in entry["key"].items()))
            if entry["dropped"]:
                db.session.execute(
                    insert(table).values({**entry["key"], column_name: duplicate.id})
                )
            else:
                db.session.execute(
                    update(table)
                    .where(match, column == survivor.id)
                    .values({column_name: duplicate.id})
                )
    for entry in moved.get("history", []):
        row = db.session.get(ClientAssignment, entry["id"])
        row.client_id = duplicate.id
        row.ends_on = _value(date, entry["ends_on"])

    if "moved" in profile:
        db.session.get(ClientProfile, profile["moved"]).client_id = duplicate.id
    elif "fields" in profile:
        row = db.session.get(ClientProfile, profile["id"])
        for field, (old, _new) in profile["fields"].items():
            setattr(row, field, old)

    for field, (old, new) in moved.get("fields", {}).items():
        if field == "status" and survivor.status != new:
            continue  # changed since by a discharge or re-enrollment: theirs stands
        setattr(survivor, field, _value(_python_type(Client, field), old))
    duplicate.merged_into_id = None
    db.session.flush()
    _restore_episodes(moved.get("episodes", []), mappers)
    for obj, before in untouched:
        if _stamp(obj) == before:
            continue
        # Written as stored before the merge. A statement, not the ORM: an ORM UPDATE always
        # counts one more version. It writes neither a client nor a date a report reads.
        mapper = inspect(obj).mapper
        values: dict[str, Any] = {}
        if "version" in before:
            values[mapper.version_id_col.name] = before["version"]
        if "updated_at" in before:
            values["updated_at"] = datetime.fromisoformat(before["updated_at"])
        table = mapper.local_table
        key = dict(zip([c.name for c in mapper.primary_key], inspect(obj).identity, strict=True))
        db.session.execute(
            update(table)
            .where(*(table.c[name] == value for name, value in key.items()))
            .values(values)
        )
        db.session.expire(obj)

    merge_row.undone_at = datetime.now(timezone.utc)
    merge_row.undone_by_id = actor.id
    for client_id in (survivor.id, duplicate.id):
        audit.record(
            AuditAction.UPDATE,
            actor=actor,
            entity_type="client_merge",
            entity_id=merge_row.id,
            client_id=client_id,
            fields=sorted(moved.get("fields", {})),
            detail=(
                f"undo of the merge of client {duplicate.id} into client {survivor.id}"
                + _episodes_detail(moved.get("episodes", []))
            )[:500],
        )
    db.session.flush()
    return merge_row


def _restore_episodes(entries: list[dict], mappers: dict[str, Mapper]) -> None:
    """The episodes a merge resolved, as they were: a removed one back whole (same id), the
    rows re-pointed to the one kept back on it, the changed values back."""
    for entry in reversed(entries):
        if "removed" in entry:
            db.session.add(
                Enrollment(**{k: _load(Enrollment, k, v) for k, v in entry["removed"].items()})
            )
            db.session.flush()
            for key, rows in entry["repointed"].items():
                table, column = key.split(".")
                mapper = mappers[table]
                attr = _attribute(mapper, mapper.local_table.c[column])
                for item in rows:
                    obj = db.session.get(mapper.class_, item["id"])
                    if obj is not None:
                        setattr(obj, attr, entry["removed"]["id"])
        row = db.session.get(Enrollment, entry["id"])
        for name, (old, _new) in entry["fields"].items():
            setattr(row, name, _load(Enrollment, name, old))
        db.session.flush()


# --- "Not a duplicate" ---------------------------------------------------------------------------


def dismiss_pair(one: Client, other: Client, *, actor) -> DuplicateDismissal:
    """Two records are not one person: the duplicate finder leaves the pair out for good.
    Saying it twice changes nothing. Audited on both records (ids only)."""
    if one.id == other.id:
        raise MergeRuleError("pair", "Choose two different records.")
    first, second = sorted((one.id, other.id))
    found = db.session.scalar(
        select(DuplicateDismissal).where(
            DuplicateDismissal.first_id == first, DuplicateDismissal.second_id == second
        )
    )
    if found is not None:
        return found
    row = DuplicateDismissal(first_id=first, second_id=second, dismissed_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    for client_id in (first, second):
        audit.record(
            AuditAction.UPDATE,
            actor=actor,
            entity_type="duplicate_dismissal",
            entity_id=row.id,
            client_id=client_id,
            detail=f"clients {first} and {second} are not a duplicate",
        )
    return row
