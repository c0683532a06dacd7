"""What the HTML views share: one commit per request with the services' refusals beside the
form's fields, and the status a form page answers with. The pages' counterpart of
``coachapp/api/common.py`` (``committing``)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import redirect, render_template, request, url_for
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from coachapp import records
from coachapp.extensions import db
from coachapp.forms import show_rule_errors


def label(value: object) -> str:
    """``no_show`` -> ``No show``: an enumeration value (or a column's name) as people read it;
    the ``label`` template filter."""
    if value is None:
        return ""
    text = str(value).replace("_", " ")
    return text[:1].upper() + text[1:]


@dataclass
class Saved:
    """Whether the block of ``saving`` committed (true) or was refused (false)."""

    ok: bool = False

    def __bool__(self) -> bool:
        return self.ok


def show_refusals(form, errors: Mapping[str, str], rename: Mapping[str, str] | None = None):
    """Put a service's refusals beside ``form``'s fields: the form's own
    ``show_rule_errors(errors)`` where it has one, else ``forms.show_rule_errors``."""
    own = getattr(form, "show_rule_errors", None)
    if own is not None:
        own(errors)
    else:
        show_rule_errors(form, errors, rename)


def stale(form) -> None:
    """Nothing was saved because someone else changed the record: say so above the form."""
    db.session.rollback()
    form.form_errors.append(records.StaleRecordError.message)


def refused(form, exc: records.RuleError, rename: Mapping[str, str] | None = None) -> None:
    """A service refused: nothing is saved, its messages go beside the form's fields."""
    db.session.rollback()
    show_refusals(form, exc.errors, rename)


@contextmanager
def checking(form, *, rename: Mapping[str, str] | None = None) -> Iterator[Saved]:
    """Like ``saving`` without the commit: run services' checks before deciding what to do
    (a warning page, say); a refusal goes beside its field and the yielded value is false."""
    passed = Saved()
    try:
        yield passed
    except records.RuleError as exc:
        refused(form, exc, rename)
    else:
        passed.ok = True


@contextmanager
def saving(
    form,
    *,
    rename: Mapping[str, str] | None = None,
    duplicate: tuple[str, str] | None = None,
) -> Iterator[Saved]:
    """Run the services of one request, then commit once; the yielded ``Saved`` is true when
    the commit happened. A rule a service refuses (``records.RuleError``) goes beside its field
    (``rename`` maps the services' names to the form's), a stale version above the form with
    the standard message, and, with ``duplicate=(field, message)``, a unique constraint the
    database refuses beside that field; in every case the transaction is rolled back and
    nothing is saved.

    ::

        with web.saving(form) as saved:
            services.update_goal(record, form.goal_data(), actor=current_user)
        if saved:
            return redirect(...)
        return web.form_page("goals/edit.html", form, goal=record)
    """
    saved = Saved()
    try:
        yield saved
        db.session.commit()
    except records.RuleError as exc:
        refused(form, exc, rename)
    except (records.StaleRecordError, StaleDataError):
        stale(form)
    except IntegrityError:
        if duplicate is None:
            raise
        db.session.rollback()
        field = getattr(form, duplicate[0])
        field.errors = [*field.errors, duplicate[1]]
    else:
        saved.ok = True


def form_status(*, saving: bool = True) -> int:
    """A form page answers 200 when asked for, 422 when it comes back refused after a POST;
    ``saving=False`` for a POST that only redraws the form (a "narrow the list" button): 200."""
    return 422 if request.method == "POST" and saving else 200


def form_page(template: str, form, **context):
    """Render a form page (``form`` is passed to the template as ``form``) with the status
    ``form_status`` picks."""
    return render_template(template, form=form, **context), form_status()


def client_page(client, anchor: str | None = None):
    """Back to the client's page (where a client-linked record is shown), at ``anchor``."""
    return redirect(url_for("clients.detail", client_id=client.id, _anchor=anchor))


def safe_next(target: str | None) -> str | None:
    """``next`` only when it is a local path: never another host, never a scheme."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target
