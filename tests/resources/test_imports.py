"""Imports into the resource directory: Open Referral HSDS CSV and Meeting Guide JSON, and the
``flask resources`` commands that print their reports. Fixtures in tests/data are synthetic."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from coachapp.models import Organization, Resource
from coachapp.resources import services as resource_services
from coachapp.resources.imports import category_from_terms, import_hsds
from tests.helpers import DATA, count
from tests.resources.helpers import TODAY, by_external_id, refusals, warnings

# --- HSDS --------------------------------------------------------------------------------------


def test_hsds_directory_import_creates_links_and_refuses_with_reasons(db):
    report = import_hsds(DATA / "hsds", today=TODAY)
    db.session.commit()
    assert report.ok
    assert (report.created, report.updated, report.unchanged) == (5, 0, 0)
    assert report.organizations_created == 2
    assert refusals(report) == {
        "organizations.csv row 4": "missing name",
        "services.csv row 4": "unknown organization id 'org-9'",
        "services.csv row 5": "missing name",
        "services.csv row 7": "name is longer than 200 characters",
        "services.csv row 8": "unknown organization id 'org-3'",
    }
    # A bad optional value is dropped with a warning; the record is imported without it.
    assert warnings(report) == {
        "services.csv row 6": "bad date in assured_date: '2026-02-30': dropped",
        "services.csv row 10": "url is not a web address (http:// or https://): dropped",
    }
    assert count(db, Resource) == 5
    assert by_external_id(db, "svc-5").last_verified_on is None
    assert by_external_id(db, "svc-9").website is None

    housing = by_external_id(db, "svc-1")
    assert housing.name == "Recovery Housing Intake"
    assert housing.category == "housing"  # from the taxonomy term
    assert housing.organization.name == "Riverbend Housing Collective"
    assert housing.phone == "555-0101"
    assert housing.email == "intake@riverbend.example"
    assert housing.website == "https://riverbend.example/intake"
    assert housing.last_verified_on == date(2026, 1, 15)  # assured_date
    assert housing.active and housing.program_id is None

    clinic = by_external_id(db, "svc-2")
    assert clinic.category == "healthcare"
    assert clinic.last_verified_on == date(2025, 11, 2)  # from last_modified
    org = clinic.organization
    assert (org.website, org.phone) == ("https://www.northside.example", "555-0202")

    jobs = by_external_id(db, "svc-8")
    assert (jobs.category, jobs.active, jobs.organization_id) == ("employment", False, None)

    lines = "\n".join(report.lines())
    assert "5 created, 0 updated, 0 unchanged, 0 retired, 5 refused" in lines
    assert "Refused rows were skipped; every other row was imported" in lines
    assert "services.csv row 7: name is longer than 200 characters" in lines
    assert "Values dropped (the rest of each record was imported):" in lines
    assert "services.csv row 10: url is not a web address" in lines


def test_hsds_reimport_updates_instead_of_duplicating(db, tmp_path, admin):
    import_hsds(DATA / "hsds", today=TODAY)
    db.session.commit()
    again = import_hsds(DATA / "hsds", today=TODAY)
    db.session.commit()
    assert (again.created, again.updated, again.unchanged, again.retired) == (0, 0, 5, 0)
    assert count(db, Resource) == 5 and count(db, Organization) == 2

    # A category chosen by hand (in the directory, so the audit trail has it) survives a
    # re-import without taxonomy: "Job Club" would be guessed "employment" from its name.
    jobs = by_external_id(db, "svc-8")
    resource_services.update_resource(jobs, {"category": "education"}, actor=admin)
    db.session.commit()

    changed = tmp_path / "hsds"
    shutil.copytree(DATA / "hsds", changed)
    services = (changed / "services.csv").read_text()
    (changed / "services.csv").write_text(services.replace("Walk-in Clinic", "Walk-in Clinic East"))
    (changed / "services_taxonomy.csv").unlink()
    report = import_hsds(changed, today=TODAY)
    db.session.commit()
    # Updated: the clinic's name, and "Recovery Housing Intake", now read from its words.
    assert (report.created, report.updated, report.unchanged) == (0, 2, 3)
    assert by_external_id(db, "svc-2").name == "Walk-in Clinic East"
    assert by_external_id(db, "svc-2").category == "healthcare"
    assert by_external_id(db, "svc-1").category == "recovery_support"
    assert by_external_id(db, "svc-8").category == "education"
    assert {g.where: g.reason for g in report.guessed} == {
        "services.csv row 2": (
            "category guessed from the service's name: recovery (recovery_support)"
        ),
        "services.csv row 3": "category guessed from the service's name: clinic (healthcare)",
        # No word in their own names; their organizations' names say "health" and "housing".
        "services.csv row 6": "category guessed from its organization's name: health (healthcare)",
        "services.csv row 10": "category guessed from its organization's name: housing (housing)",
    }  # svc-8's category was chosen by hand: kept, no guess reported
    assert count(db, Resource) == 5


def test_hsds_single_services_file_with_category_column(db):
    report = import_hsds(DATA / "hsds_services.csv", today=TODAY)
    db.session.commit()
    assert (report.created, len(report.refused)) == (4, 0)
    assert warnings(report) == {
        "hsds_services.csv row 4": "unknown category 'spaceflight': dropped",
        "hsds_services.csv row 5": (
            "bad date in last_modified: '2099-01-01' is in the future: dropped"
        ),
    }
    rows = db.session.scalars(select(Resource).order_by(Resource.id)).all()
    assert rows[2].category == "other"  # no category it knows, no taxonomy
    assert rows[3].last_verified_on is None
    pantry = by_external_id(db, "food-1")
    assert (pantry.category, pantry.last_verified_on) == ("food", date(2026, 2, 1))
    assert by_external_id(db, "food-2").category == "transportation"


def test_hsds_known_organizations_are_linked_from_a_single_file(db, tmp_path):
    import_hsds(DATA / "hsds", today=TODAY)
    db.session.commit()
    single = tmp_path / "services.csv"
    single.write_text("id,organization_id,name,category\nx-1,org-1,Family Night,recovery support\n")
    report = import_hsds(single, today=TODAY)
    db.session.commit()
    assert report.created == 1 and not report.refused
    row = by_external_id(db, "x-1")
    assert row.organization.name == "Riverbend Housing Collective"
    assert row.category == "recovery_support"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"name,description\nA,B\n", "has no id column"),
        (b"id,name\n1,\xff\xfe broken\n", "is not UTF-8 text"),
    ],
)
def test_hsds_bad_file_imports_nothing(db, tmp_path, content, message):
    path = tmp_path / "services.csv"
    path.write_bytes(content)
    report = import_hsds(path, today=TODAY)
    assert not report.ok and message in report.error
    assert "nothing imported" in report.lines()[0]
    assert count(db, Resource) == 0


def test_hsds_directory_without_services_is_refused(db, tmp_path):
    report = import_hsds(tmp_path, today=TODAY)
    assert not report.ok and "no services.csv" in report.error


def test_hsds_hostile_values_are_refused_not_crashing(db, tmp_path):
    path = tmp_path / "services.csv"
    path.write_text(
        "id,name,email,url,status,category,organization_id\n"
        "h-1,Nul\x00Name,,,,\n"
        "h-\x00,Nul Id,,,,,o-\x00\n"
        "h-2,Bad Email,not-an-email,,,\n"
        "h-3,Weird Status,,,paused,\n"
        f"{'i' * 101},Long Id,,,,\n"
        "h-5,Fine 李小龙 Ñúñez,,example.org/path,,\n"
        "h-5,Repeated,,,,\n"
    )
    report = import_hsds(path, today=TODAY)
    db.session.commit()
    reasons = list(refusals(report).values())
    assert reasons == [
        "contains a character that cannot be stored (NUL)",
        "contains a character that cannot be stored (NUL)",
        "id is longer than 100 characters",
        "id 'h-5' repeated (first on row 7)",
    ]
    assert warnings(report) == {
        "services.csv row 4": "email is not an email address: dropped",
        "services.csv row 5": "unknown status 'paused': taken as active",
    }
    assert by_external_id(db, "h-2").email is None
    assert by_external_id(db, "h-3").active is True
    fine = by_external_id(db, "h-5")
    assert fine.name == "Fine 李小龙 Ñúñez" and fine.website == "https://example.org/path"
    assert fine.category == "other"


def test_category_from_taxonomy_terms():
    assert category_from_terms(["Outpatient Mental Health Counseling"]) == "mental_health"
    assert category_from_terms(["Medication for Opioid Use Disorder"]) == "treatment"
    assert category_from_terms(["Support Groups"]) == "recovery_support"
    assert category_from_terms(["Food Pantries"]) == "food"
    assert category_from_terms(["Parenting classes"]) == "education"  # not "rent"
    assert category_from_terms(["Something else"]) is None


def test_taxonomy_codes_before_names_then_open_eligibility_names():
    # 211/AIRS codes by their longest known prefix, before any name.
    assert category_from_terms([], ["BH-1800.8500"]) == "housing"
    assert category_from_terms([], ["BD-1800.2000"]) == "food"
    assert category_from_terms([], ["ND-6500"]) == "employment"
    assert category_from_terms([], ["NL-6000"]) == "benefits"  # other income support
    assert category_from_terms([], ["RX-8450.8000"]) == "treatment"
    assert category_from_terms([], ["RP-1400"]) == "mental_health"
    assert category_from_terms([], ["LN-3000"]) == "healthcare"
    assert category_from_terms([], ["FT-3000"]) == "legal"
    assert category_from_terms(["Food Pantries"], ["BH-1800"]) == "housing"
    # Open Eligibility's top-level terms, case-insensitive.
    for name, category in [
        ("Housing", "housing"),
        ("FOOD", "food"),
        ("Work", "employment"),
        ("Health", "healthcare"),
        ("Education", "education"),
        ("Legal", "legal"),
        ("Money", "benefits"),
        ("Transit", "transportation"),
    ]:
        assert category_from_terms([name]) == category, name
    # Care and Goods have no category of their own: a more specific term wins over them.
    assert category_from_terms(["Care", "Transit"]) == "transportation"
    assert category_from_terms(["Goods"]) == "other"
    assert category_from_terms(["code", "name"], ["code"]) is None


def write_csv(path: Path, text: str) -> None:
    path.write_text(text.strip() + "\n", encoding="utf-8")


def test_hsds_locations_addresses_phones_and_details(db, tmp_path):
    write_csv(
        tmp_path / "services.csv",
        """
