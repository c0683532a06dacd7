"""The authorization matrix's world: one record of every kind, seen by every kind of viewer, and
how to ask any route of ``app.url_map`` as any of them (tests/platform/test_authorization_matrix.py,
tests/api/test_api_no_store.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone

from sqlalchemy import select

from coachapp.extensions import db as _db
from tests import factories

# --- The world ------------------------------------------------------------------------------------

# Clinical text the billing specialist must never see in any answer (tests/platform/
# test_authorization_matrix.py): notes, a plan's text, supervision notes.
SESSION_NOTE = "Talked about work"
BILLED_NOTE = "Billed session note about cravings"
PLAN_TEXT = "Plan text: strengths and barriers"
CLINICAL_TEXT = (SESSION_NOTE, BILLED_NOTE, PLAN_TEXT, "Awaiting review", "Caseload review")


@dataclass
class World:
    """Who the viewers are and the ids that fill URL parameters; ``fresh`` makes, for the
    endpoints named, a new record to act on for each request."""

    users: dict[str, int]  # viewer -> user id
    tokens: dict[str, str]  # viewer -> API token
    ids: dict[str, int]  # URL parameter -> id
    fresh: dict[str, Callable[[], dict[str, int]]] = field(default_factory=dict)


def build_world() -> World:
    from coachapp.auth.tokens import create_token
    from coachapp.models import (
        BillingSetting,
        BreakGlassAccess,
        Client,
        ClientMerge,
        ClientStatusRecord,
        ConsentRecord,
        CoveringAssignment,
        Enrollment,
        FollowUpInterview,
        MutualAidAttendance,
        RecoveryPlan,
        SupervisionNote,
        SupervisionNoteCoach,
        TaxonomyMapping,
        Team,
        TrainingRecord,
    )

    today = datetime.now(timezone.utc).date()
    now = datetime.now(timezone.utc)
    program = factories.program(name="Matrix program")
    elsewhere = factories.program(name="Matrix elsewhere")
    team = Team(program_id=program.id, name="North")
    other_team = Team(program_id=program.id, name="South")
    _db.session.add_all([team, other_team])
    _db.session.commit()

    supervisor = factories.user("supervisor", program=program)
    other_supervisor = factories.user("supervisor", program=program)
    coach = factories.user("coach", program=program, supervisor=supervisor)
    cover_coach = factories.user("coach", program=program, supervisor=supervisor)
    past_cover_coach = factories.user("coach", program=program, supervisor=supervisor)
    other_coach = factories.user("coach", program=program, supervisor=other_supervisor)
    program_manager = factories.user("program_manager", program=program)
    other_program_manager = factories.user("program_manager", program=elsewhere)
    billing = factories.user("billing", program=program)
    admin_glass = factories.user("admin")
    admin = factories.user("admin")
    past_glass_admin = factories.user("admin")
    for user in (supervisor, coach, cover_coach, past_cover_coach):
        user.team_id = team.id
    for user in (other_supervisor, other_coach):
        user.team_id = other_team.id
    _db.session.add(
        CoveringAssignment(
            covering_user_id=cover_coach.id,
            coach_id=coach.id,
            starts_on=today - timedelta(days=7),
            ends_on=today + timedelta(days=30),
            reason="Vacation",
            created_by_id=supervisor.id,
        )
    )
    _db.session.commit()

    def new_client(**fields) -> int:
        """A client of the coach, with the grants and the ended cover of the viewers."""
        client = factories.client(coach, intake_date=today - timedelta(days=60), **fields)
        _db.session.add_all(
            [
                BreakGlassAccess(
                    user_id=admin_glass.id,
                    client_id=client.id,
                    reason="Coach unreachable, client in crisis",
                    expires_at=now + timedelta(hours=4),
                ),
                BreakGlassAccess(
                    user_id=past_glass_admin.id,
                    client_id=client.id,
                    reason="Checking a duplicate",
                    expires_at=now - timedelta(hours=1),
                ),
                CoveringAssignment(
                    covering_user_id=past_cover_coach.id,
                    coach_id=coach.id,
                    client_id=client.id,
                    starts_on=today - timedelta(days=30),
                    ends_on=today - timedelta(days=1),
                    created_by_id=supervisor.id,
                ),
            ]
        )
        _db.session.commit()
        return client.id

    client_id = new_client()
    client = _db.session.get(Client, client_id)
    goal = factories.goal(client)
    session = factories.session(client, on=today - timedelta(days=3), note=SESSION_NOTE)
    appointment = factories.appointment(client)
    resource = factories.resource(category="recovery_support", meeting_model="aa")
    referral = factories.referral(client, resource)
    assessment = factories.assessment(client, on=today - timedelta(days=2))
    attendance = MutualAidAttendance(client_id=client.id, model="aa", resource_id=resource.id)
    consent = ConsentRecord(
        client_id=client.id,
        recipient="Harbor Clinic",
        purpose="Coordination of care",
        information_disclosed="Attendance and goals",
        signed_on=today - timedelta(days=30),
    )
    note = SupervisionNote(
        supervisor_id=supervisor.id,
        date=today - timedelta(days=5),
        duration_minutes=60,
        format="individual",
        note="Caseload review",
    )
    note.clients.append(client)
    training = TrainingRecord(
        coach_id=coach.id,
        domain="ethics",
        hours=6,
        completed_on=today - timedelta(days=40),
        title="Ethics for peer workers",
    )
    episode = _db.session.scalar(select(Enrollment).where(Enrollment.client_id == client.id))
    interview = FollowUpInterview(
        client_id=client.id,
        enrollment_id=episode.id,
        kind="baseline",
        done_on=today - timedelta(days=50),
    )

    # Billing (issue 22): settings, a signed plan whose text is secret, and a billable signed
    # session of last month with a note, so the worksheet has a line to show.
    last_month_day = today.replace(day=1) - timedelta(days=1)
    billed_on = last_month_day.replace(day=10)
    client.member_id = "MATRIXMEMBER1"
    client.payer = "Matrix Medicaid"
    # The client's TPO consent: what lets the worksheet disclose the line to the payer.
    factories.consent(client, signed_on=today - timedelta(days=60))
    _db.session.add(
        BillingSetting(
            program_id=program.id,
            effective_from=today - timedelta(days=365),
            payer="Matrix Medicaid",
            daily_cap_units=16,
        )
    )
    signed_plan = RecoveryPlan(
        client_id=client.id,
        enrollment_id=client.latest_enrollment.id,
        number=1,
        status="signed",
        strengths=PLAN_TEXT,
        barriers=PLAN_TEXT,
        supports=PLAN_TEXT,
        signed_by_client_at=now - timedelta(days=58),
        signed_by_coach_at=now - timedelta(days=58),
        coach_signer_id=coach.id,
    )
    signed_plan.goals.append(goal)
    _db.session.add(signed_plan)
    billed = factories.session(
        client,
        on=billed_on,
        note=BILLED_NOTE,
        billable=True,
        start_time=time(9),
        end_time=time(9, 40),
        place_of_service="11",
        signed_at=now - timedelta(days=20),
        signed_by_id=coach.id,
    )
    billed.goals.append(goal)
    # A draft recovery plan: read, edited (an empty change) and signed (refused: no signer).
    plan = RecoveryPlan(client_id=client.id, enrollment_id=episode.id, number=2, status="draft")
    _db.session.add(plan)
    status_record = ClientStatusRecord(
        client_id=client.id, kind="housing", status="emergency_shelter", as_of=today
    )
    _db.session.add_all([attendance, consent, note, training, interview, status_record])
    _db.session.flush()
    _db.session.add(SupervisionNoteCoach(note_id=note.id, coach_id=coach.id))
    grant_id = _db.session.scalar(
        select(BreakGlassAccess.id).where(
            BreakGlassAccess.client_id == client.id, BreakGlassAccess.user_id == admin_glass.id
        )
    )
    # A merge of another client of the coach into this one, undone already: undoing it again is
    # refused wherever it is reached, so the world never changes.
    merge = ClientMerge(survivor_id=client.id, merged_id=new_client(), undone_at=now)
    _db.session.add(merge)
    _db.session.commit()
    viewers = {
        "coach": coach,
        "cover_coach": cover_coach,
        "past_cover_coach": past_cover_coach,
        "other_coach": other_coach,
        "supervisor": supervisor,
        "other_supervisor": other_supervisor,
        "program_manager": program_manager,
        "other_program_manager": other_program_manager,
        "admin_glass": admin_glass,
        "admin": admin,
        "past_glass_admin": past_glass_admin,
        "billing": billing,
    }
    # A coach of the team whose account was deactivated after signing in and making a token.
    viewers["deactivated_coach"] = factories.user("coach", program=program, supervisor=supervisor)
    tokens = {name: create_token(user, "matrix")[0] for name, user in viewers.items()}
    viewers["deactivated_coach"].active = False
    _db.session.commit()

    # Records that an allowed request changes for good (a session signed off, a user
    # deactivated, a token revoked, a cover ended, a client discharged) are made afresh for
    # each request, so no row depends on which viewer asked first.
    def fresh_discharged_client() -> dict[str, int]:
        fresh_id = new_client(status="discharged")
        episode = _db.session.scalar(select(Enrollment).where(Enrollment.client_id == fresh_id))
        episode.discharge_date = today - timedelta(days=30)
        episode.discharge_reason = "moved"
        _db.session.commit()
        return {"client_id": fresh_id}

    def fresh_session() -> dict[str, int]:
        fresh = factories.session(client, on=today - timedelta(days=1), note="Awaiting review")
        return {"session_id": fresh.id}

    def fresh_signed_session() -> dict[str, int]:
        fresh = factories.session(client, on=today - timedelta(days=1), note="Signed note")
        fresh.signed_at = datetime.now(timezone.utc)
        fresh.signed_by_id = coach.id
        _db.session.commit()
        return {"session_id": fresh.id}

    def fresh_user(active: bool = True) -> dict[str, int]:
        user = factories.user("coach", program=program, supervisor=supervisor, active=active)
        return {"user_id": user.id}

    def fresh_token() -> dict[str, int]:
        _secret, row_ = create_token(coach, "spare")
        _db.session.commit()
        return {"token_id": row_.id}

    mapping_terms = iter(range(1, 10_000))

    def fresh_mapping() -> dict[str, int]:
        line = TaxonomyMapping(
            program_id=program.id,
            match="code",
            term=f"BD-{next(mapping_terms)}",
            category="recovery_support",
        )
        _db.session.add(line)
        _db.session.commit()
        return {"mapping_id": line.id}

    def fresh_cover() -> dict[str, int]:
        cover = CoveringAssignment(
            covering_user_id=cover_coach.id,
            coach_id=coach.id,
            client_id=client.id,
            starts_on=today,
            ends_on=today + timedelta(days=3),
            created_by_id=supervisor.id,
        )
        _db.session.add(cover)
        _db.session.commit()
        return {"cover_id": cover.id}

    return World(
        users={name: user.id for name, user in viewers.items()},
        tokens=tokens,
        ids={
            "client_id": client.id,
            "goal_id": goal.id,
            "session_id": session.id,
            "billed_session_id": billed.id,  # not a route argument: the billing text check's
            "appointment_id": appointment.id,
            "resource_id": resource.id,
            "referral_id": referral.id,
            "assessment_id": assessment.id,
            "attendance_id": attendance.id,
            "enrollment_id": episode.id,
            "interview_id": interview.id,
            "plan_id": plan.id,
            "status_id": status_record.id,
            "consent_id": consent.id,
            "grant_id": grant_id,
            "note_id": note.id,
            "coach_id": coach.id,
            "user_id": coach.id,
            "program_id": program.id,
            "team_id": team.id,
            "merge_id": merge.id,
        },
        fresh={
            "api.discharge_client": lambda: {"client_id": new_client()},
            # A status change once per client: each viewer records it on a client of its own.
            "api.create_status": lambda: {"client_id": new_client()},
            "api.reenroll_client": fresh_discharged_client,
            # One live record per interview: each request records on a client of its own.
            "api.create_followup": lambda: {"client_id": new_client()},
            # One draft per episode: each start is on a client of its own.
            "api.create_plan": lambda: {"client_id": new_client()},
            "plans.start": lambda: {"client_id": new_client()},
            "team.sign_off": fresh_session,
            "api.sign_session": fresh_session,
            "api.cosign_session": fresh_signed_session,
            "api.add_addendum": fresh_signed_session,
            "admin.deactivate_user": fresh_user,
            "admin.reactivate_user": lambda: fresh_user(active=False),
            "admin.reset_password": fresh_user,
            "auth.revoke": fresh_token,
            "team.end_cover": fresh_cover,
            "resources.taxonomy_edit": fresh_mapping,
            "resources.taxonomy_delete": fresh_mapping,
        },
    )


# --- The requests -------------------------------------------------------------------------------

# URL parameters that are not ids.
FIXED_PARAMS = {
    "figure": "active",
    "fmt": "csv",
    "filename": "css/app.css",
    "token": "not-a-real-subscription-token",
    "kind": "baseline",
}
MISSING_ID = 2**31 - 1  # a valid id that no row has


def query_of(endpoint: str, world: World) -> dict[str, str]:
    """Query strings: reports are asked for the world's coach (a scope inside or outside)."""
    scope = {"program_id": str(world.ids["program_id"]), "coach_id": str(world.ids["coach_id"])}
    if endpoint in ("reports.index", "reports.export"):
        return scope
    if endpoint == "reports.rows":
        return scope | {"figure": "clients.enrolled"}
    if endpoint in (
        "api.outcomes",
        "api.followups_report",
        "api.housing_employment",
        "api.outcome_breakdowns",
    ):
        today = datetime.now(timezone.utc).date()
        period = {"start": (today - timedelta(days=90)).isoformat(), "end": today.isoformat()}
        by = {"by": "gender_identity"} if endpoint == "api.outcome_breakdowns" else {}
        return scope | period | by
    return {}


