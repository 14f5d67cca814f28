"""Demo data for trying MyLife: two case managers and three young people.

Idempotent: an account that already exists is left as it is.
"""

from datetime import date, timedelta

from sqlmodel import Session, select

from app.audit.actions import AuditAction
from app.auth import service as auth_service
from app.auth.models import Account, Role
from app.core.types import saved_id, utcnow
from app.plan import service as plans
from app.plan.models import ActionOwner
from app.survey import service as survey_service
from app.survey.answers import save_answers
from app.survey.definition import INSTRUMENT_DIR, load_definition_file
from app.survey.models import Assessment

DEMO_PASSWORD = "mylife-demo"
# username, name, organisation, how their young people reach them (a made-up number) of
# the demo case managers
STAFF = [
    ("kaisa", "Kaisa Korhonen", "Kuopio youth services", "044 0123 456", "Weekdays 9–15"),
    ("mikko", "Mikko Mäkelä", "Kuopio social services", None, None),
]

# satisfaction, importance per theme, in the order of the instrument
AINO_SPRING = [(4, 9), (6, 8), (5, 9), (7, 8), (5, 6), (3, 9), (2, 7), (5, 8), (4, 8), (5, 8)]
AINO_AUTUMN = [(7, 9), (7, 8), (6, 9), (8, 8), (6, 7), (7, 9), (4, 7), (7, 8), (6, 8), (6, 8)]
ELIAS_SO_FAR = [(3, 8), (5, 7), (6, 9), (8, 9), (4, 5)]
# username, name, language, age of the demo young people
YOUNG_PEOPLE = [
    ("aino", "Aino Virtanen", "fi", 19),
    ("elias", "Elias Nieminen", "fi", 22),
    ("saga", "Saga Lindqvist", "sv", 17),
]
AINO_HOPES = {
    "studies_work": "Haluan päästä opiskelemaan lähihoitajaksi.",
    "housing": "Oma asunto, jossa saa olla rauhassa.",
    "finance": "Että rahat riittäisivät koko kuukaudeksi.",
}

# Aino's goals (text, theme) and actions (goal's index, text, owner, service, due in days)
AINO_GOALS = [
    ("Oma asunto ensi kesään mennessä.", "housing"),
    ("Rahat riittävät koko kuukaudeksi.", "finance"),
]
AINO_ACTIONS = [
    (0, "Haen asumisneuvojan tapaamisen.", ActionOwner.YOUNG_PERSON, None, 7),
    (1, "Tehdään yhdessä kuukauden budjetti.", ActionOwner.CASE_MANAGER, None, -5),
    (1, "Selvitetään oikeus asumistukeen.", ActionOwner.SERVICE, "Kela", 21),
]


def import_shipped_instruments(session: Session) -> int:
    created = 0
    for path in sorted(INSTRUMENT_DIR.glob("*.json")):
        definition, checksum = load_definition_file(path)
        _version, new = survey_service.import_definition(
            session, definition=definition, checksum=checksum
        )
        created += new
    return created


def _account(session: Session, username: str, **fields: object) -> tuple[Account, bool]:
    found = session.exec(select(Account).where(Account.username == username)).first()
    if found is not None:
        return found, False
    account = auth_service.create_local_account(
        session,
        username=username,
        password=DEMO_PASSWORD,
        **fields,  # type: ignore[arg-type]
    )
    return account, True


def _fill(
    session: Session,
    person: Account,
    values: list[tuple[int, int]],
    hopes: dict[str, str],
    days_ago: int | None,
) -> Assessment:
    assessment, _created = survey_service.start_or_resume(session, actor=person)
    definition = survey_service.assessment_definition(session, assessment)
    for theme, (satisfaction, importance) in zip(definition.themes, values, strict=False):
        answers: dict[str, int | str | None] = {
            f"{theme.id}.satisfaction": satisfaction,
            f"{theme.id}.importance": importance,
        }
        if theme.id in hopes:
            answers[f"{theme.id}.future"] = hopes[theme.id]
        save_answers(session, actor=person, assessment=assessment, values=answers)
    if days_ago is not None:
        survey_service.submit(session, actor=person, assessment=assessment)
        when = utcnow() - timedelta(days=days_ago)
        assessment.started_at = when - timedelta(minutes=14)
        assessment.completed_at = assessment.updated_at = when
        session.add(assessment)
        session.flush()
    return assessment


def _plan(session: Session, manager: Account, person: Account, today: date) -> None:
    """Aino's plan, written with Kaisa: two goals, three actions, one review."""
    plan = plans.plan_of(
        session, actor=person, person_id=saved_id(person.id), action=AuditAction.PLAN_READ
    )
    goals = [
        plans.add_goal(session, actor=person, plan=plan, text=text, themes=[theme])
        for text, theme in AINO_GOALS
    ]
    for goal, text, owner, service_name, days in AINO_ACTIONS:
        due_on = today + timedelta(days=days)
        values = {"text": text, "owner": owner, "service_name": service_name, "due_on": due_on}
        plans.add_action(session, actor=manager, plan=plan, goal=goals[goal], values=values)
    plans.add_review(
        session,
        actor=manager,
        plan=plan,
        values={
            "held_on": today - timedelta(days=10),
            "agreed": "Aloitetaan rahasta.",
            "changed": "",
            "next_review_on": today + timedelta(days=30),
        },
    )


def _staff(session: Session, created: list[str]) -> dict[str, Account]:
    """The case managers by username; those made now are added to `created`."""
    managers = {}
    for username, name, organisation, phone, note in STAFF:
        managers[username], new = _account(
            session, username, display_name=name, role=Role.CASE_MANAGER
        )
        if new:
            managers[username].organisation = organisation
            managers[username].contact_phone, managers[username].contact_note = phone, note
            session.add(managers[username])
            created.append(username)
    return managers


def _young_people(session: Session, managers: dict[str, Account], created: list[str]) -> None:
    """The young people in Kaisa's caseload; what they have done is made with a new account."""
    today = date.today()
    manager = managers["kaisa"]
    for username, name, locale, age in YOUNG_PEOPLE:
        person, new = _account(
            session,
            username,
            display_name=name,
            role=Role.YOUNG_PERSON,
            locale=locale,
            birth_date=today.replace(year=today.year - age) - timedelta(days=40),
        )
        auth_service.assign_case(session, case_manager=manager, young_person=person)
        if not new:
            continue
        created.append(username)
        if username == "aino":
            # Aino also works with Mikko: Kaisa's caseload shows him beside her.
            auth_service.assign_case(session, case_manager=managers["mikko"], young_person=person)
            _fill(session, person, AINO_SPRING, {}, days_ago=190)
            _fill(session, person, AINO_AUTUMN, AINO_HOPES, days_ago=12)
            _plan(session, manager, person, today)
        elif username == "elias":
            _fill(session, person, ELIAS_SO_FAR, {"health": "Nukkuisin paremmin."}, None)


def load_demo(session: Session) -> list[str]:
    """Create what is missing; returns the usernames created."""
    import_shipped_instruments(session)
    created: list[str] = []
    managers = _staff(session, created)
    _young_people(session, managers, created)
    return created
