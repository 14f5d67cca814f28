"""Plan forms: the browser's strings turned into the service's values, or field problems."""

from datetime import date
from typing import Any

from starlette.datastructures import FormData

from app.core.bounds import date_in_range
from app.core.errors import AppError, FieldError, InvalidInput
from app.core.forms import text_fields
from app.plan.agreement import Seen
from app.plan.errors import DateInvalid, TextRequired
from app.plan.models import GoalStatus
from app.plan.owners import read_choice

ACTION_FIELDS = ["text", "owner", "service_name", "due_on"]
REVIEW_FIELDS = ["held_on", "agreed", "changed", "next_review_on"]


def _date(form: FormData, name: str, problems: list[FieldError]) -> date | None:
    raw = str(form.get(name) or "").strip()
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        day = None
    if day is None or not date_in_range(day):
        problems.extend(DateInvalid(field=name).errors)
    return day if day is not None and date_in_range(day) else None


def _choice(form: FormData, name: str, allowed: type[Any], problems: list[FieldError]) -> Any:
    raw = str(form.get(name) or "")
    try:
        return allowed(raw)
    except ValueError:
        problems.extend(TextRequired(field=name).errors)
        return None


def _owner(form: FormData, problems: list[FieldError]) -> dict[str, Any]:
    """Who does an action, as the form chose it: a kind and, for a named person, their id."""
    try:
        owner, owner_id = read_choice(str(form.get("owner") or ""))
    except ValueError:
        problems.extend(TextRequired(field="owner").errors)
        return {"owner": None}
    return {"owner": owner, "owner_id": owner_id}


def version(form: FormData) -> int:
    raw = str(form.get("version") or "")
    if not raw.isdecimal() or len(raw) > 9:
        raise InvalidInput(field="version")
    return int(raw)


def seen(form: FormData) -> Seen | None:
    """What the page showed when the person proposed or agreed (None: a form that says not)."""
    raw = str(form.get("revision") or "")
    if not raw:
        return None
    if not raw.isdecimal() or len(raw) > 9:
        raise InvalidInput(field="agreement")
    return Seen(revision=int(raw), agreeing=form.get("choice") == "agree")


def _raise(problems: list[FieldError]) -> None:
    if problems:
        raise InvalidInput(errors=problems)


def goal(form: FormData, *, with_status: bool) -> dict[str, Any]:
    problems: list[FieldError] = []
    values: dict[str, Any] = {
        "text": str(form.get("text") or ""),
        "themes": [str(t) for t in form.getlist("themes")],
    }
    if with_status:
        values["status"] = _choice(form, "status", GoalStatus, problems)
    _raise(problems)
    return values


def action(form: FormData, *, partial: bool = False) -> dict[str, Any]:
    """A new action, or (partial) only the fields the form sent, e.g. just `done`."""
    problems: list[FieldError] = []
    readers = {
        "text": lambda: str(form.get("text") or ""),
        "service_name": lambda: str(form.get("service_name") or "") or None,
        "due_on": lambda: _date(form, "due_on", problems),
    }
    values: dict[str, Any] = {
        name: read() for name, read in readers.items() if not partial or name in form
    }
    if not partial or "owner" in form:
        values.update(_owner(form, problems))
    if "done_present" in form:
        values["done"] = form.get("done") == "on"
    _raise(problems)
    return values


def review(form: FormData) -> dict[str, Any]:
    problems: list[FieldError] = []
    held_on = _date(form, "held_on", problems)
    if held_on is None and not problems:
        problems.extend(TextRequired(field="held_on").errors)
    values = {
        "held_on": held_on,
        "agreed": str(form.get("agreed") or ""),
        "changed": str(form.get("changed") or ""),
        "next_review_on": _date(form, "next_review_on", problems),
    }
    _raise(problems)
    return values


def sent(kind: str, form: FormData) -> dict[str, Any]:
    """What the person sent in a goal's, action's or review's form, to show again if refused."""
    if kind == "goal":
        return {**text_fields(form, ["text", "status"]), "themes": form.getlist("themes")}
    return text_fields(form, ACTION_FIELDS if kind == "action" else REVIEW_FIELDS)


def new(kind: str, form: FormData) -> dict[str, Any]:
    """A new goal's, action's or review's values."""
    if kind == "goal":
        return goal(form, with_status=False)
    return action(form) if kind == "action" else review(form)


def changes(kind: str, form: FormData) -> dict[str, Any]:
    """An edit form's values: a goal's whole form, an action's sent fields, a review's form."""
    if kind == "goal":
        return goal(form, with_status=True)
    return action(form, partial=True) if kind == "action" else review(form)


def problems_by_field(error: AppError) -> dict[str, FieldError]:
    return {e.field: e for e in error.errors}
