"""A program manager opens the outcome report, picks a preset period and then custom dates,
drills down from a count to its de-identified rows, and downloads the XLSX exports, which the
test opens: through the UI, at desktop and phone size, with no horizontal scrolling. On the
demo program, the default report shows a real program's figures, axe-clean."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

from openpyxl import load_workbook
from playwright.sync_api import expect

from coachapp.reports.pseudonyms import pseudonym
from tests import factories
from tests.browser.helpers import axe_clean, fits, go_to, sign_in_as, unique_tag

START, END = "2026-02-01", "2026-04-30"


def _last_month(today: date) -> tuple[str, str]:
    end = today.replace(day=1) - timedelta(days=1)
    return end.replace(day=1).isoformat(), end.isoformat()


def _engaged_client(site, last_name: str) -> int:
    """A client with an intake and a completed session inside START..END."""

    def build():
        client = factories.client(
            site.coach, first_name="Ximena", last_name=last_name, intake_date=date(2026, 2, 10)
        )
        factories.session(client, on=date(2026, 3, 4))
        return client

    return site.make(build)


def _headline_link(page, label: str):
    row = page.locator("tbody tr").filter(has=page.get_by_role("rowheader", name=label, exact=True))
    return row.get_by_role("cell").first.get_by_role("link")


def _sheet_rows(path) -> tuple[list[str], list[tuple]]:
    workbook = load_workbook(path)
    return workbook.sheetnames, list(workbook.worksheets[1].iter_rows(values_only=True))


def _download(page, link, tmp_path):
    with page.expect_download() as info:
        link.click()
    download = info.value
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    return target


def test_outcome_report_period_drill_down_and_xlsx(page, site, tmp_path):
    last_name = f"Valdivia{unique_tag()}"
    client_id = _engaged_client(site, last_name)
    with site.app.app_context():
        client_pseudonym = pseudonym(client_id)
    names = ["José", "Ñúñez", "Zoë", "Brontë", "Ximena", last_name]

    sign_in_as(page, site, "manager@example.org")
    go_to(page, "Reports")
    expect(page.get_by_role("heading", name="Outcome report")).to_be_visible()
    assert fits(page)

    # A preset: last month, as of the program's today (the program keeps UTC).
    first, last = _last_month(datetime.now(timezone.utc).date())
    page.get_by_label("Period").select_option(value="last_month")
    page.get_by_role("button", name="Show report").click()
    expect(page.locator("main strong", has_text=f"{first} to {last}")).to_be_visible()
    assert fits(page)

    # Custom dates: the date fields appear once "Custom dates" is chosen.
    expect(page.get_by_label("From")).to_be_hidden()
    page.get_by_label("Period").select_option(label="Custom dates")
    page.get_by_label("From").fill(START)
    page.get_by_label("To (inclusive)").fill(END)
    page.get_by_role("button", name="Show report").click()
    expect(page.locator("main strong", has_text=f"{START} to {END}")).to_be_visible()
    expect(page.get_by_label("Period")).to_have_value("custom")
    assert fits(page)

    # Drill down: the count's rows, pseudonymous.
    engaged_link = _headline_link(page, "Clients engaged (a completed session)")
    engaged = int(engaged_link.inner_text())
    enrolled = int(_headline_link(page, "Clients enrolled in the period").inner_text())
    assert engaged >= 1
    engaged_link.click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_text(f"{START} to {END}")).to_be_visible()
    expect(page.locator("main p strong").first).to_have_text(str(engaged))
    expect(page.get_by_text("De-identified: each client appears as a pseudonym")).to_be_visible()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(min(engaged, 100))
    expect(rows.filter(has_text=client_pseudonym)).to_have_count(1)
    for cell in page.locator("tbody th .client-code").all_inner_texts():
        assert re.fullmatch(r"P-[0-9a-f]{10}", cell)
    text = page.locator("main").inner_text()
    assert not [name for name in names if name in text]
    expect(page.locator("main a[href*='/clients/']")).to_have_count(0)
    assert fits(page)

    # Back to the report and download its headline and per-client tables.
    page.get_by_role("link", name="← Outcome report").click()
    expect(page.locator("main strong", has_text=f"{START} to {END}")).to_be_visible()
    page.get_by_text("Download (CSV or Excel)").click()
    downloads = page.locator("details li")
    headline_link = downloads.filter(has_text="Headline figures").get_by_role("link", name="XLSX")
    expect(headline_link).to_be_visible()
    assert fits(page)

    sheets, table = _sheet_rows(_download(page, headline_link, tmp_path))
    assert sheets == ["Cover", "report", "Housing and employment", "By group", "Definitions"]
    assert table[0] == ("Figure", "Value", "Numerator", "Denominator", "Figure key")
    values = {row[-1]: row[1] for row in table[1:]}
    assert values["period.start"].date().isoformat() == START
    assert values["period.end"].date().isoformat() == END
    assert values["clients.enrolled"] == enrolled
    assert values["clients.engaged"] == engaged
    assert "clients.engagement_rate" in values and "appointments.no_show_rate" in values

    client_link = downloads.filter(has_text="Per client").get_by_role("link", name="XLSX")
    sheets, table = _sheet_rows(_download(page, client_link, tmp_path))
    assert sheets == ["Cover", "clients", "Definitions"]
    header = list(table[0])
    assert header[:3] == ["Pseudonym", "Program", "Coach"]
    by_pseudonym = {row[0]: dict(zip(header, row, strict=True)) for row in table[1:]}
    mine = by_pseudonym[client_pseudonym]
    assert mine["Coach"] == "Casey Coach" and mine["Completed sessions"] == 1
    cells = " ".join(str(v) for row in table for v in row if v is not None)
    assert not [name for name in names if name in cells]


def _rate(page, label: str) -> float:
    row = page.locator("main tbody tr").filter(
        has=page.get_by_role("rowheader", name=label, exact=True)
    )
    return float(row.first.get_by_role("cell").first.inner_text().rstrip("%"))


def test_the_demo_programs_report_looks_real(page, demo_site):
    """The small demo's default report (the last 12 months): clients who drift away, no-shows
    and referrals that fail, in a real program's proportions; the rows behind a count."""
    sign_in_as(page, demo_site, demo_site.emails["program_manager"], demo_site.password)
    go_to(page, "Reports")
    expect(page.get_by_role("heading", name="Outcome report")).to_be_visible()
    assert 65 <= _rate(page, "Engagement rate") <= 88
    assert 12 <= _rate(page, "No-show rate") <= 30
    assert 35 <= _rate(page, "Linkage rate") <= 65
    assert fits(page)
    axe_clean(page, demo_site)

    enrolled_link = _headline_link(page, "Clients enrolled in the period")
    enrolled = int(enrolled_link.inner_text())
    assert enrolled >= 40
    enrolled_link.click()
    expect(page.locator("main p strong").first).to_have_text(str(enrolled))
    expect(page.locator("tbody tr")).to_have_count(min(enrolled, 100))
    assert fits(page)
    axe_clean(page, demo_site)


def test_report_dates_hidden_until_custom_and_shown_without_javascript(browser, site):
    """No layout shift: the custom dates are hidden from the first paint when the period is a
    preset, and the script reveals them for "Custom dates"; without JavaScript they stay shown
    (a <noscript> stylesheet) and a custom period can still be asked for."""
    for javascript in (True, False):
        context = browser.new_context(java_script_enabled=javascript)
        page = context.new_page()
        try:
            sign_in_as(page, site, "manager@example.org")
            page.goto(site.url + "/reports/?preset=last_month")
            period = page.get_by_label("Period")
            expect(period).to_have_value("last_month")
            if javascript:
                expect(page.get_by_label("From")).to_be_hidden()
                period.select_option(label="Custom dates")
            else:
                expect(page.get_by_label("From")).to_be_visible()
                period.select_option(value="custom")
            page.get_by_label("From").fill(START)
            page.get_by_label("To (inclusive)").fill(END)
            page.get_by_role("button", name="Show report").click()
            expect(page.locator("main strong", has_text=f"{START} to {END}")).to_be_visible()
            expect(page.get_by_label("From")).to_be_visible()
        finally:
            context.close()
