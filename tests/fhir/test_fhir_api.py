"""The FHIR R4 API as the portal uses it: tokens from the real provider process, every
resource validated with `fhir.resources` (R4B models, the R4-compatible release)."""

import base64
import hashlib
import hmac
import importlib
import json
import secrets
import time
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import RSAKey
from sqlmodel import Session, col, select

from app.audit.actions import AuditAction
from app.audit.models import AuditEvent
from app.auth import identities
from app.auth.models import Account
from app.plan import service as plans
from app.plan.models import ActionOwner
from app.survey import service as survey
from app.survey.answers import save_answer
from app.survey.models import Answer, Assessment
from tests.factories import THEME_IDS, make_case_manager, make_young_person, sign_in
from tests.oidc.provider import RESOURCE, Provider, portal_access_token

FHIR = "/fhir/R4"


def fhir_valid(resource: dict[str, Any]) -> Any:
    """Parse with the fhir.resources model of the resource's type (raises when invalid)."""
    kind = resource["resourceType"]
    module = importlib.import_module(f"fhir.resources.R4B.{kind.lower()}")
    model = getattr(module, kind).model_validate(resource)
    for entry in resource.get("entry", []):
        fhir_valid(entry["resource"])
    return model


def person_with_data(session: Session, issuer: str) -> tuple[Account, str]:
    """A young person linked to a portal identity, with a completed assessment and a plan."""
    subject = f"portal-{secrets.token_hex(4)}"
    person = make_young_person(session, display_name="Aino Portal")
    identities.link(session, account=person, issuer=issuer, subject=subject)
    assessment, _ = survey.start_or_resume(session, actor=person)
    for index, theme in enumerate(THEME_IDS):
        for viewpoint, value in (("importance", 8), ("satisfaction", index % 11)):
            save_answer(
                session,
                actor=person,
                assessment=assessment,
                item_id=f"{theme}.{viewpoint}",
                value=value,
            )
    save_answer(
        session, actor=person, assessment=assessment, item_id="housing.future", value="Oma koti"
    )
    survey.submit(session, actor=person, assessment=assessment)
    plan = plans.plan_of(
        session, actor=person, person_id=person.id or 0, action=AuditAction.PLAN_READ
    )
    goal = plans.add_goal(session, actor=person, plan=plan, text="Own flat", themes=["housing"])
    plans.add_action(
        session,
        actor=person,
        plan=plan,
        goal=goal,
        values={
            "text": "Apply for housing support",
            "owner": ActionOwner.SERVICE,
            "service_name": "Kela",
            "due_on": date(2026, 12, 15),
        },
    )
    plans.add_review(
        session,
        actor=person,
        plan=plan,
        values={"held_on": date(2026, 11, 20), "agreed": "Money first", "changed": ""},
    )
    session.commit()
    return person, subject


@pytest.fixture
def aino(session: Session, portal: Provider) -> tuple[Account, dict[str, str]]:
    person, subject = person_with_data(session, portal.issuer)
    token = portal_access_token(portal, subject)
    return person, {"Authorization": f"Bearer {token}", "Accept-Language": "en"}


def test_metadata_is_a_valid_capability_statement(client: TestClient, portal: Provider) -> None:
    answer = client.get(f"{FHIR}/metadata")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/fhir+json")
    statement = fhir_valid(answer.json())
    assert statement.fhirVersion == "4.0.1"
    types = {r.type for r in statement.rest[0].resource}
    assert types == {"Questionnaire", "QuestionnaireResponse", "CarePlan", "Goal"}


