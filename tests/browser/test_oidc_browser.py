"""Sign-in through a real OpenID Connect provider in Chromium: a young person through their
invitation, a case manager through the organisation's provider, and sign-out at both ends."""

import re
import secrets
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine
from sqlmodel import Session

from app.auth import identities
from app.caseload import service as caseload
from tests.browser.conftest import axe_violations
from tests.factories import make_case_manager
from tests.oidc.fixtures import provider_settings
from tests.oidc.provider import Provider, running_provider

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser_provider(live_server: str) -> Iterator[Provider]:
    """One provider process serving both roles, with the live server's addresses."""
    callbacks = [f"{live_server}/auth/oidc/{name}/callback" for name in ("portal", "organisation")]
    with running_provider(
        redirect_uris=callbacks, post_logout_uris=[f"{live_server}/signin"]
    ) as provider:
        yield provider


@pytest.fixture
def configured(monkeypatch: pytest.MonkeyPatch, browser_provider: Provider) -> Provider:
    from app.core.config import get_settings

    monkeypatch.setattr(
        get_settings(),
        "oidc_providers",
        [
            provider_settings("portal", "Omaolo", "young_people", browser_provider),
            provider_settings("organisation", "Kuopio", "staff", browser_provider),
        ],
    )
    return browser_provider


def log_in_at_provider(page: Page, subject: str) -> None:
    page.locator("input[name=login]").fill(subject)
    page.locator("input[name=password]").fill("anything")
    page.locator("button[type=submit]").click()


def test_a_young_person_joins_through_the_portal_and_signs_out(
    page: Page, live_server: str, engine: Engine, configured: Provider
) -> None:
    with Session(engine) as session:
        manager = make_case_manager(session, display_name="Kaisa Browser")
        token = caseload.invite(session, actor=manager)
        session.commit()
    subject = f"yp-{secrets.token_hex(3)}"
    page.goto(f"{live_server}/invitations/{token}")
    page.get_by_role("link", name="Sign in with Omaolo and accept").click()
    expect(page).to_have_url(re.compile(re.escape(configured.issuer)))
    log_in_at_provider(page, subject)
    expect(page).to_have_url(f"{live_server}/")
    expect(page.locator("h1")).to_contain_text(f"Person {subject}")

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(re.escape(configured.issuer)))
    page.locator("button[name=logout][value=yes]").click()
    expect(page).to_have_url(re.compile(re.escape(f"{live_server}/signin")))
    expect(page.locator("h1")).to_have_text("Sign in")
    # Signed out at the provider too: the next sign-in asks who you are again.
    page.get_by_role("link", name="Sign in with Omaolo").click()
    expect(page.locator("input[name=login]")).to_be_visible()


def test_staff_sign_in_and_the_refusal_page(
    page: Page, live_server: str, engine: Engine, configured: Provider
) -> None:
    page.goto(f"{live_server}/signin")
    expect(page.get_by_role("link", name="Staff: sign in with Kuopio")).to_be_visible()
    assert axe_violations(page) == []

    stranger = f"stranger-{secrets.token_hex(3)}"
    page.get_by_role("link", name="Staff: sign in with Kuopio").click()
    log_in_at_provider(page, stranger)
    refusal = "Your organisation account is not linked to MyLife"
    expect(page.get_by_role("alert")).to_contain_text(refusal)
    assert axe_violations(page) == []

    subject = f"cm-{secrets.token_hex(3)}"
    with Session(engine) as session:
        manager = make_case_manager(session, display_name="Kaisa Staff")
        identities.link(session, account=manager, issuer=configured.issuer, subject=subject)
        session.commit()
    page.context.clear_cookies()
    page.goto(f"{live_server}/signin")
    page.get_by_role("link", name="Staff: sign in with Kuopio").click()
    log_in_at_provider(page, subject)
    expect(page.locator("h1")).to_have_text("Caseload")
    expect(page.locator("footer")).to_contain_text("Signed in as Kaisa Staff")
