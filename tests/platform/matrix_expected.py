"""The expected statuses of the authorization matrix (tests/platform/test_authorization_matrix.py):
who asks (``VIEWERS``), the rows by class, and ``EXPECTED``, one row per endpoint of
``app.url_map``. A new route needs a row here; the test fails until it has one.

Status words in the rows: a number is that status; ``login`` is a redirect to the sign-in page
(a browser that is not signed in); ``302`` is a redirect anywhere else.
"""

from __future__ import annotations

# --- Who asks ------------------------------------------------------------------------------------
# The four ways into the client (product.md's rule 1-4) are coach, cover_coach, supervisor and
# admin_glass. Everyone else is outside it: another coach of the program, a coach whose cover has
# ended, a supervisor of another team, program managers (who never see client records), an admin
# without break-the-glass and one whose break-the-glass has expired.

VIEWERS = (
    "anonymous",  # not signed in; no token on the API
    "coach",  # the client's assigned coach (rule 1)
    "cover_coach",  # covers the coach's whole caseload, in force today (rule 3)
    "past_cover_coach",  # covered this client until yesterday
    "other_coach",  # a coach of the same program, on another team
    "supervisor",  # supervises the client's coach (rule 2)
    "other_supervisor",  # supervises another team of the same program
    "program_manager",  # of the client's program
    "other_program_manager",  # of another program
    "admin_glass",  # an admin with a break-the-glass access to the client in force (rule 4)
    "admin",  # an admin without break-the-glass
    "past_glass_admin",  # an admin whose break-the-glass access has expired
    "billing",  # the billing specialist of the client's program: the worksheet, never records
)


def row(spec: str, x: str = "") -> dict[str, str]:
    """One expected status per viewer, in the order of ``VIEWERS``; ``X`` stands for ``x``."""
    words = [x if word == "X" else word for word in spec.split()]
    assert len(words) == len(VIEWERS), spec
    return dict(zip(VIEWERS, words, strict=True))


# --- The rows, by class ---------------------------------------------------------------------------

# Anyone, signed in or not: static files, health checks, the OpenAPI document.
PUBLIC = row(
    # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
    " 200   200   200   200   200   200   200   200   200   200   200   200   200",
)
# Any signed-in user; the page scopes what it shows itself.
SIGNED_IN = row(
    # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
    " login 200   200   200   200   200   200   200   200   200   200   200   200",
)

# A client record or one of its child records (client_route / record_route). Inside the rule it
# answers; outside, 404 whatever the role: "Anything else is 404 (not 403)". Program managers
# and admins without break-the-glass are outside.
CLIENT = row(
    # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
    " login 200   200   404   404   200   404   404   404   200   404   404   404",
)
# The same, posted with an empty form: the form is refused (422, or a redirect with a message)
# inside the rule; outside it the record does not exist.
CLIENT_POST_422 = row(
    # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
    " login 422   422   404   404   422   404   404   404   422   404   404   404",
)
CLIENT_POST_302 = row(
    # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
    " login 302   302   404   404   302   404   404   404   302   404   404   404",
)
# Client pages for the supervisor only (reassign a client, who opened this record): inside the
# rule with another role 403 (they know the client already); outside it 404.
CLIENT_SUPERVISOR = row(
    # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
    " login 403   403   404   404   200   404   404   404   403   404   404   404",
)

# Coaching work lists (today, week, calendar feed, follow-ups, new client, supervision notes):
# coaches and supervisors, each list scoped to their own caseload or team.
COACHING = row(
    # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
    " login 200   200   200   200   200   200   403   403   403   403   403   403",
)
# The caseload list: also admins, who see the break-the-glass clients only (an empty list
# otherwise); program managers never see names.
CASELOAD = row(
    # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
    " login 200   200   200   200   200   200   403   403   200   200   200   403",
)
# Supervisor pages scoped to their own team (dashboard, cover, review queue, new note).
SUPERVISOR = row(
    # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
    " login 403   403   403   403   200   200   403   403   403   403   403   403",
)


def team_coach(status: str) -> dict[str, str]:
    """Supervisor pages about one coach of their own team (or a note they wrote, a session of
    their team to sign off): another team's supervisor gets 404, other roles 403."""
    return row(
        # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
        " login 403   403   403   403   X     404   403   403   403   403   403   403",
        x=status,
    )


def coach_progress(status: str) -> dict[str, str]:
    """A coach's credential progress and training hours: the coach and their supervisor; for
    everyone else that coach's progress does not exist (404)."""
    return row(
        # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
        " login X     404   404   404   X     404   404   404   404   404   404   404",
        x=status,
    )


