"""The follow-up interviews' section of the client page (``clients.panels``): the schedule of
each episode and a "Record as done" form for each interview still to record."""

from __future__ import annotations

from coachapp import timeutil
from coachapp.followups.forms import RecordForm, form_prefix
from coachapp.followups.queries import episode_schedules
from coachapp.models import Client, User


def client_panel(client: Client, user: User) -> dict:
    """Context of templates/followups/_client_panel.html: each episode's interviews with a
    "Record as done" form (today by default) for those still to record."""
    today = timeutil.local_today(client.program)
    forms = {}
    schedules = episode_schedules(client, user)
    for item in schedules:
        for interview in item.interviews:
            if interview.recordable:
                form = RecordForm(
                    formdata=None, prefix=form_prefix(item.enrollment.id, interview.kind)
                )
                form.done_on.data = today
                forms[(item.enrollment.id, interview.kind)] = form
    return {"episodes": schedules, "forms": forms, "today": today}
