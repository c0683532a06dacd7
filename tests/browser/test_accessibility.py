"""Accessibility in a real browser: axe-core on every main page of every role, at desktop and
phone size, finds no serious or critical violation; a form can be filled and sent with the
keyboard alone, with the focus always visible; no page logs a console error under the CSP.

axe-core is served from ``static/vendor/axe-core/`` and injected by URL, so it loads under the
app's own Content-Security-Policy (``script-src 'self'``) like any other script of the app."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from coachapp.appointments import services as appointment_services
from coachapp.extensions import db
from coachapp.models import (
    MutualAidAttendance,
    SupervisionNote,
    SupervisionNoteCoach,
    TaxonomyMapping,
    User,
    session_goals,
)
from coachapp.sessions import services as session_services
from coachapp.team import services as team_services
from tests import factories
from tests.browser.helpers import (
    axe_violations,
    describe,
    no_horizontal_scroll,
    open_menu_if_collapsed,
    sign_in,
)


# WCAG 2.x A and AA, plus axe's best practices (landmarks, one h1, headings in order...).
@pytest.fixture(scope="module")
def records(site):
    """A client of coach@example.org with something in every panel of the client page: a goal,
    sessions (one addressing the goal, notes waiting for review, one signed off with a comment,
    one returned for revision with a reply, older ones past the page's latest ten), appointments
    today and later this week, one attended with the coach along, a housing referral, two
    BARC-10 check-ins, a mutual-aid group; and a meeting in the directory.

    Also: a client reassigned to the coach with a hand-off note (okay to call and text); a
    coach of the same supervisor with a queue of notes long enough to page (more than one page
    of the review queue); the supervisor's calendar subscription; a taxonomy line of the
    program."""

    def build():
        coach = db.session.scalar(select(User).where(User.email == "coach@example.org"))
        today = date.today()
        client = factories.client(
            coach,
            first_name="Siobhan",
            last_name="O'Brien",
            intake_date=today - timedelta(60),
            email="siobhan.obrien.recovery1@example.com",
            phone="(217) 555-0113",
        )
        goal = factories.goal(client, opened_on=today - timedelta(50))
        for days_ago in (40, 20, 3):
            session = factories.session(
                client,
                on=today - timedelta(days_ago),
                note="Talked through the housing application.",
                next_steps="Bring the ID to the next visit.",
            )
        db.session.execute(session_goals.insert().values(session_id=session.id, goal_id=goal.id))
        # The caseload's supervisor blocks: a comment on a signed-off note, a note to acknowledge.
        supervisor = db.session.get(User, coach.supervisor_id)
        team_services.sign_off(session, comment="Clear next steps.", actor=supervisor)
        # A note returned for revision, answered by the coach: a review thread and a task.
        returned = factories.session(
            client, on=today - timedelta(4), note="Met at the library.", next_steps="Call."
        )
        team_services.return_for_revision(
            returned, comment="Say what was agreed, and by when.", actor=supervisor
        )
        session_services.reply_to_review(
            returned, "Will add the agreed date to the note.", actor=coach
        )
        # Older sessions than the client page's latest ten, signed off (not in the queue).
        for days_ago in range(5, 16):
            factories.session(
                client,
                on=today - timedelta(days_ago),
                note="Weekly check-in by phone.",
                modality="phone",
                reviewed_by_id=supervisor.id,
                reviewed_at=datetime.combine(today, time(9)),
            )
        note = SupervisionNote(
            supervisor_id=supervisor.id,
            date=today - timedelta(2),
            duration_minutes=60,
            format="individual",
            topics="Boundaries and self-care",
        )
        db.session.add(note)
        db.session.flush()
        db.session.add(SupervisionNoteCoach(note_id=note.id, coach_id=coach.id))
        factories.appointment(client, at=datetime.combine(today, time(23, 30)), kind="medical")
        factories.appointment(
            client, at=datetime.combine(today + timedelta(2), time(10)), kind="legal_court"
        )
        factories.appointment(
            client, at=datetime.combine(today - timedelta(7), time(9)), outcome="no_show"
        )
        accompanied = factories.appointment(
            client,
            at=datetime.combine(today - timedelta(1), time(10)),
            outcome="attended",
            accompaniment_planned=True,
            coach_accompanied=True,
            location="Riverton Health Center",
        )
        shelter = factories.resource(name="Harbor Emergency Shelter", phone="555-0142")
        factories.referral(client, shelter, referred_on=today - timedelta(10))
        factories.assessment(client, on=today - timedelta(45), items=(3,) * 10)
        factories.assessment(client, on=today - timedelta(5), items=(4, 5, 4, 4, 5, 4, 4, 5, 4, 4))
        meeting = factories.resource(
            name="Tuesday Night Open Meeting",
            category="recovery_support",
            meeting_model="na",
            meeting_format="in_person",
            meeting_open=True,
            meeting_day=2,
            meeting_time=time(19),
            meeting_end_time=time(20),
            address="12 Depot St",
            email="tuesday-night-group@riverton-recovery-fellowship.example.org",
            website="https://riverton-recovery-fellowship.example.org/meetings/tuesday-night",
        )
        db.session.add(
            MutualAidAttendance(
                client_id=client.id,
                resource_id=meeting.id,
                model="na",
                frequency="weekly",
                since=today - timedelta(30),
            )
        )
        # A client handed over from the other coach, with a note for the receiving coach.
        other = db.session.get(User, site.other_coach.id)
        handed = factories.client(
            other,
            first_name="Malia",
            last_name="Fonoti",
            phone="(217) 555-0178",
            okay_to_call=True,
            okay_to_text=True,
        )
        team_services.reassign(
            handed,
            coach,
            actor=supervisor,
            reason="Caseload balance",
            handoff_note="Prefers texts before 10. Court date on the 14th; she wants a ride.",
        )
        # A coach of the same supervisor with a queue longer than one page, long ago.
        queue_coach = factories.user(
            "coach",
            program=supervisor.program,
            supervisor=supervisor,
            name="Quinn Queue",
            email="quinn.queue@example.org",
        )
        queued = factories.client(queue_coach, first_name="Arlo", last_name="Pendry")
        for n in range(30):
            factories.session(
                queued, on=today - timedelta(200 + n), note=f"Queued note {n}: a phone check-in."
            )
        appointment_services.create_feed_token(supervisor)
        mapping = TaxonomyMapping(
            program_id=supervisor.program_id, match="code", term="AXE-1", category="housing"
        )
        db.session.add(mapping)
        db.session.flush()
        return {
            "client": client.id,
            "meeting": meeting.id,
            "returned": returned.id,
            "signed": session.id,
            "accompanied": accompanied.id,
            "handed": handed.id,
            "queue_coach": queue_coach.id,
            "mapping": mapping.id,
        }

    return site.make(build)


@dataclass(frozen=True)
class Then:
    """A page reached from the one before by doing something on it: ``do`` acts on the page
    and returns the response of the navigation it caused (None when it changed the page in
    place, as ticking a box that shows more fields does)."""

    label: str
    do: Callable
    shows: str = ""


class Showing(str):
    """A page's path, with a text the page must show: the records it was made for are there."""

    shows: str

    def __new__(cls, path: str, shows: str):
        step = super().__new__(cls, path)
        step.shows = shows
        return step


def _press(name: str, scope: str = "main") -> Callable:
    def do(page):
        with page.expect_navigation() as navigation:
            page.locator(scope).get_by_role("button", name=name, exact=True).click()
        return navigation.value

    return do


def _narrow_the_list(page):
    page.get_by_label("Notes").fill("Typed before narrowing: keep this.")
    page.get_by_label("Name, address or ZIP code").fill("Harbor")
    return _press("Narrow the list")(page)


def _tick_a_new_goal(page):
    page.locator(".new-goal-toggle").check()
    page.locator("#new-goal-fields textarea").first.wait_for()  # shown


def _create_a_subscription(page):
    with page.expect_navigation() as navigation:
        page.locator("form[action$='/subscription/new'] button").first.click()
    return navigation.value


def _stop_the_subscription(page):
    with page.expect_navigation() as navigation:
        page.locator("form[action$='/subscription/revoke'] button").click()
    return navigation.value


def role_pages(records) -> dict[str, list[str | Then]]:
    """The main pages of each role ("anonymous": signed out); a ``Then`` is the page reached
    by acting on the one before it."""
    c = records["client"]
    return {
        "anonymous": ["/auth/login"],
        "coach": [
            Showing("/home", "Notes returned for revision"),  # the task list
            "/clients/",
            f"/clients/{c}",
            Showing(f"/clients/{records['handed']}", "Hand-off note from"),  # tel:, sms:
            Showing(f"/clients/{c}/sessions", "Weekly check-in by phone."),  # older
            Showing(f"/sessions/{records['returned']}/edit", "Will add the agreed date"),
            Showing(f"/sessions/{records['signed']}/edit", "Mark read"),
            "/clients/new",
            f"/clients/{c}/sessions/new",
            Then("Set a new goal ticked", _tick_a_new_goal),
            f"/clients/{c}/goals/new",
            f"/clients/{c}/appointments/new",
            Showing(f"/appointments/{records['accompanied']}/accompaniment", "Went along"),
            f"/clients/{c}/referrals/new",
            Then("after Narrow the list", _narrow_the_list, "Harbor Emergency Shelter"),
            f"/clients/{c}/assessments/new",
            f"/clients/{c}/mutual-aid/new",
            "/resources/",
            "/resources/?model=any",
            f"/resources/{records['meeting']}",
            "/appointments/today",
            "/appointments/week",
            "/appointments/subscription",
            Then("a secret address created", _create_a_subscription, "Your subscription address"),
            Then("the subscription stopped", _stop_the_subscription),
            "/referrals/follow-ups",
        ],
        "supervisor": [
            "/team/",
            "/team/reviews",
            "/team/reviews?order=oldest",
            Showing("/team/reviews?page=2", "Queued note"),
            f"/team/reviews?coach_id={records['queue_coach']}",
            "/supervision/notes",
            "/supervision/notes/new",
            f"/clients/{c}/reassign",
            Showing("/appointments/subscription", "A subscription is in force"),
        ],
        "program_manager": [
            "/reports/",
            "/reports/definitions",
            "/admin/staff",
            "/resources/taxonomy/",
            "/resources/taxonomy/new",
            Showing(f"/resources/taxonomy/{records['mapping']}/edit", "Change a mapping"),
        ],
        "admin": [
            "/admin/users",
            "/admin/users/new",
            "/admin/programs",
            "/oversight/audit",
            f"/admin/users/{records['queue_coach']}/edit",
            Then("the confirm", _press("Deactivate the account"), "1 active client"),
        ],
    }


EMAILS = {
    "coach": "coach@example.org",
    "supervisor": "supervisor@example.org",
    "program_manager": "manager@example.org",
    "admin": "admin@example.org",
}


@pytest.mark.parametrize("role", ["anonymous", "coach", "supervisor", "program_manager", "admin"])
def test_main_pages_have_no_serious_violations_nor_console_errors(page, site, records, role):
    errors: list[str] = []

    def on_console(msg):
        # Chromium asks every site for /favicon.ico; the app has none (a 404, not an error).
        if msg.type == "error" and not msg.location.get("url", "").endswith("/favicon.ico"):
            errors.append(f"{msg.text} ({msg.location.get('url')})")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    if role != "anonymous":
        sign_in(page, site, EMAILS[role])
        page.wait_for_url(lambda url: "/auth/login" not in url)

    problems: list[str] = []
    found: dict[str, list[dict]] = {}
    path = ""
    for step in role_pages(records)[role]:
        errors.clear()
        if isinstance(step, Then):
            path = f"{path.split(' → ')[0]} → {step.label}"
            response = step.do(page)
        else:
            path = step
            response = page.goto(site.url + path)
            assert response is not None, path
        assert response is None or response.status == 200, f"{path}: {response.status}"
        page.wait_for_load_state("load")
        if getattr(step, "shows", ""):
            expect(page.locator("main")).to_contain_text(step.shows)
        violations = axe_violations(page, site)
        if violations:
            found[path] = violations
        if errors:
            problems.append(f"{path}: console errors under the CSP: {errors}")
        if not no_horizontal_scroll(page):
            problems.append(f"{path}: scrolls sideways at {page.viewport_name} size")
    if role != "anonymous" and page.viewport_name == "phone":
        # The menu is folded away on a phone, where axe does not look: open it and look again.
        open_menu_if_collapsed(page)
        page.locator("#nav-main.show").wait_for()
        page.locator("#nav-main:not(.collapsing)").wait_for()
        violations = axe_violations(page, site)
        if violations:
            found["the open menu"] = violations
    if found:
        problems.append(describe(found))
    assert not problems, f"{role} at {page.viewport_name} size:\n" + "\n".join(problems)


REFUSED_FORMS = {
    # role: pages whose form, sent empty, comes back with messages beside the fields and the
    # error summary at the top; "page | form" names the form when it is not the page's last
    "coach": [
        "/clients/new",
        "/clients/{client}/sessions/new",  # with "Set a new goal" ticked
        "/clients/{client}/appointments/new",
        "/clients/{client}/referrals/new",
        "/sessions/{returned}/edit | form[action$='/reply']",
    ],
    "supervisor": ["/supervision/notes/new", "/clients/{client}/reassign"],
    "admin": ["/admin/users/new", "/resources/taxonomy/new"],
}


@pytest.mark.parametrize("role", sorted(REFUSED_FORMS))
def test_refused_forms_have_no_serious_violations(page, site, records, role):
    """The messages beside the fields (red text, invalid inputs) are checked by axe too."""
    sign_in(page, site, EMAILS[role])
    page.wait_for_url(lambda url: "/auth/login" not in url)
    found: dict[str, list[dict]] = {}
    for entry in REFUSED_FORMS[role]:
        path, _, which = entry.format(**records).partition(" | ")
        page.goto(site.url + path)
        form = page.locator(which or "main form[method=post]:has(button[type=submit])").last
        form.evaluate(
            """form => {
                form.noValidate = true;  // past the browser's own checks, to the server's
                const newGoal = form.querySelector('.new-goal-toggle');
                if (newGoal) newGoal.checked = true;  // its fields are checked too
                for (const el of form.elements) {
                    if (['text', 'number', 'date', 'email', 'time', 'datetime-local']
                            .includes(el.type) || el.tagName === 'TEXTAREA') el.value = '';
                }
            }"""
        )
        with page.expect_navigation():
            form.locator("button[type=submit]").last.click()
        assert page.locator(".invalid-feedback, .alert-danger").count() > 0, path
        violations = axe_violations(page, site)
        if violations:
            found[path] = violations
    assert not found, f"{role} at {page.viewport_name} size:\n" + describe(found)


def tab_to(page, selector: str, *, max_steps: int = 60) -> None:
    """Press Tab until the element matching ``selector`` has the focus, checking on the way
    that every focused element shows the focus (an outline or Bootstrap's focus ring)."""
    for _ in range(max_steps):
        page.keyboard.press("Tab")
        state = page.evaluate(
            """selector => {
                const el = document.activeElement;
                if (!el || el === document.body) return {at: false, visible: true, what: 'body'};
                // Past the last part of a date or time, the focus is on the browser's own
                // calendar button inside the input, which draws its own focus ring.
                if (!el.matches(':focus') && /^(date|time|datetime-local)$/.test(el.type))
                    return {at: false, visible: true, what: 'picker'};
                const style = getComputedStyle(el);
                const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
                const ring = style.boxShadow && style.boxShadow !== 'none';
                return {
                    at: el.matches(selector),
                    visible: outline || ring,
                    what: el.outerHTML.slice(0, 120),
                };
            }""",
            selector,
        )
        assert state["visible"], f"the focus is not visible on {state['what']}"
        if state["at"]:
            return
    raise AssertionError(f"{selector} not reached with Tab in {max_steps} presses")


def test_log_a_session_with_the_keyboard_alone(page, site, records):
    # Without animation, the focus ring is there as soon as the focus moves (not faded in).
    page.emulate_media(reduced_motion="reduce")
    sign_in(page, site, "coach@example.org")
    page.wait_for_url(lambda url: "/auth/login" not in url)
    page.goto(f"{site.url}/clients/{records['client']}/sessions/new")

    tab_to(page, "#duration_minutes")
    page.keyboard.type("35")
    tab_to(page, "#modality")
    page.keyboard.press("ArrowDown")  # the next modality on the list
    tab_to(page, "input[name=outcome]")
    page.keyboard.press("ArrowRight")  # completed -> attempted
    tab_to(page, "input[name=goal_ids]")
    page.keyboard.press("Space")
    tab_to(page, "#note")
    page.keyboard.type("Walked to the clinic together; keyboard only.")
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")

    page.wait_for_url(f"**/clients/{records['client']}")
    expect(page.get_by_text("Session logged.")).to_be_visible()

    def saved():
        from coachapp.models import CoachingSession

        row = db.session.scalars(
            select(CoachingSession)
            .where(CoachingSession.client_id == records["client"])
            .order_by(CoachingSession.id.desc())
        ).first()
        return {
            "minutes": row.duration_minutes,
            "outcome": row.outcome,
            "modality": row.modality,
            "goals": len(row.goals),
            "note": row.note,
        }

    row = site.make(saved)
    assert row["minutes"] == 35
    assert row["outcome"] == "attempted"
    assert row["modality"] != "in_person"
    assert row["goals"] == 1
    assert row["note"] == "Walked to the clinic together; keyboard only."


FORM_PAGES = {
    # role: every form a person of that role fills in, reached by Tab from the top of the page
    "coach": [
        "/clients/new",
        "/clients/{c}/sessions/new",
        "/clients/{c}/goals/new",
        "/clients/{c}/appointments/new",
        "/clients/{c}/referrals/new",
        "/clients/{c}/assessments/new",
        "/clients/{c}/mutual-aid/new",
    ],
    "supervisor": ["/supervision/notes/new"],
    "admin": ["/admin/users/new"],
}

MARK_CONTROLS = """() => {
    // Every control a person fills in or presses, once per radio group (Tab stops on one radio
    // of a group; the arrow keys move within it). Returns the keys still to reach.
    const keys = new Set();
    document.querySelectorAll('main form[method=post]').forEach((form, f) => {
        Array.from(form.elements).forEach((el, i) => {
            if (el.tagName === 'FIELDSET' || el.type === 'hidden' || el.disabled) return;
            if (el.offsetParent === null) return;  // not shown
            const own = el.type === 'radio' ? `radio:${el.name}` : el.id || el.name || i;
            const key = `${f}:${own}`;
            el.setAttribute('data-kb', key);
            keys.add(key);
        });
    });
    return Array.from(keys);
}"""

FOCUSED = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return {key: null, visible: true, what: 'body'};
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    const ring = style.boxShadow && style.boxShadow !== 'none';
    const picker = !el.matches(':focus') && /^(date|time|datetime-local)$/.test(el.type);
    return {key: el.getAttribute('data-kb'), visible: outline || ring || picker,
            what: el.outerHTML.slice(0, 120)};
}"""


@pytest.mark.parametrize("role", sorted(FORM_PAGES))
def test_every_form_control_is_reached_with_tab_and_shows_the_focus(page, site, records, role):
    """ "Every form usable with the keyboard alone": from the top of each form page, Tab alone
    reaches every field and button of its form (one stop per radio group), and each element
    that takes the focus on the way shows it."""
    page.emulate_media(reduced_motion="reduce")
    sign_in(page, site, EMAILS[role])
    page.wait_for_url(lambda url: "/auth/login" not in url)
    problems = []
    for path in FORM_PAGES[role]:
        path = path.format(c=records["client"])
        page.goto(site.url + path)
        to_reach = set(page.evaluate(MARK_CONTROLS))
        assert to_reach, f"{path}: no form controls found"
        missing = set(to_reach)
        for _ in range(len(to_reach) * 3 + 60):
            page.keyboard.press("Tab")
            state = page.evaluate(FOCUSED)
            if not state["visible"]:
                problems.append(f"{path}: the focus is not visible on {state['what']}")
                break
            missing.discard(state["key"])
            if not missing:
                break
        if missing:
            problems.append(f"{path}: not reached with Tab: {sorted(missing)}")
    assert not problems, "\n".join(problems)
