"""Administrators link staff identities from the command line.

The CLI commits on the run's database: each test uses an issuer of its own, asserts only
on its own rows, and the `cli_rows` fixture deletes them afterwards.
"""

import secrets

import pytest
from sqlmodel import Session, select

from app.auth import identities
from app.auth.models import Account
from app.cli import main
from app.core.db import get_engine
from tests.auth.conftest import Committed
from tests.factories import make_case_manager


def test_staff_accounts_are_created_and_linked_once(
    cli_rows: Committed, capsys: pytest.CaptureFixture[str]
) -> None:
    issuer = f"https://idp-{secrets.token_hex(4)}.kuopio.test"
    cli_rows.issuers.append(issuer)
    subject, name = "kaisa", f"Kaisa CLI {secrets.token_hex(3)}"
    staff = ["identity", "staff", "--name", name, "--role", "case_manager"]
    assert main([*staff, "--issuer", issuer, "--subject", subject]) == 0
    with Session(get_engine()) as session:
        account = identities.account_for(session, issuer=issuer, subject=subject)
        assert account is not None and account.role == "case_manager"
        assert account.display_name == name and account.password_hash is None
    assert main([*staff, "--issuer", issuer, "--subject", subject]) == 1
    assert "on jo liitetty toiseen tiliin" in capsys.readouterr().err  # the default locale, fi
    with Session(get_engine()) as session:
        named = session.exec(select(Account).where(Account.display_name == name)).all()
        assert len(named) == 1  # the refused second one was not kept


def test_an_existing_account_is_linked_by_username(cli_rows: Committed) -> None:
    issuer = f"https://idp-{secrets.token_hex(4)}.test"
    cli_rows.issuers.append(issuer)
    with Session(get_engine()) as session:
        manager = make_case_manager(session)
        session.commit()
        cli_rows.account_ids.append(manager.id or 0)
        username = manager.username or ""
    args = ["identity", "link", "--issuer", issuer, "--subject", "sub"]
    assert main([*args, "--username", "nobody-here"]) == 1
    assert main([*args, "--username", username.upper()]) == 0
    with Session(get_engine()) as session:
        linked = identities.account_for(session, issuer=issuer, subject="sub")
        assert linked is not None and linked.username == username
