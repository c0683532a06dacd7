"""Appointments: schedule one from the client's page, edit or archive it, record its outcome in
one tap, the "today" and "this week" lists and the calendar feed. Every route declares its
access rule (coachapp.access)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta, timezone

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from icalendar import Calendar, Event

from coachapp import access, audit, timeutil, web
from coachapp.appointments import bp, queries, services
from coachapp.appointments.forms import BEFORE_THE_TIME, AppointmentForm, OutcomeForm
from coachapp.extensions import db, limiter
from coachapp.forms import ArchiveForm, EmptyForm, validate_in_one_pass
from coachapp.models import Appointment, Client
from coachapp.models.base import parse_id
from coachapp.models.enums import AppointmentOutcome, AuditAction, Modality, Role, SessionKind
from coachapp.sessions import queries as session_queries
from coachapp.sessions import services as session_services
from coachapp.sessions.forms import SessionForm

# Where a form sends the user back to: the client page unless ``?back=`` names a list.
BACK_TARGETS = {"today": "appointments.today", "week": "appointments.week"}
# Calendars draw a zero-length event badly; appointments carry no end, so show an hour.
FEED_EVENT_LENGTH = timedelta(hours=1)


def _back(client: Client):
    endpoint = BACK_TARGETS.get(request.args.get("back", "", type=str))
    if endpoint:
        return redirect(url_for(endpoint))
    return redirect(url_for("clients.detail", client_id=client.id))


def _back_arg() -> str | None:
    back = request.args.get("back", "", type=str)
    return back if back in BACK_TARGETS else None


def _appointment_form(client: Client, *, keep_id: int | None = None, **kwargs) -> AppointmentForm:
    return AppointmentForm(
        resources=queries.resource_options(client.program_id, keep_id=keep_id), **kwargs
    )


def _warn_clashes(clashes: list[Appointment]) -> None:
    """A warning, never a refusal: the coach may have arranged it. Times and kinds only (the
    other appointment may be of a client this page is not about)."""
    if not clashes:
        return
    listed = "; ".join(
        f"{a.scheduled_at.strftime('%a %Y-%m-%d %H:%M')} ({a.kind.replace('_', ' ')}"
        f"{', you plan to go along' if a.accompaniment_planned else ''})"
        for a in clashes
    )
    flash(
        "Check your diary: this appointment is within an hour of another one of yours where "
        f"going along is planned: {listed}.",
        "warning",
    )


def _initial(appointment: Appointment) -> dict:
    return {
        "date": appointment.scheduled_at.date(),
        "time": appointment.scheduled_at.time(),
        "kind": appointment.kind,
        "location": appointment.location,
        "resource_id": str(appointment.resource_id) if appointment.resource_id else "",
        "accompaniment_planned": appointment.accompaniment_planned,
        "notes": appointment.notes,
    }


@bp.route("/clients/<int:client_id>/appointments/new", methods=["GET", "POST"])
@access.client_route
def new(client: Client):
    """Schedule an appointment. ``?from=<id>`` (after "rescheduled") copies kind, where,
    resource and accompaniment from one of this client's appointments."""
    form = _appointment_form(client)
    if request.method == "GET":
        form.date.data = timeutil.local_today(client.program)
        source_id = parse_id(request.args.get("from"))
        if source_id is not None:
            source = queries.client_appointment(client, source_id, current_user)
            if source is not None:
                initial = _initial(source)
                for key in ("kind", "location", "resource_id", "accompaniment_planned"):
                    getattr(form, key).data = initial[key]
    if validate_in_one_pass(form, lambda: services.check_appointment(client, form.data_dict())):
        with web.saving(form) as saved:
            created = services.create_appointment(client, form.data_dict(), actor=current_user)
            clashes = queries.accompaniment_clashes(created)
        if saved:
            flash("Appointment scheduled.", "success")
            _warn_clashes(clashes)
            return _back(client)
    return web.form_page("appointments/new.html", form, client=client)


