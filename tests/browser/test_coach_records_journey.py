"""The coach's day through the browser, continued (tests/browser/test_coach_journey.py), at
desktop and phone size: a stale edit refused, discharge and re-enrollment, archiving a session,
and a bad input that keeps everything else typed.

Every page is checked for horizontal scrolling and for controls that fall outside the screen.
Each test makes its own clients with a name unique to the run and the viewport, so the two
viewports (and other journeys on the same served app) never see each other's records."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (
    check_page,
    flash,
    go_to_caseload,
    make_client,
    make_session,
    open_client,
    program_today,
    section,
    sign_in_as_coach,
)
from tests.browser.helpers import page_tag as unique_tag


@pytest.fixture(autouse=True)
def _fast_failures(page):
    """A missing element fails in seconds, not after Playwright's 30 s default."""
    page.set_default_timeout(10_000)
    return page


# --- 8. A stale edit ---------------------------------------------------------------------------


def test_stale_edit_is_refused_and_nothing_is_overwritten(page, site):
    tag = unique_tag(page)
    name = f"Ines Vale{tag}"
    make_client(site, first_name="Ines", last_name=f"Vale{tag}", phone="555-0100")
    sign_in_as_coach(page, site)
    open_client(page, site, name, tag)
    page.get_by_role("link", name="Edit", exact=True).click()
    expect(page.get_by_role("heading", name=f"Edit {name}")).to_be_visible()
    check_page(page)

    # The same form open in a second tab.
    other = page.context.new_page()
    other.goto(page.url)
    expect(other.get_by_label("Phone")).to_have_value("555-0100")
    other.get_by_label("Phone").fill("555-0202")
    other.get_by_label("Notes").fill("Second tab's note.")

    page.get_by_label("Phone").fill("555-0101")
    page.get_by_role("button", name="Save").click()
    flash(page, "Client details saved.")

    other.get_by_role("button", name="Save").click()
    alert = other.get_by_role("alert")
    expect(alert).to_contain_text("Someone else changed this record while you were editing it")
    expect(alert).to_contain_text("Nothing was saved")
    # The refused page keeps what was typed in it.
    expect(other.get_by_label("Phone")).to_have_value("555-0202")
    expect(other.get_by_label("Notes")).to_have_value("Second tab's note.")
    check_page(other)
    other.close()

    page.reload()
    expect(section(page, "About").get_by_text("555-0101")).to_be_visible()
    expect(page.get_by_text("555-0202")).to_have_count(0)
    expect(page.get_by_text("Second tab's note.")).to_have_count(0)


# --- 9. Discharge, re-enrollment, archiving a session ------------------------------------------


def test_discharge_reenroll_and_archive_a_session(page, site):
    tag = unique_tag(page)
    name = f"Omar Reyes{tag}"
    today = program_today(site)
    intake = today - timedelta(days=120)
    client_id = make_client(site, first_name="Omar", last_name=f"Reyes{tag}", intake_date=intake)
    session_day = today - timedelta(days=10)
    make_session(site, client_id, session_day, note="Logged on the wrong client.")
    sign_in_as_coach(page, site)
    open_client(page, site, name, tag)
    header = page.locator("main header")
    expect(header).to_contain_text(f"Episode 1 · intake {intake.isoformat()}")

    page.get_by_role("link", name="Discharge").click()
    expect(page.get_by_role("heading", name=f"Discharge {name}")).to_be_visible()
    check_page(page)
    expect(page.get_by_label("Discharge date")).to_have_value(today.isoformat())
    page.get_by_label("Reason").select_option(label="Moved")
    page.get_by_label("Note").fill("Moved out of the county.")
    page.get_by_role("button", name="Discharge").click()
    flash(page, f"{name} discharged.")
    expect(header.get_by_text("Discharged", exact=True)).to_be_visible()
    expect(header).to_contain_text(f"discharged {today.isoformat()} (Moved)")

    page.get_by_role("link", name="Re-enroll").click()
    expect(page.get_by_role("heading", name=f"Re-enroll {name}")).to_be_visible()
    check_page(page)
    expect(page.get_by_label("New intake date")).to_have_value(today.isoformat())
    page.get_by_role("button", name="Re-enroll").click()
    flash(page, "re-enrolled: a new episode has begun.")
    expect(header.get_by_text("Active", exact=True)).to_be_visible()
    expect(header).to_contain_text(f"Episode 2 · intake {today.isoformat()}")
    page.get_by_text("All episodes (2)").click()
    expect(
        page.get_by_text(f"Intake {intake.isoformat()} – discharged {today.isoformat()} (Moved)")
    ).to_be_visible()
    check_page(page)

    # Archive the session: a reason is required.
    sessions = section(page, "Sessions")
    expect(sessions.get_by_text("Logged on the wrong client.")).to_be_visible()
    sessions.get_by_role("link", name=f"Archive the session of {session_day.isoformat()}").click()
    expect(
        page.get_by_role("heading", name=f"Session of {session_day.isoformat()}")
    ).to_be_visible()
    check_page(page)
    page.locator("details#archive").get_by_role("button", name="Archive").click()
    expect(page.locator("#reason-errors")).to_have_text("Give a reason.")
    check_page(page)
    page.get_by_label("Why archive this record?").fill("Logged on the wrong client.")
    page.locator("details#archive").get_by_role("button", name="Archive").click()
    flash(page, "Session archived.")
    sessions = section(page, "Sessions")
    expect(sessions.get_by_text("No sessions yet.")).to_be_visible()
    expect(sessions.get_by_text("Logged on the wrong client.")).to_have_count(0)


