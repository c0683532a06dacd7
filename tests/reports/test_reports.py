"""The report page, its definitions page, the scope rule and the drill-down lists.

The drill-down lists are checked against the worked example of metrics.md (the fixture of
tests/reports/test_metrics.py): every list has exactly as many rows as the figure it stands behind.
"""

from __future__ import annotations

import pytest

from coachapp.access import ScopeError, parse_scope_id, report_scope
from coachapp.extensions import db as _db
from coachapp.reports import definitions, glossary, labels, metrics
from coachapp.reports.metrics import Scope
from tests import factories
from tests.helpers import REPO
from tests.reports.helpers import page_text

SPEC = REPO.parent / "shared/spec/metrics.md"


COPY = REPO / "coachapp/reports/metrics.md"


# --- The definitions -----------------------------------------------------------------------------


def test_metrics_md_is_a_byte_for_byte_copy_of_the_spec():
    """Where the spec sits beside the clone (CI, developers), the copy is identical; elsewhere
    the copy must at least still be the whole spec (every section)."""
    text = COPY.read_text(encoding="utf-8")
    for heading in ("## Scope and period", "## Figures", "## Breakdowns", "## A worked example"):
        assert heading in text
    if SPEC.exists():
        assert COPY.read_bytes() == SPEC.read_bytes()


def test_definitions_page_puts_plain_language_before_the_formula(login, program_manager):
    """Managers read what a figure means first, then how it is worked out: in the plain-
    language table at the top, and in the exact table's row the report links to."""
    html = login(program_manager).get("/reports/definitions").get_data(as_text=True)
    meaning = "Of the appointments that happened or were missed, the share the client missed."
    plain = html[html.index('id="plain-appointments.no_show_rate"') :]
    plain = plain[: plain.index("</tr>")]
    assert plain.index(meaning) < plain.index("no-shows ÷ (attended + no-shows)")
    assert "Numerator: no-shows." in plain and "1 of 3 = 33.3%" in plain
    exact = html[html.index('id="appointments.no_show_rate"') :]
    exact = exact[: exact.index("</tr>")]
    assert exact.index(meaning) < exact.index("Exact rule:")
    assert exact.index("Exact rule:") < exact.index("<code>no_show / (attended + no_show)</code>")
    assert html.index('id="plain-heading"') < html.index('id="scope-and-period"')
    assert "No-show rate (%)" in html  # how the CSV writes rates is said on the page
    for key in definitions.rendered()[1]:
        if glossary.entry_for(key) is None:
            continue
        assert f'id="plain-{glossary.stem(key)}"' in html, key


def test_every_headline_figure_has_a_plain_language_entry():
    for _, figures in labels.HEADLINE:
        for key, _label, _kind in figures:
            entry = glossary.entry_for(key)
            assert entry is not None and entry.meaning, key
    for key in metrics.RATES:
        entry = glossary.entry_for(key)
        assert entry is not None and entry.numerator and entry.denominator, key


def test_definitions_page_shows_credit_to_coaches_in_effect(login, supervisor):
    """metrics.md's "Credit to coaches" is computed: its section carries no notice, and the
    worked example's table is on the page."""
    html = login(supervisor).get("/reports/definitions").get_data(as_text=True)
    start = html.index('<h2 id="credit-to-coaches">')
    end = html.find("<h2", start + 1)
    section = html[start : end if end != -1 else len(html)]
    assert "A coach's figures must not change" in section
    assert "Not yet in effect" not in html and "not-yet-in-effect" not in html
    assert "coach A" in section and "coach B" in section


def test_definitions_notice_marks_a_section_not_yet_in_effect(monkeypatch, login, supervisor):
    """The mechanism stays for the next section a release defines before it computes it."""
    from coachapp.reports import definitions

    notice = "Not yet in effect: figures still follow each client's current coach"
    monkeypatch.setattr(definitions, "NOT_YET_IN_EFFECT", {"Credit to coaches": notice})
    definitions.rendered.cache_clear()
    try:
        html = login(supervisor).get("/reports/definitions").get_data(as_text=True)
    finally:
        definitions.rendered.cache_clear()
    start = html.index('<h2 id="credit-to-coaches">')
    section = html[start : html.find("<h2", start + 1)]
    assert notice in section
    assert section.index(notice) < section.index("A coach's figures must not change")


def test_a_built_package_carries_the_files_read_beside_the_modules(tmp_path):
    """A non-editable install holds what setuptools builds: metrics.md (the definitions page)
    and the common-passwords list must be in it, not only in the source tree."""
    import shutil
    import subprocess  # nosec B404 - runs this interpreter on a copy of the project
    import sys

    root = REPO
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(root / name, source / name)
    shutil.copytree(
        root / "coachapp", source / "coachapp", ignore=shutil.ignore_patterns("__pycache__")
    )
    built = tmp_path / "lib"
    subprocess.run(  # noqa: S603  # nosec B603 - fixed arguments
        [sys.executable, "-c", "from setuptools import setup; setup()", "build_py"]
        + ["--build-lib", str(built)],
        cwd=source,
        check=True,
        capture_output=True,
    )
    assert (built / "coachapp/reports/metrics.md").read_bytes() == COPY.read_bytes()
    assert (built / "coachapp/auth/common_passwords.txt").exists()


