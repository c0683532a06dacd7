"""The coach's day, end to end through the browser, at desktop and phone size: the caseload
(search, filter, sort), intake with the duplicate warning, a goal, a session, an appointment
with its no-show and the calendar feed, a housing referral taken to connected, BARC-10 with its
trend, and mutual-aid linkage. (A stale edit, discharge and re-enrollment, archiving a session
and a bad input: tests/browser/test_coach_records_journey.py.)

Every page is checked for horizontal scrolling and for controls that fall outside the screen.
Each test makes its own clients with a name unique to the run and the viewport, so the two
viewports (and other journeys on the same served app) never see each other's records."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from coachapp.models.assessments import BARC10_STATEMENTS
from tests import factories
from tests.browser.helpers import (
    check_page,
    flash,
    go_to_caseload,
    make_client,
    make_session,
    open_client,
    open_menu_if_collapsed,
    program_today,
    section,
    sign_in_as_coach,
)
from tests.browser.helpers import page_tag as unique_tag


# Links, buttons and fields inside the page's main part whose box leaves the screen sideways.
# A box of one pixel or less is visually hidden (screen-reader text) or not shown at all.
@pytest.fixture(autouse=True)
def _fast_failures(page):
    """A missing element fails in seconds, not after Playwright's 30 s default."""
    page.set_default_timeout(10_000)
    return page


def caseload(page):
    return page.locator("ul.caseload li a.fw-semibold")


def list_row(scope, name: str):
    """The list item in ``scope`` (a page or a part of it) that links to the client ``name``."""
    page = getattr(scope, "page", scope)  # a locator's page, or the page itself
    return scope.get_by_role("listitem").filter(has=page.get_by_role("link", name=name, exact=True))


def feed_events(page, site) -> tuple[dict[str, str], str]:
    """The calendar feed, fetched with the browser's session: each event's text by its UID,
    and the whole file."""
    href = page.get_by_role("link", name="Calendar file (.ics)").get_attribute("href")
    response = page.request.get(site.url + href)
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/calendar")
    body = response.text()
    assert body.startswith("BEGIN:VCALENDAR")
    events = {}
    for block in body.split("BEGIN:VEVENT")[1:]:
        uid = re.search(r"^UID:(\S+)", block, re.MULTILINE)
        assert uid, block
        events[uid.group(1)] = block
    return events, body


# --- 1. The caseload ---------------------------------------------------------------------------


def test_caseload_search_filter_and_sort(page, site):
    tag = unique_tag(page)
    last = f"Quill{tag}"
    today = program_today(site)
    alma = make_client(site, first_name="Alma", last_name=last)
    bruno = make_client(site, first_name="Bruno", last_name=last)
    make_client(site, first_name="Cora", last_name=last)  # never contacted
    dina = make_client(site, first_name="Dina", last_name=last, status="inactive")
    make_session(site, alma, today - timedelta(days=3))
    make_session(site, bruno, today - timedelta(days=90))
    make_session(site, dina, today - timedelta(days=5))

    sign_in_as_coach(page, site)
    expect(page.get_by_role("link", name="José Ñúñez")).to_be_visible()

    page.get_by_label("Search by name or code").fill(last.upper())
    page.get_by_role("button", name="Search").click()
    expect(caseload(page)).to_have_text([f"Alma {last}", f"Bruno {last}", f"Cora {last}"])
    check_page(page)
    expect(page.get_by_text("3 clients")).to_be_visible()
    alma_row = page.locator("ul.caseload li").filter(has_text=f"Alma {last}")
    expect(alma_row).to_contain_text(f"last contact {(today - timedelta(days=3)).isoformat()}")
    cora_row = page.locator("ul.caseload li").filter(has_text=f"Cora {last}")
    expect(cora_row).to_contain_text("last contact never")

    page.get_by_label("Sort by").select_option(label="Longest without contact")
    page.get_by_role("button", name="Search").click()
    expect(caseload(page)).to_have_text([f"Cora {last}", f"Bruno {last}", f"Alma {last}"])
    check_page(page)
    # The search and the sort survive the round trip.
    expect(page.get_by_label("Search by name or code")).to_have_value(last.upper())
    expect(page.get_by_label("Sort by")).to_have_value("quiet")

    page.get_by_label("Status").select_option(label="Inactive")
    page.get_by_role("button", name="Search").click()
    expect(caseload(page)).to_have_text([f"Dina {last}"])
    check_page(page)

    page.get_by_label("Status").select_option(label="Any status")
    page.get_by_role("button", name="Search").click()
    expect(caseload(page)).to_have_text(
        [f"Cora {last}", f"Bruno {last}", f"Dina {last}", f"Alma {last}"]
    )


