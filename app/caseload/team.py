"""Who works with a young person: their case managers, as a read model for the caseload,
the person's page and the invitation. Reads only."""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from app.auth import service as auth_service
from app.auth.models import Account
from app.auth.naming import describe
from app.core.types import saved_id


@dataclass(frozen=True)
class Colleague:
    """A case manager who works with a young person, as the account is now."""

    person_id: int
    manager_id: int
    name: str
    role: str
    organisation: str | None
    since: datetime

    @property
    def label(self) -> str:
        return describe(self.name, self.role, self.organisation)


def managers_of(
    session: Session, people: list[int], *, besides: int | None = None
) -> dict[int, list[Colleague]]:
    """The case managers of each person (longest first), in one query; `besides` left out."""
    return {
        person_id: [
            Colleague(
                person_id,
                saved_id(manager.id),
                manager.display_name,
                manager.role,
                manager.organisation,
                since,
            )
            for manager, since in managers
        ]
        for person_id, managers in auth_service.case_managers(
            session, people, besides=besides
        ).items()
    }


def also_with(session: Session, *, actor: Account, person_id: int) -> list[Colleague]:
    """Who else works with a person in the actor's caseload (the caller has checked access)."""
    return managers_of(session, [person_id], besides=actor.id).get(person_id, [])
