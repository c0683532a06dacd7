"""Admin: programs and teams, the staff list of a program, and no client record through the
admin pages."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from coachapp.models import AuditEvent, Client, Program, Team
from tests import factories
from tests.admin.helpers import admin_get_urls, audit_rows, count, errors_of, fresh
from tests.helpers import QueryCounter

# --- Programs and teams -----------------------------------------------------------------------


def test_admin_creates_and_edits_a_program(db, login, admin):
    browser = login(admin)
    page = browser.get("/admin/programs/new").get_data(as_text=True)
    assert '<datalist id="timezones">' in page and 'value="Europe/Lisbon"' in page
    response = browser.post(
        "/admin/programs/new", data={"name": "Riverside", "timezone": "America/Denver"}
    )
    assert response.status_code == 302
    program = db.session.scalar(select(Program).where(Program.name == "Riverside"))
    assert program.timezone == "America/Denver"
    response = browser.post(
        f"/admin/programs/{program.id}/edit",
        data={"name": "Riverside East", "timezone": "America/New_York"},
    )
    assert response.status_code == 302
    assert (fresh(program).name, fresh(program).timezone) == ("Riverside East", "America/New_York")
    rows = audit_rows("program")
    assert [(r.action, r.fields) for r in rows] == [
        ("create", "name,timezone"),
        ("update", "name,timezone"),
    ]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "PROGRAM B", "timezone": "UTC"}, "name", "Another program has this name."),
        ({"name": "New", "timezone": "Mars/Olympus_Mons"}, "timezone", "Choose a time zone"),
        ({"name": "New", "timezone": "../../etc/passwd"}, "timezone", "Choose a time zone"),
        ({"name": "New", "timezone": ""}, "timezone", "Give the time zone."),
        ({"name": " ", "timezone": "UTC"}, "name", "Give the program a name."),
        ({"name": "x" * 201, "timezone": "UTC"}, "name", "cannot be longer"),
    ],
)
def test_program_refusals(db, login, admin, program_b, data, field, message):
    before = count(Program)
    response = login(admin).post("/admin/programs/new", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in errors_of(html, field)
    assert count(Program) == before


def test_program_rename_to_a_taken_name_is_refused(login, admin, program, program_b):
    response = login(admin).post(
        f"/admin/programs/{program.id}/edit", data={"name": "program b", "timezone": "UTC"}
    )
    assert response.status_code == 422
    assert fresh(program).name != "program b"


def test_teams_are_unique_per_program(db, login, admin, program, program_b, team):
    browser = login(admin)
    listing = browser.get(f"/admin/teams?program_id={program.id}").get_data(as_text=True)
    assert "North" in listing
    response = browser.post("/admin/teams/new", data={"program_id": program.id, "name": "NORTH"})
    assert response.status_code == 422
    assert "already has a team with this name" in errors_of(response.get_data(as_text=True), "name")
    # The same name in another program is fine.
    response = browser.post("/admin/teams/new", data={"program_id": program_b.id, "name": "North"})
    assert response.status_code == 302
    assert count(Team) == 2
    response = browser.post("/admin/teams/new", data={"program_id": "", "name": "East"})
    assert response.status_code == 422 and "Choose a program." in response.get_data(as_text=True)
    assert count(Team) == 2


def test_team_rename(db, login, admin, program, team):
    other = Team(program_id=program.id, name="South")
    db.session.add(other)
    db.session.commit()
    browser = login(admin)
    response = browser.post(f"/admin/teams/{team.id}/edit", data={"name": "south"})
    assert response.status_code == 422
    assert fresh(team).name == "North"
    response = browser.post(f"/admin/teams/{team.id}/edit", data={"name": "North Star"})
    assert response.status_code == 302
    assert fresh(team).name == "North Star"
    (row,) = audit_rows("team")
    assert (row.action, row.fields) == ("update", "name")


# --- Staff list -------------------------------------------------------------------------------


def staff_rows(page: str) -> dict[str, list[str]]:
    """``{name: [role line, active clients, all clients]}`` from the staff table."""
    rows = {}
    for tr in re.findall(r"<tr>(.*?)</tr>", page, re.S):
        name = re.search(r'class="fw-semibold"[^>]*>([^<]+)<', tr)
        line = re.search(r'<div class="small text-body-secondary">(.*?)</div>', tr, re.S)
        counts = re.findall(r'<td class="text-end">([^<]*)</td>', tr)
        if name and line:
            rows[name.group(1)] = [" ".join(line.group(1).split()), *counts]
    return rows


def test_program_manager_sees_staff_and_caseload_counts(
    db, login, program_manager, supervisor, coach, other_coach, team
):
    coach.team_id = team.id
    db.session.commit()
    factories.client(coach, first_name="Zebulon")
    factories.client(coach, first_name="Yolanda")
    factories.client(coach, first_name="Xavier", status="discharged")
    archived = factories.client(coach, first_name="Wilma")
    archived.archived_at = func.now()
    factories.client(other_coach, first_name="Valentina", status="inactive")
    db.session.commit()
    response = login(program_manager).get("/admin/staff")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for name in ("Zebulon", "Yolanda", "Xavier", "Wilma", "Valentina", "Jordan", "Rivera"):
        assert name not in html
    rows = staff_rows(html)
    assert rows["Casey Coach"] == ["Coach · team North · supervised by Sam Supervisor", "2", "3"]
    assert rows["Oscar Othercoach"][1:] == ["0", "1"]
    assert rows["Sam Supervisor"] == ["Supervisor", "—", "—"]
    assert rows["Pat Manager"][0] == "Program manager"


def test_program_manager_sees_nothing_of_another_program(
    login, program_manager, coach, program_b, supervisor_b
):
    coach_b = factories.user("coach", program=program_b, supervisor=supervisor_b, name="Bo Bcoach")
    factories.client(coach_b, first_name="Ulysses")
    browser = login(program_manager)
    for url in ("/admin/staff", f"/admin/staff?program_id={program_b.id}"):
        response = browser.get(url)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert coach.name in html
        assert "Bo Bcoach" not in html and "Bea Bsupervisor" not in html
        assert "Program B" not in html and "Ulysses" not in html


def test_admin_chooses_the_program_of_the_staff_list(login, admin, coach, program_b, supervisor_b):
    browser = login(admin)
    html = browser.get(f"/admin/staff?program_id={program_b.id}").get_data(as_text=True)
    assert "Bea Bsupervisor" in html and coach.name not in html
    assert browser.get("/admin/staff?program_id=9999").status_code == 404
    assert browser.get("/admin/staff?program_id=abc").status_code == 200


def test_staff_list_query_count_is_constant(db, login, program_manager, program, supervisor):
    browser = login(program_manager)

    def queries() -> int:
        with QueryCounter(db.engine) as counter:
            assert browser.get("/admin/staff").status_code == 200
        return counter.n

    def add_coaches(n: int) -> None:
        for _ in range(n):
            coach = factories.user("coach", program=program, supervisor=supervisor)
            factories.client(coach)
            factories.client(coach, status="discharged")

    add_coaches(3)
    three = queries()
    add_coaches(27)
    assert queries() == three


# --- No client record through the admin pages -------------------------------------------------


def test_no_client_name_on_any_admin_page(db, login, admin, coach, program, team):
    factories.client(coach, first_name="Zebulon", last_name="Quixote", preferred_name="Zeb")
    browser = login(admin)
    for url in [*admin_get_urls(coach.id, program.id, team.id), "/admin/staff"]:
        html = browser.get(url).get_data(as_text=True)
        assert "Zebulon" not in html and "Quixote" not in html and "C-0000" not in html, url
    assert count(AuditEvent, AuditEvent.action == "view") == 0
    assert count(Client) == 1


def test_admin_pages_have_no_inline_script_or_style(login, admin, coach, program, team):
    browser = login(admin)
    for url in [*admin_get_urls(coach.id, program.id, team.id), "/admin/staff"]:
        html = browser.get(url).get_data(as_text=True)
        assert "<script>" not in html and "style=" not in html, url


def test_out_of_range_ids_never_answer_500(login, admin):
    browser = login(admin)
    huge = "99999999999999999999"
    for url in (
        f"/admin/users?program_id={huge}",
        f"/admin/teams?program_id={huge}",
        f"/admin/teams/new?program_id={huge}",
        f"/admin/staff?program_id={huge}",  # junk reads as "no choice": the default program
    ):
        assert browser.get(url).status_code == 200, url
    for url in (
        f"/admin/users/{huge}/edit",
        f"/admin/programs/{huge}/edit",
        f"/admin/teams/{huge}/edit",
    ):
        assert browser.get(url).status_code == 404, url
    assert browser.post(f"/admin/users/{huge}/deactivate").status_code == 404