def test_the_questionnaire_has_every_text_in_three_languages(
    client: TestClient, aino: tuple[Account, dict[str, str]]
) -> None:
    _person, auth = aino
    found = client.get(f"{FHIR}/Questionnaire", headers=auth)
    assert found.status_code == 200, found.text
    fhir_valid(found.json())
    questionnaire = found.json()["entry"][0]["resource"]
    assert questionnaire["id"] == "mylife-youth-1.0" and questionnaire["version"] == "1.0"
    read = client.get(f"{FHIR}/Questionnaire/mylife-youth-1.0", headers=auth).json()
    assert read == questionnaire
    leaves = [item for group in read["item"] for item in group["item"]]
    assert len(read["item"]) == 10 and len(leaves) == 30
    assert sum(item["type"] == "choice" for item in leaves) == 20
    for item in [*read["item"], *leaves]:
        languages = {
            {e["url"]: e.get("valueCode") for e in t["extension"]}["lang"]
            for t in item["_text"]["extension"]
        }
        assert item["text"] and languages == {"sv", "en"}
    housing = next(group for group in read["item"] if group["linkId"] == "housing")
    translations = [
        {e["url"]: e.get("valueCode") or e.get("valueString") for e in t["extension"]}
        for t in housing["_text"]["extension"]
    ]
    assert {"lang": "sv", "content": "Boende"} in translations
    assert client.get(f"{FHIR}/Questionnaire/nothing-9.9", headers=auth).status_code == 404
    # Each version is a Questionnaire of its own; 1.1 words "Life as a whole" anew.
    ids = [entry["resource"]["id"] for entry in found.json()["entry"]]
    assert ids == ["mylife-youth-1.0", "mylife-youth-1.1"]
    newer = client.get(f"{FHIR}/Questionnaire/mylife-youth-1.1", headers=auth).json()
    life = next(group for group in newer["item"] if group["linkId"] == "life_satisfaction")
    assert life["item"][0]["text"].endswith("että olet tyytyväinen elämääsi kokonaisuutena?")


def test_responses_read_and_search_by_subject_and_date(
    client: TestClient, session: Session, aino: tuple[Account, dict[str, str]]
) -> None:
    person, auth = aino
    assessment = session.exec(select(Assessment).where(Assessment.subject_id == person.id)).one()
    read = client.get(f"{FHIR}/QuestionnaireResponse/{assessment.id}", headers=auth)
    assert read.status_code == 200, read.text
    resource = read.json()
    fhir_valid(resource)
    assert resource["status"] == "completed"
    assert resource["subject"]["reference"] == f"Patient/{person.id}"
    assert resource["questionnaire"].endswith("/Questionnaire/mylife-youth|1.1")  # the newest
    given = {
        item["linkId"]: item["answer"][0] for group in resource["item"] for item in group["item"]
    }
    stored = session.exec(select(Answer).where(Answer.assessment_id == assessment.id)).all()
    assert len(given) == len(stored) == 21
    for answer in stored:
        value = given[answer.item_id]
        assert value == (
            {"valueInteger": answer.value_int}
            if answer.value_int is not None
            else {"valueString": answer.value_text}
        )

    today = date.today().isoformat()

    def search(query: str) -> list[str]:
        answer = client.get(f"{FHIR}/QuestionnaireResponse?{query}", headers=auth)
        assert answer.status_code == 200, answer.text
        fhir_valid(answer.json())
        return [entry["resource"]["id"] for entry in answer.json().get("entry", [])]

    assert search(f"subject=Patient/{person.id}&authored=ge{today}") == [str(assessment.id)]
    assert search(f"patient={person.id}&authored={today}") == [str(assessment.id)]
    assert search(f"subject=Patient/{person.id}&authored=lt2020") == []
    assert search(f"subject=Patient/{person.id}&authored=gt{today}") == []
    assert search(f"subject=Patient/{(person.id or 0) + 1}") == []
    bad = client.get(f"{FHIR}/QuestionnaireResponse?authored=yesterday", headers=auth)
    assert bad.status_code == 400
    outcome = bad.json()
    fhir_valid(outcome)
    assert outcome["issue"][0]["expression"] == ["authored"]
    last = session.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc())).first()
    assert last is not None and (last.action, last.outcome) == ("fhir.search", "invalid")


