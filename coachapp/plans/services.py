"""Recovery plan services: start a version, edit a draft, sign it as the client or the coach.

No HTTP here: views and the API pass plain values and commit once after a service succeeds.
The rules of a plan live here only:

- a plan belongs to the client's current (open) episode; version 1 starts empty, version N+1
  starts as a copy of the latest version once that one is signed by both (only one draft at a
  time: starting another answers ``PlanConflict``);
- a draft is edited freely (strengths, barriers, supports, review date, goals of the client,
  action steps). An edit after one of the two signed clears that signature: the signer signed
  other content, and signs again;
- signed by the client and by the coach (drawn on the screen as a PNG, or a typed name with the
  attestation), the version is ``signed`` and frozen: every change answers ``PlanConflict``; the
  episode's earlier signed version becomes ``superseded``.

The audit trail names fields and ids, never the plan's text or the signatures.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import struct
from collections.abc import Iterable
from datetime import date, datetime, timezone

from sqlalchemy import select

from coachapp import audit, records, timeutil
from coachapp.extensions import db
from coachapp.forms import EARLIEST_DATE
from coachapp.limits import (
    MAX_PLAN_GOALS,
    MAX_PLAN_STEP,
    MAX_PLAN_STEPS,
    MAX_PLAN_WHO,
    MAX_SIGNATURE_BYTES,
    MAX_SIGNATURE_NAME,
    MAX_TEXT,
)
from coachapp.models import (
    Client,
    Enrollment,
    Goal,
    RecoveryPlan,
    RecoveryPlanStep,
    User,
)
from coachapp.models.enums import AuditAction, PlanStatus, Role, SignatureMethod

TEXT_FIELDS = ("strengths", "barriers", "supports")
DETAIL_FIELDS = (*TEXT_FIELDS, "review_on")
SIGNERS = ("client", "coach")
COACH_SIGNER_ROLES = (Role.COACH, Role.SUPERVISOR)

PNG_PREFIX = "data:image/png;base64,"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_SIGNATURE_SIDE = 4000  # pixels: a phone's canvas times its pixel ratio stays far below
ATTESTATION = (
    "I confirm that typing my name here is my signature of this recovery plan, as if I had "
    "signed it by hand."
)


class PlanRuleError(records.RuleError):
    """Values the rules of recovery plans refuse; ``errors`` names each field to blame."""


class PlanConflict(Exception):
    """The plan cannot change in this state: a signed (frozen) version, or a second draft.
    Pages show ``message``; the API answers 409."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


FROZEN_MESSAGE = (
    "This version is signed by the client and the coach and cannot change. "
    "Start the next version to make changes."
)


# --- Reading what the services need ----------------------------------------------------------


def current_episode(client: Client) -> Enrollment | None:
    """The client's current episode: the latest, while it is open (not discharged)."""
    episode = db.session.scalars(
        select(Enrollment)
        .where(Enrollment.client_id == client.id)
        .order_by(Enrollment.intake_date.desc(), Enrollment.id.desc())
        .limit(1)
    ).first()
    if episode is None or episode.discharge_date is not None:
        return None
    return episode


def latest_version(enrollment_id: int) -> RecoveryPlan | None:
    return db.session.scalars(
        select(RecoveryPlan)
        .where(RecoveryPlan.enrollment_id == enrollment_id)
        .order_by(RecoveryPlan.number.desc())
        .limit(1)
    ).first()


def client_goals(
    client: Client, goal_ids: Iterable[int], *, kept: Iterable[Goal] = ()
) -> list[Goal]:
    """The goals of ``client`` among ``goal_ids``: not archived, or ``kept`` (already on the
    plan, as a version copied from a signed one keeps them)."""
    ids = {int(i) for i in goal_ids}
    if not ids:
        return []
    kept_ids = {g.id for g in kept} & ids
    return list(
        db.session.scalars(
            select(Goal)
            .where(
                Goal.client_id == client.id,
                Goal.id.in_(ids),
                Goal.archived_at.is_(None) | Goal.id.in_(kept_ids),
            )
            .order_by(Goal.id)
        )
    )


def signed_moment(plan: RecoveryPlan) -> datetime | None:
    """When the version became signed: the later of the two signatures (None before both)."""
    if plan.signed_by_client_at is None or plan.signed_by_coach_at is None:
        return None
    return max(_utc(plan.signed_by_client_at), _utc(plan.signed_by_coach_at))


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


# --- Checks ----------------------------------------------------------------------------------


def ensure_draft(plan: RecoveryPlan) -> None:
    if plan.is_frozen:
        raise PlanConflict(FROZEN_MESSAGE)