# Administration of users, programs, teams and break-the-glass: admins only.
ADMIN = row(
    # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
    " login 403   403   403   403   403   403   403   403   200   200   200   403",
)
ADMIN_POST_302 = row(
    # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
    " login 403   403   403   403   403   403   403   403   302   302   302   403",
)
ADMIN_POST_422 = row(
    # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
    " login 403   403   403   403   403   403   403   403   422   422   422   403",
)
# Oversight (audit log and export, staff list, break-the-glass review): program managers (their
# program) and admins.
OVERSIGHT = row(
    # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
    " login 403   403   403   403   403   403   200   200   200   200   200   403",
)
# The resource directory's editors: supervisors, program managers and admins.
DIRECTORY_EDITOR = row(
    # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
    " login 403   403   403   403   200   200   200   200   200   200   200   403",
)
# Reports asked for the client's coach (``coach_id`` and ``program_id`` in the query): the coach
# themself, their supervisor, the program's manager and admins; a report never confirms that
# someone else's caseload, team or program exists (404).
REPORT_OF_COACH = row(
    # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
    " login 200   404   404   404   200   404   200   404   200   200   200   403",
)
REPORTS = row(
    # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
    " login 200   200   200   200   200   200   200   200   200   200   200   403",
)

# --- API (bearer tokens; no token is 401, a role that may never do it is 403) ---------------------
API_ANY = row(
    # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
    " 401   200   200   200   200   200   200   200   200   200   200   200   200",
)
API_CLIENT = row(
    # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
    " 401   200   200   404   404   200   404   404   404   200   404   404   404",
)
API_CLIENT_CREATE = row(
    # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
    " 401   201   201   404   404   201   404   404   404   201   404   404   404",
)
API_CLIENT_ACTION = row(
    # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
    " 401   200   200   404   404   200   404   404   404   200   404   404   404",
)
API_ADMIN = row(
    # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
    " 401   403   403   403   403   403   403   403   403   200   200   200   403",
)
API_ADMIN_CREATE = row(
    # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
    " 401   403   403   403   403   403   403   403   403   201   201   201   403",
)
# Opening a client: coaches on their own caseload, supervisors on their team's coaches. Asked for
# the world's coach: anyone else who may open clients is refused the coach (422 on coach_id);
# program managers and admins never open clients (403).
API_OPEN_CLIENT = row(
    # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
    " 401   201   422   422   422   201   422   403   403   403   403   403   403",
)
# Supervision notes: supervisors their own, the named coaches read theirs.
API_NOTES_READ = row(
    # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
    " 401   200   200   200   200   200   200   403   403   403   403   403   403",
)
API_NOTE_CREATE = row(
    # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
    " 401   403   403   403   403   201   422   403   403   403   403   403   403",
)
API_NOTE_PATCH = row(
    # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
    " 401   403   403   403   403   200   404   403   403   403   403   403   403",
)
API_DIRECTORY_EDITOR = row(
    # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
    " 401   403   403   403   403   200   200   200   200   200   200   200   403",
)
API_DIRECTORY_CREATE = row(
    # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
    " 401   403   403   403   403   201   201   201   201   201   201   201   403",
)
API_REPORT_OF_COACH = row(
    # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
    " 401   200   404   404   404   200   404   200   404   200   200   200   403",
)

# The billing specialist's pages and API: theirs and admins'.
BILLING = row(
    # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
    " login 403   403   403   403   403   403   403   403   200   200   200   200",
)
API_BILLING = row(
    # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
    " 401   403   403   403   403   403   403   403   403   200   200   200   200",
)


