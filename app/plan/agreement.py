"""Agreeing on a plan version: one side proposes it, the other side's agreement freezes it.

A proposal is for one plan revision. Any later change makes it stale (the plan
is a draft again); an agreed version stays as it was, viewable and printable.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.auth.models import Account, Role
from app.core.errors import NotFound
from app.core.i18n import N_, Labelled
from app.core.types import saved_id, utcnow
from app.plan import queries, service
from app.plan.models import Plan, PlanAgreement, PlanState


def snapshot(session: Session, *, plan: Plan) -> dict[str, Any]:
    whole = queries.view(session, plan=plan)
    return {
        "revision": plan.revision,
        "goals": [
            {**service.data(g.goal), "actions": [service.data(a) for a in g.actions]}
            for g in whole.goals
        ],
        "reviews": [service.data(r) for r in whole.reviews],
    }


@dataclass(frozen=True)
class Status:
    state: PlanState
    proposal: PlanAgreement | None
    last_agreed: PlanAgreement | None


def state_of(agreement_id: int | None, agreed_at: datetime | None) -> PlanState:
    """The rule, from the current revision's agreement (if any): agreed once both sides have,
    proposed while one has, else a draft. The plan page and the caseload both decide by it."""
    if agreed_at is not None:
        return PlanState.AGREED
    return PlanState.PROPOSED if agreement_id is not None else PlanState.DRAFT


class Standing(Labelled):
    """A plan's state as one side of it reads it in a list: whose move it is."""

    NOT_STARTED = "not_started", N_("not started")
    EMPTY = "empty", N_("draft (no goals)")
    DRAFT = "draft", N_("draft")
    YOURS = "yours", N_("waiting for your agreement")  # the other side proposed it
    THEIRS = "theirs", N_("proposed, waiting for the other side")
    AGREED = "agreed", N_("agreed")


def standing_of(
    state: PlanState | None, *, goals: int, proposed_by_role: str | None, reader: str
) -> Standing:
    """The rule for lists (the caseload): a plan without goals is an empty draft; a proposal is
    the reader's to agree to unless the reader's side made it. `state` None: no plan yet."""
    if state is None:
        return Standing.NOT_STARTED
    if state is PlanState.AGREED:
        return Standing.AGREED
    if state is PlanState.PROPOSED:
        return Standing.THEIRS if proposed_by_role == str(reader) else Standing.YOURS
    return Standing.DRAFT if goals else Standing.EMPTY


def of_current_revision() -> ColumnElement[bool]:
    """Join condition: the agreement, if any, on the plan's current revision (for read models
    that decide many plans' states in one query, with `state_of`)."""
    return (col(PlanAgreement.plan_id) == col(Plan.id)) & (
        col(PlanAgreement.revision) == col(Plan.revision)
    )


def status(session: Session, *, plan: Plan) -> Status:
    agreements = session.exec(
        select(PlanAgreement)
        .where(PlanAgreement.plan_id == plan.id)
        .order_by(col(PlanAgreement.revision).desc())
    ).all()
    current = next((a for a in agreements if a.revision == plan.revision), None)
    last_agreed = next((a for a in agreements if a.agreed_at is not None), None)
    state = state_of(current.id, current.agreed_at) if current else state_of(None, None)
    if state is PlanState.AGREED:
        return Status(state, None, current)
    return Status(state, current, last_agreed)


def agree(session: Session, *, actor: Account, plan: Plan) -> PlanAgreement:
    """Propose the current revision, or agree to the other side's proposal of it."""
    # Hold the plan while reading it, so the snapshot is exactly this revision.
    locked = session.exec(select(Plan).where(Plan.id == plan.id).with_for_update()).one()
    session.refresh(locked)
    current = session.exec(
        select(PlanAgreement).where(
            PlanAgreement.plan_id == plan.id, PlanAgreement.revision == locked.revision
        )
    ).first()
    if current is None:
        proposal = PlanAgreement(
            plan_id=saved_id(plan.id),
            revision=locked.revision,
            snapshot=snapshot(session, plan=locked),
            proposed_by_id=actor.id,
            proposed_by_role=str(actor.role),
        )
        try:
            with session.begin_nested():
                session.add(proposal)
            return proposal
        except IntegrityError:  # the other side proposed the same revision at this moment
            current = session.exec(
                select(PlanAgreement).where(
                    PlanAgreement.plan_id == plan.id, PlanAgreement.revision == locked.revision
                )
            ).one()
    if current.agreed_at is None and Role(current.proposed_by_role) != actor.role:
        current.agreed_by_id = actor.id
        current.agreed_at = utcnow()
        session.add(current)
        session.flush()
    return current


def agreed_version(session: Session, *, plan: Plan, agreement_id: int) -> PlanAgreement:
    found = session.get(PlanAgreement, agreement_id)
    if found is None or found.plan_id != plan.id or found.agreed_at is None:
        raise NotFound()
    return found