def check_plan(client: Client, data: dict, *, plan: RecoveryPlan | None = None) -> None:
    """The rules of a draft's content (``data``: strengths, barriers, supports, review_on,
    goal_ids, steps [{action, who, due_on}]). Raises ``PlanRuleError`` naming every field
    refused (a step's field as ``steps.<n>.<name>``, counted from 0)."""
    problems: dict[str, str] = {}
    for key in TEXT_FIELDS:
        value = data.get(key) or ""
        if not isinstance(value, str):
            problems[key] = "Give text."
        elif len(value) > MAX_TEXT:
            problems[key] = f"Keep it under {MAX_TEXT:,} characters."
    review_on = data.get("review_on")
    if review_on is not None:
        if not isinstance(review_on, date):
            problems["review_on"] = "Give a date."
        elif review_on < EARLIEST_DATE:
            problems["review_on"] = "This date is too far in the past."
        elif review_on.year > timeutil.local_today(client.program).year + 10:
            problems["review_on"] = "This date is too far in the future."
    goal_ids = list(data.get("goal_ids") or [])
    if len(goal_ids) > MAX_PLAN_GOALS:
        problems["goal_ids"] = f"A plan names at most {MAX_PLAN_GOALS} goals."
    elif goal_ids:
        kept = plan.goals if plan is not None else ()
        found = {g.id for g in client_goals(client, goal_ids, kept=kept)}
        if set(goal_ids) - found:
            problems["goal_ids"] = "Choose goals of this client."
    steps = list(data.get("steps") or [])
    if len(steps) > MAX_PLAN_STEPS:
        problems["steps"] = f"A plan has at most {MAX_PLAN_STEPS} action steps."
    for n, step in enumerate(steps[:MAX_PLAN_STEPS]):
        action = (step.get("action") or "").strip()
        if not action:
            problems[f"steps.{n}.action"] = "Say what will be done."
        elif len(action) > MAX_PLAN_STEP:
            problems[f"steps.{n}.action"] = f"Keep it under {MAX_PLAN_STEP:,} characters."
        who = (step.get("who") or "").strip()
        if len(who) > MAX_PLAN_WHO:
            problems[f"steps.{n}.who"] = f"Keep it under {MAX_PLAN_WHO} characters."
        due_on = step.get("due_on")
        if due_on is not None and (
            not isinstance(due_on, date)
            or due_on < EARLIEST_DATE
            or due_on.year > timeutil.local_today(client.program).year + 10
        ):
            problems[f"steps.{n}.due_on"] = "Give a date within ten years."
    if problems:
        raise PlanRuleError(problems)


def check_png(image: str) -> bytes:
    """A drawn signature: a ``data:image/png;base64,`` URL of a real PNG (magic bytes, an IHDR
    of sane size), at most ``MAX_SIGNATURE_BYTES`` decoded. Returns the bytes; raises
    ``PlanRuleError`` on ``image`` otherwise."""
    if not isinstance(image, str) or not image.startswith(PNG_PREFIX):
        raise PlanRuleError("image", "The drawing did not arrive as a PNG image.")
    payload = image[len(PNG_PREFIX) :]
    if len(payload) > (MAX_SIGNATURE_BYTES * 4) // 3 + 4:
        raise PlanRuleError("image", "The drawing is too large; clear it and sign again.")
    if not re.fullmatch(r"[A-Za-z0-9+/]*={0,2}", payload):
        raise PlanRuleError("image", "The drawing could not be read; clear it and sign again.")
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise PlanRuleError(
            "image", "The drawing could not be read; clear it and sign again."
        ) from None
    if len(data) > MAX_SIGNATURE_BYTES:
        raise PlanRuleError("image", "The drawing is too large; clear it and sign again.")
    # The signature, the IHDR chunk (length 13, "IHDR", width, height): a PNG, not a label.
    if len(data) < 33 or not data.startswith(PNG_MAGIC) or data[12:16] != b"IHDR":
        raise PlanRuleError("image", "The drawing is not a PNG image.")
    width, height = struct.unpack(">II", data[16:24])
    if not (0 < width <= MAX_SIGNATURE_SIDE and 0 < height <= MAX_SIGNATURE_SIDE):
        raise PlanRuleError("image", "The drawing has an impossible size.")
    return data


