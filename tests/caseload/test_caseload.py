"""The caseload: what matters now for each young person, in a fixed number of queries."""

from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.audit.actions import AuditAction
from app.auth.models import Account, Role
from app.caseload import service as caseload
from app.core.i18n import current_locale, set_locale
from app.core.types import utcnow
from app.plan import agreement
from app.plan import service as plans
from app.plan.models import ActionOwner
from app.survey import service as survey
from app.survey.answers import save_answer
from tests.factories import assign, counted, make_case_manager, make_young_person, sign_in


def many_people(session: Session, manager: Account, count: int) -> list[Account]:
    """People without passwords: quick to make, and never signed in."""
    people = [Account(display_name=f"Person {n:03}", role=Role.YOUNG_PERSON) for n in range(count)]
    session.add_all(people)
    session.flush()
    assign(session, manager, *people)
    return people


def with_everything(session: Session, manager: Account, person: Account) -> None:
    assessment, _ = survey.start_or_resume(session, actor=person)
    save_answer(
        session, actor=person, assessment=assessment, item_id="resilience.satisfaction", value=1
    )
    survey.submit(session, actor=person, assessment=assessment)
    plan = plans.plan_of(
        session, actor=manager, person_id=person.id or 0, action=AuditAction.PLAN_READ
    )
    goal = plans.add_goal(session, actor=manager, plan=plan, text="Goal", themes=[])
    plans.add_action(
        session,
        actor=manager,
        plan=plan,
        goal=goal,
        values={
            "text": "Late",
            "owner": ActionOwner.CASE_MANAGER,
            "due_on": utcnow().date() - timedelta(days=3),
        },
    )
    plans.add_review(
        session,
        actor=manager,
        plan=plan,
        values={"held_on": date(2026, 11, 1), "next_review_on": date(2027, 2, 1)},
    )
    agreement.agree(session, actor=person, plan=plan)


def test_each_row_says_what_matters_now(session: Session) -> None:
    manager = make_case_manager(session)
    busy, quiet = (
        make_young_person(session, display_name="Busy"),
        make_young_person(session, display_name="Quiet"),
    )
    assign(session, manager, busy, quiet)
    with_everything(session, manager, busy)
    rows = {row.display_name: row for row in caseload.caseload(session, actor=manager)}
    assert rows["Busy"].plan_state == "proposed"
    assert rows["Busy"].next_review_on == date(2027, 2, 1)
    assert rows["Busy"].overdue_actions == 1
    assert rows["Busy"].needs_help and rows["Busy"].last_assessment_at is not None
    assert (rows["Quiet"].plan_state, rows["Quiet"].overdue_actions, rows["Quiet"].needs_help) == (
        None,
        0,
        False,
    )


def test_the_page_shows_the_flag_in_words_and_the_person_page_sums_up(
    client: TestClient, session: Session
) -> None:
    manager = make_case_manager(session)
    person = make_young_person(session, display_name="Lumi")
    assign(session, manager, person)
    with_everything(session, manager, person)
    sign_in(client, manager)
    client.cookies.set("mylife_lang", "en")
    page = client.get("/caseload").text
    assert "Very low answers on coping or self-esteem: get in touch." in page
    assert "waiting for your agreement" in page and '<strong class="overdue">1</strong>' in page
    page = client.get(f"/people/{person.id}").text  # a summary: circle, plan, next review
    (done,) = survey.assessments_of(session, subject_id=person.id or 0)
    assert f'src="/assessments/{done.id}/circle.svg?compare=none"' in page
    assert "waiting for your agreement" in page and "1.2.2027" in page


def test_caseload_page_queries_do_not_grow_with_the_caseload(
    client: TestClient, session: Session
) -> None:
    counts = []
    for size in (5, 500):
        manager = make_case_manager(session)
        people = many_people(session, manager, size)
        with_everything(session, manager, people[0])
        client.cookies.clear()
        sign_in(client, manager)
        with counted(session) as statements:
            page = client.get("/caseload")
        assert page.status_code == 200 and page.text.count('class="card') >= size
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def test_plan_page_queries_do_not_grow_with_the_plan(client: TestClient, session: Session) -> None:
    counts = []
    for size in (5, 500):
        manager, person = make_case_manager(session), make_young_person(session)
        assign(session, manager, person)
        plan = plans.plan_of(
            session, actor=manager, person_id=person.id or 0, action=AuditAction.PLAN_READ
        )
        for number in range(size):
            goal = plans.add_goal(
                session, actor=manager, plan=plan, text=f"Goal {number}", themes=["health"]
            )
            plans.add_action(
                session,
                actor=manager,
                plan=plan,
                goal=goal,
                values={"text": f"Step {number}", "owner": ActionOwner.YOUNG_PERSON},
            )
        client.cookies.clear()
        sign_in(client, manager)
        with counted(session) as statements:
            page = client.get(f"/people/{person.id}/plan")
        assert page.status_code == 200 and page.text.count('class="card goal"') == size
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def test_the_caseload_shows_the_plan_state_the_plan_page_shows(session: Session) -> None:
    """One rule decides a plan's state, for one plan (the page) and for many (the caseload)."""
    manager = make_case_manager(session)
    person = make_young_person(session, display_name="Lumi")
    assign(session, manager, person)
    plan = plans.plan_of(
        session, actor=manager, person_id=person.id or 0, action=AuditAction.PLAN_READ
    )

    def both() -> tuple[str | None, str]:
        (row,) = caseload.caseload(session, actor=manager)
        return row.plan_state, agreement.status(session, plan=plan).state

    goal = plans.add_goal(session, actor=manager, plan=plan, text="A home", themes=[])
    assert both() == ("draft", "draft")
    agreement.agree(session, actor=manager, plan=plan)
    assert both() == ("proposed", "proposed")
    agreement.agree(session, actor=person, plan=plan)
    assert both() == ("agreed", "agreed")
    plans.update_object(
        session, actor=person, plan=plan, obj=goal, expected_version=1, changes={"text": "Mine"}
    )
    assert both() == ("draft", "draft")  # a change after the agreement is a new draft