@bp.route("/appointments/<int:appointment_id>/edit", methods=["GET", "POST"])
@access.record_route(Appointment, "appointment_id")
def edit(record: Appointment, client: Client):
    """Change when, kind, where, resource, accompaniment planned and notes (optimistic
    locking); the outcome has its own page."""
    form = _appointment_form(client, keep_id=record.resource_id)
    if request.method == "GET":
        form.process(data=_initial(record) | {"version": record.version})

    def rules() -> None:
        services.check_appointment(client, form.data_dict(), appointment=record)

    if validate_in_one_pass(form, rules):
        with web.saving(form) as saved:
            changed = services.update_appointment(
                record, form.data_dict(), version=form.version_value(), actor=current_user
            )
            clashes = queries.accompaniment_clashes(record) if changed else []
        if saved:
            flash("Appointment saved.", "success")
            _warn_clashes(clashes)
            return _back(client)
    return _edit_page(form, record, client, ArchiveForm(formdata=None))


def _edit_page(form, record: Appointment, client: Client, archive_form):
    return web.form_page(
        "appointments/edit.html",
        form,
        appointment=record,
        client=client,
        archive_form=archive_form,
        back=_back_arg(),
        now_local=timeutil.local_now(client.program),
    )


@bp.route("/appointments/<int:appointment_id>/archive", methods=["POST"])
@access.record_route(Appointment, "appointment_id")
def archive(record: Appointment, client: Client):
    """Archive an appointment entered by mistake (a reason is required)."""
    form = ArchiveForm()
    if not form.validate_on_submit():
        edit_form = _appointment_form(client, keep_id=record.resource_id, formdata=None)
        edit_form.process(data=_initial(record) | {"version": record.version})
        return _edit_page(edit_form, record, client, form)
    services.archive_appointment(record, reason=form.reason.data, actor=current_user)
    db.session.commit()
    flash("Appointment archived.", "success")
    return _back(client)


@bp.route("/appointments/<int:appointment_id>/outcome", methods=["GET", "POST"])
@access.record_route(Appointment, "appointment_id")
def outcome(record: Appointment, client: Client):
    """Record what happened, one tap per answer (optimistic locking). Attended and no-show
    only once the appointment's time has come (program-local)."""
    form = OutcomeForm()
    if request.method == "GET":
        form.version.data = record.version

    def rules() -> None:
        services.check_outcome(
            record, outcome=form.outcome.data, coach_accompanied=form.accompanied_value()
        )

    if validate_in_one_pass(form, rules):
        with web.saving(form) as saved:
            services.record_outcome(
                record,
                outcome=form.outcome.data,
                coach_accompanied=form.accompanied_value(),
                version=form.version_value(),
                actor=current_user,
            )
        if saved:
            if form.outcome.data == AppointmentOutcome.RESCHEDULED:
                flash("Marked rescheduled. Schedule the new date here.", "success")
                return redirect(
                    url_for("appointments.new", client_id=client.id, **{"from": record.id})
                )
            if record.outcome == AppointmentOutcome.ATTENDED and record.coach_accompanied:
                flash(
                    "Outcome recorded: attended, you went along. Log the accompaniment session "
                    "below: review the note, then save (or skip it).",
                    "success",
                )
                return redirect(
                    url_for(
                        "appointments.accompaniment", appointment_id=record.id, back=_back_arg()
                    )
                )
            flash(f"Outcome recorded: {form.outcome.data.replace('_', ' ')}.", "success")
            return _back(client)
    # Hidden-field errors have no place beside an input: show them above the buttons.
    errors = [*form.form_errors, *form.outcome.errors, *form.coach_accompanied.errors]
    now_local = timeutil.local_now(client.program)
    return web.form_page(
        "appointments/outcome.html",
        form,
        errors=errors,
        appointment=record,
        client=client,
        now_local=now_local,
        in_future=record.scheduled_at > now_local,
        before_the_time=BEFORE_THE_TIME,
        back=_back_arg(),
    )


