"""Words meant for the young person are never said to a member of staff reading about them:
the help box on the person's circle, and the plan's suggested themes."""

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.audit.actions import AuditAction
from app.auth.models import Account
from app.plan import service as plans
from tests.factories import (
    assign,
    make_case_manager,
    make_completed_assessment,
    make_young_person,
    sign_in,
)

LOW = {"resilience.satisfaction": 2, "self_esteem.satisfaction": 1, "self_esteem.importance": 9}


def as_user(client: TestClient, account: Account, language: str = "en") -> None:
    client.cookies.clear()
    sign_in(client, account)
    client.cookies.set("mylife_lang", language)


def veera_and_kaisa(session: Session) -> tuple[Account, Account, int]:
    kaisa = make_case_manager(session, display_name="Kaisa Korhonen")
    veera = make_young_person(session, display_name="Veera Laine")
    assign(session, kaisa, veera)
    done = make_completed_assessment(session, veera, LOW, completed_at=datetime.now(UTC))
    return kaisa, veera, done.id or 0


@pytest.mark.parametrize(
    ("language", "title", "message"),
    [
        (
            "en",
            "Veera Laine may need help now",
            "Veera Laine answered very low on: Self-esteem 1, Coping 2 (out of 10). "
            "Get in touch soon.",
        ),
        (
            "fi",
            "Veera Laine voi tarvita apua nyt",
            "Veera Laine vastasi hyvin matalasti: Itsetunto 1, Selviytyminen 2 (asteikolla 0–10). "
            "Ota yhteyttä pian.",
        ),
        (
            "sv",
            "Veera Laine kan behöva hjälp nu",
            "Veera Laine svarade mycket lågt: Självkänsla 1, Motståndskraft 2 (på skalan 0–10). "
            "Ta kontakt snart.",
        ),
    ],
)
def test_a_case_manager_reads_a_professionals_help_box(
    client: TestClient, session: Session, language: str, title: str, message: str
) -> None:
    kaisa, veera, assessment_id = veera_and_kaisa(session)
    as_user(client, kaisa, language)
    page = client.get(f"/assessments/{assessment_id}").text
    assert f'<h2 id="help-title">{title}</h2>' in page and f"<p>{message}</p>" in page
    # Nothing addressed to the young person: no crisis lines to call, no "you are not alone".
    assert 'href="tel:' not in page and "112" not in page
    for young_words in ("Help is there right now", "Apua on saatavilla nyt", "Hjälp finns nu"):
        assert young_words not in page

    as_user(client, veera, language)
    own = client.get(f"/assessments/{assessment_id}").text
    assert 'href="tel:112"' in own and title not in own


def test_the_plans_suggested_themes_are_worded_for_their_reader(
    client: TestClient, session: Session
) -> None:
    kaisa, veera, _assessment_id = veera_and_kaisa(session)
    plans.plan_of(session, actor=veera, person_id=veera.id or 0, action=AuditAction.PLAN_READ)
    as_user(client, kaisa)
    page = client.get(f"/people/{veera.id}/plan").text
    assert "they matter to Veera Laine, who is not as happy with them" in page
    assert "(suggested: matters to Veera Laine, who is not as happy with it)" in page
    assert "important to you" not in page and "you are not as happy" not in page
    assert '<label for="new-goal-text">The goal in Veera Laine\'s own words</label>' in page
    as_user(client, kaisa, "fi")
    page = client.get(f"/people/{veera.id}/plan").text
    assert "ne ovat tärkeitä, mutta Veera Laine ei ole niihin yhtä tyytyväinen" in page
    assert "ehdotus: tärkeä, mutta Veera Laine ei ole siihen yhtä tyytyväinen" in page
    assert "et ole" not in page

    as_user(client, veera)
    own = client.get(f"/people/{veera.id}/plan").text
    assert "Your latest assessment suggests these themes" in own
    assert '<label for="new-goal-text">The goal in your own words</label>' in own
