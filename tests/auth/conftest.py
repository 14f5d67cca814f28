"""Clean-up for the command-line tests: the CLI commits on the run's database itself."""

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, delete
from sqlmodel import Session, col, select

from app.auth.models import Account, ExternalIdentity


class Committed:
    """What a test committed outside its rolled-back transaction, deleted after it."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.account_ids: list[int] = []
        self.issuers: list[str] = []

    def clean_up(self) -> None:
        with Session(self.engine) as session:
            linked = select(ExternalIdentity.account_id).where(
                col(ExternalIdentity.issuer).in_(self.issuers)
            )
            ids = {*self.account_ids, *session.exec(linked).all()}
            session.execute(delete(Account).where(col(Account.id).in_(ids)))
            session.commit()


@pytest.fixture
def cli_rows(engine: Engine) -> Iterator[Committed]:
    """Accounts a test commits, and every account linked at the issuers it names, are
    deleted afterwards (their identities with them), whether the test passed or not."""
    real = Committed(engine)
    try:
        yield real
    finally:
        real.clean_up()