def check_signature(
    plan: RecoveryPlan,
    *,
    signer: str | None,
    typed_name: str | None,
    image: str | None,
    attested: bool,
    actor: User,
) -> str:
    """The rules of a signature; returns the method (drawn when an image is given, typed
    otherwise). Raises ``PlanRuleError`` naming every field refused."""
    problems: dict[str, str] = {}
    if signer not in SIGNERS:
        problems["signer"] = "Say who signs: the client or the coach."
    elif signer == "client" and plan.signed_by_client_at is not None:
        problems["signer"] = "The client has signed this version already."
    elif signer == "coach" and plan.signed_by_coach_at is not None:
        problems["signer"] = "The coach has signed this version already."
    elif signer == "coach" and actor.role not in COACH_SIGNER_ROLES:
        problems["signer"] = "Only a coach or a supervisor signs as the coach."
    name = (typed_name or "").strip()
    if len(name) > MAX_SIGNATURE_NAME:
        problems["typed_name"] = f"Keep the name under {MAX_SIGNATURE_NAME} characters."
    method = SignatureMethod.DRAWN if image else SignatureMethod.TYPED
    if image:
        try:
            check_png(image)
        except PlanRuleError as exc:
            problems.update(exc.errors)
    else:
        if not name:
            problems["typed_name"] = "Draw the signature, or type the signer's full name."
        if not attested:
            problems["attested"] = "Tick the box to confirm the typed name is a signature."
    if problems:
        raise PlanRuleError(problems)
    return method


# --- Changes ---------------------------------------------------------------------------------


def _steps_of(plan: RecoveryPlan) -> list[tuple]:
    return [(s.action, s.who, s.due_on) for s in plan.steps]


def _set_steps(plan: RecoveryPlan, steps: list[dict]) -> None:
    plan.steps = [
        RecoveryPlanStep(
            position=n,
            action=(step.get("action") or "").strip(),
            who=(step.get("who") or "").strip() or None,
            due_on=step.get("due_on"),
        )
        for n, step in enumerate(steps)
    ]


def start_plan(client: Client, data: dict | None = None, *, actor: User) -> RecoveryPlan:
    """Start a draft for the client's current episode: version 1, or N+1 as a copy of version
    N (strengths, barriers, supports, review date, goals, steps) once N is signed. ``data``
    (optional) sets content on the new draft, as ``update_plan`` would. Refuses a second draft
    (``PlanConflict``) and a client without an open episode (``PlanRuleError``)."""
    episode = current_episode(client)
    if episode is None:
        raise PlanRuleError(
            "plan", "The client has no open episode: re-enroll them to start a plan."
        )
    latest = latest_version(episode.id)
    if latest is not None and latest.status == PlanStatus.DRAFT:
        raise PlanConflict(
            f"Version {latest.number} of this plan is still a draft: edit or sign it first."
        )
    plan = RecoveryPlan(
        client_id=client.id,
        enrollment_id=episode.id,
        number=(latest.number + 1) if latest is not None else 1,
        status=PlanStatus.DRAFT,
        created_by_id=actor.id,
    )
    if latest is not None:
        for key in DETAIL_FIELDS:
            setattr(plan, key, getattr(latest, key))
        plan.goals = list(latest.goals)
        _set_steps(plan, [{"action": a, "who": w, "due_on": d} for a, w, d in _steps_of(latest)])
    if data:
        merged = plan_content(plan) | {k: v for k, v in data.items() if k in CONTENT_KEYS}
        check_plan(client, merged, plan=plan)
        _apply(plan, client, merged)
    db.session.add(plan)
    db.session.flush()
    audit.record(
        AuditAction.CREATE,
        actor=actor,
        entity_type="recovery_plan",
        entity_id=plan.id,
        client_id=client.id,
        fields=["number", "status"] + [k for k in CONTENT_KEYS if _has(plan, k)],
        detail=f"copied from plan {latest.id}" if latest is not None else None,
    )
    return plan


CONTENT_KEYS = (*DETAIL_FIELDS, "goal_ids", "steps")


def _has(plan: RecoveryPlan, key: str) -> bool:
    if key == "goal_ids":
        return bool(plan.goals)
    if key == "steps":
        return bool(plan.steps)
    return getattr(plan, key) not in (None, "")


def plan_content(plan: RecoveryPlan) -> dict:
    """A version's content as the services take it."""
    return {
        **{key: getattr(plan, key) for key in DETAIL_FIELDS},
        "goal_ids": sorted(g.id for g in plan.goals),
        "steps": [{"action": a, "who": w, "due_on": d} for a, w, d in _steps_of(plan)],
    }


def _normal_steps(steps: list[dict]) -> list[tuple]:
    return [
        ((s.get("action") or "").strip(), (s.get("who") or "").strip() or None, s.get("due_on"))
        for s in steps
    ]


def _apply(plan: RecoveryPlan, client: Client, data: dict) -> list[str]:
    changed = records.apply_changes(
        plan,
        {
            key: (data.get(key) or None) if key in TEXT_FIELDS else data.get(key)
            for key in DETAIL_FIELDS
        },
    )
    goal_ids = sorted({int(i) for i in data.get("goal_ids") or []})
    if goal_ids != sorted(g.id for g in plan.goals):
        plan.goals = client_goals(client, goal_ids, kept=plan.goals)
        changed.append("goal_ids")
    steps = list(data.get("steps") or [])
    if _normal_steps(steps) != _steps_of(plan):
        _set_steps(plan, steps)
        changed.append("steps")
    return changed


