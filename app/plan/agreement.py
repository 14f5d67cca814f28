"""Agreeing on a plan version: one side proposes it, the other side's agreement freezes it.

A proposal is for one plan revision. Any later change makes it stale (the plan
is a draft again); an agreed version stays as it was, viewable and printable.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.auth.models import Account, Role
from app.core.errors import NotFound
from app.core.types import saved_id, utcnow
from app.plan import service
from app.plan.models import Plan, PlanAgreement, PlanState


def snapshot(session: Session, *, plan: Plan) -> dict[str, Any]:
    whole = service.view(session, plan=plan)
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


def status(session: Session, *, plan: Plan) -> Status:
    agreements = session.exec(
        select(PlanAgreement)
        .where(PlanAgreement.plan_id == plan.id)
        .order_by(col(PlanAgreement.revision).desc())
    ).all()
    current = next((a for a in agreements if a.revision == plan.revision), None)
    last_agreed = next((a for a in agreements if a.agreed_at is not None), None)
    if current is not None and current.agreed_at is not None:
        return Status(PlanState.AGREED, None, current)
    return Status(PlanState.PROPOSED if current else PlanState.DRAFT, current, last_agreed)


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
