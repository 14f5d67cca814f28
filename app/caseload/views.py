"""The case manager's caseload, a young person's page, and invitations."""

from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request
from starlette.responses import RedirectResponse, Response

from app.auth import service as auth_service
from app.auth.deps import CaseManager, CurrentAccount, sign_in_response
from app.auth.models import Account, Role
from app.caseload import service, team
from app.caseload.presenters import qr_code
from app.caseload.sign_up import accept_sign_up, check_sign_up
from app.core.config import get_settings
from app.core.db import SessionDep, end_transaction
from app.core.errors import InvalidInput
from app.core.forms import FormDep, form_state, text_fields
from app.core.schemas import PathId
from app.core.security import hash_password
from app.core.templates import render
from app.survey import service as survey_service

router = APIRouter(include_in_schema=False)
Token = Annotated[str, Path(min_length=10, max_length=100)]
SIGN_UP_FIELDS = ["display_name", "username", "birth_date", "password"]


@router.get("/caseload")
def caseload(
    request: Request,
    session: SessionDep,
    actor: CaseManager,
    q: Annotated[str, Query(max_length=120)] = "",
) -> Response:
    rows = service.caseload(session, actor=actor, search=q)
    reach = [value for value in (actor.contact_phone, actor.contact_note) if value]
    return render(
        request, "caseload/list.html", {"rows": rows, "search": q.strip(), "reach": reach}
    )


@router.post("/invitations")
def create_invitation(
    request: Request, session: SessionDep, actor: CaseManager, name: Annotated[str, Form()] = ""
) -> Response:
    token = service.invite(session, actor=actor, name_hint=name)
    link = get_settings().absolute_url(f"/invitations/{token}")
    days = service.INVITATION_LIFETIME.days
    context = {"link": link, "qr": qr_code(link), "name": name, "days": days}
    return render(request, "caseload/invitation_created.html", context, status_code=201)


@router.get("/people/{person_id}")
def person(
    request: Request, session: SessionDep, actor: CaseManager, person_id: PathId
) -> Response:
    assessments = survey_service.list_assessments(session, actor=actor, subject_id=person_id)
    context = {
        "person": service.person(session, person_id=person_id),
        "summary": service.summary(session, actor=actor, person_id=person_id),
        "latest": next((a for a in assessments if a.completed_at), None),
        "assessments": assessments,
        "also_with": team.also_with(session, actor=actor, person_id=person_id),
    }
    return render(request, "caseload/person.html", context)


def _invitation_page(
    request: Request,
    session: SessionDep,
    token: str,
    account: Account | None = None,
    **context: object,
) -> Response:
    """For a signed-in young person, what joining would mean, to confirm; for others,
    the ways to sign up or sign in."""
    status = int(str(context.pop("status_code", 200)))
    _invitation, manager = service.open_invitation(session, token=token)
    preview = None
    if account is not None and account.role == Role.YOUNG_PERSON:
        preview = service.preview_joining(session, token=token, person=account)
    settings = get_settings()
    values = {
        "token": token,
        "manager": manager,
        "preview": preview,
        "providers": settings.young_people_providers,
        "local_enabled": auth_service.local_accounts_enabled(),
        **context,
    }
    return render(request, "caseload/invitation.html", values, status_code=status)


@router.get("/invitations/{token}", name="invitation")
def invitation(
    request: Request, session: SessionDep, account: CurrentAccount, token: Token
) -> Response:
    """Shows, never uses, the invitation: joining takes the POST below."""
    return _invitation_page(request, session, token, account)


@router.post("/invitations/{token}/join")
def join(session: SessionDep, account: CurrentAccount, token: Token) -> Response:
    """A young person who already has an account, having seen who will see what,
    confirms and joins the caseload."""
    if account is None or account.role != Role.YOUNG_PERSON:
        return RedirectResponse(f"/signin?next=/invitations/{token}", status_code=303)
    service.accept_as(session, token=token, person=account)
    return RedirectResponse("/", status_code=303)


@router.post("/invitations/{token}")
def sign_up(request: Request, session: SessionDep, token: Token, form: FormDep) -> Response:
    """Create the young person's account from the invitation, and sign them in."""
    values = text_fields(form, SIGN_UP_FIELDS)
    try:
        checked = check_sign_up(
            session, token=token, **{n: values.get(n, "") for n in SIGN_UP_FIELDS}
        )
        end_transaction(session)  # Argon2 takes half a second: hold no lock through it
        hashed = hash_password(checked.password)
        person = accept_sign_up(session, sign_up=checked, password_hash=hashed)
    except InvalidInput as error:
        kept = {name: value for name, value in values.items() if name != "password"}
        return _invitation_page(request, session, token, **form_state(kept, error), status_code=422)
    return sign_in_response(request, session, person, "/")
