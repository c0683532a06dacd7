"""The taxonomy mapping a program edits: an import of a real export uses the edited mapping;
the page."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import func, select

from coachapp.models import Resource, ResourceSource, TaxonomyMapping
from coachapp.resources.imports import import_hsds
from tests import factories
from tests.helpers import DATA
from tests.resources.helpers import events, line, mappings

OHANA = DATA / "real" / "ohana-sample"


WRITERS = ("supervisor", "program_manager", "admin")


URL = "/resources/taxonomy/"


# --- An import of a real export uses the edited mapping ---


def ohana_categories(db) -> dict[str, str]:
    rows = db.session.scalars(select(Resource).where(Resource.source_id.is_not(None)))
    return {row.external_id: row.category for row in rows}


def test_real_ohana_import_uses_an_edited_line_and_a_reimport_applies_a_change(db, admin, login):
    # Default: service 22's terms are Transit, Care and Legal: "transportation".
    import_hsds(OHANA)
    db.session.commit()
    before = ohana_categories(db)
    assert (before["22"], before["4"], before["1"]) == ("transportation", "legal", "food")

    browser = login(admin)
    response = browser.post(
        f"{URL}new", data={"match": "name", "term": "Transit", "category": "healthcare"}
    )
    assert response.status_code == 302
    report = import_hsds(OHANA)
    db.session.commit()
    after = ohana_categories(db)
    assert after["22"] == "healthcare"
    assert report.updated >= 1 and report.refused == []
    changed = {sid for sid in before if before[sid] != after[sid]}
    assert "22" in changed and "1" not in changed  # Meal Sites: no edited line matches it
    # Services with no terms at all, and no word of theirs that maps, stay "other".
    assert after["20"] == after["21"] == "other"


def test_real_ohana_import_for_a_program_uses_its_lines_not_another_programs(db, admin):
    home, away = factories.program("Home"), factories.program("Away")
    line(db, "transit", "housing", program=away)
    line(db, "meal", "benefits", match="word", program=home)  # "Meal Sites/Home-delivered Mea"
    line(db, "transit", "education")  # shared
    report = import_hsds(OHANA, source="Ohana for Home", program_id=home.id)
    db.session.commit()
    assert report.refused == []
    source = db.session.scalar(
        select(ResourceSource).where(ResourceSource.name == "Ohana for Home")
    )
    rows = db.session.scalars(select(Resource).where(Resource.source_id == source.id))
    stored = {row.external_id: row.category for row in rows}
    assert stored["1"] == "benefits"  # the program's word line
    assert stored["22"] == "education"  # the shared line; Away's is not consulted


# --- The page ---


def test_coaches_and_anonymous_are_kept_out(db, login, coach, anon, admin):
    mapping = line(db, "food", "food")
    urls = [URL, f"{URL}new", f"{URL}{mapping.id}/edit"]
    browser = login(coach)
    for url in urls:
        assert browser.get(url).status_code == 403
        assert anon.get(url).status_code == 302
    assert browser.post(f"{URL}{mapping.id}/delete").status_code == 403
    posted = browser.post(f"{URL}new", data={"match": "name", "term": "x", "category": "food"})
    assert posted.status_code == 403
    assert anon.post(f"{URL}{mapping.id}/delete").status_code == 302
    assert len(mappings(db)) == 1


@pytest.mark.parametrize("role", WRITERS)
def test_page_lists_edited_and_default_lines(request, db, login, role):
    user = request.getfixturevalue(role)
    line(db, "bh-9", "treatment", match="code")
    page = login(user).get(URL).get_data(as_text=True)
    assert "BH-9" not in page  # stored as given to the model; the service normalises
    assert "bh-9" in page and "Every program" in page
    assert "Default mapping" in page and "Substance Use Disorder" not in page
    assert ">RX<" in page and "substance abuse" in page
    assert f'href="{URL}new?match=code&amp;term=BH&amp;category=housing"' in page


def test_directory_page_links_to_the_mapping_for_writers_only(db, login, coach, supervisor):
    assert URL in login(supervisor).get("/resources/").get_data(as_text=True)
    assert URL not in login(coach).get("/resources/").get_data(as_text=True)


def test_override_link_prefills_the_form(db, login, admin):
    page = (
        login(admin)
        .get(f"{URL}new", query_string={"match": "code", "term": "BH", "category": "housing"})
        .get_data(as_text=True)
    )
    assert 'value="BH"' in page
    assert '<option selected value="code">' in page or 'value="code" selected' in page


def test_admin_adds_a_shared_line_supervisor_a_programs(db, login, admin, supervisor):
    response = login(admin).post(
        f"{URL}new", data={"match": "code", "term": "rx-8450", "category": "treatment"}
    )
    assert response.status_code == 302 and response.location.endswith(URL)
    login(supervisor).post(
        f"{URL}new", data={"match": "word", "term": "Detox", "category": "treatment"}
    )
    assert mappings(db) == [
        (None, "code", "RX-8450", "treatment"),
        (supervisor.program_id, "word", "detox", "treatment"),
    ]
    assert len(events(db, "create")) == 2
    page = login(supervisor).get(URL).get_data(as_text=True)
    assert "RX-8450" in page and "detox" in page
    # The default line the shared one overrides is marked, for the admin who made it.
    assert "overridden" not in page
    line(db, "BH", "other", match="code")
    assert "overridden: Other" in login(admin).get(URL).get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "field_id", "message"),
    [
        ({"match": "code", "term": "BH 18", "category": "housing"}, "term", "A code is letters"),
        ({"match": "name", "term": "   ", "category": "housing"}, "term", "Give the term."),
        ({"match": "", "term": "Food", "category": "housing"}, "match", "Choose how"),
        ({"match": "name", "term": "Food", "category": "shelter"}, "category", "Not a valid"),
        ({"match": "name", "term": "Food", "category": ""}, "category", "Choose a category"),
        ({"match": "regex", "term": "Food", "category": "food"}, "match", "Not a valid"),
        ({"match": "name", "term": "F" * 300, "category": "food"}, "term", "200"),
    ],
)
def test_form_keeps_input_and_shows_the_error_beside_the_field(
    db, login, admin, data, field_id, message
):
    response = login(admin).post(f"{URL}new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    errors = page.split(f'id="{field_id}-errors"', 1)[1].split("</div>\n", 2)[0]
    assert message in errors
    if data["term"].strip():
        assert f'value="{data["term"]}"' in page
    assert mappings(db) == []


def test_a_nul_character_is_refused_not_a_500(db, login, admin):
    response = login(admin).post(
        f"{URL}new", data={"match": "name", "term": "a\x00b", "category": "food"}
    )
    assert response.status_code in (400, 422) and mappings(db) == []


def test_duplicate_term_is_refused_beside_the_term(db, login, admin):
    line(db, "food", "food")
    response = login(admin).post(
        f"{URL}new", data={"match": "name", "term": "FOOD", "category": "benefits"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "already has a line here" in page.split('id="term-errors"', 1)[1]
    assert 'value="FOOD"' in page
    assert mappings(db) == [(None, "name", "food", "food")]


def test_edit_and_delete(db, login, admin):
    mapping_id = line(db, "food", "food").id
    browser = login(admin)
    page = browser.get(f"{URL}{mapping_id}/edit").get_data(as_text=True)
    assert 'value="food"' in page
    response = browser.post(
        f"{URL}{mapping_id}/edit", data={"match": "name", "term": "Food", "category": "benefits"}
    )
    assert response.status_code == 302
    assert mappings(db) == [(None, "name", "food", "benefits")]
    response = browser.post(
        f"{URL}{mapping_id}/edit", data={"match": "code", "term": "B D", "category": "benefits"}
    )
    assert response.status_code == 422 and mappings(db) == [(None, "name", "food", "benefits")]
    assert browser.post(f"{URL}{mapping_id}/delete").status_code == 302
    assert mappings(db) == []
    assert [e.detail for e in events(db, "archive")] == ["deleted"]
    assert browser.post(f"{URL}{mapping_id}/delete").status_code == 404
    assert browser.get(f"{URL}{mapping_id}/edit").status_code == 404


def test_supervisor_changes_only_their_programs_lines(db, login, admin, supervisor):
    shared = line(db, "food", "food")
    other = factories.program("Elsewhere")
    theirs = line(db, "food", "other", program=other)
    own = line(db, "housing", "housing", program=supervisor.program)
    browser = login(supervisor)
    page = browser.get(URL).get_data(as_text=True)
    assert f"{URL}{own.id}/edit" in page and f"{URL}{shared.id}/edit" not in page
    assert "Elsewhere" not in page
    assert browser.get(f"{URL}{shared.id}/edit").status_code == 403
    assert browser.post(f"{URL}{shared.id}/delete").status_code == 403
    assert browser.get(f"{URL}{theirs.id}/edit").status_code == 404
    assert browser.post(f"{URL}{theirs.id}/delete").status_code == 404
    assert browser.post(f"{URL}{own.id}/delete").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(TaxonomyMapping)) == 2
    # The admin sees and changes every program's lines.
    page = login(admin).get(URL).get_data(as_text=True)
    assert "Elsewhere" in page and f"{URL}{theirs.id}/edit" in page


@pytest.mark.parametrize("bad", ["0", "99999999999", "-1", "abc"])
def test_bad_ids_are_not_found(db, login, admin, bad):
    browser = login(admin)
    assert browser.get(f"{URL}{bad}/edit").status_code == 404
    assert browser.post(f"{URL}{bad}/delete").status_code == 404


def test_delete_needs_a_csrf_token_when_csrf_is_on(app, db, login, admin):
    mapping = line(db, "food", "food")
    app.config["WTF_CSRF_ENABLED"] = True
    assert login(admin).post(f"{URL}{mapping.id}/delete").status_code in (400, 403)
    assert len(mappings(db)) == 1


SAMPLE_PACKAGE = DATA / "real" / "hsds-2.0-example"


# The sample data package's 13 services, by row of services.csv: (name, category, the report's
# line). None has a taxonomy term (services_taxonomy.csv is empty), so each is read from its own
# words. Three stay "other": no word of theirs names a directory category (a summer camp, a parks
# programme for disabled people, a laundry service; their organizations' names say nothing
# either).
OTHER = (
    "no taxonomy term maps and no word of its name, description or organization's name does: other"
)


SAMPLE_CATEGORIES = {
    2: ("Never Homeless Helpline", "housing", "the service's name: homeless"),
    3: ("Yound Minds", "education", "the service's description: high school"),
    4: ("Grocery Tax Break Donation", "food", "the service's name: grocery"),
    5: ("Food Safety Program", "food", "the service's name: food"),
    6: ("Al-Anon Family Group", "recovery_support", "the service's name: al-anon"),
    7: (
        "Shop Assist",
        "transportation",
        "the service's description: bus",
    ),  # "twice weekly bus services"
    8: ("Example City Summer Camp", "other", None),
    9: ("Dear Teacher Skills Refresh", "education", "the service's name: teacher"),
    10: ("Parks Disability Services", "other", None),
    11: ("The City's Kitchen", "food", "the service's description: soup kitchen"),
    12: ("Meals To-Go at The Cross", "food", "the service's name: meal"),
    13: ("Wash & Go at The Cross", "housing", "the service's description: homeless"),  # showers
    14: ("Bubbles at The Cross", "other", None),
}


def sample_categories(db, source: str = "sample") -> dict[str, str]:
    origin = db.session.scalar(select(ResourceSource).where(ResourceSource.name == source))
    rows = db.session.scalars(select(Resource).where(Resource.source_id == origin.id))
    return {row.name: row.category for row in rows}


def test_sample_data_package_services_take_their_category_from_their_own_words(db):
    """The Open Referral sample data package (byte for byte the HSDS 2.0 example): with no
    taxonomy term linked, each service's category is read from its name, then description, then
    organization's name, and the report names the word (or says nothing matched)."""
    report = import_hsds(SAMPLE_PACKAGE, source="sample")
    db.session.commit()
    assert (report.created, report.refused, report.warnings) == (13, [], [])
    assert sample_categories(db) == {
        name: category for name, category, _ in SAMPLE_CATEGORIES.values()
    }
    assert {g.where: g.reason for g in report.guessed} == {
        f"services.csv row {row}": (f"category guessed from {said} ({category})" if said else OTHER)
        for row, (_, category, said) in SAMPLE_CATEGORIES.items()
    }
    lines = report.lines()
    assert "  services.csv row 12: category guessed from the service's name: meal (food)" in lines
    assert f"  services.csv row 8: {OTHER}" in lines
    assert report.summary().endswith("guessed=13")
    # A re-import guesses the same: nothing changes.
    again = import_hsds(SAMPLE_PACKAGE, source="sample")
    assert (again.unchanged, again.updated, len(again.guessed)) == (13, 0, 13)