# --- 2. Intake and the duplicate warning -------------------------------------------------------


def test_intake_warns_of_a_duplicate_once(page, site):
    tag = unique_tag(page)
    last = f"Lefèvre{tag}"
    sign_in_as_coach(page, site)
    page.get_by_role("link", name="Add a client").click()
    expect(page.get_by_role("heading", name="Add a client")).to_be_visible()
    check_page(page)
    page.get_by_label("First name").fill("Renée")
    page.get_by_label("Last name").fill(last)
    page.get_by_label("Date of birth").fill("1985-07-14")
    page.get_by_label("Phone").fill("555-0100")
    page.get_by_label("Okay to text").check()
    page.get_by_role("button", name="Add client").click()
    flash(page, "added.")
    expect(page.get_by_role("heading", level=1, name=f"Renée {last}")).to_be_visible()
    expect(page.locator("#duplicate-warning")).to_have_count(0)

    # The same person typed again, accents and capitals differing.
    go_to_caseload(page)
    page.get_by_role("link", name="Add a client").click()
    page.get_by_label("First name").fill("RENEE")
    page.get_by_label("Last name").fill(f"LEFEVRE{tag.upper()}")
    page.get_by_label("Date of birth").fill("1985-07-14")
    page.get_by_label("Notes").fill("Walked in from the courthouse.")
    page.get_by_role("button", name="Add client").click()
    warning = page.locator("#duplicate-warning")
    expect(warning).to_have_count(1)
    expect(warning.get_by_role("link", name=f"Renée {last}")).to_be_visible()
    expect(page.get_by_role("heading", level=1, name="Add a client")).to_be_visible()
    check_page(page)
    # Nothing typed is lost.
    expect(page.get_by_label("First name")).to_have_value("RENEE")
    expect(page.get_by_label("Last name")).to_have_value(f"LEFEVRE{tag.upper()}")
    expect(page.get_by_label("Date of birth")).to_have_value("1985-07-14")
    expect(page.get_by_label("Notes")).to_have_value("Walked in from the courthouse.")

    page.get_by_label("This is a different person: add them anyway").check()
    page.get_by_role("button", name="Add client").click()
    flash(page, "added.")
    expect(page.get_by_role("heading", level=1, name=f"RENEE LEFEVRE{tag.upper()}")).to_be_visible()
    expect(page.locator("#duplicate-warning")).to_have_count(0)

    go_to_caseload(page)
    page.get_by_label("Search by name or code").fill(f"lefevre{tag}")
    page.get_by_role("button", name="Search").click()
    expect(caseload(page)).to_have_count(2)
    expect(page.get_by_role("link", name=f"Renée {last}", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=f"RENEE LEFEVRE{tag.upper()}")).to_be_visible()


# --- 3 to 7. The client's page: goal, session, appointment, referral, BARC-10, mutual aid -------


