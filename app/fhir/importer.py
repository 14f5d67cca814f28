"""Reading a QuestionnaireResponse completed in the portal, checked against its Questionnaire.

Every problem is collected (not only the first) and named by its FHIRPath
expression, e.g. `QuestionnaireResponse.item[2].item[0].answer[0]`, with the
item's linkId in the message.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session

from app.auth.models import Account
from app.core.errors import AppError, FieldError
from app.core.i18n import N_
from app.core.types import utcnow
from app.fhir.errors import InvalidResource
from app.fhir.resources import questionnaire_id
from app.survey import service as survey
from app.survey.answers import clean_value
from app.survey.definition import InstrumentDefinition, ItemKind
from app.survey.models import InstrumentVersion

ROOT = "QuestionnaireResponse"
MAX_PROBLEMS = 50


@dataclass
class Incoming:
    version: InstrumentVersion
    system: str
    identifier: str
    authored: datetime
    subject: str | None
    answers: dict[str, int | str] = field(default_factory=dict)


class _Problems:
    def __init__(self) -> None:
        self.found: list[FieldError] = []

    def add(self, where: str, message: str, **params: object) -> None:
        if len(self.found) < MAX_PROBLEMS:
            self.found.append(FieldError(where, message, params))


def version_with_id(session: Session, resource_id: str) -> InstrumentVersion | None:
    """The instrument version whose Questionnaire has this id (`mylife-youth-1.0`)."""
    for version, code in survey.all_versions(session):
        if resource_id == questionnaire_id(code, version.version):
            return version
    return None


def _find_version(session: Session, canonical: str) -> InstrumentVersion | None:
    """`…/Questionnaire/mylife-youth|1.0`, or `…/Questionnaire/mylife-youth-1.0`."""
    url, _, wanted = canonical.partition("|")
    key = url.rstrip("/").rsplit("/", 1)[-1]
    if not wanted:
        return version_with_id(session, key)
    for version, code in survey.all_versions(session):
        if key == code.replace("_", "-") and version.version == wanted:
            return version
    return None


def _authored(value: Any, problems: _Problems) -> datetime:
    where = f"{ROOT}.authored"
    if value is None:
        return utcnow()
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        moment = None
    if moment is None or (moment.tzinfo is None and "T" in str(value)):
        problems.add(where, N_("Give a date, or a date and time with a time zone."))
        return utcnow()
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    if moment > utcnow() + timedelta(minutes=5):
        problems.add(where, N_("This is in the future."))
    return moment.astimezone(UTC)


def _answer(
    definition: InstrumentDefinition, link_id: str, node: dict[str, Any], where: str
) -> tuple[int | str | None, FieldError | None]:
    answers = node.get("answer")
    if not isinstance(answers, list) or len(answers) != 1 or not isinstance(answers[0], dict):
        return None, FieldError(f"{where}.answer", N_("Give exactly one answer."))
    answer = answers[0]
    item = definition.items()[link_id][1]
    value_key = "valueInteger" if item.kind is ItemKind.CHOICE else "valueString"
    value = answer.get(value_key)
    wrong_type = item.kind is ItemKind.CHOICE and (
        not isinstance(value, int) or isinstance(value, bool)
    )
    if value is None or wrong_type or (item.kind is ItemKind.TEXT and not isinstance(value, str)):
        return None, FieldError(
            f"{where}.answer[0]",
            N_("Answer '%(link_id)s' with %(kind)s."),
            {"link_id": link_id, "kind": value_key},
        )
    try:
        return clean_value(definition, link_id, value), None
    except AppError as error:
        return None, FieldError(f"{where}.answer[0]", error.message, error.params)


def _answerable(
    definition: InstrumentDefinition,
    link_id: str,
    group: str | None,
    answers: dict[str, int | str],
    where: str,
    problems: _Problems,
) -> bool:
    """Whether the item exists (in this theme's group, if inside one) and is not answered yet."""
    outside = group is not None and not link_id.startswith(f"{group}.")
    if link_id not in definition.items() or outside:
        problems.add(where, N_("The questionnaire has no item '%(link_id)s'."), link_id=link_id)
        return False
    if link_id in answers:
        problems.add(where, N_("The item '%(link_id)s' is answered twice."), link_id=link_id)
        return False
    return True


def _walk(
    definition: InstrumentDefinition,
    items: Any,
    where: str,
    answers: dict[str, int | str],
    problems: _Problems,
    group: str | None = None,
) -> None:
    """Items at the top level: theme groups, or items; inside a theme's group: its items."""
    if not isinstance(items, list):
        problems.add(where, N_("Send a list of items."))
        return
    themes = {theme.id for theme in definition.themes}
    for index, node in enumerate(items):
        path = f"{where}[{index}]"
        link_id = node.get("linkId") if isinstance(node, dict) else None
        if not isinstance(link_id, str) or not link_id:
            problems.add(path, N_("Every item needs a linkId."))
            continue
        assert isinstance(node, dict)
        if group is None and link_id in themes and "answer" not in node:
            _walk(definition, node.get("item", []), f"{path}.item", answers, problems, link_id)
            continue
        if not _answerable(definition, link_id, group, answers, f"{path}.linkId", problems):
            continue
        if not node.get("answer"):
            continue  # not answered
        value, problem = _answer(definition, link_id, node, path)
        if problem is not None:
            problems.add(problem.field, problem.message, **problem.params)
        elif value is not None:
            answers[link_id] = value


def _identifier(resource: dict[str, Any], problems: _Problems) -> tuple[str, str]:
    """The response's (system, value): what makes sending it again change nothing."""
    identifier = resource.get("identifier")
    system = identifier.get("system") if isinstance(identifier, dict) else None
    value = identifier.get("value") if isinstance(identifier, dict) else None
    if (
        not (isinstance(system, str) and isinstance(value, str) and system and value)
        or max(len(str(system)), len(str(value))) > 255
    ):
        problems.add(
            f"{ROOT}.identifier",
            N_("Give an identifier (system and value), so that sending it again changes nothing."),
        )
    return str(system), str(value)


def _subject(resource: dict[str, Any]) -> str | None:
    subject = resource.get("subject")
    reference = subject.get("reference") if isinstance(subject, dict) else None
    return reference if isinstance(reference, str) else None


def read(session: Session, resource: dict[str, Any]) -> Incoming:
    """The response as MyLife stores it, or InvalidResource naming every problem."""
    problems = _Problems()
    if resource.get("resourceType") != ROOT:
        raise InvalidResource(
            field="resourceType", message=N_("Send a QuestionnaireResponse resource.")
        )
    if resource.get("status") != "completed":
        problems.add(f"{ROOT}.status", N_("Only a completed response can be imported."))
    system, value = _identifier(resource, problems)
    canonical = resource.get("questionnaire")
    version = _find_version(session, canonical) if isinstance(canonical, str) else None
    if version is None:
        problems.add(f"{ROOT}.questionnaire", N_("There is no such questionnaire here."))
    authored = _authored(resource.get("authored"), problems)
    answers: dict[str, int | str] = {}
    if version is not None:
        definition = survey.definition_of(version)
        _walk(definition, resource.get("item", []), f"{ROOT}.item", answers, problems)
    if problems.found or version is None:
        raise InvalidResource(errors=problems.found)
    subject = _subject(resource)
    return Incoming(version, system, value, authored, subject, answers)


def for_person(incoming: Incoming, person: Account | None) -> Account:
    """The person the response is imported for: the token's, and the one it names, if any."""
    where = f"{ROOT}.subject"
    if person is None:
        raise InvalidResource(
            field=where, message=N_("The person this token is for has no MyLife account.")
        )
    if incoming.subject is not None and not incoming.subject.endswith(f"Patient/{person.id}"):
        raise InvalidResource(
            field=where,
            message=N_("The response is about someone else than the person this token is for."),
        )
    return person
