from __future__ import annotations

from flask import g, render_template, request
from flask_login import current_user

from coachapp import access, audit
from coachapp.clients import bp
from coachapp.clients.panels import build_panels
from coachapp.clients.queries import caseload
from coachapp.extensions import db
from coachapp.models import Client
from coachapp.models.enums import AuditAction, ClientStatus, Role

STATUS_CHOICES = [s.value for s in ClientStatus]


@bp.route("/")
@access.roles(Role.COACH, Role.SUPERVISOR, Role.ADMIN)
def index():
    q = request.args.get("q", "", type=str)[:100]
    status = request.args.get("status", "", type=str)
    if status not in STATUS_CHOICES:
        status = ""
    clients = db.paginate(caseload(current_user, q=q, status=status or None), per_page=50)
    g.client_data = True
    return render_template(
        "clients/index.html", clients=clients, q=q, status=status, statuses=STATUS_CHOICES
    )


@bp.route("/<int:client_id>")
@access.client_route
def detail(client: Client):
    audit.record(
        AuditAction.VIEW,
        actor=current_user,
        entity_type="client",
        entity_id=client.id,
        client_id=client.id,
    )
    db.session.commit()
    g.client_data = True
    return render_template(
        "clients/detail.html", client=client, panels=build_panels(client, current_user)
    )
