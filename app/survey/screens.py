"""Moving through the survey's screens: where each button leads, and a screen's answers saved
(the pages' part; the answers' rules are `answers.py`)."""

import re
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session
from starlette.datastructures import FormData

from app.auth.models import Account
from app.core.forms import text_fields
from app.core.security import CSRF_FIELD
from app.survey import presenters, service
from app.survey.answers import SentChange, save_answers
from app.survey.errors import BadChangeId
from app.survey.models import Assessment, AssessmentStatus

NAVIGATION = {"next": 1, "back": -1, "later": 0}
# A screen's form fields that are no item, and what an autosave says of its change.
NOT_ANSWERS = (CSRF_FIELD, "nav", "return", "client_id", "based_on", "replaces")
REPLACED_MAX = 20  # the ids of the changes a waiting change replaced, newest last
CLIENT_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
MILLISECONDS = re.compile(r"[0-9]{1,13}")


def screen_url(assessment: Assessment, position: int, theme_count: int) -> str:
    if assessment.status == AssessmentStatus.COMPLETED:
        return f"/assessments/{assessment.id}"
    if position >= theme_count:
        return f"/assessments/{assessment.id}/review"
    return f"/assessments/{assessment.id}/themes/{position + 1}"


def position_after(nav: str, number: int, theme_count: int, returning: bool) -> int:
    """The screen a navigation button leads to; a change made from Check your answers leads
    back to it (one past the last theme)."""
    if returning and nav == "next":
        return theme_count
    return number - 1 + NAVIGATION.get(nav, 1)


def sent_answer(form: FormData) -> tuple[str, str | None, SentChange | None]:
    """The one answer an autosave sends: its item id and value, and what the device says of
    the change (`app/static/app.js` sends its id and what it was made over: a UUID, a time)."""
    items = [key for key in form if key not in NOT_ANSWERS and not key.startswith(BASED_ON)]
    if len(items) > 1:  # one answer at a time: never some of them silently
        raise BadChangeId(field=items[1])
    item_id = items[0] if items else ""
    value = form.get(item_id)
    return item_id, value if isinstance(value, str) else None, _sent_change(form)


def _sent_change(form: FormData) -> SentChange | None:
    client_id, based_on = form.get("client_id"), form.get("based_on")
    if client_id is None:
        return None
    if not isinstance(client_id, str) or not CLIENT_ID.fullmatch(client_id.lower()):
        raise BadChangeId(field="client_id")
    replaces = _replaced(form.get("replaces"))
    if based_on is None:
        return SentChange(client_id.lower(), replaces=replaces)
    if not isinstance(based_on, str) or not MILLISECONDS.fullmatch(based_on):
        raise BadChangeId(field="based_on")
    return SentChange(client_id.lower(), int(based_on), replaces)


def _replaced(sent: object) -> tuple[str, ...]:
    """The earlier changes of this device that the one sent replaced before they were
    answered (comma-separated ids): one of them may have reached the server unanswered."""
    if sent is None or sent == "":
        return ()
    ids = sent.lower().split(",") if isinstance(sent, str) else []
    if not ids or len(ids) > REPLACED_MAX or not all(CLIENT_ID.fullmatch(i) for i in ids):
        raise BadChangeId(field="replaces")
    return tuple(ids)


BASED_ON = "based_on:"  # + an item's id: when the answer the screen was built over was saved


def bases(form: FormData, values: dict[str, str]) -> dict[str, int]:
    """When each answer a screen's form sends was made over was saved (a screen without
    them, as an older kept copy, says nothing: its answers are saved as sent)."""
    found = {}
    for item_id in values:
        sent = form.get(BASED_ON + item_id)
        if isinstance(sent, str) and MILLISECONDS.fullmatch(sent):
            found[item_id] = int(sent)
    return found


@dataclass(frozen=True)
class Saved:
    """A screen's answers saved: where to go next, or the screen again with its problems."""

    url: str = ""
    context: dict[str, Any] | None = None
    status: int = 200


def save_screen(
    session: Session, *, actor: Account, assessment: Assessment, number: int, form: FormData
) -> Saved:
    """Save a screen's answers and move on as its button says; with a problem, the screen
    again with what the person sent, so that nothing they wrote disappears."""
    themes = service.assessment_definition(session, assessment).themes
    count = len(themes)
    if not 1 <= number <= count:
        return Saved(screen_url(assessment, assessment.position, count))
    values = text_fields(form, [item.id for item in themes[number - 1].items])
    problems = save_answers(
        session, actor=actor, assessment=assessment, values=values, based_on=bases(form, values)
    )
    returning = form.get("return") == "check"
    if problems:
        context = presenters.screen(session, assessment, number - 1, values, problems, returning)
        return Saved(context=context, status=max(p.status for p in problems.values()))
    nav = str(form.get("nav"))
    after = position_after(nav, number, count, returning)
    position = service.move_to(session, actor=actor, assessment=assessment, position=after)
    if nav == "later":
        return Saved("/")
    url = screen_url(assessment, position, count)
    return Saved(
        url + (changed_card(themes[number - 1].id) if returning and position >= count else "")
    )


def changed_card(theme_id: str) -> str:
    """Back on Check your answers after a change: the changed theme's card (its heading is
    focused there, `app/static/app.js`), not the top of ten cards."""
    return f"#check-{theme_id}"