def test_client_page_journey(page, site):
    tag = unique_tag(page)
    first, last = "Yara", f"Quill{tag}"
    name = f"{first} {last}"
    today = program_today(site)
    make_client(site, first_name=first, last_name=last, intake_date=today - timedelta(days=60))
    housing = f"Harbor House {tag}"
    site.make(factories.resource, name=housing, category="housing")
    meeting = f"Tuesday SMART {tag}"
    site.make(
        factories.resource,
        name=meeting,
        category="recovery_support",
        meeting_model="smart_recovery",
        meeting_format="in_person",
        meeting_schedule="Tuesdays 19:00",
    )

    sign_in_as_coach(page, site)
    open_client(page, site, name, last)
    client_url = page.url

    # A goal.
    section(page, "Recovery goals").get_by_role("link", name="New goal").click()
    expect(page.get_by_role("heading", name="New goal")).to_be_visible()
    check_page(page)
    page.get_by_label("Domain").select_option(label="Housing")
    page.get_by_label("Goal", exact=True).fill("Find a room of my own by spring")
    page.get_by_role("button", name="Add goal").click()
    flash(page, "Goal added.")
    goals = section(page, "Recovery goals")
    expect(goals.get_by_text("Find a room of my own by spring")).to_be_visible()
    expect(goals.get_by_text("not addressed in a session yet")).to_be_visible()

    # A session, the goal addressed; the date is today unless changed.
    page.get_by_role("link", name="Log a session").click()
    expect(page.get_by_role("heading", name="Log a session")).to_be_visible()
    check_page(page)
    expect(page.get_by_label("Date")).to_have_value(today.isoformat())
    expect(page.get_by_label("Completed")).to_be_checked()
    page.get_by_label("Minutes").fill("50")
    page.get_by_label("Modality").select_option(label="Phone")
    page.get_by_label("Kind").select_option(label="Outreach")
    page.get_by_label("Housing: Find a room of my own by spring").check()
    page.get_by_label("Note", exact=True).fill("Talked through the housing list.")
    page.get_by_label("Next steps").fill("Call Harbor House on Monday.")
    page.get_by_role("button", name="Save session").click()
    flash(page, "Session logged.")
    timeline = section(page, "Sessions").get_by_role("list", name="Sessions, newest first")
    entry = timeline.get_by_role("listitem")
    expect(entry).to_have_count(1)
    for text in (today.isoformat(), "50 min", "Phone", "Outreach", "Completed"):
        expect(entry.get_by_text(text, exact=True)).to_be_visible()
    expect(entry.get_by_text("Housing: Find a room of my own by spring")).to_be_visible()
    expect(entry.get_by_text("Talked through the housing list.")).to_be_visible()
    expect(entry.get_by_text("Call Harbor House on Monday.")).to_be_visible()
    expect(section(page, "Recovery goals").get_by_text("addressed in 1 session")).to_be_visible()

    # An appointment with accompaniment planned, early today so its outcome can be recorded.
    section(page, "Appointments").get_by_role("link", name="Schedule").click()
    expect(page.get_by_role("heading", name="Schedule an appointment")).to_be_visible()
    check_page(page)
    expect(page.get_by_label("Date")).to_have_value(today.isoformat())
    page.get_by_label("Time").fill("00:00")
    page.get_by_label("Kind").select_option(label="Medical")
    page.get_by_label("Where / with whom").fill("Dr Okafor, room 4")
    page.get_by_label("I plan to go along (accompaniment)").check()
    page.get_by_role("button", name="Schedule").click()
    flash(page, "Appointment scheduled.")
    appointments = section(page, "Appointments")
    expect(appointments.get_by_text("Accompaniment planned")).to_be_visible()
    expect(appointments.get_by_text("Outcome missing")).to_be_visible()

    # Today's list, from the menu.
    page.wait_for_load_state()
    open_menu_if_collapsed(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Appointments").click()
    expect(page.get_by_role("heading", level=1, name="Today")).to_be_visible()
    check_page(page)
    row = list_row(page, name)
    expect(row).to_have_count(1)
    expect(row.get_by_text("Accompaniment planned")).to_be_visible()
    expect(row).to_contain_text("Dr Okafor, room 4")
    outcome_link = row.get_by_role("link", name="Record outcome")
    appointment_id = re.search(r"/appointments/(\d+)/", outcome_link.get_attribute("href"))[1]
    uid = f"appointment-{appointment_id}@coachapp"

    # The calendar feed: the appointment under the client's initials, never their name.
    events, body = feed_events(page, site)
    assert uid in events
    assert "SUMMARY:YQ · medical" in events[uid]
    assert first not in body
    assert tag not in body.lower()

    # The no-show, one tap.
    outcome_link.click()
    expect(page.get_by_role("heading", name="What happened?")).to_be_visible()
    check_page(page)
    page.get_by_role("button", name="No-show").click()
    flash(page, "Outcome recorded: no show.")
    expect(page.get_by_role("heading", level=1, name="Today")).to_be_visible()
    row = list_row(page, name)
    expect(row.get_by_text("No show", exact=True)).to_be_visible()
    expect(row.get_by_role("link", name="Record outcome")).to_have_count(0)
    events, _ = feed_events(page, site)
    assert uid not in events  # no longer scheduled: out of the feed

    page.get_by_role("link", name="This week").click()
    expect(page.get_by_role("heading", level=1, name="This week")).to_be_visible()
    check_page(page)
    today_section = section(page, f"Today · {today.strftime('%A %Y-%m-%d')}")
    row = list_row(today_section, name)
    expect(row.get_by_text("No show", exact=True)).to_be_visible()
    expect(row.get_by_text("Accompaniment planned")).to_be_visible()
    row.get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()
    expect(section(page, "Appointments").get_by_text("No show", exact=True)).to_be_visible()

    # A referral to a housing resource, taken to connected.
    section(page, "Referrals").get_by_role("link", name="Refer").click()
    expect(page.get_by_role("heading", name=f"Refer {name}")).to_be_visible()
    check_page(page)
    page.get_by_label("Category").select_option(label="Housing")
    page.get_by_label("Name").fill(tag)
    page.get_by_role("button", name="Narrow the list").click()
    expect(page.get_by_label("Category")).to_have_value("housing")
    page.get_by_label("Resource", exact=True).select_option(label=housing)
    expect(page.get_by_label("Referred on")).to_have_value(today.isoformat())
    page.get_by_role("button", name="Refer").click()
    flash(page, f"Referral to {housing} recorded.")
    referral = section(page, "Referrals").get_by_role("listitem").filter(has_text=housing)
    expect(referral.get_by_text("Referred", exact=True)).to_be_visible()
    referral.get_by_role("link", name="Change status").click()
    expect(page.get_by_role("heading", name=f"Referral to {housing}")).to_be_visible()
    check_page(page)
    expect(page.get_by_role("list").filter(has_text="Referred on")).to_have_text(
        f"Referred on {today.isoformat()}"
    )
    page.get_by_label("New status").select_option(label="Connected")
    expect(page.get_by_label("On", exact=True)).to_have_value(today.isoformat())
    page.get_by_role("button", name="Save status").click()
    expect(page).to_have_url(client_url)
    check_page(page)
    referral = (
        section(page, "Referrals")
        .get_by_role("list")
        .get_by_role("listitem")
        .filter(has_text=housing)
    )
    history = referral.get_by_role("list", name="Status history").get_by_role("listitem")
    expect(history).to_have_text([f"Referred {today.isoformat()} →", f"Connected {today}"])
    expect(referral.locator(".badge").filter(has_text=re.compile("^Connected$"))).to_be_visible()

    # Two BARC-10s: the total, the change and the trend chart.
    earlier = today - timedelta(days=30)
    record_barc10(page, earlier, [4, 4, 3, 4, 4, 4, 4, 4, 4, 3])
    flash(page, "BARC-10 recorded: total 38 of 60.")
    record_barc10(page, today, [5, 5, 4, 4, 6, 5, 4, 5, 5, 4])
    flash(page, "BARC-10 recorded: total 47 of 60.")
    barc = section(page, "Recovery capital (BARC-10)")
    expect(barc).to_contain_text("Latest total 47 of 60")
    expect(barc).to_contain_text("+9")
    expect(barc.locator("canvas#barc-chart")).to_be_visible()
    page.wait_for_function("() => window.Chart && window.Chart.getChart('barc-chart')")
    drawn = page.evaluate(
        "() => window.Chart.getChart('barc-chart').data.datasets.map(d => d.data)"
    )
    assert drawn == [[38, 47], [47, 47]]  # the totals, and the 47 line

    # Mutual aid: a meeting of the directory, and a mentor.
    section(page, "Mutual-aid groups").get_by_role("link", name="Add a group").click()
    expect(page.get_by_role("heading", name="Add a mutual-aid group")).to_be_visible()
    check_page(page)
    page.get_by_label("Name, place or ZIP code").fill(tag)
    page.get_by_role("button", name="Find meetings").click()
    expect(page.get_by_text("1 meeting found.")).to_be_visible()
    check_page(page)
    page.get_by_role("radio", name=re.compile(re.escape(meeting))).check()
    page.get_by_label("How often").fill("weekly")
    page.get_by_label("Attending since").fill(earlier.isoformat())
    page.get_by_role("button", name="Add", exact=True).click()
    flash(page, "Mutual-aid group added.")
    group = section(page, "Mutual-aid groups").get_by_role("listitem").filter(has_text=meeting)
    expect(group.get_by_text("SMART Recovery")).to_be_visible()
    expect(group).to_contain_text("(in person)")
    expect(group).to_contain_text("weekly")
    expect(group).to_contain_text(f"since {earlier.isoformat()}")
    section(page, "Mutual-aid groups").get_by_role("link", name="Sponsor or mentor").click()
    expect(page.get_by_role("heading", name="Sponsor or mentor")).to_be_visible()
    check_page(page)
    page.get_by_label("Sponsor or mentor").select_option(label="Mentor")
    page.get_by_label("Since").fill(earlier.isoformat())
    page.get_by_role("button", name="Save").click()
    flash(page, "Sponsor or mentor saved.")
    expect(section(page, "Mutual-aid groups")).to_contain_text(
        f"Has a mentor since {earlier.isoformat()}"
    )
    assert page.url == client_url


def record_barc10(page, on: date, answers: list[int]) -> None:
    section(page, "Recovery capital (BARC-10)").get_by_role("link", name="Record a BARC-10").click()
    expect(page.get_by_role("heading", level=1, name="BARC-10")).to_be_visible()
    check_page(page)
    page.get_by_label("Date administered").fill(on.isoformat())
    statements = page.locator("form fieldset")
    expect(statements.locator("legend")).to_have_text(
        [f"{n}. {text}" for n, text in enumerate(BARC10_STATEMENTS, start=1)]
    )
    for n, value in enumerate(answers):
        statements.nth(n).locator(f"input[value='{value}']").check()
    page.get_by_role("button", name="Save BARC-10").click()
