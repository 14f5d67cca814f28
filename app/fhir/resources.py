"""MyLife's data as HL7 FHIR R4 resources (plain JSON-ready dicts).

Questionnaire: one per instrument version, every text in Finnish (the base
language) with Swedish and English in the standard translation extension.
QuestionnaireResponse: one per assessment. CarePlan: the welfare plan, with its
actions as activities; Goal: each goal.
"""

from datetime import date, datetime
from typing import Any

from app.auth.models import Account
from app.plan.models import ActionOwner, Goal, GoalStatus, PlanAction, Review
from app.plan.queries import PlanView
from app.survey.definition import InstrumentDefinition, Item, ItemKind, Texts
from app.survey.models import Answer, Assessment, AssessmentStatus, InstrumentVersion

FHIR_VERSION = "4.0.1"
BASE_LANGUAGE = "fi"
TRANSLATION = "http://hl7.org/fhir/StructureDefinition/translation"
THEME_SYSTEM = "urn:mylife:theme"
ASSESSMENT_SYSTEM = "urn:mylife:assessment"
JSON = dict[str, Any]


def instant(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def questionnaire_id(code: str, version: str) -> str:
    """A FHIR id ([A-Za-z0-9.-]): the instrument code with hyphens, and the version."""
    return f"{code.replace('_', '-')}-{version}"


def questionnaire_url(base: str, code: str) -> str:
    return f"{base}/Questionnaire/{code.replace('_', '-')}"


def patient_reference(person: Account) -> JSON:
    return {"reference": f"Patient/{person.id}", "display": person.display_name}


def _translated(texts: Texts) -> tuple[str, JSON]:
    """The base-language text and its `_element` with the other languages."""
    values = texts.model_dump()
    extension = [
        {
            "url": TRANSLATION,
            "extension": [
                {"url": "lang", "valueCode": lang},
                {"url": "content", "valueString": values[lang]},
            ],
        }
        for lang in ("sv", "en")
    ]
    return values[BASE_LANGUAGE], {"extension": extension}


def _item(definition: InstrumentDefinition, item: Item) -> JSON:
    text, translations = _translated(item.text)
    built: JSON = {"linkId": item.id, "text": text, "_text": translations, "required": False}
    if item.kind is ItemKind.CHOICE:
        scale = definition.scale(item.scale)
        built["type"] = "choice"
        built["answerOption"] = [{"valueInteger": value} for value in scale.values()]
    else:
        built["type"] = "text"
        built["maxLength"] = item.max_length
    return built


def questionnaire(version: InstrumentVersion, definition: InstrumentDefinition, base: str) -> JSON:
    title, title_translations = _translated(definition.title)
    description, description_translations = _translated(definition.description)
    groups = []
    for theme in definition.themes:
        text, translations = _translated(theme.title)
        groups.append(
            {
                "linkId": theme.id,
                "type": "group",
                "text": text,
                "_text": translations,
                "item": [_item(definition, item) for item in theme.items],
            }
        )
    return {
        "resourceType": "Questionnaire",
        "id": questionnaire_id(definition.code, definition.version),
        "meta": {"lastUpdated": instant(version.imported_at)},
        "language": BASE_LANGUAGE,
        "url": questionnaire_url(base, definition.code),
        "version": definition.version,
        "name": "".join(part.capitalize() for part in definition.code.split("_")),
        "title": title,
        "_title": title_translations,
        "status": "active",
        "subjectType": ["Patient"],
        "description": description,
        "_description": description_translations,
        "item": groups,
    }


def _answer(item: Item, answer: Answer) -> JSON:
    if item.kind is ItemKind.CHOICE and answer.value_int is not None:
        return {"valueInteger": answer.value_int}
    return {"valueString": answer.value_text or ""}


def questionnaire_response(
    assessment: Assessment,
    definition: InstrumentDefinition,
    answers: dict[str, Answer],
    person: Account,
    base: str,
) -> JSON:
    groups = []
    for theme in definition.themes:
        answered = [
            {"linkId": item.id, "answer": [_answer(item, answers[item.id])]}
            for item in theme.items
            if item.id in answers
        ]
        if answered:
            groups.append({"linkId": theme.id, "item": answered})
    completed = assessment.status == AssessmentStatus.COMPLETED
    identifier = (
        {"system": assessment.external_system, "value": assessment.external_id}
        if assessment.external_system and assessment.external_id
        else {"system": ASSESSMENT_SYSTEM, "value": str(assessment.id)}
    )
    resource: JSON = {
        "resourceType": "QuestionnaireResponse",
        "id": str(assessment.id),
        "meta": {"lastUpdated": instant(assessment.updated_at)},
        "identifier": identifier,
        "questionnaire": f"{questionnaire_url(base, definition.code)}|{definition.version}",
        "status": "completed" if completed else "in-progress",
        "subject": patient_reference(person),
        "authored": instant(assessment.completed_at or assessment.updated_at),
        "source": patient_reference(person),
    }
    if groups:
        resource["item"] = groups
    return resource


_GOAL_STATUS = {
    GoalStatus.OPEN: ("active", "in-progress"),
    GoalStatus.REACHED: ("completed", "achieved"),
    GoalStatus.DROPPED: ("cancelled", "not-achieved"),
}


def goal(item: Goal, person: Account, theme_titles: dict[str, Texts]) -> JSON:
    lifecycle, achievement = _GOAL_STATUS[item.status]
    categories = []
    for theme in item.themes:
        coding: JSON = {"system": THEME_SYSTEM, "code": theme}
        if theme in theme_titles:
            coding["display"] = getattr(theme_titles[theme], BASE_LANGUAGE)
        categories.append({"coding": [coding]})
    resource: JSON = {
        "resourceType": "Goal",
        "id": str(item.id),
        "meta": {"versionId": str(item.version), "lastUpdated": instant(item.updated_at)},
        "lifecycleStatus": lifecycle,
        "achievementStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/goal-achievement",
                    "code": achievement,
                }
            ]
        },
        "description": {"text": item.text},
        "subject": patient_reference(person),
        "startDate": item.created_at.date().isoformat(),
    }
    if categories:
        resource["category"] = categories
    return resource


