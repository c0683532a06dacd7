"""Forms of follow-up interviews: record one as done (its date)."""

from __future__ import annotations

from flask_wtf import FlaskForm

from coachapp.forms import DateField, DateRange, HiddenWithoutIds, InputRequired, NotInFuture


class RecordForm(HiddenWithoutIds, FlaskForm):
    """ "Record as done": the day the interview was done (today by default, never later). The
    client page shows one per interview, each with its own ``prefix`` so ids never repeat."""

    done_on = DateField(
        "Done on", validators=[InputRequired(message="Give the date."), DateRange()]
    )

    def __init__(self, *args, today_func=None, **kwargs):
        super().__init__(*args, **kwargs)
        if today_func is not None:
            self.done_on.validators = [*self.done_on.validators, NotInFuture(today_func)]


def form_prefix(enrollment_id: int, kind: str) -> str:
    return f"{kind}-{enrollment_id}"