def test_the_plan_is_a_care_plan_with_goals_and_activities(
    client: TestClient, aino: tuple[Account, dict[str, str]]
) -> None:
    person, auth = aino
    found = client.get(f"{FHIR}/CarePlan?subject=Patient/{person.id}", headers=auth)
    assert found.status_code == 200, found.text
    fhir_valid(found.json())
    care_plan = found.json()["entry"][0]["resource"]
    assert care_plan["status"] == "draft" and care_plan["intent"] == "plan"
    activity = care_plan["activity"][0]["detail"]
    assert activity["description"] == "Apply for housing support"
    assert activity["performer"][0]["display"] == "Kela"
    assert activity["scheduledPeriod"]["end"] == "2026-12-15"
    assert care_plan["note"][0]["text"] == "Money first"
    goal_ref = care_plan["goal"][0]["reference"]
    assert activity["goal"] == [{"reference": goal_ref}]
    goal = client.get(f"{FHIR}/{goal_ref}", headers=auth)
    assert goal.status_code == 200
    fhir_valid(goal.json())
    assert goal.json()["description"]["text"] == "Own flat"
    assert goal.json()["lifecycleStatus"] == "active"
    assert goal.json()["category"][0]["coding"][0]["code"] == "housing"
    goals = client.get(f"{FHIR}/Goal", headers=auth).json()
    fhir_valid(goals)
    assert [e["resource"]["id"] for e in goals["entry"]] == [goal_ref.split("/")[1]]
    read = client.get(f"{FHIR}/CarePlan/{care_plan['id']}", headers=auth)
    assert read.json() == care_plan


def test_nothing_of_anyone_else_is_visible(
    client: TestClient, session: Session, portal: Provider, aino: tuple[Account, dict[str, str]]
) -> None:
    _person, auth = aino
    other, _subject = person_with_data(session, portal.issuer)
    theirs = session.exec(select(Assessment).where(Assessment.subject_id == other.id)).one()
    plan = client.get(f"{FHIR}/CarePlan?subject=Patient/{other.id}", headers=auth).json()
    assert plan["total"] == 0 and "entry" not in plan
    for path in (f"QuestionnaireResponse/{theirs.id}", "QuestionnaireResponse/999999", "Goal/x"):
        refused = client.get(f"{FHIR}/{path}", headers=auth)
        assert refused.status_code == 404
        fhir_valid(refused.json())
        assert refused.json()["issue"][0]["code"] == "not-found"
    denied = session.exec(
        select(AuditEvent).where(AuditEvent.subject_id == other.id, AuditEvent.outcome == "denied")
    ).one()
    assert denied.client_id == "national-portal" and denied.object_type == "QuestionnaireResponse"


def test_every_portal_access_is_audited(
    client: TestClient, session: Session, aino: tuple[Account, dict[str, str]]
) -> None:
    person, auth = aino
    assessment = session.exec(select(Assessment).where(Assessment.subject_id == person.id)).one()
    before = session.exec(select(AuditEvent.id).order_by(col(AuditEvent.id).desc())).first() or 0
    client.get(f"{FHIR}/QuestionnaireResponse/{assessment.id}", headers=auth)
    client.get(f"{FHIR}/Goal", headers=auth)
    client.get(f"{FHIR}/Goal")
    rows = session.exec(
        select(AuditEvent).where(col(AuditEvent.id) > before).order_by(col(AuditEvent.id))
    ).all()
    token_subject = identities_subject(session, person)
    assert [(r.action, r.object_type, r.object_id, r.outcome) for r in rows] == [
        ("fhir.read", "QuestionnaireResponse", assessment.id, "allowed"),
        ("fhir.search", "Goal", None, "allowed"),
        ("fhir.token", "Goal", None, "denied"),
    ]
    assert [(r.client_id, r.token_subject, r.subject_id) for r in rows[:2]] == [
        ("national-portal", token_subject, person.id)
    ] * 2
    assert rows[2].client_id is None and rows[2].actor_role == "portal"

    # The young person reads it on their own access log page.
    sign_in(client, person)
    page = client.get("/me/access", headers={"Accept-Language": "en"}).text
    assert page.count("The national portal (national-portal)") == 2
    assert "looked at your assessments" in page and "read your plan" in page


def identities_subject(session: Session, person: Account) -> str:
    from app.auth.models import ExternalIdentity

    return session.exec(
        select(ExternalIdentity.subject).where(ExternalIdentity.account_id == person.id)
    ).one()