id,name,description,eligibility_description,fees,languages,application_process
s1,Shelter Intake,Beds tonight.,Adults 18+,Free,"English, Spanish",Walk in
s2,No Place,Phone only.,,,,
""",
    )
    write_csv(
        tmp_path / "locations.csv",
        """
id,name
loc-b,Second
loc-a,First
""",
    )
    write_csv(
        tmp_path / "service_at_location.csv",
        """
id,service_id,location_id
sal-1,s1,loc-b
sal-2,s1,loc-a
""",
    )
    write_csv(
        tmp_path / "addresses.csv",
        """
id,location_id,address_1,address_2,city,state_province,postal_code,country,address_type
a1,loc-a,1 Main St,,Springfield,IL,62701,US,physical
a2,loc-b,9 Side St,Unit 2,Springfield,IL,62702,,physical
a3,loc-a,PO Box 5,,Springfield,IL,62705,US,postal
""",
    )
    write_csv(
        tmp_path / "phones.csv",
        """
id,location_id,service_id,number
p1,loc-a,,555-0100
""",
    )
    write_csv(
        tmp_path / "schedules.csv",
        """
id,service_id,freq,byday,opens_at,closes_at
h1,s1,WEEKLY,"MO,WE",09:00,17:00
h2,s1,WEEKLY,XX,09:00,17:00
h3,s1,WEEKLY,FR,9 o'clock,17:00
""",
    )
    report = import_hsds(tmp_path, today=TODAY)
    db.session.commit()
    assert (report.created, report.refused) == (2, [])
    # A bad optional value drops that schedule row with a warning, never the service.
    assert warnings(report) == {
        "schedules.csv row 3": "unknown weekday 'XX': hours dropped",
        "schedules.csv row 4": 'opens_at must be HH:MM (24-hour), not "9 o\'clock": hours dropped',
    }
    shelter = by_external_id(db, "s1")
    assert shelter.address == "1 Main St, Springfield, IL 62701, US"  # the first location by id
    assert shelter.phone == "555-0100"  # its location's, as it has none of its own
    assert shelter.description.splitlines() == [
        "Beds tonight.",
        "Also at: 9 Side St, Unit 2, Springfield, IL 62702",
        "Eligibility: Adults 18+",
        "Fees: Free",
        "Languages: English, Spanish",
        "How to apply: Walk in",
        "Hours: Mon 09:00\u201317:00; Wed 09:00\u201317:00",
    ]
    alone = by_external_id(db, "s2")
    assert (alone.address, alone.phone, alone.description) == (None, None, "Phone only.")
    again = import_hsds(tmp_path, today=TODAY)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
