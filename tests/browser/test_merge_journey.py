"""A supervisor finds that one person has two records, compares them side by side, keeps the
duplicate's phone number, merges, sees the duplicate's session on the record kept, then undoes
the merge: both records are as they were. Another pair's episodes overlap: the supervisor is
asked how to resolve it, chooses "combine", merges (one episode) and undoes (two again).
Through the UI, at desktop and phone size, with no horizontal scrolling, each page
axe-clean."""

from __future__ import annotations

import re
from datetime import date

from playwright.sync_api import expect

from tests import factories
from tests.browser.helpers import axe_clean, fits, sign_in_as, sign_out, unique_tag


def _pair(site, tag: str) -> tuple[int, int]:
    """Two records of one person on the coach's caseload: the one kept, with an old phone
    number, and a duplicate with the current one and a session note."""

    def build():
        kept = factories.client(
            site.coach,
            first_name="Rosalind",
            last_name=f"Okafor{tag}",
            date_of_birth=date(1988, 7, 14),
            phone="555-0100",
            intake_date=date(2025, 2, 3),
        )
        duplicate = factories.client(
            site.coach,
            first_name="Rosalind",
            last_name=f"Okafor{tag}",
            date_of_birth=date(1988, 7, 14),
            phone="555-0199",
            intake_date=date(2025, 2, 3),
        )
        # The duplicate's episode closed before the kept record's began: no overlap.
        kept.enrollments[0].intake_date = date(2025, 6, 2)
        duplicate.enrollments[0].discharge_date = date(2025, 5, 30)
        duplicate.enrollments[0].discharge_reason = "other"
        factories.session(duplicate, on=date(2025, 4, 7), note=f"Met at the library {tag}")
        return kept.id, duplicate.id

    return site.make(build)


def test_merge_two_records_of_one_person_then_undo(page, site):
    tag = unique_tag()
    kept, duplicate = _pair(site, tag)
    note = f"Met at the library {tag}"
    sign_in_as(page, site, "supervisor@example.org")

    page.goto(f"{site.url}/clients/{kept}")
    expect(page.get_by_text(note)).to_have_count(0)
    page.get_by_role("link", name="Merge a duplicate…").click()
    expect(page.get_by_role("heading", name=re.compile("Merge a duplicate into"))).to_be_visible()
    assert fits(page)
    picker = page.get_by_label("The duplicate record")
    expect(picker.locator(f'option[value="{duplicate}"]')).to_contain_text("1988-07-14")
    picker.select_option(value=str(duplicate))
    page.get_by_role("button", name="Compare").click()

    expect(page.get_by_role("heading", name="What each record holds")).to_be_visible()
    assert fits(page)
    axe_clean(page, site)
    phone = page.get_by_role("radiogroup", name="Phone")
    phone.get_by_label("Take the duplicate's").check()
    page.get_by_label(re.compile("I compared both records")).check()
    page.get_by_role("button", name="Merge", exact=True).click()

    expect(page.get_by_text(re.compile("was merged into"))).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/clients/{kept}$"))
    expect(page.get_by_text(note)).to_be_visible()  # the duplicate's session, on the one kept
    expect(page.get_by_text("555-0199")).to_be_visible()  # the phone number chosen
    assert fits(page)
    # The duplicate's page leads to the record kept.
    page.goto(f"{site.url}/clients/{duplicate}")
    expect(page).to_have_url(re.compile(rf"/clients/{kept}$"))

    merged = page.get_by_role("region", name="Records merged into this one")
    merged.get_by_role("button", name="Undo").click()
    expect(page.get_by_text("The merge was undone")).to_be_visible()
    page.goto(f"{site.url}/clients/{kept}")
    expect(page.get_by_text(note)).to_have_count(0)
    expect(page.get_by_text("555-0100")).to_be_visible()
    page.goto(f"{site.url}/clients/{duplicate}")
    expect(page).to_have_url(re.compile(rf"/clients/{duplicate}$"))
    expect(page.get_by_text(note)).to_be_visible()
    sign_out(page)


def _overlapping(site, tag: str) -> tuple[int, int, int]:
    """Two records of one person whose episodes overlap: the one kept from 2025-06-02 (open),
    the duplicate from 2025-02-03 to 2025-07-15 with a session in it."""

    def build():
        kept = factories.client(
            site.coach,
            first_name="Tomas",
            last_name=f"Brennan{tag}",
            date_of_birth=date(1979, 3, 9),
            intake_date=date(2025, 6, 2),
        )
        duplicate = factories.client(
            site.coach,
            first_name="Tomas",
            last_name=f"Brennan{tag}",
            date_of_birth=date(1979, 3, 9),
            intake_date=date(2025, 2, 3),
        )
        duplicate.enrollments[0].discharge_date = date(2025, 7, 15)
        duplicate.enrollments[0].discharge_reason = "completed"
        factories.session(duplicate, on=date(2025, 4, 7), note=f"Walked to the clinic {tag}")
        return kept.id, duplicate.id, duplicate.enrollments[0].id

    return site.make(build)


def test_overlapping_episodes_are_combined_by_choice_then_undone(page, site):
    tag = unique_tag()
    kept, duplicate, theirs = _overlapping(site, tag)
    sign_in_as(page, site, "supervisor@example.org")
    page.goto(f"{site.url}/clients/{kept}/merge")
    page.get_by_label("The duplicate record").select_option(value=str(duplicate))
    page.get_by_role("button", name="Compare").click()

    pair = page.get_by_role("group", name=re.compile(f"and episode {theirs} of"))
    expect(pair).to_be_visible()
    expect(pair.get_by_role("cell", name="2025-02-03")).to_be_visible()
    expect(pair.get_by_role("cell", name="open")).to_be_visible()
    assert fits(page)
    axe_clean(page, site)
    summary = page.locator(f"#episode_{theirs}-summary")
    expect(summary.get_by_text("not resolved yet")).to_be_visible()
    expect(summary.locator('[data-choice="combine"]')).to_be_hidden()

    # Nothing is chosen for the supervisor: merging now is refused beside the pair.
    page.get_by_label(re.compile("I compared both records")).check()
    page.get_by_role("button", name="Merge", exact=True).click()
    pair = page.get_by_role("group", name=re.compile(f"and episode {theirs} of"))
    expect(pair.get_by_text("Choose how to resolve this overlap.")).to_be_visible()
    axe_clean(page, site)

    pair.get_by_label(re.compile("^Combine")).check()
    # The summary above "Merge" now says what the choice will do.
    expect(summary.get_by_text(re.compile("becomes 2025-02-03 to open"))).to_be_visible()
    expect(summary.get_by_text("not resolved yet")).to_be_hidden()
    page.get_by_label(re.compile("I compared both records")).check()
    page.get_by_role("button", name="Merge", exact=True).click()
    expect(page.get_by_text(re.compile("was merged into"))).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/clients/{kept}$"))
    expect(page.get_by_text(f"Walked to the clinic {tag}")).to_be_visible()
    assert fits(page)

    page.get_by_role("region", name="Records merged into this one").get_by_role(
        "button", name="Undo"
    ).click()
    expect(page.get_by_text("The merge was undone")).to_be_visible()
    page.goto(f"{site.url}/clients/{duplicate}")
    expect(page).to_have_url(re.compile(rf"/clients/{duplicate}$"))
    expect(page.get_by_text(f"Walked to the clinic {tag}")).to_be_visible()
    sign_out(page)