# --- tokens ----------------------------------------------------------------------------


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims_for(provider: Provider, subject: str, **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": provider.issuer,
        "aud": RESOURCE,
        "sub": subject,
        "iat": now,
        "exp": now + 300,
        "client_id": "national-portal",
        "scope": "patient/Goal.read",
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def signed(key: RSAKey, claims: dict[str, Any], kid: str | None = None) -> str:
    return jwt.encode({"alg": "RS256", "kid": kid or key.kid}, claims, key)


@pytest.fixture
def subject(session: Session, portal: Provider) -> str:
    person = make_young_person(session)
    name = f"forged-{secrets.token_hex(3)}"
    identities.link(session, account=person, issuer=portal.issuer, subject=name)
    session.commit()
    return name


def test_a_token_made_right_is_accepted(client: TestClient, portal: Provider, subject: str) -> None:
    token = signed(portal.signing_key, claims_for(portal, subject))
    answer = client.get(f"{FHIR}/Goal", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("expired", "expired"),
        ("not yet valid", "not valid yet"),
        ("wrong issuer", "iss"),
        ("wrong audience", "aud"),
        ("no subject", "sub"),
        ("alg none", "algorithm"),
        ("HS256 with the public key", "algorithm"),
        ("unknown key", "unknown key"),
        ("bad signature", "signature"),
        ("not a JWT", "not a signed JWT"),
    ],
)
def test_forged_and_wrong_tokens_are_refused_with_401(
    client: TestClient, portal: Provider, subject: str, case: str, reason: str
) -> None:
    key = portal.signing_key
    now = int(time.time())
    forged: str
    if case == "expired":
        forged = signed(key, claims_for(portal, subject, iat=now - 900, exp=now - 600))
    elif case == "not yet valid":
        forged = signed(key, claims_for(portal, subject, nbf=now + 600))
    elif case == "wrong issuer":
        forged = signed(key, claims_for(portal, subject, iss="http://127.0.0.1:1"))
    elif case == "wrong audience":
        forged = signed(key, claims_for(portal, subject, aud="http://elsewhere/fhir"))
    elif case == "no subject":
        forged = signed(key, claims_for(portal, subject, sub=None))
    elif case == "alg none":
        header = b64(json.dumps({"alg": "none", "kid": key.kid}).encode())
        forged = f"{header}.{b64(json.dumps(claims_for(portal, subject)).encode())}."
    elif case == "HS256 with the public key":
        public_pem = key.as_pem(private=False)
        header = b64(json.dumps({"alg": "HS256", "kid": key.kid}).encode())
        body = b64(json.dumps(claims_for(portal, subject)).encode())
        mac = hmac.new(public_pem, f"{header}.{body}".encode(), hashlib.sha256).digest()
        forged = f"{header}.{body}.{b64(mac)}"
    elif case == "unknown key":
        stranger = RSAKey.generate_key(2048, parameters={"kid": "stranger"})
        forged = signed(stranger, claims_for(portal, subject))
    elif case == "bad signature":
        stranger = RSAKey.generate_key(2048)
        forged = signed(stranger, claims_for(portal, subject), kid=key.kid)
    else:
        forged = "not.a.token"
    answer = client.get(f"{FHIR}/Goal", headers={"Authorization": f"Bearer {forged}"})
    assert answer.status_code == 401, answer.text
    challenge = answer.headers["www-authenticate"]
    assert challenge.startswith('Bearer realm="mylife-fhir", error="invalid_token"')
    assert reason in challenge
    fhir_valid(answer.json())
    assert answer.json()["issue"][0]["code"] == "login"


def test_no_token_or_another_scheme_gets_a_bare_challenge(
    client: TestClient, session: Session, portal: Provider
) -> None:
    for headers in ({}, {"Authorization": "Basic bWU6eW91"}, {"Authorization": "Bearer "}):
        answer = client.get(f"{FHIR}/CarePlan", headers=headers)
        assert answer.status_code == 401
        assert answer.headers["www-authenticate"] == 'Bearer realm="mylife-fhir"'
    # Cookies are no way in either: a signed-in browser is not the portal.
    person = make_young_person(session)
    session.commit()
    sign_in(client, person)
    assert client.get("/").status_code == 200
    assert client.get(f"{FHIR}/CarePlan").status_code == 401