def test_those_who_need_attention_come_first_then_by_name(
    client: TestClient, session: Session
) -> None:
    manager = make_case_manager(session)
    names = ["Aada", "Bea", "Cecilia", "Daniel", "Eero"]
    aada, bea, cecilia, daniel, eero = (make_young_person(session, display_name=n) for n in names)
    assign(session, manager, aada, bea, cecilia, daniel, eero)
    with_everything(session, manager, eero)  # flagged, overdue, a new assessment
    plan = plans.plan_of(
        session, actor=manager, person_id=daniel.id or 0, action=AuditAction.PLAN_READ
    )
    goal = plans.add_goal(session, actor=manager, plan=plan, text="Goal", themes=[])
    late = {"text": "Late", "owner": ActionOwner.YOUNG_PERSON, "due_on": date(2020, 1, 1)}
    plans.add_action(session, actor=manager, plan=plan, goal=goal, values=late)
    for person in (cecilia, bea):  # each completes an assessment
        assessment, _ = survey.start_or_resume(session, actor=person)
        survey.submit(session, actor=person, assessment=assessment)
    order = [row.display_name for row in caseload.caseload(session, actor=manager)]
    assert order == ["Eero", "Daniel", "Bea", "Cecilia", "Aada"]

    sign_in(client, manager)  # Bea's assessment read: no longer new, back among the rest
    (bea_done,) = survey.assessments_of(session, subject_id=bea.id or 0)
    assert client.get(f"/assessments/{bea_done.id}").status_code == 200
    rows = caseload.caseload(session, actor=manager)
    assert [row.display_name for row in rows] == ["Eero", "Daniel", "Cecilia", "Aada", "Bea"]
    assert [row.new_assessment for row in rows] == [True, False, True, False, False]


def test_search_by_name_on_the_server(client: TestClient, session: Session) -> None:
    manager = make_case_manager(session)
    people = [make_young_person(session, display_name=n) for n in ("Äijä Ääri", "Otto", "Söderäng")]
    assign(session, manager, *people)
    sign_in(client, manager)
    client.cookies.set("mylife_lang", "en")
    page = client.get("/caseload", params={"q": "  äIJ "}).text
    assert "Äijä Ääri" in page and "Otto" not in page and "Söderäng" not in page
    assert 'value="äIJ"' in page and '1 young person matches "äIJ".' in page
    assert page.count('class="card-link"') == 1  # one link covers the card
    assert "Söderäng" in client.get("/caseload?q=DERÄ").text
    client.cookies.set("mylife_lang", "sv")  # one young person, two young people
    assert '1 ung person matchar sökningen "äij".' in client.get("/caseload?q=äij").text
    assert '2 unga matchar sökningen "ä".' in client.get("/caseload?q=ä").text


def test_an_empty_draft_differs_from_one_waiting_for_you(session: Session) -> None:
    manager = make_case_manager(session)
    empty, waiting = (make_young_person(session, display_name=name) for name in "AB")
    assign(session, manager, empty, waiting)
    # A plan is made by its first change: a review met without goals leaves it empty.
    first = plans.plan_of(
        session, actor=manager, person_id=empty.id or 0, action=AuditAction.PLAN_READ
    )
    plans.add_review(
        session, actor=manager, plan=first, values={"held_on": date(2026, 11, 2), "agreed": "Met"}
    )
    plan = plans.plan_of(
        session, actor=waiting, person_id=waiting.id or 0, action=AuditAction.PLAN_READ
    )
    plans.add_goal(session, actor=waiting, plan=plan, text="A home", themes=[])
    agreement.agree(session, actor=waiting, plan=plan)
    rows = {row.display_name: row.standing for row in caseload.caseload(session, actor=manager)}
    assert rows == {"A": agreement.Standing.EMPTY, "B": agreement.Standing.YOURS}
    before = current_locale()
    set_locale("en")
    labels = (rows["A"].label, rows["B"].label)
    set_locale(before)
    assert labels == ("draft (no goals)", "waiting for your agreement")