ACCOMPANIMENT_MINUTES = 60  # appointments carry no length: a starting value to adjust


def _accompaniment_note(appointment: Appointment) -> str:
    where = appointment.location or (
        appointment.resource.name if appointment.resource is not None else None
    )
    kind = appointment.kind.replace("_", " ")
    return f"Went along to the {kind} appointment" + (f" ({where})." if where else ".")


@bp.route("/appointments/<int:appointment_id>/accompaniment", methods=["GET", "POST"])
@access.record_route(Appointment, "appointment_id")
def accompaniment(record: Appointment, client: Client):
    """The accompaniment session of an attended appointment the coach went along to, offered
    prefilled from it (date, kind, modality, a starting length and note): the coach reviews it
    and saves, or skips. Saving logs an ordinary session (sessions.services)."""
    if record.outcome != AppointmentOutcome.ATTENDED or not record.coach_accompanied:
        flash("Record that you went along to this appointment first.", "info")
        return redirect(url_for("appointments.outcome", appointment_id=record.id))
    form = SessionForm(goals=session_queries.offered_goals(client, current_user))
    if request.method == "GET":
        form.date.data = record.scheduled_at.date()
        form.kind.data = SessionKind.ACCOMPANIMENT.value
        form.modality.data = Modality.IN_PERSON.value
        form.duration_minutes.data = ACCOMPANIMENT_MINUTES
        form.note.data = _accompaniment_note(record)
    if form.validate_on_submit():
        with web.saving(form) as saved:
            session_services.create_session(client, form.session_data(), actor=current_user)
        if saved:
            flash("Accompaniment session logged.", "success")
            return _back(client)
    logged = queries.accompaniment_logged(client, record.scheduled_at.date(), current_user)
    return web.form_page(
        "appointments/accompaniment.html",
        form,
        client=client,
        appointment=record,
        already_logged=logged,
        back=_back_arg(),
    )


# --- Lists -------------------------------------------------------------------------------------


@bp.route("/appointments/today")
@access.roles(Role.COACH, Role.SUPERVISOR, client_data=True)
def today():
    """Today's appointments (program-local) of the user's visible clients, and earlier ones
    whose outcome is still missing."""
    program = current_user.program
    day = timeutil.local_today(program)
    rows = queries.days(current_user, day, 1)
    missing = queries.overdue(current_user, queries.day_start(day))
    return render_template(
        "appointments/today.html",
        day=day,
        rows=rows,
        missing=missing,
        missing_limit=queries.OVERDUE_LIMIT,
        now_local=timeutil.local_now(program),
        show_coach=current_user.role != Role.COACH,
    )


@bp.route("/appointments/week")
@access.roles(Role.COACH, Role.SUPERVISOR, client_data=True)
def week():
    """The next seven program-local days, today first, of the user's visible clients."""
    program = current_user.program
    first = timeutil.local_today(program)
    by_day: dict = defaultdict(list)
    for row in queries.days(current_user, first, 7):
        by_day[row.scheduled_at.date()].append(row)
    return render_template(
        "appointments/week.html",
        days=[(first + timedelta(days=n), by_day[first + timedelta(days=n)]) for n in range(7)],
        first=first,
        now_local=timeutil.local_now(program),
        show_coach=current_user.role != Role.COACH,
    )


def _summary(appointment: Appointment) -> str:
    """Initials and kind only: a calendar is seen by people and services a client never
    consented to, so no name and no note ever goes into it."""
    return f"{appointment.client.initials} · {appointment.kind.replace('_', ' ')}"


