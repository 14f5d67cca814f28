"""The signed-in session as JSON: who the API is acting for, and the token for changes."""

from fastapi import APIRouter, Request
from pydantic import BaseModel

from app.auth.deps import SignedIn
from app.auth.models import Role
from app.core.openapi import problem_responses
from app.core.security import csrf_token_for

router = APIRouter(tags=["session"], responses=problem_responses(401))


class SessionPublic(BaseModel):
    account_id: int
    display_name: str
    role: Role
    # Send it as the X-CSRF-Token header with every POST, PUT, PATCH and DELETE.
    csrf_token: str


@router.get("/session", response_model=SessionPublic)
def current_session(request: Request, account: SignedIn) -> SessionPublic:
    """The signed-in account, and the CSRF token bound to this session."""
    return SessionPublic(
        account_id=account.id or 0,
        display_name=account.display_name,
        role=account.role,
        csrf_token=csrf_token_for(request.state.csrf_binding),
    )
