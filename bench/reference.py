"""One hand-written SQL query that computes every headline figure of metrics.md for a whole
program and a period: the yardstick the app's ``metrics.headline`` is measured against.

Written directly for the engine, the way someone tuning a single report by hand would: the
in-scope sessions of the period are read once, client by client, and folded per client (which
gives the session counts and engagement), each episode's first contact is one index seek that
stops at the first match, medians are ``row_number`` over the few rows that need one. The two
engines differ only where each plans best (``_DIALECT``): date arithmetic, SQLite's join order
(CROSS JOIN) and CTE materialization; on PostgreSQL the query runs with ``jit = off`` (JIT
compilation costs this one large query seconds and saves nothing). Python only reshapes the one
result row into the nested dictionary ``metrics.headline`` returns (rates and rounding as
metrics.md defines them), so the two can be compared for equality.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Date, DateTime, Integer, bindparam, text
from sqlalchemy.engine import Connection

CATEGORIES = (
    "housing",
    "employment",
    "healthcare",
    "mental_health",
    "treatment",
    "recovery_support",
    "legal",
    "benefits",
    "food",
    "transportation",
    "education",
    "other",
)

_DIALECT = {
    "sqlite": {
        "plus": lambda day, n: f"date({day}, '{n:+d} days')",
        "days": lambda later, earlier: (
            f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"
        ),
        # SQLite keeps the written join order for CROSS JOIN: clients first, then their
        # sessions through (client_id, date), which reads the table in the order it was filled
        # instead of jumping about it by date.
        "then": "CROSS JOIN",
        # and computes a CTE used twice once, not at each use
        "mat": "MATERIALIZED ",
        "inline": "MATERIALIZED ",
    },
    "postgresql": {
        "plus": lambda day, n: f"({day} + {n})",
        "days": lambda later, earlier: f"({later} - {earlier})",
        "then": "JOIN",
        # PostgreSQL materializes a CTE used twice by itself, and inlines the others
        "mat": "",
        # the in-scope clients inlined into each use, so each join is planned with real
        # statistics (and may run in parallel) rather than over a materialized list
        "inline": "NOT MATERIALIZED ",
    },
}


def _median(values_cte: str, column: str) -> str:
    """The median of ``column`` over ``values_cte`` (mean of the two middle values)."""
    return f"""(
        SELECT avg(x * 1.0) FROM (
            SELECT {column} AS x,
                   row_number() OVER (ORDER BY {column}) AS rn,
                   count(*) OVER () AS n
            FROM {values_cte}
        ) ranked
        WHERE rn IN ((n + 1) / 2, (n + 2) / 2)
    )"""


def reference_sql(dialect: str) -> str:
    """The query for ``dialect`` (``sqlite`` or ``postgresql``); parameters ``program_id``,
    ``start``, ``end`` (dates) and ``low``, ``high`` (appointment wall-clock bounds)."""
    plus, days = _DIALECT[dialect]["plus"], _DIALECT[dialect]["days"]
    categories = ",\n".join(
        f"count(*) FILTER (WHERE category = '{c}') AS cat_{c}_made,\n"
        f"count(*) FILTER (WHERE category = '{c}' AND linked) AS cat_{c}_linked"
        for c in CATEGORIES
    )
    retention = ",\n".join(
        f"""CASE WHEN {plus("ep.intake_date", n)} <= :end THEN 1 ELSE 0 END AS eligible_{n},
        CASE WHEN {plus("ep.intake_date", n)} <= :end AND EXISTS (
            SELECT 1 FROM sessions s
             WHERE s.client_id = ep.client_id AND s.outcome = 'completed'
               AND s.archived_at IS NULL
               AND s.date BETWEEN {plus("ep.intake_date", n - 29)} AND {plus("ep.intake_date", n)}
        ) THEN 1 ELSE 0 END AS retained_{n}"""
        for n in (30, 60, 90)
    )
    then, mat, inline = (_DIALECT[dialect][k] for k in ("then", "mat", "inline"))
    return f"""
