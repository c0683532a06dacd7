"""A client's appointments: list and schedule; record the outcome after the fact (api.md)."""

from __future__ import annotations

from coachapp import access
from coachapp.api import blp
from coachapp.api.auth import api_user, token_required
from coachapp.api.common import (
    audit_read,
    check_version,
    committing,
    program_wall_clock,
    scoped_client,
    scoped_record,
)
from coachapp.api.idempotency import idempotent
from coachapp.api.pagination import paginate
from coachapp.api.schemas import (
    AppointmentCreateSchema,
    AppointmentPage,
    AppointmentPatchSchema,
    AppointmentSchema,
    PageArgs,
)
from coachapp.appointments import services
from coachapp.extensions import db
from coachapp.models import Appointment
from coachapp.models.enums import AppointmentOutcome

# The services name the form's fields; the API names the object's.
RENAME = {"date": "scheduled_at", "time": "scheduled_at"}


def appointment_out(appointment: Appointment) -> dict:
    data = {key: getattr(appointment, key) for key in services.DETAIL_FIELDS}
    data.update(
        id=appointment.id,
        client_id=appointment.client_id,
        outcome=appointment.outcome,
        coach_accompanied=appointment.coach_accompanied,
        version=appointment.version,
    )
    return data


def _record_outcome(appointment: Appointment, data: dict) -> None:
    """The outcome part of a request, through ``services.record_outcome``; nothing to do when
    it repeats what is recorded (a client sending back the object it read)."""
    if "outcome" not in data and "coach_accompanied" not in data:
        return
    outcome = data.get("outcome", appointment.outcome)
    accompanied = data.get("coach_accompanied")
    if "coach_accompanied" not in data and outcome == appointment.outcome:
        accompanied = appointment.coach_accompanied
    if outcome == appointment.outcome and (
        accompanied == appointment.coach_accompanied or outcome != AppointmentOutcome.ATTENDED
    ):
        return
    services.record_outcome(
        appointment,
        outcome=outcome,
        coach_accompanied=accompanied,
        version=None,  # checked once, before any change
        actor=api_user(),
    )


@blp.route("/clients/<int:client_id>/appointments", methods=["GET"])
@token_required()
@blp.arguments(PageArgs, location="query")
@blp.response(200, AppointmentPage)
def list_appointments(args, client_id: int):
    """The client's appointments, latest ``scheduled_at`` first."""
    client = scoped_client(client_id)
    audit_read(client, "appointment")
    query = (
        access.client_child_select(Appointment, api_user())
        .where(Appointment.client_id == client.id)
        .order_by(Appointment.scheduled_at.desc(), Appointment.id.desc())
    )
    page = paginate(query, args)
    page["items"] = [appointment_out(a) for a in page["items"]]
    return page


@blp.route("/clients/<int:client_id>/appointments", methods=["POST"])
@token_required()
@idempotent
@blp.arguments(AppointmentCreateSchema)
@blp.response(201, AppointmentSchema)
def create_appointment(data, client_id: int):
    """Schedule an appointment (past or future). Entered after the fact, it may carry its
    ``outcome`` (and ``coach_accompanied`` for attended) at once."""
    client = scoped_client(client_id)
    data["scheduled_at"] = program_wall_clock(data["scheduled_at"], client.program)
    with committing(RENAME):
        appointment = services.create_appointment(client, data, actor=api_user())
        _record_outcome(appointment, data)
        db.session.flush()  # the new version, for the answer
        out = appointment_out(appointment)
    return out


@blp.route("/appointments/<int:appointment_id>", methods=["PATCH"])
@token_required()
@blp.arguments(AppointmentPatchSchema)
@blp.response(200, AppointmentSchema)
def patch_appointment(data, appointment_id: int):
    """Change an appointment and/or record its outcome (attended and no-show once its time
    has come; ``coach_accompanied`` with attended). A stale ``version`` answers 409."""
    appointment = scoped_record(Appointment, appointment_id)
    check_version(appointment, data.pop("version", None))
    if "scheduled_at" in data:
        data["scheduled_at"] = program_wall_clock(data["scheduled_at"], appointment.client.program)
    with committing(RENAME):
        details = {k: v for k, v in data.items() if k in services.DETAIL_FIELDS}
        if details:
            services.update_appointment(appointment, details, version=None, actor=api_user())
        _record_outcome(appointment, data)
        db.session.flush()  # the new version, for the answer
        out = appointment_out(appointment)
    return out