def _clear_signatures(plan: RecoveryPlan) -> list[str]:
    cleared = []
    if plan.signed_by_client_at is not None:
        plan.signed_by_client_at = None
        plan.client_signature_method = None
        plan.client_signature_name = None
        plan.client_signature_image = None
        cleared.append("client_signature")
    if plan.signed_by_coach_at is not None:
        plan.signed_by_coach_at = None
        plan.coach_signature_method = None
        plan.coach_signature_name = None
        plan.coach_signature_image = None
        plan.coach_signer_id = None
        plan.coach_credential = None
        cleared.append("coach_signature")
    return cleared


def update_plan(plan: RecoveryPlan, data: dict, *, version: int | None, actor: User) -> list[str]:
    """Edit a draft's content (``data`` as ``check_plan`` reads it; missing keys keep their
    value). A signature given before the change is cleared: its signer signed other content.
    Refuses a signed version (``PlanConflict``) and a stale ``version``."""
    ensure_draft(plan)
    records.ensure_version(plan, version)
    merged = plan_content(plan) | {k: v for k, v in data.items() if k in CONTENT_KEYS}
    check_plan(plan.client, merged, plan=plan)
    changed = _apply(plan, plan.client, merged)
    if changed:
        changed += _clear_signatures(plan)
        # Goals and steps live in other tables: the version row changes too, so the lock holds.
        plan.updated_at = datetime.now(timezone.utc)
        db.session.flush()
        audit.record(
            AuditAction.UPDATE,
            actor=actor,
            entity_type="recovery_plan",
            entity_id=plan.id,
            client_id=plan.client_id,
            fields=changed,
        )
    return sorted(changed)


def sign_plan(
    plan: RecoveryPlan,
    *,
    signer: str,
    typed_name: str | None = None,
    image: str | None = None,
    attested: bool = False,
    version: int | None = None,
    actor: User,
) -> RecoveryPlan:
    """Sign a draft as the client or the coach (``actor`` is who records it; as the coach it
    is the coach who signs, with their credential at that moment). Drawn when ``image`` (a PNG
    data URL) is given, typed otherwise (``typed_name`` and ``attested`` required). Signed by
    both, the version is ``signed`` (frozen) and the episode's earlier signed version
    ``superseded``."""
    ensure_draft(plan)
    records.ensure_version(plan, version)
    method = check_signature(
        plan, signer=signer, typed_name=typed_name, image=image, attested=attested, actor=actor
    )
    now = datetime.now(timezone.utc)
    name = (typed_name or "").strip() or None
    drawn = image if method == SignatureMethod.DRAWN else None
    if signer == "client":
        plan.signed_by_client_at = now
        plan.client_signature_method = method
        plan.client_signature_name = name
        plan.client_signature_image = drawn
    else:
        plan.signed_by_coach_at = now
        plan.coach_signature_method = method
        plan.coach_signature_name = name
        plan.coach_signature_image = drawn
        plan.coach_signer_id = actor.id
        plan.coach_credential = actor.credential
    fields = [f"signed_by_{signer}_at", f"{signer}_signature_method"]
    if plan.signed_by_client_at is not None and plan.signed_by_coach_at is not None:
        plan.status = PlanStatus.SIGNED
        fields.append("status")
    db.session.flush()
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        entity_type="recovery_plan",
        entity_id=plan.id,
        client_id=plan.client_id,
        fields=fields,
        detail=f"signed as {signer} ({method})",
    )
    if plan.status == PlanStatus.SIGNED:
        _freeze_goals(plan)
        _supersede_earlier(plan, actor=actor)
    return plan


def _freeze_goals(plan: RecoveryPlan) -> None:
    """Keep each goal's description as signed with the version (``signed_goals``)."""
    plan.signed_goals = json.dumps({str(goal.id): goal.description for goal in plan.goals})


def _supersede_earlier(plan: RecoveryPlan, *, actor: User) -> None:
    earlier = db.session.scalars(
        select(RecoveryPlan).where(
            RecoveryPlan.enrollment_id == plan.enrollment_id,
            RecoveryPlan.status == PlanStatus.SIGNED,
            RecoveryPlan.id != plan.id,
        )
    ).all()
    for old in earlier:
        old.status = PlanStatus.SUPERSEDED
        audit.record(
            AuditAction.UPDATE,
            actor=actor,
            entity_type="recovery_plan",
            entity_id=old.id,
            client_id=old.client_id,
            fields=["status"],
            detail=f"superseded by plan {plan.id}",
        )
    db.session.flush()
