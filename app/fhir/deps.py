"""The portal behind a FHIR request: its bearer token, the person it acts for, the access check.

Every request but /metadata carries a bearer JWT from the portal's issuer. The
token's subject is the young person (their linked portal identity); the portal
sees only that person's data, within the token's SMART scopes. Every request is
audited with the client id, the token subject, the resource and the outcome.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from sqlmodel import Session

from app.audit import service as audit
from app.audit.actions import AuditAction
from app.audit.models import AuditEvent, Outcome
from app.auth import access, identities
from app.auth.models import Account
from app.core.config import get_settings
from app.core.db import SessionDep
from app.core.errors import AppError
from app.fhir import search, tokens
from app.fhir.errors import unauthorized

PREFIX = "/fhir/R4/"
Loaded = TypeVar("Loaded")


def base_url() -> str:
    """The FHIR base, from the configured public URL (never from the request's Host)."""
    return get_settings().absolute_url(PREFIX.rstrip("/"))


def self_link(request: Request) -> str:
    query = f"?{request.url.query}" if request.url.query else ""
    return get_settings().absolute_url(request.url.path) + query


@dataclass(frozen=True)
class Portal:
    """A request from the portal: its validated token and the person it acts for."""

    token: tokens.AccessToken
    person: Account | None

    @property
    def person_id(self) -> int | None:
        return self.person.id if self.person else None

    def authorize(
        self, session: Session, needed: str, action: AuditAction, object_type: str, **kw: Any
    ) -> AuditEvent:
        return access.authorize_client(
            session,
            client_id=self.token.client_id,
            token_subject=self.token.subject,
            person_id=self.person_id,
            granted=self.token.scopes,
            needed=needed,
            action=action,
            object_type=object_type,
            **kw,
        )


def _bearer_token(request: Request) -> tokens.AccessToken:
    """The request's valid token, or 401 (the refusal audited, without a person)."""
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    reason: str | None = None  # None: no token at all (a bare challenge)
    if scheme.lower() == "bearer" and credentials.strip():
        try:
            return tokens.validate(credentials.strip())
        except tokens.TokenRefused as refusal:
            reason = str(refusal)
    resource = request.url.path.removeprefix(PREFIX).split("/", 1)[0][:40] or "unknown"
    error = unauthorized(reason)
    error.keep = [
        access.client_event(
            Outcome.DENIED,
            client_id=None,
            token_subject=None,
            subject_id=None,
            action=AuditAction.FHIR_TOKEN,
            object_type=resource,
            object_id=None,
        )
    ]
    raise error


def portal(request: Request, session: SessionDep) -> Portal:
    token = _bearer_token(request)
    issuer = get_settings().fhir_issuer or ""
    linked = identities.account_for(session, issuer=issuer, subject=token.subject)
    return Portal(token=token, person=identities.active_young_person(linked))


Caller = Annotated[Portal, Depends(portal)]


def refused(allowed: AuditEvent, error: AppError) -> AppError:
    """An allowed request that then failed is rolled back; its audit row is kept, as invalid."""
    error.keep.append(audit.as_invalid(allowed))
    return error


def read_own(
    session: Session,
    caller: Portal,
    resource_type: str,
    resource_id: str,
    load: Callable[[Session, int], tuple[Loaded, int] | None],
) -> tuple[Loaded, Account]:
    """One object of the token's person by id, with its owner from `load`; else 404 (audited)."""
    number = search.number(resource_id)
    found = load(session, number) if number else None
    caller.authorize(
        session,
        f"patient/{resource_type}.read",
        AuditAction.FHIR_READ,
        resource_type,
        object_id=number,
        owner_id=found[1] if found else None,
        exists=found is not None,
    )
    assert found is not None and caller.person is not None
    return found[0], caller.person


def own_person(request: Request, caller: Portal) -> Account | None:
    """The token's person, if the `subject`/`patient` search values name only them."""
    wanted = request.query_params.getlist("subject") + request.query_params.getlist("patient")
    return caller.person if search.names_only(wanted, caller.person_id) else None


def authored_filters(request: Request, allowed: AuditEvent) -> list[search.DateFilter]:
    """The `authored` (or `date`) search values; a bad one is a 400, audited as invalid."""
    dates = request.query_params.getlist("authored") + request.query_params.getlist("date")
    try:
        return search.date_filters(dates)
    except search.BadSearch as error:
        raise refused(allowed, error) from None