WITH sc AS {inline}(
    SELECT id FROM clients
    WHERE program_id = :program_id AND archived_at IS NULL AND merged_into_id IS NULL
),
-- in-scope sessions dated in the period, read once (client by client) and folded per client
per_client AS {mat}(
    SELECT s.client_id,
           count(*) FILTER (WHERE s.outcome = 'completed') AS completed,
           count(*) FILTER (WHERE s.outcome = 'attempted') AS attempted,
           sum(s.duration_minutes) FILTER (WHERE s.outcome = 'completed') AS minutes
    FROM sc {then} sessions s ON s.client_id = sc.id
    WHERE s.archived_at IS NULL AND s.date BETWEEN :start AND :end
    GROUP BY s.client_id
),
session_fig AS (
    SELECT coalesce(sum(completed), 0) AS completed,
           coalesce(sum(attempted), 0) AS attempted,
           coalesce(sum(minutes), 0) AS minutes
    FROM per_client
),
enrolled AS {mat}(
    SELECT DISTINCT e.client_id
    FROM enrollments e JOIN sc ON sc.id = e.client_id
    WHERE e.intake_date <= :end AND (e.discharge_date IS NULL OR e.discharge_date >= :start)
),
client_fig AS (
    SELECT (SELECT count(*) FROM enrolled) AS enrolled,
           (SELECT count(*) FROM enrolled JOIN per_client pc ON pc.client_id = enrolled.client_id
             WHERE pc.completed > 0) AS engaged
),
-- episodes with intake in the period: the first completed session of the episode (an index
-- seek that stops at the first match) and a completed session in each retention window
first_contact AS {mat}(
    SELECT ep.id, ep.client_id, ep.intake_date,
           (SELECT s.date FROM sessions s
             WHERE s.client_id = ep.client_id AND s.outcome = 'completed'
               AND s.archived_at IS NULL AND s.date >= ep.intake_date AND s.date <= :end
               AND (ep.discharge_date IS NULL OR s.date <= ep.discharge_date)
             ORDER BY s.date LIMIT 1) AS first_contact
    FROM enrollments ep JOIN sc ON sc.id = ep.client_id
    WHERE ep.intake_date BETWEEN :start AND :end
),
episodes AS {mat}(
    SELECT ep.id, ep.first_contact,
           {days("ep.first_contact", "ep.intake_date")} AS days_to_first,
           {retention}
    FROM first_contact ep
),
first_contacts AS (SELECT days_to_first FROM episodes WHERE first_contact IS NOT NULL),
episode_fig AS (
    SELECT count(*) AS new_intakes,
           count(first_contact) AS ttfc_n,
           {_median("first_contacts", "days_to_first")} AS ttfc_median,
           sum(eligible_30) AS eligible_30, sum(retained_30) AS retained_30,
           sum(eligible_60) AS eligible_60, sum(retained_60) AS retained_60,
           sum(eligible_90) AS eligible_90, sum(retained_90) AS retained_90
    FROM episodes
),
appointment_fig AS (
    SELECT count(*) AS appt_total,
           count(*) FILTER (WHERE outcome = 'attended') AS attended,
           count(*) FILTER (WHERE outcome = 'no_show') AS no_show,
           count(*) FILTER (WHERE outcome = 'cancelled') AS cancelled,
           count(*) FILTER (WHERE outcome = 'rescheduled') AS rescheduled,
           count(*) FILTER (WHERE outcome = 'scheduled') AS pending,
           count(*) FILTER (WHERE outcome = 'attended' AND coach_accompanied) AS accompanied,
           count(*) FILTER (WHERE outcome IN ('attended', 'no_show')) AS rated,
           count(*) FILTER (WHERE outcome = 'no_show' AND accompaniment_planned) AS ns_planned,
           count(*) FILTER (WHERE outcome IN ('attended', 'no_show')
                              AND accompaniment_planned) AS rated_planned,
           count(*) FILTER (WHERE outcome = 'no_show'
                              AND NOT accompaniment_planned) AS ns_unplanned,
           count(*) FILTER (WHERE outcome IN ('attended', 'no_show')
                              AND NOT accompaniment_planned) AS rated_unplanned
    FROM appointments a JOIN sc ON sc.id = a.client_id
    WHERE a.archived_at IS NULL AND a.scheduled_at >= :low AND a.scheduled_at < :high
),
refs AS {mat}(
    SELECT r.category,
           (r.status = 'connected' AND r.connected_on IS NOT NULL
            AND r.connected_on <= :end) AS linked,
           {days("r.connected_on", "r.referred_on")} AS days_to_link
    FROM referrals r JOIN sc ON sc.id = r.client_id
    WHERE r.archived_at IS NULL AND r.referred_on BETWEEN :start AND :end
),
linked_refs AS (SELECT days_to_link FROM refs WHERE linked),
referral_fig AS (
    SELECT count(*) AS ref_made,
           count(*) FILTER (WHERE linked) AS ref_linked,
           {_median("linked_refs", "days_to_link")} AS ref_median,
           {categories}
    FROM refs
),
goal_fig AS (
    SELECT count(*) FILTER (WHERE g.opened_on BETWEEN :start AND :end) AS goals_opened,
           count(*) FILTER (WHERE g.status = 'achieved'
                              AND g.closed_on BETWEEN :start AND :end) AS goals_achieved,
           count(*) FILTER (WHERE g.status = 'discontinued'
                              AND g.closed_on BETWEEN :start AND :end) AS goals_discontinued
    FROM goals g JOIN sc ON sc.id = g.client_id
    WHERE g.archived_at IS NULL
),
barc AS (
    SELECT client_id, count(*) AS n,
           max(CASE WHEN first_rank = 1 THEN total END) AS first_total,
           max(CASE WHEN last_rank = 1 THEN total END) AS latest_total
    FROM (
        SELECT a.client_id, a.total,
               row_number() OVER (PARTITION BY a.client_id
                                  ORDER BY a.administered_on, a.id) AS first_rank,
               row_number() OVER (PARTITION BY a.client_id
                                  ORDER BY a.administered_on DESC, a.id DESC) AS last_rank
        FROM assessments a JOIN sc ON sc.id = a.client_id
        WHERE a.archived_at IS NULL AND a.administered_on <= :end
    ) ranked
    GROUP BY client_id
),
barc_fig AS (
    SELECT count(*) FILTER (WHERE n >= 2) AS two_or_more,
           count(*) FILTER (WHERE n >= 2 AND latest_total > first_total) AS improved,
           avg((latest_total - first_total) * 1.0) FILTER (WHERE n >= 2) AS mean_change,
           avg(latest_total * 1.0) AS mean_latest
    FROM barc
),
coaches AS {mat}(
    SELECT id FROM users
    WHERE program_id = :program_id AND role = 'coach' AND active
),
notes AS {mat}(
    SELECT id, duration_minutes FROM supervision_notes
    WHERE archived_at IS NULL AND date BETWEEN :start AND :end
),
supervision_fig AS (
    SELECT (SELECT count(*) FROM coaches) AS coaches,
           (SELECT count(DISTINCT nc.coach_id)
              FROM supervision_note_coaches nc JOIN notes ON notes.id = nc.note_id
             WHERE nc.coach_id IN (SELECT id FROM coaches)) AS supervised,
           (SELECT coalesce(sum(duration_minutes), 0) FROM notes
             WHERE EXISTS (SELECT 1 FROM supervision_note_coaches nc
                            WHERE nc.note_id = notes.id
                              AND nc.coach_id IN (SELECT id FROM coaches))) AS sup_minutes
)
SELECT * FROM client_fig, session_fig, episode_fig, appointment_fig, referral_fig, goal_fig,
              barc_fig, supervision_fig
