"""Twenty people save the same goal at once from the same version: no update is lost."""

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.audit.actions import AuditAction
from app.auth.models import Account
from app.core.types import saved_id
from app.plan import service as plans
from app.plan.errors import StaleEdit
from app.plan.models import Goal, PlanChange
from tests.factories import assign, make_case_manager, make_young_person

WRITERS = 20


def test_one_of_twenty_simultaneous_edits_wins_and_history_matches(
    engine: Engine, committed_accounts: list[int]
) -> None:
    with Session(engine) as session:
        manager, person = make_case_manager(session), make_young_person(session)
        committed_accounts.extend([saved_id(person.id), saved_id(manager.id)])
        assign(session, manager, person)
        plan = plans.plan_of(
            session, actor=person, person_id=person.id or 0, action=AuditAction.PLAN_READ
        )
        goal = plans.add_goal(session, actor=person, plan=plan, text="Start", themes=[])
        session.commit()
        ids = {"manager": manager.id, "person": person.id, "goal": goal.id}

    start = threading.Barrier(WRITERS)
    # PostgreSQL lets all twenty read at once; SQLite runs whole transactions one at a
    # time (BEGIN IMMEDIATE), so there each edit simply finds the goal already changed.
    concurrent_readers = engine.dialect.name == "postgresql"

    def edit(number: int) -> str:
        with Session(engine) as session:
            actor = session.get(Account, ids["manager"] if number % 2 else ids["person"])
            assert actor is not None
            loaded, owner = plans.object_in_plan(
                session,
                actor=actor,
                model=Goal,
                object_id=ids["goal"] or 0,
                action=AuditAction.GOAL_UPDATE,
            )
            if concurrent_readers:  # everyone has read version 1 before anyone writes
                start.wait(timeout=30)
            try:
                plans.update_object(
                    session,
                    actor=actor,
                    plan=owner,
                    obj=loaded,
                    expected_version=1,
                    changes={"text": f"Edit {number}"},
                )
                session.commit()
                return f"Edit {number}"
            except StaleEdit:
                session.rollback()
                return "stale"

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        outcomes = list(pool.map(edit, range(WRITERS)))
    winners = [o for o in outcomes if o != "stale"]
    assert len(winners) == 1 and outcomes.count("stale") == WRITERS - 1
    with Session(engine) as session:
        stored = session.get(Goal, ids["goal"])
        assert stored is not None and (stored.text, stored.version) == (winners[0], 2)
        changes = session.exec(
            select(PlanChange)
            .where(PlanChange.goal_id == ids["goal"])
            .order_by(col(PlanChange.revision))
        ).all()
        assert [(c.kind, c.after["text"]) for c in changes] == [
            ("created", "Start"),
            ("updated", winners[0]),
        ]