def calendar_file(user) -> tuple[bytes, int]:
    """The iCalendar of ``user``'s still-scheduled appointments for the next 90 days (visible
    clients only; initials and kind, never names or notes) and how many it holds. Audited as an
    export; the caller commits."""
    day = timeutil.local_today(user.program)
    rows = queries.feed(user, day)
    calendar = Calendar()
    calendar.add("prodid", "-//coachapp//appointments//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "coachapp appointments")
    stamp = datetime.now(timezone.utc)
    for row in rows:
        event = Event()
        event.add("uid", f"appointment-{row.id}@coachapp")
        event.add("dtstamp", stamp)
        event.add("sequence", row.version)
        event.add("summary", _summary(row))
        event.add("dtstart", row.scheduled_at.replace(tzinfo=timeutil.zone(row.client.program)))
        event.add("duration", FEED_EVENT_LENGTH)
        where = row.location or (row.resource.name if row.resource is not None else None)
        if where:
            event.add("location", where)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical(), len(rows)


@bp.route("/appointments/upcoming.ics")
@access.roles(Role.COACH, Role.SUPERVISOR)
def feed():
    """iCalendar file of the user's still-scheduled appointments for the next 90 days
    (visible clients only; initials and kind, never names or notes). Audited as an export."""
    return _calendar_export(
        current_user,
        "calendar feed",
        {"Content-Disposition": 'attachment; filename="appointments.ics"'},
    )


def _calendar_export(user, source: str, headers: dict) -> Response:
    """``user``'s calendar file, audited as an export (``source`` says how it was fetched)."""
    body, count = calendar_file(user)
    audit.record(
        AuditAction.EXPORT,
        actor=user,
        entity_type="appointment",
        detail=f"{source}, {count} appointments",
    )
    db.session.commit()
    return Response(body, mimetype="text/calendar", headers=headers)


# --- Calendar subscription (a phone's calendar app polls a secret address) -----------------------


def _subscription_page(new_token: str | None = None, status: int = 200):
    return render_template(
        "appointments/subscription.html",
        live=services.live_feed_token(current_user),
        feed_url=(
            url_for("appointments.subscription_feed", token=new_token, _external=True)
            if new_token
            else None
        ),
        form=EmptyForm(),
    ), status


@bp.route("/appointments/subscription")
@access.roles(Role.COACH, Role.SUPERVISOR)
def subscription():
    """Subscribe to your appointments from a phone's calendar: create, replace or stop a
    secret address."""
    return _subscription_page()


@bp.route("/appointments/subscription/new", methods=["POST"])
@access.roles(Role.COACH, Role.SUPERVISOR, client_data=True)  # the page carries a secret
def new_subscription():
    """A new secret address, shown once; the previous one stops working."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    token = services.create_feed_token(current_user)
    db.session.commit()
    return _subscription_page(token)


@bp.route("/appointments/subscription/revoke", methods=["POST"])
@access.roles(Role.COACH, Role.SUPERVISOR)
def revoke_subscription():
    if not EmptyForm().validate_on_submit():
        abort(400)
    if services.revoke_feed_tokens(current_user):
        flash("Calendar subscription stopped: the address no longer works.", "success")
    db.session.commit()
    return redirect(url_for("appointments.subscription"))


def _feed_limit() -> str:
    return current_app.config.get("CALENDAR_FEED_RATE_LIMIT", "60 per hour")


@bp.route("/calendar/<token>.ics")
@access.public
@limiter.limit(_feed_limit)
def subscription_feed(token: str):
    """The subscribed calendar: authenticated by the secret token in the address (no cookie,
    since a phone's calendar app has none). An unknown, revoked or deactivated user's token is
    404, like any missing page. Same content as the download; audited as an export; no-store."""
    user = services.user_for_feed_token(token)
    if user is None or user.role not in (Role.COACH, Role.SUPERVISOR):
        db.session.rollback()
        abort(404)
    # No cookie, no signed-in user: the answer says itself that it is never to be cached.
    return _calendar_export(
        user,
        "calendar subscription",
        {"Cache-Control": "no-store", "Content-Disposition": "inline"},
    )
