"""docs/billing/ holds the small demo's claims worksheet of February 2026 (seed 1, today
2026-03-31) as made by ``flask billing worksheet``: it cannot go stale."""

from __future__ import annotations

from datetime import date

from coachapp.demo import build_demo
from tests.helpers import REPO

DOCS = REPO / "docs" / "billing"


def test_the_committed_example_is_what_the_command_writes(app, db, tmp_path):
    build_demo("small", 1, today=date(2026, 3, 31))
    runner = app.test_cli_runner()
    for part, name in (
        ("lines", "worksheet-2026-02.csv"),
        ("not_billable", "worksheet-2026-02-not-billable.csv"),
    ):
        out = tmp_path / name
        result = runner.invoke(
            args=[
                "billing",
                "worksheet",
                "--program",
                "1",
                "--month",
                "2026-02",
                "--part",
                part,
                "--output",
                str(out),
            ]
        )
        assert result.exit_code == 0, result.output
        assert out.read_bytes() == (DOCS / name).read_bytes(), name
    assert "over the daily cap" in (DOCS / "worksheet.md").read_text(encoding="utf-8")


def test_the_command_refuses_what_it_cannot_do(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["billing", "worksheet", "--program", "99", "--month", "2026-02"])
    assert result.exit_code != 0 and "no program 99" in result.output