def test_definitions_page_has_an_anchor_per_figure_key(login, coach, program_manager):
    for user in (coach, program_manager):
        response = login(user).get("/reports/definitions")
        assert response.status_code == 200
    html = page_text(response)
    for key in (
        "clients.engagement_rate",
        "clients.enrolled",
        "sessions.attempted",
        "appointments.no_show",
        "appointments.no_show_rate_unaccompanied",
        "time_to_first_contact_days.n",
        "referrals.by_category",
        "retention",
        "supervision.minutes",
    ):
        assert f'id="{key}"' in html, key
    assert "A worked example" in html and "<table" in html


def test_every_figure_of_the_report_has_a_definition_anchor():
    anchors = definitions.rendered()[1]
    report_keys = [key for key, _ in metrics.flatten(_empty_headline())]
    for key in report_keys:
        assert definitions.anchor_for(key) in anchors, key


def test_figure_keys_expand_relative_and_placeholder_keys():
    assert definitions.figure_keys(["appointments.attended", ".no_show", ".pending"]) == [
        "appointments.attended",
        "appointments.no_show",
        "appointments.pending",
    ]
    assert definitions.figure_keys(["retention.&lt;N&gt;"]) == ["retention"]
    assert definitions.figure_keys(["C-1"]) == []


def _empty_headline() -> dict:
    """The headline's shape without a database: every key, values irrelevant."""
    counts = dict.fromkeys(metrics.rowsets(), 0)
    return {
        "clients": metrics._client_dict(counts),
        "sessions": metrics._session_dict(counts, 0, 0),
        "time_to_first_contact_days": {"median": None, "n": 0},
        "appointments": metrics._appointment_dict(counts),
        "referrals": metrics._referral_dict(counts, None, by_category=True),
        "retention": metrics._retention_dict(counts),
        "goals": metrics._goal_dict(counts),
        "recovery_capital": metrics._recovery_capital_dict(
            counts, {"mean_change": None, "mean_latest": None}
        ),
        "supervision": metrics._supervision_dict(counts, 0),
    }


def test_every_figure_has_rows_behind_it():
    """A count is a rowset; a rate has a numerator and a denominator rowset; a sum, mean or
    median the rowset it is taken over."""
    rowsets = metrics.rowsets()
    for key, _ in metrics.flatten(_empty_headline()):
        if key in metrics.RATES:
            numerator, denominator = metrics.RATES[key]
            assert numerator in rowsets and denominator in rowsets, key
        elif key in metrics.VALUE_ROWS:
            assert metrics.VALUE_ROWS[key] in rowsets, key
        else:
            assert key in rowsets, key


# --- Who may report on what ----------------------------------------------------------------------


def test_report_scope_of_a_coach_is_their_own_caseload(coach, other_coach, supervisor):
    assert report_scope(coach) == Scope(coach.program_id, coach_id=coach.id)
    assert report_scope(coach, coach_id=coach.id) == Scope(coach.program_id, coach_id=coach.id)
    for kwargs in (
        {"coach_id": other_coach.id},
        {"supervisor_id": supervisor.id},
        {"program_id": coach.program_id + 1},
    ):
        with pytest.raises(ScopeError):
            report_scope(coach, **kwargs)


def test_report_scope_of_a_supervisor_is_their_team_or_one_coach(
    supervisor, coach, other_coach, other_supervisor
):
    program_id = supervisor.program_id
    assert report_scope(supervisor) == Scope(program_id, supervisor_id=supervisor.id)
    assert report_scope(supervisor, coach_id=coach.id) == Scope(program_id, coach_id=coach.id)
    for kwargs in (
        {"coach_id": other_coach.id},
        {"supervisor_id": other_supervisor.id},
        {"coach_id": supervisor.id},  # not a coach
        {"program_id": program_id + 1},
    ):
        with pytest.raises(ScopeError):
            report_scope(supervisor, **kwargs)