"""


def _rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def _round2(value: Any) -> float | None:
    return None if value is None else round(float(value), 2)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def reference_row(conn: Connection, program_id: int, start: date, end: date) -> dict[str, Any]:
    """Run the query once: its one row as a mapping."""
    query = text(reference_sql(conn.dialect.name)).bindparams(
        bindparam("program_id", type_=Integer()),
        bindparam("start", type_=Date()),
        bindparam("end", type_=Date()),
        bindparam("low", type_=DateTime()),
        bindparam("high", type_=DateTime()),
    )
    params = {
        "program_id": program_id,
        "start": start,
        "end": end,
        "low": datetime.combine(start, time.min),
        "high": datetime.combine(end + timedelta(days=1), time.min),
    }
    if conn.dialect.name == "postgresql":
        # Hand-tuning includes the session: JIT compilation costs this one big query seconds
        # (it is estimated expensive) and saves nothing; SET LOCAL ends with the transaction.
        conn.execute(text("SET LOCAL jit = off"))
    return dict(conn.execute(query, params).mappings().one())


def reference_headline(conn: Connection, program_id: int, start: date, end: date) -> dict:
    """The headline figures of ``metrics.headline`` for the whole program, from one query."""
    r = {
        k: (0 if v is None and not k.endswith(("median", "mean_change", "mean_latest")) else v)
        for k, v in reference_row(conn, program_id, start, end).items()
    }
    n = lambda key: int(r[key])  # noqa: E731 - counts arrive as int, Decimal or None
    return {
        "clients": {
            "enrolled": n("enrolled"),
            "new_intakes": n("new_intakes"),
            "engaged": n("engaged"),
            "engagement_rate": _rate(n("engaged"), n("enrolled")),
        },
        "sessions": {
            "completed": n("completed"),
            "attempted": n("attempted"),
            "minutes": n("minutes"),
            "per_enrolled_client": _rate(n("completed"), n("enrolled")),
        },
        "time_to_first_contact_days": {
            "median": _float(r["ttfc_median"]),
            "n": n("ttfc_n"),
        },
        "appointments": {
            "total": n("appt_total"),
            "attended": n("attended"),
            "no_show": n("no_show"),
            "cancelled": n("cancelled"),
            "rescheduled": n("rescheduled"),
            "pending": n("pending"),
            "no_show_rate": _rate(n("no_show"), n("rated")),
            "no_show_rate_accompanied": _rate(n("ns_planned"), n("rated_planned")),
            "no_show_rate_unaccompanied": _rate(n("ns_unplanned"), n("rated_unplanned")),
            "accompanied": n("accompanied"),
        },
        "referrals": {
            "made": n("ref_made"),
            "linked": n("ref_linked"),
            "linkage_rate": _rate(n("ref_linked"), n("ref_made")),
            "median_days_to_link": _float(r["ref_median"]),
            "by_category": {
                c: {
                    "made": n(f"cat_{c}_made"),
                    "linked": n(f"cat_{c}_linked"),
                    "linkage_rate": _rate(n(f"cat_{c}_linked"), n(f"cat_{c}_made")),
                }
                for c in CATEGORIES
            },
        },
        "retention": {
            str(days): {
                "eligible": n(f"eligible_{days}"),
                "retained": n(f"retained_{days}"),
                "rate": _rate(n(f"retained_{days}"), n(f"eligible_{days}")),
            }
            for days in (30, 60, 90)
        },
        "goals": {
            "opened": n("goals_opened"),
            "achieved": n("goals_achieved"),
            "discontinued": n("goals_discontinued"),
            "achievement_rate": _rate(
                n("goals_achieved"), n("goals_achieved") + n("goals_discontinued")
            ),
        },
        "recovery_capital": {
            "clients_with_two_or_more": n("two_or_more"),
            "mean_change": _round2(r["mean_change"]),
            "improved": n("improved"),
            "mean_latest": _round2(r["mean_latest"]),
        },
        "supervision": {
            "coaches": n("coaches"),
            "coaches_supervised": n("supervised"),
            "coverage": _rate(n("supervised"), n("coaches")),
            "minutes": n("sup_minutes"),
        },
    }