def test_a_missing_scope_is_refused_with_403(
    client: TestClient, session: Session, portal: Provider
) -> None:
    person, subject = person_with_data(session, portal.issuer)
    token = portal_access_token(portal, subject, ("patient/Goal.read",))
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get(f"{FHIR}/Goal", headers=auth).status_code == 200
    for path in ("QuestionnaireResponse", "CarePlan", "Questionnaire"):
        refused = client.get(f"{FHIR}/{path}", headers=auth)
        assert refused.status_code == 403
        assert 'error="insufficient_scope"' in refused.headers["www-authenticate"]
        assert f'scope="patient/{path}.read"' in refused.headers["www-authenticate"]
        fhir_valid(refused.json())
    posted = client.post(f"{FHIR}/QuestionnaireResponse", headers=auth, json={})
    assert posted.status_code == 403
    denied = session.exec(
        select(AuditEvent).where(AuditEvent.subject_id == person.id, AuditEvent.outcome == "denied")
    ).all()
    assert len(denied) == 4


# --- import ------------------------------------------------------------------------------


def portal_response(person: Account, key: str, **changes: Any) -> dict[str, Any]:
    groups: list[dict[str, Any]] = [
        {
            "linkId": theme,
            "item": [
                {"linkId": f"{theme}.importance", "answer": [{"valueInteger": 9}]},
                {"linkId": f"{theme}.satisfaction", "answer": [{"valueInteger": 4}]},
            ],
        }
        for theme in THEME_IDS
    ]
    groups[0]["item"].append(
        {"linkId": f"{THEME_IDS[0]}.future", "answer": [{"valueString": "Työpaikka"}]}
    )
    resource = {
        "resourceType": "QuestionnaireResponse",
        "identifier": {"system": "https://portal.example/responses", "value": key},
        "questionnaire": "https://portal.example/fhir/Questionnaire/mylife-youth|1.0",
        "status": "completed",
        "subject": {"reference": f"Patient/{person.id}"},
        "authored": "2026-11-20T10:15:00+02:00",
        "item": groups,
    }
    resource.update(changes)
    return resource


def test_a_response_completed_in_the_portal_is_imported_once(
    client: TestClient, session: Session, aino: tuple[Account, dict[str, str]]
) -> None:
    person, auth = aino
    sent = portal_response(person, "resp-1")
    fhir_valid(sent)
    created = client.post(
        f"{FHIR}/QuestionnaireResponse",
        headers={**auth, "Content-Type": "application/fhir+json"},
        content=json.dumps(sent),
    )
    assert created.status_code == 201, created.text
    fhir_valid(created.json())
    assessment_id = int(created.json()["id"])
    assert created.headers["location"].endswith(f"{FHIR}/QuestionnaireResponse/{assessment_id}")
    stored = session.get(Assessment, assessment_id)
    assert stored is not None and stored.subject_id == person.id and stored.status == "completed"
    assert stored.external_id == "resp-1" and stored.imported_by == "national-portal"
    assert stored.completed_at is not None and stored.completed_at.isoformat().startswith(
        "2026-11-20T08:15"
    )
    answers = {
        a.item_id: a.value
        for a in session.exec(select(Answer).where(Answer.assessment_id == assessment_id))
    }
    assert len(answers) == 21 and answers["housing.satisfaction"] == 4
    assert answers[f"{THEME_IDS[0]}.future"] == "Työpaikka"
    assert created.json()["identifier"] == sent["identifier"]

    created_row = session.exec(
        select(AuditEvent).where(
            AuditEvent.subject_id == person.id, AuditEvent.action == "fhir.create"
        )
    ).one()
    assert (created_row.outcome, created_row.object_id) == ("allowed", assessment_id)

    again = client.post(f"{FHIR}/QuestionnaireResponse", headers=auth, json=sent)
    assert again.status_code == 200 and again.json()["id"] == str(assessment_id)
    count = len(session.exec(select(Assessment).where(Assessment.subject_id == person.id)).all())
    assert count == 2  # the one answered in MyLife, and the import
    # It is the person's own assessment now: readable back, and in the app's list.
    assert (
        client.get(
            created.headers["location"].removeprefix("http://testserver"), headers=auth
        ).json()
        == created.json()
    )


