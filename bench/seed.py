"""Young people for bench/throughput.py, each signed in, with an assessment under way and a
plan. Run with MYLIFE_DATABASE_URL set (a migrated database); prints, as JSON, each one's
cookie, CSRF token, person and assessment id.

    python bench/seed.py 400
"""

import json
import sys

from sqlmodel import Session

from app.audit.actions import AuditAction
from app.auth import service as auth_service
from app.auth.models import Role
from app.core.db import get_engine
from app.core.security import SESSION_COOKIE, cookie_name, csrf_binding, csrf_token_for, sign
from app.core.types import saved_id
from app.demo import import_shipped_instruments
from app.plan import service as plans
from app.survey import service as survey
from app.survey.answers import save_answers


def seed_person(session: Session, number: int, password_hash: str) -> dict[str, str]:
    person = auth_service.create_local_account(
        session,
        username=f"bench-{number}",
        password_hash=password_hash,
        display_name=f"Bench Person {number}",
        role=Role.YOUNG_PERSON,
    )
    assessment, _new = survey.start_or_resume(session, actor=person)
    definition = survey.assessment_definition(session, assessment)
    first = definition.themes[0].id
    answers = {f"{first}.satisfaction": 6, f"{first}.importance": 8}
    save_answers(session, actor=person, assessment=assessment, values=answers)
    person_id = saved_id(person.id)
    plan = plans.plan_of(session, actor=person, person_id=person_id, action=AuditAction.PLAN_READ)
    plans.add_goal(session, actor=person, plan=plan, text="Sleep better.", themes=[first])
    token = sign(auth_service.start_session(session, account=person), "session")
    binding = csrf_binding(token, None) or ""
    return {
        "cookie": f"{cookie_name(SESSION_COOKIE)}={token}",
        "token": csrf_token_for(binding),
        "person": str(person_id),
        "assessment": str(assessment.id),
    }


def main() -> None:
    count = int(sys.argv[1])
    password_hash = auth_service.hash_new_password("bench-password-not-used")
    with Session(get_engine(), expire_on_commit=False) as session:
        import_shipped_instruments(session)
        people = [seed_person(session, number, password_hash) for number in range(count)]
        session.commit()
    print(json.dumps(people))


if __name__ == "__main__":
    main()
