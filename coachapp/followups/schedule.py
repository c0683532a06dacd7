"""The SUPRT follow-up interview schedule of one enrollment episode, as a pure function.

SAMHSA's SUPRT data collection (which replaced GPRA on 2025-10-01) asks for three interviews per
episode. Their windows, both edges inclusive ("day N" is ``intake_date + N days``):

- **baseline**: ``[intake, intake + 30]``: day 30 is still in, day 31 is missed;
- **six-month** reassessment: target ``intake + 6 calendar months`` (``add_months``: a day that
  the target month lacks is clipped to its last day, so Aug 31 gives Feb 28, or Feb 29 in a leap
  year), window ``[target − 30, target + 30]``;
- **closeout** (discharge) interview: ``[discharge, discharge + 30]``.

When each is *due* (counted, listed, chased):

- the baseline always;
- the six-month interview unless the episode was discharged before its window opened
  (``discharge < target − 30``): the closeout interview replaces it. Discharged on or after the
  day the window opens, it is due (and so is the closeout);
- the closeout once the episode has a discharge date.

States of one interview (``State``), as of ``today``:

- ``upcoming``: due, window not open yet (``today < opens``);
- ``open``: window open, nothing recorded (``days_left`` = ``closes − today``, 0 on the last day);
- ``done``: recorded with ``done_on`` inside the window;
- ``done_early`` / ``done_late``: recorded outside the window. Kept and shown, but it does not
  count as done for the follow-up rate (``followups.metrics``): SUPRT counts an interview only
  inside its window;
- ``missed``: window closed (``today > closes``), nothing recorded;
- ``not_due``: see above (a six-month interview replaced by the closeout, a closeout of an open
  episode). A record of an interview that is not due (the discharge date changed after it was
  recorded) keeps ``not_due`` and shows its date.

Each episode has its own schedule: a re-enrolled client starts again from the new intake.
``coachapp.followups.metrics`` computes the same windows in SQL (``windows``); the tests hold
the two to the same edges.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from coachapp.models.enums import InterviewKind

WINDOW_DAYS = 30  # baseline and closeout: [day 0, day 30]; six-month: target ± 30
SIX_MONTHS = 6
DUE_SOON_DAYS = 7  # "due this week": an open window whose last day is at most 7 days away

KIND_LABELS = {
    InterviewKind.BASELINE: "Baseline",
    InterviewKind.SIX_MONTH: "Six-month reassessment",
    InterviewKind.CLOSEOUT: "Closeout (discharge)",
}


class State(StrEnum):
    UPCOMING = "upcoming"
    OPEN = "open"
    DONE = "done"
    DONE_EARLY = "done_early"
    DONE_LATE = "done_late"
    MISSED = "missed"
    NOT_DUE = "not_due"


STATE_LABELS = {
    State.UPCOMING: "Upcoming",
    State.OPEN: "Open",
    State.DONE: "Done",
    State.DONE_EARLY: "Done early (does not count)",
    State.DONE_LATE: "Done late (does not count)",
    State.MISSED: "Missed",
    State.NOT_DUE: "Not due",
}


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months, clipped to the target month's last day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Window:
    opens: date
    closes: date
    target: date | None = None  # the six-month target date

    def contains(self, day: date) -> bool:
        return self.opens <= day <= self.closes


def baseline_window(intake: date) -> Window:
    return Window(intake, intake + timedelta(days=WINDOW_DAYS))


def six_month_window(intake: date) -> Window:
    target = add_months(intake, SIX_MONTHS)
    return Window(
        target - timedelta(days=WINDOW_DAYS), target + timedelta(days=WINDOW_DAYS), target
    )


def closeout_window(discharge: date) -> Window:
    return Window(discharge, discharge + timedelta(days=WINDOW_DAYS))


def window_for(kind: str, intake: date, discharge: date | None) -> Window | None:
    """The window of ``kind`` if it is due for this episode; ``None`` when it is not due."""
    if kind == InterviewKind.BASELINE:
        return baseline_window(intake)
    if kind == InterviewKind.SIX_MONTH:
        window = six_month_window(intake)
        if discharge is not None and discharge < window.opens:
            return None  # discharged before the window opened: the closeout replaces it
        return window
    if kind == InterviewKind.CLOSEOUT:
        return closeout_window(discharge) if discharge is not None else None
    raise ValueError(f"unknown interview kind {kind!r}")


@dataclass(frozen=True)
class Interview:
    """One interview of an episode's schedule, as of ``today``."""

    kind: str
    window: Window | None  # None: not due
    state: State
    done_on: date | None = None
    days_left: int | None = None  # open: days until the window closes (0 = last day)
    days_to_open: int | None = None  # upcoming: days until the window opens
    record_id: int | None = None

    @property
    def label(self) -> str:
        return KIND_LABELS[InterviewKind(self.kind)]

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def counts(self) -> bool:
        """Counts as done for the follow-up rate: recorded inside its window."""
        return self.state == State.DONE

    @property
    def recordable(self) -> bool:
        return self.window is not None and self.done_on is None


def state_of(window: Window | None, done_on: date | None, today: date) -> State:
    if window is None:
        return State.NOT_DUE
    if done_on is not None:
        if done_on < window.opens:
            return State.DONE_EARLY
        if done_on > window.closes:
            return State.DONE_LATE
        return State.DONE
    if today < window.opens:
        return State.UPCOMING
    if today > window.closes:
        return State.MISSED
    return State.OPEN


def schedule(
    intake: date,
    discharge: date | None,
    today: date,
    done: Mapping[str, date | tuple[date, int]] | None = None,
) -> list[Interview]:
    """The three interviews of one episode in order (baseline, six-month, closeout), as of
    ``today``. ``done`` maps a kind to the ``done_on`` of its live record (or ``(done_on,
    record id)``)."""
    done = done or {}
    out = []
    for kind in InterviewKind:
        window = window_for(kind, intake, discharge)
        recorded = done.get(kind)
        record_id = None
        if isinstance(recorded, tuple):
            recorded, record_id = recorded
        state = state_of(window, recorded, today)
        out.append(
            Interview(
                kind=kind.value,
                window=window,
                state=state,
                done_on=recorded,
                days_left=(window.closes - today).days if state == State.OPEN and window else None,
                days_to_open=(
                    (window.opens - today).days if state == State.UPCOMING and window else None
                ),
                record_id=record_id,
            )
        )
    return out