def api_body(endpoint: str, world: World, viewer: str) -> dict:
    """A valid body for each API creation (so that a refusal is the access rule's), an empty one
    for PATCHes (nothing changes, but the record is reached)."""
    today = datetime.now(timezone.utc).date()
    ids = world.ids
    bodies = {
        "api.create_client": {
            "first_name": "Matrix",
            "last_name": f"Opened by {viewer}",
            "date_of_birth": "1991-05-06",
            "coach_id": ids["coach_id"],
        },
        "api.discharge_client": {
            "discharge_date": (today - timedelta(days=1)).isoformat(),
            "discharge_reason": "moved",
        },
        "api.reenroll_client": {"intake_date": today.isoformat()},
        "api.reassign_client": {"coach_id": ids["coach_id"], "reason": "Matrix"},
        # The client into itself: refused (422) wherever it is reached; the world never changes.
        "api.merge_client": {"duplicate_id": ids["client_id"]},
        "api.create_session": {
            "duration_minutes": 30,
            "modality": "phone",
            "kind": "coaching",
            "outcome": "completed",
        },
        "api.add_addendum": {"text": "Also called the landlord.", "reason": "Left out"},
        "api.create_appointment": {"scheduled_at": "2026-06-01T10:00:00", "kind": "medical"},
        "api.create_goal": {"domain": "housing", "description": "Keep the lease"},
        "api.create_referral": {"resource_id": ids["resource_id"]},
        "api.create_assessment": {"items": [4] * 10},
        "api.create_followup": {
            "kind": "baseline",
            "done_on": (today - timedelta(days=55)).isoformat(),
        },
        "api.create_status": {"kind": "employment", "status": "part_time"},
        "api.create_consent": {
            "recipient": f"Recipient named by {viewer}",
            "purpose": "Coordination of care",
            "categories": ["attendance"],
        },
        "api.create_note": {
            "duration_minutes": 45,
            "format": "individual",
            "coach_ids": [ids["coach_id"]],
            "client_ids": [ids["client_id"]],
        },
        "api.create_resource": {"name": f"Food bank listed by {viewer}", "category": "food"},
        "api.create_program": {"name": f"Program opened by {viewer}", "timezone": "UTC"},
        "api.put_billing": {
            "effective_from": (today - timedelta(days=400)).isoformat(),
            "payer": "Matrix Medicaid",
            "code": "H0038",
        },
        "api.create_user": {
            "email": f"made-by-{viewer.replace('_', '-')}@example.org",
            "name": "New Manager",
            "role": "program_manager",
            "program_id": ids["program_id"],
            "password": "a long and unusual passphrase 42",
        },
    }
    return bodies.get(endpoint, {})