def test_sample_data_package_edited_word_lines_fix_guesses_at_the_next_import(db):
    import_hsds(SAMPLE_PACKAGE, source="sample")
    db.session.commit()
    before = sample_categories(db)
    home = factories.program("Home")
    line(db, "meals", "benefits", match="word", program=home)  # the program's line
    line(db, "camp", "education", match="word")  # a shared line
    line(db, "homeless", "other", match="word", program=factories.program("Away"))
    report = import_hsds(SAMPLE_PACKAGE, source="sample", program_id=home.id)
    db.session.commit()
    after = sample_categories(db)
    # The program's "meals" wins over the default list even where the default's word comes
    # first ("The Soup Kitchen ... two hot meals"); Away's line is not consulted.
    assert after["Meals To-Go at The Cross"] == after["The City's Kitchen"] == "benefits"
    assert after["Example City Summer Camp"] == "education"
    assert after["Never Homeless Helpline"] == "housing"
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {"Meals To-Go at The Cross", "The City's Kitchen", "Example City Summer Camp"}
    assert {g.where: g.reason for g in report.guessed}["services.csv row 11"] == (
        "category guessed from the service's description: meals (benefits)"
    )


def test_sample_data_package_with_a_linked_term_and_an_edited_line(db, tmp_path, admin):
    """The same export with its one term ("Taxonomy A") linked to two services: the default
    mapping knows no such term (their words decide), a shared line maps it and wins over their
    words."""
    folder = tmp_path / "sample"
    shutil.copytree(SAMPLE_PACKAGE, folder)
    services_file = (folder / "services.csv").read_text(encoding="utf-8-sig").splitlines()
    ids = [line.split(",", 1)[0] for line in services_file[1:3]]
    term = "df7be950-1b0f-11e9-b56e-0800200c9a66"
    (folder / "services_taxonomy.csv").write_text(
        "id,service_id,taxonomy_id,taxonomy_detail\n"
        + "".join(f"st{n},{sid},{term},\n" for n, sid in enumerate(ids)),
        encoding="utf-8",
    )
    import_hsds(folder, source="sample")
    db.session.commit()
    assert [
        db.session.scalar(select(Resource.category).where(Resource.external_id == i)) for i in ids
    ] == ["housing", "education"]  # "Never Homeless Helpline", "Yound Minds" (high school)
    line(db, "Taxonomy A", "legal")
    report = import_hsds(folder, source="sample")
    db.session.commit()
    assert report.updated == 2
    for sid in ids:
        assert (
            db.session.scalar(select(Resource.category).where(Resource.external_id == sid))
            == "legal"
        )
    assert len(report.guessed) == 11  # the other services: read from their words
