"""Signing up from an invitation on a phone (390x844), a young person's first screen: a
refused form says what is wrong at the top, where focus lands, each problem a link to its
field."""

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine
from sqlmodel import Session

from app.caseload import service
from tests.factories import make_case_manager

pytestmark = pytest.mark.browser


def test_a_refused_sign_up_puts_its_problems_first_and_in_focus(
    page: Page, live_server: str, engine: Engine
) -> None:
    with Session(engine) as session:
        token = service.invite(session, actor=make_case_manager(session, username="inviting-cm"))
        session.commit()
    page.set_viewport_size({"width": 390, "height": 844})
    page.context.set_extra_http_headers({"Accept-Language": "en"})
    page.goto(f"{live_server}/invitations/{token}")
    page.get_by_label("Username").fill("new-person")
    page.get_by_label("Date of birth").fill("1.1.2030")
    page.get_by_label("Password").fill("long enough password")
    page.get_by_role("button", name="Create the account and accept").click()

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(page).to_have_title("Error: Welcome to MyLife – MyLife")
    expect(summary.get_by_role("link")).to_have_text(
        [
            "Your name: This field is required.",
            "Date of birth: Your date of birth cannot be in the future. Check the year.",
        ]
    )
    expect(page.get_by_label("Date of birth")).to_have_value("1.1.2030")  # kept as typed
    summary.get_by_role("link", name="Date of birth").click()
    expect(page.get_by_label("Date of birth")).to_be_focused()