def method_of(rule) -> str:
    methods = set(rule.methods or ()) - {"HEAD", "OPTIONS"}
    if "GET" in methods:
        return "GET"
    (only,) = methods
    return only


def url_of(rule, ids: dict[str, int]) -> str:
    values = {arg: FIXED_PARAMS[arg] if arg in FIXED_PARAMS else ids[arg] for arg in rule.arguments}
    return rule.build(values, append_unknown=False)[1]


def browser_for(app, world: World, viewer: str, *, api: bool):
    """A test client signed in as ``viewer`` (the session cookie carries the user's current
    session version and when the session began, as a real sign-in would), or with no cookie for
    the API and anonymous."""
    from coachapp.models import User

    browser = app.test_client()
    if viewer != "anonymous" and not api:
        user = _db.session.get(User, world.users[viewer], populate_existing=True)
        key = user.get_id()
        _db.session.rollback()
        with browser.session_transaction() as cookie:
            cookie["_user_id"] = key
            cookie["_fresh"] = True
            cookie["auth_at"] = cookie["seen_at"] = datetime.now(timezone.utc).timestamp()
    return browser


def ask(app, world: World, rule, viewer: str, ids: dict[str, int] | None = None):
    """Request ``rule`` as ``viewer``; returns the response."""
    api = rule.rule.startswith("/api/")
    if ids is None:
        ids = dict(world.ids)
        if rule.endpoint in world.fresh:
            ids.update(world.fresh[rule.endpoint]())
    method = method_of(rule)
    headers = {}
    if api and viewer != "anonymous":
        headers["Authorization"] = f"Bearer {world.tokens[viewer]}"
    kwargs: dict = {"headers": headers, "query_string": query_of(rule.endpoint, world)}
    if api and method in ("POST", "PATCH", "PUT"):
        kwargs["json"] = api_body(rule.endpoint, world, viewer)
    browser = browser_for(app, world, viewer, api=api)
    return browser.open(url_of(rule, ids), method=method, **kwargs)


def status_word(response) -> str:
    if response.status_code in (301, 302, 303, 307, 308):
        return "login" if "/auth/login" in response.headers.get("Location", "") else "302"
    return str(response.status_code)