@pytest.mark.parametrize(
    ("change", "expression", "words"),
    [
        (
            {
                "item": [
                    {
                        "linkId": "housing",
                        "item": [
                            {"linkId": "housing.satisfaction", "answer": [{"valueInteger": 11}]}
                        ],
                    }
                ]
            },
            "QuestionnaireResponse.item[0].item[0].answer[0]",
            "from 0 to 10",
        ),
        (
            {"item": [{"linkId": "housing.satisfaction", "answer": [{"valueString": "good"}]}]},
            "QuestionnaireResponse.item[0].answer[0]",
            "'housing.satisfaction'",
        ),
        (
            {"item": [{"linkId": "housing.mood", "answer": [{"valueInteger": 3}]}]},
            "QuestionnaireResponse.item[0].linkId",
            "'housing.mood'",
        ),
        (
            {
                "item": [
                    {
                        "linkId": "housing",
                        "item": [{"linkId": "family.importance", "answer": [{"valueInteger": 3}]}],
                    }
                ]
            },
            "QuestionnaireResponse.item[0].item[0].linkId",
            "'family.importance'",
        ),
        (
            {"item": [{"linkId": "housing", "item": [{"linkId": "housing", "item": []}]}]},
            "QuestionnaireResponse.item[0].item[0].linkId",
            "'housing'",
        ),
        ({"status": "in-progress"}, "QuestionnaireResponse.status", "completed"),
        ({"identifier": None}, "QuestionnaireResponse.identifier", "identifier"),
        (
            {"questionnaire": "https://x/Questionnaire/other|1.0"},
            "QuestionnaireResponse.questionnaire",
            "questionnaire",
        ),
        ({"authored": "2099-01-01T00:00:00Z"}, "QuestionnaireResponse.authored", "future"),
        ({"subject": {"reference": "Patient/0"}}, "QuestionnaireResponse.subject", "someone else"),
    ],
)
def test_a_bad_response_gets_an_operation_outcome_naming_the_item(
    client: TestClient,
    session: Session,
    aino: tuple[Account, dict[str, str]],
    change: dict[str, Any],
    expression: str,
    words: str,
) -> None:
    person, auth = aino
    sent = portal_response(person, "bad-1", **change)
    refused = client.post(f"{FHIR}/QuestionnaireResponse", headers=auth, json=sent)
    assert refused.status_code == 422, refused.text
    outcome = refused.json()
    fhir_valid(outcome)
    issue = next(i for i in outcome["issue"] if i["expression"] == [expression])
    assert issue["severity"] == "error" and words in issue["diagnostics"]
    assert session.exec(select(Assessment).where(Assessment.external_id == "bad-1")).first() is None
    audited = session.exec(
        select(AuditEvent).where(
            AuditEvent.subject_id == person.id, AuditEvent.action == "fhir.create"
        )
    ).one()
    assert audited.outcome == "invalid" and audited.client_id == "national-portal"


def test_a_body_that_is_not_json_is_refused_clearly(
    client: TestClient, aino: tuple[Account, dict[str, str]]
) -> None:
    _person, auth = aino
    for body in (b"{not json", b"[]", b'{"resourceType": "Patient"}'):
        refused = client.post(
            f"{FHIR}/QuestionnaireResponse",
            headers={**auth, "Content-Type": "application/fhir+json"},
            content=body,
        )
        assert refused.status_code == 422, refused.text
        fhir_valid(refused.json())


def test_a_case_manager_cannot_be_the_portals_subject(
    client: TestClient, session: Session, portal: Provider
) -> None:
    manager = make_case_manager(session)
    identities.link(session, account=manager, issuer=portal.issuer, subject="staff-in-portal")
    session.commit()
    token = signed(portal.signing_key, claims_for(portal, "staff-in-portal"))
    goals = client.get(f"{FHIR}/Goal", headers={"Authorization": f"Bearer {token}"}).json()
    assert goals["total"] == 0
