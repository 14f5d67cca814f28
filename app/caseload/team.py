"""Who works with a young person: their case managers, as a read model for the caseload,
the person's page and the invitation. Reads only."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session, col

from app.auth.models import Account, CaseAssignment
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
    statement = (
        select(
            col(CaseAssignment.young_person_id),
            col(Account.id),
            col(Account.display_name),
            col(Account.role),
            col(Account.organisation),
            col(CaseAssignment.created_at),
        )
        .join(Account, col(Account.id) == col(CaseAssignment.case_manager_id))
        .where(col(CaseAssignment.young_person_id).in_(people))
        .order_by(col(CaseAssignment.created_at), col(CaseAssignment.id))
    )
    if besides is not None:
        statement = statement.where(col(CaseAssignment.case_manager_id) != besides)
    found: dict[int, list[Colleague]] = {}
    for person_id, manager_id, name, role, organisation, since in session.execute(statement):
        colleague = Colleague(person_id, saved_id(manager_id), name, role, organisation, since)
        found.setdefault(person_id, []).append(colleague)
    return found


def also_with(session: Session, *, actor: Account, person_id: int) -> list[Colleague]:
    """Who else works with a person in the actor's caseload (the caller has checked access)."""
    return managers_of(session, [person_id], besides=actor.id).get(person_id, [])