# --- 10. A bad input ---------------------------------------------------------------------------


def test_bad_input_shows_the_message_beside_the_field_and_keeps_the_rest(page, site):
    tag = unique_tag(page)
    name = f"Lena Marsh{tag}"
    make_client(site, first_name="Lena", last_name=f"Marsh{tag}")
    sign_in_as_coach(page, site)
    open_client(page, site, name, tag)

    page.get_by_role("link", name="Log a session").click()
    page.get_by_label("Minutes").fill("-5")
    page.get_by_label("Modality").select_option(label="Video")
    page.get_by_label("Kind").select_option(label="Crisis support")
    page.get_by_label("Attempted (could not reach the client)").check()
    page.get_by_label("Note", exact=True).fill("Left a voicemail.")
    page.get_by_label("Next steps").fill("Try again tomorrow morning.")
    page.get_by_role("button", name="Save session").click()

    message = page.locator("#duration_minutes-errors")
    expect(message).to_have_text("Give the minutes, from 1 to 720.")
    minutes = page.get_by_label("Minutes")
    expect(minutes).to_have_attribute("aria-invalid", "true")
    # The message is part of the field's description (with the help text on the minutes).
    expect(minutes).to_have_attribute(
        "aria-describedby", re.compile(r"\bduration_minutes-errors\b")
    )
    # Beside the field: right under it, not at the top of the page.
    field_box, message_box = minutes.bounding_box(), message.bounding_box()
    assert 0 <= message_box["y"] - (field_box["y"] + field_box["height"]) < 40
    assert abs(message_box["x"] - field_box["x"]) < 2
    expect(minutes).to_have_value("-5")
    expect(page.get_by_label("Modality")).to_have_value("video")
    expect(page.get_by_label("Kind")).to_have_value("crisis_support")
    expect(page.get_by_label("Attempted (could not reach the client)")).to_be_checked()
    expect(page.get_by_label("Note", exact=True)).to_have_value("Left a voicemail.")
    expect(page.get_by_label("Next steps")).to_have_value("Try again tomorrow morning.")
    check_page(page)

    minutes.fill("15")
    page.get_by_role("button", name="Save session").click()
    flash(page, "Session logged.")
    entry = section(page, "Sessions").get_by_role("listitem")
    expect(entry).to_have_count(1)
    for text in ("15 min", "Video", "Crisis support", "Attempted"):
        expect(entry.get_by_text(text, exact=True)).to_be_visible()

    # A blank required field at intake.
    go_to_caseload(page)
    page.get_by_role("link", name="Add a client").click()
    page.get_by_label("Last name").fill(f"Marsh{tag}")
    page.get_by_label("Date of birth").fill("1992-03-08")
    page.get_by_label("Email").fill("lena@example.org")
    page.get_by_role("button", name="Add client").click()
    expect(page.locator("#first_name-errors")).to_have_text("This field is required.")
    expect(page.get_by_label("First name")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Last name")).to_have_value(f"Marsh{tag}")
    expect(page.get_by_label("Date of birth")).to_have_value("1992-03-08")
    expect(page.get_by_label("Email")).to_have_value("lena@example.org")
    check_page(page)