def test_report_scope_of_a_program_manager_is_their_program(
    program_manager, supervisor, coach, other_coach, other_supervisor
):
    program_id = program_manager.program_id
    assert report_scope(program_manager) == Scope(program_id)
    assert report_scope(program_manager, supervisor_id=other_supervisor.id) == Scope(
        program_id, supervisor_id=other_supervisor.id
    )
    assert report_scope(program_manager, coach_id=coach.id) == Scope(program_id, coach_id=coach.id)
    # A coach of another team than the chosen one: the narrower choice wins, both are in reach.
    assert report_scope(
        program_manager, supervisor_id=supervisor.id, coach_id=other_coach.id
    ) == Scope(program_id, coach_id=other_coach.id)
    elsewhere = factories.program()
    far_supervisor = factories.user("supervisor", program=elsewhere)
    far_coach = factories.user("coach", program=elsewhere, supervisor=far_supervisor)
    for kwargs in (
        {"program_id": elsewhere.id},
        {"supervisor_id": far_supervisor.id},
        {"coach_id": far_coach.id},
        {"coach_id": program_manager.id},
        {"supervisor_id": coach.id},
        {"coach_id": 999_999},
    ):
        with pytest.raises(ScopeError):
            report_scope(program_manager, **kwargs)


def test_report_scope_of_an_admin_is_any_program(admin, coach, supervisor):
    elsewhere = factories.program()
    far_supervisor = factories.user("supervisor", program=elsewhere)
    far_coach = factories.user("coach", program=elsewhere, supervisor=far_supervisor)
    assert report_scope(admin) == Scope(admin.program_id)
    assert report_scope(admin, program_id=elsewhere.id) == Scope(elsewhere.id)
    assert report_scope(admin, program_id=elsewhere.id, coach_id=far_coach.id) == Scope(
        elsewhere.id, coach_id=far_coach.id
    )
    for kwargs in (
        {"program_id": 999_999},
        {"program_id": elsewhere.id, "coach_id": coach.id},
        {"program_id": elsewhere.id, "supervisor_id": supervisor.id},
    ):
        with pytest.raises(ScopeError):
            report_scope(admin, **kwargs)


def test_inactive_users_have_no_report(coach):
    coach.active = False
    _db.session.commit()
    with pytest.raises(ScopeError):
        report_scope(coach)


@pytest.mark.parametrize(
    "value", ["abc", "-1", "0", "1.5", "2147483648", "99999999999999999999", "١٢", " 1 2"]
)
def test_parse_scope_id_refuses_what_is_not_an_id(value):
    with pytest.raises(ScopeError):
        parse_scope_id(value)


def test_parse_scope_id_reads_ids():
    assert (
        parse_scope_id("") is None and parse_scope_id(None) is None and parse_scope_id("42") == 42
    )


REPORT_URLS = ["/reports/", "/reports/rows?figure=clients.enrolled", "/reports/export.csv"]


@pytest.mark.parametrize("url", REPORT_URLS)
def test_coach_cannot_pass_another_coachs_id(login, coach, other_coach, url):
    browser = login(coach)
    sep = "&" if "?" in url else "?"
    assert browser.get(f"{url}{sep}coach_id={other_coach.id}").status_code == 404
    assert browser.get(f"{url}{sep}coach_id={coach.id}").status_code == 200


@pytest.mark.parametrize("url", REPORT_URLS)
def test_supervisor_cannot_pass_another_team(
    login, supervisor, other_supervisor, other_coach, coach, url
):
    browser = login(supervisor)
    sep = "&" if "?" in url else "?"
    assert browser.get(f"{url}{sep}supervisor_id={other_supervisor.id}").status_code == 404
    assert browser.get(f"{url}{sep}coach_id={other_coach.id}").status_code == 404
    assert browser.get(f"{url}{sep}coach_id={coach.id}").status_code == 200


@pytest.mark.parametrize("url", REPORT_URLS)
def test_program_manager_cannot_pass_another_program(login, program_manager, url):
    elsewhere = factories.program()
    browser = login(program_manager)
    sep = "&" if "?" in url else "?"
    assert browser.get(f"{url}{sep}program_id={elsewhere.id}").status_code == 404
    assert browser.get(f"{url}{sep}program_id={program_manager.program_id}").status_code == 200


@pytest.mark.parametrize("url", REPORT_URLS)
def test_admin_can_choose_any_program(login, admin, url):
    elsewhere = factories.program(name="Harbor Program")
    browser = login(admin)
    sep = "&" if "?" in url else "?"
    assert browser.get(f"{url}{sep}program_id={elsewhere.id}").status_code == 200
    assert browser.get(f"{url}{sep}program_id=999999").status_code == 404


@pytest.mark.parametrize("value", ["abc", "-3", "99999999999", "1e3"])
def test_hostile_scope_ids_are_404_not_500(login, program_manager, value):
    browser = login(program_manager)
    for name in ("program_id", "supervisor_id", "coach_id"):
        assert browser.get(f"/reports/?{name}={value}").status_code == 404


def test_anonymous_users_are_sent_to_sign_in(anon):
    for url in ["/reports/", "/reports/definitions", *REPORT_URLS[1:]]:
        assert anon.get(url).status_code == 302