EXPECTED: dict[str, dict[str, str]] = {
    # Public
    "static": PUBLIC,
    "main.healthz": PUBLIC,
    "main.readyz": PUBLIC,
    "main.favicon": PUBLIC,
    "api-docs.openapi_json": PUBLIC,
    # Signing in and out
    "auth.login": row(
        # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
        " 200   302   302   302   302   302   302   302   302   302   302   302   302",
    ),
    "main.index": row(
        # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
        " login 302   302   302   302   302   302   302   302   302   302   302   302",
    ),
    "auth.logout": row(
        # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
        " login login login login login login login login login login login login login",
    ),
    "auth.profile": SIGNED_IN,
    # Revoking an API token: only the token's owner (the world's token is the coach's).
    "auth.revoke": row(
        # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
        " login 302   404   404   404   404   404   404   404   404   404   404   404",
    ),
    # A coach's home is their caseload; everyone else has a home page.
    "main.home": row(
        # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
        " login 302   302   302   302   200   200   200   200   200   200   200   302",
    ),
    # Clients
    "clients.index": CASELOAD,
    "clients.new": COACHING,
    "clients.detail": CLIENT,
    "clients.edit": CLIENT,
    "clients.discharge": CLIENT,
    "clients.reenroll": CLIENT,
    "clients.archive": CLIENT_POST_302,
    "consents.new": CLIENT,
    "consents.summary": CLIENT,
    "consents.revoke": CLIENT_POST_302,
    "disclosures.accounting": CLIENT,
    # The client's copy of their record: made by their coach (or a covering coach) or their
    # coach's supervisor; an admin through break-the-glass reaches the record but may not hand
    # it out (403); everyone outside the rule: 404.
    "disclosures.patient_copy": row(
        # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
        " login 200   200   404   404   200   404   404   404   403   404   404   404",
    ),
    "team.access_log": CLIENT_SUPERVISOR,
    "team.reassign": CLIENT_SUPERVISOR,
    # Merging a duplicate (the page: supervisors of the team) and undoing a merge (the world's
    # is undone already: refused, back to the merge page with the message).
    "merges.merge": CLIENT_SUPERVISOR,
    "merges.duplicates": SUPERVISOR,
    # "Not a duplicate" posted with an empty form: refused with a message, back to the list.
    "merges.dismiss": row(
        # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
        " login 403   403   403   403   302   302   403   403   403   403   403   403",
    ),
    "merges.undo": row(
        # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
        " login 403   403   403   403   302   404   403   403   403   403   403   403",
    ),
    "team.handoff_read": CLIENT_POST_302,
    # A client's records
    "sessions.new": CLIENT,
    "sessions.edit": CLIENT,
    "sessions.archive": CLIENT_POST_422,
    "sessions.older": CLIENT,
    "sessions.mark_read": CLIENT_POST_302,
    "sessions.reply": CLIENT_POST_422,
    # Signing (an empty form signs nothing: 422): the session's coach signs; the coach's
    # supervisor co-signs; both add addenda. Others who reach the session: 403.
    "sessions.sign": row(
        # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
        " login 422   403   404   404   403   404   404   404   403   404   404   404",
    ),
    "sessions.cosign": row(
        # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
        " login 403   403   404   404   422   404   404   404   403   404   404   404",
    ),
    "sessions.add_addendum": row(
        # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
        " login 422   403   404   404   422   404   404   404   403   404   404   404",
    ),
    "goals.new": CLIENT,
    "goals.edit": CLIENT,
    "goals.status": CLIENT,
    "goals.archive": CLIENT_POST_422,
    # Recovery plans: starting one posts an empty form (a version starts, then its edit page).
    "plans.start": CLIENT_POST_302,
    "plans.show": CLIENT,
    "plans.edit": CLIENT,
    "plans.sign": CLIENT,
    "appointments.new": CLIENT,
    "appointments.edit": CLIENT,
    "appointments.outcome": CLIENT,
    # Offered once the coach went along: the world's appointment is not attended, so inside the
    # rule the page sends the user to record the outcome first.
    "appointments.accompaniment": CLIENT_POST_302,
    "appointments.archive": CLIENT_POST_422,
    "referrals.new": CLIENT,
    "referrals.edit": CLIENT,
    "referrals.status": CLIENT,
    "referrals.archive": CLIENT_POST_422,
    "assessments.new": CLIENT,
    "assessments.detail": CLIENT,
    "assessments.archive": CLIENT_POST_422,
    "mutual_aid.new": CLIENT,
    "mutual_aid.support": CLIENT,
    "mutual_aid.end": CLIENT,
    "mutual_aid.archive": CLIENT_POST_422,
    "followups.record": CLIENT,
    "followups.archive": CLIENT,
    "profiles.edit": CLIENT,
    "profiles.record_housing": CLIENT_POST_422,
    "profiles.record_employment": CLIENT_POST_422,
    "profiles.archive_status": CLIENT_POST_422,
    # Coaching work lists
    "appointments.today": COACHING,
    "appointments.week": COACHING,
    "appointments.feed": COACHING,
    "appointments.subscription": COACHING,
    "appointments.new_subscription": COACHING,
    "appointments.revoke_subscription": row(
        # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
        " login 302   302   302   302   302   302   403   403   403   403   403   403",
    ),
    # The secret address is the only key: a made-up token is 404 to everyone.
    "appointments.subscription_feed": row(
        # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
        " 404   404   404   404   404   404   404   404   404   404   404   404   404",
    ),
    "referrals.follow_ups": COACHING,
    # Interviews due this week: coaches their caseload, supervisors their team, program
    # managers counts per coach only (no client named).
    "followups.due": row(
        # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
        " login 200   200   200   200   200   200   200   200   403   403   403   403",
    ),
    # Supervision notes: the author (a supervisor) and the coaches they name; to others of the
    # coaching roles a note they may not read does not exist, other roles may never read notes.
    "supervision.notes": COACHING,
    "supervision.note_detail": row(
        # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
        " login 200   404   404   404   200   404   403   403   403   403   403   403",
    ),
    "supervision.acknowledge_note": row(
        # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
        " login 302   404   404   404   403   403   403   403   403   403   403   403",
    ),
    "supervision.new_note": SUPERVISOR,
    "supervision.edit_note": team_coach("200"),
    "supervision.archive_note": team_coach("302"),
    # Credential progress: a coach goes to their own page, a supervisor picks a coach.
    "supervision.progress_index": row(
        # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
        " login 302   302   302   302   200   200   403   403   403   403   403   403",
    ),
    "supervision.progress": coach_progress("200"),
    "supervision.new_training": coach_progress("200"),
    "supervision.archive_training": coach_progress("422"),
    # The supervisor's team
    "team.dashboard": SUPERVISOR,
    "team.cover": SUPERVISOR,
    "team.reviews": SUPERVISOR,
    "team.figure": team_coach("200"),
    "team.reassign_caseload": team_coach("200"),
    "team.end_cover": team_coach("302"),
    "team.sign_off": team_coach("302"),
    "team.return_note": team_coach("302"),
    "team.sign_off_many": row(
        # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
        " login 403   403   403   403   302   302   403   403   403   403   403   403",
    ),
    # Resource directory
    "resources.index": SIGNED_IN,
    "resources.detail": SIGNED_IN,
    "resources.new": DIRECTORY_EDITOR,
    "resources.edit": DIRECTORY_EDITOR,
    # The taxonomy mapping: the directory's editors; a line of the client's program is theirs to
    # change, and never confirmed to exist for another program's manager (404).
    "resources.taxonomy_index": DIRECTORY_EDITOR,
    "resources.taxonomy_new": DIRECTORY_EDITOR,
    "resources.taxonomy_edit": row(
        # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
        " login 403   403   403   403   200   200   200   404   200   200   200   403",
    ),
    "resources.taxonomy_delete": row(
        # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
        " login 403   403   403   403   302   302   302   404   302   302   302   403",
    ),
    # Reports
    "reports.definitions": REPORTS,
    "reports.index": REPORT_OF_COACH,
    "reports.rows": REPORT_OF_COACH,
    "reports.export": REPORT_OF_COACH,
    # Administration
    "admin.users": ADMIN,
    "admin.new_user": ADMIN,
    "admin.edit_user": ADMIN,
    "admin.deactivate_user": ADMIN_POST_302,
    "admin.reactivate_user": ADMIN_POST_302,
    "admin.reset_password": ADMIN_POST_422,
    "admin.programs": ADMIN,
    "admin.new_program": ADMIN,
    "admin.edit_program": ADMIN,
    "admin.teams": ADMIN,
    "admin.new_team": ADMIN,
    "admin.edit_team": ADMIN,
    "oversight.break_glass": ADMIN,
    # Oversight
    "admin.staff": OVERSIGHT,
    "oversight.audit_log": OVERSIGHT,
    "oversight.audit_export": OVERSIGHT,
    "oversight.break_glass_review": OVERSIGHT,
    # Marking a break-the-glass access reviewed: the program manager of the client's program.
    "oversight.mark_reviewed": row(
        # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
        " login 403   403   403   403   403   403   302   404   403   403   403   403",
    ),
    # API: who am I, lists scoped by the rule
    "api.me": API_ANY,
    "api.list_clients": API_ANY,
    "api.list_resources": API_ANY,
    # API: one client and its records
    "api.create_client": API_OPEN_CLIENT,
    "api.get_client": API_CLIENT,
    "api.patch_client": API_CLIENT,
    "api.list_enrollments": API_CLIENT,
    "api.list_assignments": API_CLIENT,
    # Reassigning to the client's own coach: refused (422) wherever the client is reached, so
    # the shared world never changes; admins reach every client of the database (api.md).
    "api.reassign_client": row(
        # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
        " 401   403   403   403   403   422   404   403   403   422   422   422   403",
    ),
    # Merge and undo (api.md): supervisors of the team and admins who reach both records. The
    # world's requests are refused (422: a client into itself, a merge undone already).
    "api.merge_client": row(
        # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
        " 401   403   403   403   403   422   404   403   403   422   404   404   403",
    ),
    "api.list_duplicates": row(
        # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
        " 401   403   403   403   403   200   200   403   403   200   200   200   403",
    ),
    "api.undo_merge": row(
        # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
        " 401   403   403   403   403   422   404   403   403   422   404   404   403",
    ),
    "api.discharge_client": API_CLIENT_ACTION,
    "api.reenroll_client": API_CLIENT_ACTION,
    "api.list_sessions": API_CLIENT,
    "api.list_disclosures": API_CLIENT,
    "api.create_session": API_CLIENT_CREATE,
    "api.patch_session": API_CLIENT,
    # Signing a fresh session: its coach; co-signing and addenda on a fresh signed one: the
    # coach's supervisor (addenda: the coach too). Others who reach the session: 403.
    "api.sign_session": row(
        # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
        " 401   200   403   404   404   403   404   404   404   403   404   404   404",
    ),
    "api.cosign_session": row(
        # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
        " 401   403   403   404   404   200   404   404   404   403   404   404   404",
    ),
    "api.add_addendum": row(
        # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
        " 401   201   403   404   404   201   404   404   404   403   404   404   404",
    ),
    "api.list_goals": API_CLIENT,
    "api.create_goal": API_CLIENT_CREATE,
    "api.patch_goal": API_CLIENT,
    "api.list_plans": API_CLIENT,
    "api.create_plan": API_CLIENT_CREATE,
    "api.get_plan": API_CLIENT,
    "api.patch_plan": API_CLIENT,
    # Signing with an empty body: "say who signs" (422) wherever the plan is reached.
    "api.sign_plan": row(
        # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
        " 401   422   422   404   404   422   404   404   404   422   404   404   404",
    ),
    "api.list_appointments": API_CLIENT,
    "api.create_appointment": API_CLIENT_CREATE,
    "api.patch_appointment": API_CLIENT,
    "api.list_referrals": API_CLIENT,
    "api.create_referral": API_CLIENT_CREATE,
    "api.patch_referral": API_CLIENT,
    "api.list_assessments": API_CLIENT,
    "api.create_assessment": API_CLIENT_CREATE,
    "api.list_followups": API_CLIENT,
    "api.create_followup": API_CLIENT_CREATE,
    "api.get_profile": API_CLIENT,
    "api.patch_profile": API_CLIENT,
    "api.list_statuses": API_CLIENT,
    "api.create_status": API_CLIENT_CREATE,
    "api.list_consents": API_CLIENT,
    "api.create_consent": API_CLIENT_CREATE,
    "api.consent_summary": API_CLIENT,
    # Revoking with an empty body: "give revoked_on" (422) wherever the consent is reached.
    "api.revoke_consent": row(
        # anon  coach cover p.cov o.co  sup   o.sup pm    o.pm  glass admin p.gla bill
        " 401   422   422   404   404   422   404   404   404   422   404   404   404",
    ),
    # API: supervision notes, directory, reports, administration
    "api.list_notes": API_NOTES_READ,
    "api.create_note": API_NOTE_CREATE,
    "api.patch_note": API_NOTE_PATCH,
    "api.create_resource": API_DIRECTORY_CREATE,
    "api.patch_resource": API_DIRECTORY_EDITOR,
    "api.outcomes": API_REPORT_OF_COACH,
    "api.followups_report": API_REPORT_OF_COACH,
    "api.housing_employment": API_REPORT_OF_COACH,
    "api.outcome_breakdowns": API_REPORT_OF_COACH,
    "api.list_programs": API_ADMIN,
    "api.create_program": API_ADMIN_CREATE,
    "api.patch_program": API_ADMIN,
    "api.list_users": API_ADMIN,
    "api.create_user": API_ADMIN_CREATE,
    "api.get_user": API_ADMIN,
    "api.patch_user": API_ADMIN,
    # Billing (issue 22): the billing specialist of the program and admins read the settings
    # and the claims worksheet; admins alone change settings. The worksheet names clients, so
    # everyone else is refused the page (403), and another program's id is 404.
    "billing.index": BILLING,
    "billing.download": BILLING,
    "billing.settings": ADMIN,
    "api.get_billing": API_BILLING,
    "api.put_billing": API_ADMIN,
    "api.worksheet": API_BILLING,
}
