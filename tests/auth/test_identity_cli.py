"""Administrators link staff identities from the command line."""

import secrets

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from app.auth import identities
from app.auth.models import Account
from app.cli import main
from app.core.db import get_engine
from tests.factories import make_case_manager


def test_staff_accounts_are_created_and_linked_once(
    engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    issuer, subject = "https://idp.kuopio.test", f"kaisa-{secrets.token_hex(3)}"
    staff = ["identity", "staff", "--name", "Kaisa CLI", "--role", "case_manager"]
    assert main([*staff, "--issuer", issuer, "--subject", subject]) == 0
    with Session(get_engine()) as session:
        account = identities.account_for(session, issuer=issuer, subject=subject)
        assert account is not None and account.role == "case_manager"
        assert account.display_name == "Kaisa CLI" and account.password_hash is None
    assert main([*staff, "--issuer", issuer, "--subject", subject]) == 1
    assert "on jo liitetty toiseen tiliin" in capsys.readouterr().err  # the default locale, fi
    with Session(get_engine()) as session:
        named = session.exec(select(Account).where(Account.display_name == "Kaisa CLI")).all()
        assert len(named) == 1  # the refused second one was not kept


def test_an_existing_account_is_linked_by_username(engine: Engine) -> None:
    with Session(get_engine()) as session:
        manager = make_case_manager(session)
        session.commit()
        username = manager.username or ""
    subject = f"sub-{secrets.token_hex(3)}"
    args = ["identity", "link", "--issuer", "https://idp.test", "--subject", subject]
    assert main([*args, "--username", username.upper()]) == 0
    assert main([*args, "--username", "nobody-here"]) == 1
    with Session(get_engine()) as session:
        linked = identities.account_for(session, issuer="https://idp.test", subject=subject)
        assert linked is not None and linked.username == username
