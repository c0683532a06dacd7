"""The figures of metrics.md, group by group, and the report that gathers them.

Each figure group counts its row source (``sources``) in one or two queries (``rows.count_rows``,
``rows.median_of``) and names the counts as metrics.md does; ``headline_with_counts`` gathers
every group in 12 queries, ``by_coach`` groups the same queries by the coach credited with each
record and ``by_month`` by calendar month.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select, true

from coachapp.extensions import db
from coachapp.models import User
from coachapp.reports import rollups
from coachapp.reports.credit import coach_ids_in_scope
from coachapp.reports.registry import RATES
from coachapp.reports.rows import (
    ALL,
    RowSource,
    count_rows,
    median_of,
    month_rows,
    summed_counts,
)
from coachapp.reports.sources import (
    CATEGORIES,
    RETENTION_DAYS,
    appointment_source,
    client_source,
    episode_rollup_source,
    episode_source,
    goal_source,
    recovery_capital_source,
    referral_source,
    session_source,
    supervision_coach_source,
    supervision_note_source,
)
from coachapp.scope import Period, Scope, rate, round2


def _keyed(keys: list[str], row: list) -> dict[str, int]:
    return dict(zip(keys, row[: len(keys)], strict=False))


# --- Figure groups -----------------------------------------------------------------------------


def _client_counts(scope: Scope, period: Period, *, by_coach: bool = False) -> dict:
    """``{group: {rowset: n}}`` for clients and new intakes, two queries."""
    clients = client_source(scope, period, credit=by_coach)
    episodes = _episodes(scope, period, credit=by_coach)
    keys = ["clients.enrolled", "clients.engaged"]
    counts = {
        g: _keyed(keys, row) for g, row in count_rows(clients, keys, by_coach=by_coach).items()
    }
    intakes = count_rows(episodes, ["clients.new_intakes"], by_coach=by_coach)
    for g, row in intakes.items():
        counts.setdefault(g, {"clients.enrolled": 0, "clients.engaged": 0})
        counts[g]["clients.new_intakes"] = row[0]
    for g in counts:
        counts[g].setdefault("clients.new_intakes", 0)
    return counts


def _client_dict(counts: dict) -> dict:
    return {
        "enrolled": counts["clients.enrolled"],
        "new_intakes": counts["clients.new_intakes"],
        "engaged": counts["clients.engaged"],
        "engagement_rate": rate(counts["clients.engaged"], counts["clients.enrolled"]),
    }


def client_figures(scope: Scope, period: Period, *, by_coach: bool = False) -> dict:
    """``clients.enrolled``, ``new_intakes``, ``engaged``, ``engagement_rate``."""
    return {g: _client_dict(c) for g, c in _client_counts(scope, period, by_coach=by_coach).items()}


def _session_counts(scope: Scope, period: Period) -> tuple[dict, int]:
    source = session_source(scope, period)
    keys = list(source.conditions)
    minutes = ("minutes", "sessions.completed")
    row = summed_counts(source, scope, period, keys, values=[minutes])[ALL]
    return _keyed(keys, row), int(row[-1] or 0)


def session_figures(scope: Scope, period: Period, enrolled: int) -> dict:
    """``sessions.completed``, ``attempted``, ``minutes``, ``per_enrolled_client``."""
    counts, minutes = _session_counts(scope, period)
    return _session_dict(counts, minutes, enrolled)


def _session_dict(counts: dict, minutes: int, enrolled: int) -> dict:
    return {
        "completed": counts["sessions.completed"],
        "attempted": counts["sessions.attempted"],
        "minutes": minutes,
        "per_enrolled_client": rate(counts["sessions.completed"], enrolled),
    }


def _episodes(scope: Scope, period: Period, *, credit: bool = False) -> RowSource:
    """The episode rows: from the report rollups when they may be read."""
    build = episode_rollup_source if rollups.enabled() else episode_source
    return build(scope, period, credit=credit)


def _episode_counts(scope: Scope, period: Period) -> tuple[dict, float | None]:
    """Time to first contact and retention: one count query and one median query."""
    source = _episodes(scope, period)
    keys = list(source.conditions)
    counts = _keyed(keys, count_rows(source, keys)[ALL])
    median = median_of(source, "time_to_first_contact_days.n", "days_to_first_contact").get(ALL)
    return counts, median


def time_to_first_contact(scope: Scope, period: Period) -> dict:
    """Median days from intake to the episode's first completed session, over episodes with
    intake in the period whose first completed session is dated ``<= end``."""
    counts, median = _episode_counts(scope, period)
    return {"median": median, "n": counts["time_to_first_contact_days.n"]}


def _retention_dict(counts: dict) -> dict:
    return {
        str(n): {
            "eligible": counts[f"retention.{n}.eligible"],
            "retained": counts[f"retention.{n}.retained"],
            "rate": rate(counts[f"retention.{n}.retained"], counts[f"retention.{n}.eligible"]),
        }
        for n in RETENTION_DAYS
    }


def retention_figures(scope: Scope, period: Period) -> dict:
    """For N in 30/60/90: episodes with intake in the period and ``intake + N <= end``, and of
    those the ones with a completed session in ``[intake + N - 29, intake + N]``."""
    return _retention_dict(_episode_counts(scope, period)[0])


def _appointment_dict(c: dict) -> dict:
    def appt_rate(numerator: str, denominator: str) -> float | None:
        return rate(c[numerator], c[denominator])

    return {
        "total": c["appointments.total"],
        "attended": c["appointments.attended"],
        "no_show": c["appointments.no_show"],
        "cancelled": c["appointments.cancelled"],
        "rescheduled": c["appointments.rescheduled"],
        "pending": c["appointments.pending"],
        "no_show_rate": appt_rate(*RATES["appointments.no_show_rate"]),
        "no_show_rate_accompanied": appt_rate(*RATES["appointments.no_show_rate_accompanied"]),
        "no_show_rate_unaccompanied": appt_rate(*RATES["appointments.no_show_rate_unaccompanied"]),
        "accompanied": c["appointments.accompanied"],
    }


def _appointment_counts(scope: Scope, period: Period, *, by_coach: bool = False) -> dict:
    source = appointment_source(scope, period, credit=by_coach)
    keys = list(source.conditions)
    counts = summed_counts(source, scope, period, keys, by_coach=by_coach)
    return {g: _keyed(keys, row) for g, row in counts.items()}


def appointment_figures(scope: Scope, period: Period, *, by_coach: bool = False) -> dict:
    """Appointments dated in the period by outcome, no-show rates, accompanied count."""
    counts = _appointment_counts(scope, period, by_coach=by_coach)
    return {g: _appointment_dict(c) for g, c in counts.items()}


def _referral_counts(
    scope: Scope, period: Period, *, by_coach: bool = False, by_category: bool = True
) -> tuple[dict, dict]:
    """``({group: {rowset: n}}, {group: median days to link})``: two queries."""
    source = referral_source(scope, period, credit=by_coach)
    keys = list(source.conditions) if by_category else ["referrals.made", "referrals.linked"]
    counts = {
        g: _keyed(keys, row) for g, row in count_rows(source, keys, by_coach=by_coach).items()
    }
    medians = median_of(source, "referrals.linked", "days_to_link", by_coach=by_coach)
    return counts, medians


def _referral_dict(c: dict, median: float | None, *, by_category: bool) -> dict:
    result = {
        "made": c["referrals.made"],
        "linked": c["referrals.linked"],
        "linkage_rate": rate(c["referrals.linked"], c["referrals.made"]),
        "median_days_to_link": median,
    }
    if by_category:
        result["by_category"] = {}
        for category in CATEGORIES:
            prefix = f"referrals.by_category.{category}"
            made, linked = c[f"{prefix}.made"], c[f"{prefix}.linked"]
            result["by_category"][category] = {
                "made": made,
                "linked": linked,
                "linkage_rate": rate(linked, made),
            }
    return result


def referral_figures(
    scope: Scope, period: Period, *, by_coach: bool = False, by_category: bool = True
) -> dict:
    """Referrals made in the period, linked (connected by ``end``), rate, median days, and
    the same per resource category."""
    by_category = by_category and not by_coach
    counts, medians = _referral_counts(scope, period, by_coach=by_coach, by_category=by_category)
    return {
        g: _referral_dict(c, medians.get(g), by_category=by_category) for g, c in counts.items()
    }


def _goal_counts(scope: Scope, period: Period) -> dict:
    source = goal_source(scope, period)
    keys = list(source.conditions)
    return _keyed(keys, count_rows(source, keys)[ALL])


def _goal_dict(c: dict) -> dict:
    return {
        "opened": c["goals.opened"],
        "achieved": c["goals.achieved"],
        "discontinued": c["goals.discontinued"],
        "achievement_rate": rate(*(c[k] for k in RATES["goals.achievement_rate"])),
    }


def goal_figures(scope: Scope, period: Period) -> dict:
    return _goal_dict(_goal_counts(scope, period))


def _recovery_capital(scope: Scope, period: Period) -> tuple[dict, dict]:
    """``(counts, means)`` in one query: means of the change, the latest total, and the first
    and latest totals of the clients with two or more."""
    source = recovery_capital_source(scope, period)
    keys = list(source.conditions)
    two = source.conditions["recovery_capital.clients_with_two_or_more"]
    v = source.values
    extra = [
        func.avg(v["change"] * 1.0).filter(two),
        func.avg(v["latest"] * 1.0),
        func.avg(v["first"] * 1.0).filter(two),
        func.avg(v["latest"] * 1.0).filter(two),
    ]
    row = count_rows(source, keys, extra=extra)[ALL]
    mean_change, mean_latest, first_of_two, latest_of_two = row[len(keys) :]
    means = {
        "mean_change": round2(mean_change),
        "mean_latest": round2(mean_latest),
        "mean_first_of_two_or_more": round2(first_of_two),
        "mean_latest_of_two_or_more": round2(latest_of_two),
    }
    return _keyed(keys, row), means


def _recovery_capital_dict(c: dict, means: dict) -> dict:
    return {
        "clients_with_two_or_more": c["recovery_capital.clients_with_two_or_more"],
        "mean_change": means["mean_change"],
        "improved": c["recovery_capital.improved"],
        "mean_latest": means["mean_latest"],
    }


def recovery_capital_figures(scope: Scope, period: Period) -> dict:
    """BARC-10: clients with two or more assessments by ``end``, mean change first → latest,
    how many improved, and the mean latest total."""
    return _recovery_capital_dict(*_recovery_capital(scope, period))


def _supervision_counts(scope: Scope, period: Period) -> tuple[dict, int]:
    coaches = supervision_coach_source(scope, period)
    keys = list(coaches.conditions)
    counts = _keyed(keys, count_rows(coaches, keys)[ALL])
    notes = supervision_note_source(scope, period)
    row = count_rows(
        notes,
        ["supervision.notes"],
        extra=[func.coalesce(func.sum(notes.values["minutes"]), 0)],
    )[ALL]
    counts["supervision.notes"] = row[0]
    return counts, int(row[1] or 0)


def _supervision_dict(c: dict, minutes: int) -> dict:
    return {
        "coaches": c["supervision.coaches"],
        "coaches_supervised": c["supervision.coaches_supervised"],
        "coverage": rate(c["supervision.coaches_supervised"], c["supervision.coaches"]),
        "minutes": minutes,
    }


def supervision_figures(scope: Scope, period: Period) -> dict:
    return _supervision_dict(*_supervision_counts(scope, period))


# --- The report --------------------------------------------------------------------------------


def headline_with_counts(scope: Scope, period: Period) -> tuple[dict, dict, dict]:
    """``(headline, counts, barc10)``: every figure, the count of every rowset behind them
    (numerators and denominators included) and the BARC-10 first/latest means; 12 queries."""
    counts: dict[str, int] = {}
    client_rows = client_source(scope, period)
    counts.update(_keyed(list(client_rows.conditions), count_rows(client_rows)[ALL]))
    episode_counts, ttfc_median = _episode_counts(scope, period)
    counts.update(episode_counts)
    clients = {k: counts[k] for k in ("clients.enrolled", "clients.engaged", "clients.new_intakes")}
    session_counts, minutes = _session_counts(scope, period)
    counts.update(session_counts)
    appointments = _appointment_counts(scope, period)[ALL]
    counts.update(appointments)
    referral_counts, medians = _referral_counts(scope, period)
    counts.update(referral_counts[ALL])
    goals = _goal_counts(scope, period)
    counts.update(goals)
    capital, means = _recovery_capital(scope, period)
    counts.update(capital)
    supervision, supervision_minutes = _supervision_counts(scope, period)
    counts.update(supervision)
    headline = {
        "clients": _client_dict(clients),
        "sessions": _session_dict(session_counts, minutes, clients["clients.enrolled"]),
        "time_to_first_contact_days": {
            "median": ttfc_median,
            "n": episode_counts["time_to_first_contact_days.n"],
        },
        "appointments": _appointment_dict(appointments),
        "referrals": _referral_dict(referral_counts[ALL], medians.get(ALL), by_category=True),
        "retention": _retention_dict(episode_counts),
        "goals": _goal_dict(goals),
        "recovery_capital": _recovery_capital_dict(capital, means),
        "supervision": _supervision_dict(supervision, supervision_minutes),
    }
    barc10 = {
        "clients": capital["recovery_capital.clients_with_two_or_more"],
        "mean_first": means["mean_first_of_two_or_more"],
        "mean_latest": means["mean_latest_of_two_or_more"],
    }
    return headline, counts, barc10


def headline(scope: Scope, period: Period) -> dict:
    """Every figure of metrics.md for one scope and period, nested under its key."""
    return headline_with_counts(scope, period)[0]


def by_coach(scope: Scope, period: Period) -> list[dict]:
    """One row per in-scope coach: ``clients.*``, the no-show rate with its counts and
    ``referrals.*`` (without categories), by the same definitions, grouped by coach."""
    clients = client_figures(scope, period, by_coach=True)
    appointments = appointment_figures(scope, period, by_coach=True)
    referrals = referral_figures(scope, period, by_coach=True, by_category=False)
    coach_ids = set(clients) | set(appointments) | set(referrals)
    coach_ids |= set(db.session.scalars(coach_ids_in_scope(scope)))
    coaches = dict(
        db.session.execute(select(User.id, User.name).where(User.id.in_(coach_ids))).all()
    )
    empty_clients = {"enrolled": 0, "new_intakes": 0, "engaged": 0, "engagement_rate": None}
    empty_referrals = {"made": 0, "linked": 0, "linkage_rate": None, "median_days_to_link": None}
    rows = []
    for coach_id in sorted(coach_ids, key=lambda cid: (coaches.get(cid, ""), cid)):
        appts = appointments.get(coach_id)
        rows.append(
            {
                "coach_id": coach_id,
                "coach_name": coaches.get(coach_id, ""),
                "clients": clients.get(coach_id, empty_clients),
                "appointments": {
                    "attended": appts["attended"] if appts else 0,
                    "no_show": appts["no_show"] if appts else 0,
                    "no_show_rate": appts["no_show_rate"] if appts else None,
                },
                "referrals": referrals.get(coach_id, empty_referrals),
            }
        )
    return rows


def by_month(scope: Scope, period: Period) -> list[dict]:
    """One row per calendar month overlapping the period (clipped to it), by the same
    definitions: engagement, no-show and linkage with their counts. Three queries whatever the
    number of months: each row source joined to the months (``month_rows``), grouped by month."""
    wanted = {
        client_source: ["clients.enrolled", "clients.engaged"],
        appointment_source: ["appointments.attended", "appointments.no_show"],
        referral_source: ["referrals.made", "referrals.linked"],
    }
    months = period.months()
    counts: list[dict[str, int]] = [
        {key: 0 for keys in wanted.values() for key in keys} for _ in months
    ]
    # Appointments of whole months are sums of the report rollups (when they may be read).
    summed = [i for i, month in enumerate(months) if rollups.split(month) == month]
    for build, keys in wanted.items():
        from_records = list(range(len(months)))
        if build is appointment_source and summed:
            from_records = [i for i in from_records if i not in summed]
            first, last = months[summed[0]], months[summed[-1]]
            columns = [rollups.SUMMED["appointments"][key] for key in keys]
            sums = rollups.coach_month_sums(
                scope, Period(first.start, last.end), columns, by="month"
            )
            for i in summed:
                counts[i].update(_keyed(keys, sums.get(months[i].start, [0] * len(keys))))
        if not from_records:
            continue
        series = month_rows([months[i] for i in from_records])
        source = build(scope, series)
        query = (
            source.base.join(series.table, true())
            .add_columns(series.n, *(source.count(key) for key in keys))
            .group_by(series.n)
        )
        for n, *row in db.session.execute(query):
            counts[from_records[n]].update(_keyed(keys, row))
    rows = []
    for month, c in zip(months, counts, strict=True):
        attended, no_show = c["appointments.attended"], c["appointments.no_show"]
        rows.append(
            {
                "month": month.start.strftime("%Y-%m"),
                "start": month.start.isoformat(),
                "end": month.end.isoformat(),
                "enrolled": c["clients.enrolled"],
                "engaged": c["clients.engaged"],
                "engagement_rate": rate(c["clients.engaged"], c["clients.enrolled"]),
                "attended": attended,
                "no_show": no_show,
                "no_show_rate": rate(no_show, attended + no_show),
                "referrals_made": c["referrals.made"],
                "referrals_linked": c["referrals.linked"],
                "linkage_rate": rate(c["referrals.linked"], c["referrals.made"]),
            }
        )
    return rows


def outcome_report(scope: Scope, period: Period) -> dict:
    """The whole report: headline figures, ``period``, ``scope``, ``by_coach``, ``by_month``
    (exactly the keys of metrics.md; the API returns it as is)."""
    return _report(scope, period, headline_with_counts(scope, period)[0])


def _report(scope: Scope, period: Period, figures: dict) -> dict:
    return {
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
        "scope": scope.as_dict(),
        **figures,
        "by_coach": by_coach(scope, period),
        "by_month": by_month(scope, period),
    }


def detailed_report(scope: Scope, period: Period) -> dict:
    """``outcome_report`` plus what the page and exports show beside it: ``counts`` (the
    number of rows of every rowset, so each rate has its numerator and denominator) and
    ``barc10`` (mean first and mean latest total of the clients with two or more)."""
    figures, counts, barc10 = headline_with_counts(scope, period)
    return {**_report(scope, period, figures), "counts": counts, "barc10": barc10}


def rate_parts(counts: dict[str, int], key: str) -> tuple[int, int] | None:
    """``(numerator, denominator)`` of rate ``key`` from a report's ``counts``; None if no rate."""
    if key not in RATES:
        return None
    numerator, denominator = RATES[key]
    return counts[numerator], counts[denominator]


def flatten(figures: dict, prefix: str = "") -> Iterable[tuple[str, object]]:
    """``("clients.enrolled", 4), ...``: the headline as dotted keys, for tables and exports."""
    for key, value in figures.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from flatten(value, f"{name}.")
        else:
            yield name, value


HEADLINE_GROUPS = (
    "clients",
    "sessions",
    "time_to_first_contact_days",
    "appointments",
    "referrals",
    "retention",
    "goals",
    "recovery_capital",
    "supervision",
)