def _performer(action: PlanAction, person: Account) -> JSON:
    if action.owner == ActionOwner.YOUNG_PERSON:
        return patient_reference(person)
    if action.owner == ActionOwner.SERVICE:
        return {"type": "Organization", "display": action.service_name or ""}
    return {"type": "PractitionerRole", "display": "case manager"}


def _activity(action: PlanAction, person: Account) -> JSON:
    detail: JSON = {
        "kind": "Task",
        "status": "completed" if action.done else "not-started",
        "description": action.text,
        "goal": [{"reference": f"Goal/{action.goal_id}"}],
        "performer": [_performer(action, person)],
    }
    if action.due_on:
        detail["scheduledPeriod"] = {"end": action.due_on.isoformat()}
    return {"detail": detail}


def _note(review: Review) -> JSON:
    parts = [part for part in (review.agreed, review.changed) if part.strip()]
    text = "\n\n".join(parts) or "-"
    return {"time": f"{review.held_on.isoformat()}T00:00:00Z", "text": text}


def care_plan(whole: PlanView, *, agreed: bool, person: Account) -> JSON:
    plan = whole.plan
    goals = [view.goal for view in whole.goals]
    actions = sorted((a for view in whole.goals for a in view.actions), key=lambda a: a.id or 0)
    reviews = list(reversed(whole.reviews))  # oldest first
    resource: JSON = {
        "resourceType": "CarePlan",
        "id": str(plan.id),
        "meta": {"versionId": str(plan.revision), "lastUpdated": instant(plan.updated_at)},
        "status": "active" if agreed else "draft",
        "intent": "plan",
        "subject": patient_reference(person),
        "created": instant(plan.created_at),
    }
    next_reviews = [r.next_review_on for r in reviews if r.next_review_on]
    if next_reviews:
        resource["period"] = {"end": max(next_reviews).isoformat()}
    if goals:
        resource["goal"] = [{"reference": f"Goal/{g.id}"} for g in goals]
    if actions:
        resource["activity"] = [_activity(action, person) for action in actions]
    if reviews:
        resource["note"] = [_note(review) for review in reviews]
    return resource


def bundle(resources: list[JSON], base: str, *, self_link: str) -> JSON:
    found: JSON = {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(resources),
        "link": [{"relation": "self", "url": self_link}],
    }
    if resources:  # FHIR has no empty lists
        found["entry"] = [
            {
                "fullUrl": f"{base}/{resource['resourceType']}/{resource['id']}",
                "resource": resource,
                "search": {"mode": "match"},
            }
            for resource in resources
        ]
    return found


_READ, _SEARCH = {"code": "read"}, {"code": "search-type"}
_BY_PERSON = [("subject", "reference"), ("patient", "reference")]
# (resource type, interactions, search parameters (name, type))
_SERVED: list[tuple[str, list[JSON], list[tuple[str, str]]]] = [
    ("Questionnaire", [_READ, _SEARCH], []),
    (
        "QuestionnaireResponse",
        [_READ, _SEARCH, {"code": "create"}],
        [*_BY_PERSON, ("authored", "date")],
    ),
    ("CarePlan", [_READ, _SEARCH], _BY_PERSON),
    ("Goal", [_READ, _SEARCH], _BY_PERSON),
]
SMART = "http://terminology.hl7.org/CodeSystem/restful-security-service"


def _security(issuer: str | None) -> JSON:
    return {
        "cors": False,
        "service": [{"coding": [{"system": SMART, "code": "SMART-on-FHIR"}]}],
        "description": (
            "Bearer JWT access tokens from the national portal's issuer"
            + (f" ({issuer})" if issuer else "")
            + " with SMART scopes patient/<Resource>.read and "
            "patient/QuestionnaireResponse.write."
        ),
    }


def _served(name: str, interactions: list[JSON], params: list[tuple[str, str]]) -> JSON:
    served: JSON = {"type": name, "interaction": interactions}
    if params:  # FHIR has no empty lists
        served["searchParam"] = [{"name": n, "type": t} for n, t in params]
    return served


def capability_statement(base: str, *, issuer: str | None, today: date) -> JSON:
    rest = {
        "mode": "server",
        "security": _security(issuer),
        "resource": [_served(*served) for served in _SERVED],
    }
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": today.isoformat(),
        "publisher": "MyLife",
        "kind": "instance",
        "software": {"name": "MyLife"},
        "implementation": {"description": "MyLife FHIR API", "url": base},
        "fhirVersion": FHIR_VERSION,
        "format": ["json"],
        "rest": [rest],
    }


def operation_outcome(issues: list[JSON]) -> JSON:
    return {"resourceType": "OperationOutcome", "issue": issues}
