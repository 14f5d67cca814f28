"""A young person's own part of the audit log: who has looked at or changed their data."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.access_log import presenters
from app.auth.deps import YoungPerson
from app.core.db import SessionDep
from app.core.templates import render
from app.core.types import saved_id

router = APIRouter(include_in_schema=False)


@router.get("/me/access")
def my_access_log(
    request: Request,
    session: SessionDep,
    actor: YoungPerson,
    who: str = "",
    month: str = "",
    page: str = "",
) -> Response:
    """Staff and portal accesses of the last two years, paged and filtered; refusals counted."""
    person_id, page_number = saved_id(actor.id), presenters.page_number(page)
    context = presenters.access_log(
        session, subject_id=person_id, who=who, month=month, page=page_number
    )
    return render(request, "audit/mine.html", context)
