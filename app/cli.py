"""Command line: `python -m app.cli instrument validate|import FILE`, `python -m app.cli demo`,
`python -m app.cli identity link|staff ...` (linking OpenID Connect identities),
`python -m app.cli db roles --owner NAME --runtime NAME` (PostgreSQL roles and grants)."""

import argparse
import sys
from pathlib import Path

from sqlmodel import Session, select

from app import models  # noqa: F401
from app.auth.naming import STAFF_ROLES
from app.core.config import get_settings
from app.core.db import get_engine
from app.core.errors import AppError
from app.survey import service as survey_service
from app.survey.definition import DefinitionError, load_definition_file


def _validate(paths: list[Path]) -> int:
    failed = 0
    for path in paths:
        try:
            definition, checksum = load_definition_file(path)
        except OSError as error:
            print(f"{path}: cannot read: {error.strerror}", file=sys.stderr)
            failed += 1
            continue
        except DefinitionError as error:
            for field, message in error.problems:
                print(f"{path}: {field}: {message}", file=sys.stderr)
            failed += 1
            continue
        summary = f"{len(definition.items())} items, {checksum[:12]}"
        print(f"{path}: {definition.code} {definition.version} is valid ({summary})")
    return 1 if failed else 0


def _import(paths: list[Path]) -> int:
    if _validate(paths):
        return 1
    with Session(get_engine()) as session:
        for path in paths:
            definition, checksum = load_definition_file(path)
            try:
                _version, created = survey_service.import_definition(
                    session, definition=definition, checksum=checksum
                )
            except AppError as error:
                print(f"{path}: {error.field}: {error.text()}", file=sys.stderr)
                return 1
            state = "imported" if created else "already imported"
            print(f"{path}: {definition.code} {definition.version} {state}")
        session.commit()
    return 0


def _demo() -> int:
    if get_settings().environment == "production":
        print("demo data is never loaded in production", file=sys.stderr)
        return 1
    from app.demo import load_demo

    with Session(get_engine()) as session:
        created = load_demo(session)
        session.commit()
    print("demo data: " + (", ".join(created) + " created" if created else "already there"))
    return 0


def _identity(args: argparse.Namespace) -> int:
    """Link an OpenID Connect identity to an existing account, or create a staff account
    that signs in only through its organisation's provider."""
    from app.auth import identities
    from app.auth.models import Account, Role
    from app.auth.service import normalise_username

    with Session(get_engine()) as session:
        if args.action == "link":
            account = session.exec(
                select(Account).where(Account.username == normalise_username(args.username))
            ).first()
            if account is None:
                print(f"no account with the username {args.username!r}", file=sys.stderr)
                return 1
        else:
            organisation = (args.organisation or "").strip()[:120] or None
            account = Account(
                display_name=args.name.strip()[:120],
                role=Role(args.role),
                organisation=organisation,
            )
            session.add(account)
            session.flush()
        try:
            identities.link(session, account=account, issuer=args.issuer, subject=args.subject)
        except AppError as error:
            print(error.text(), file=sys.stderr)
            return 1
        session.commit()
        where = f", {account.organisation}" if account.organisation else ""
        print(
            f"{account.display_name} ({account.role}{where}) signs in as {args.subject} "
            f"at {args.issuer}"
        )
    return 0


def _db_roles(args: argparse.Namespace) -> int:
    """Create the owner and runtime roles (and the database) and apply the grants."""
    import psycopg
    from sqlalchemy.engine import make_url

    from app.core import db_roles

    admin_url = args.admin_url or db_roles.migration_url(get_settings())
    backend = make_url(admin_url).get_backend_name()
    if backend != "postgresql":
        print(f"{backend}: there are no database roles to set up (PostgreSQL only)")
        return 0
    try:
        done = db_roles.set_up(
            admin_url,
            owner=args.owner,
            runtime=args.runtime,
            owner_password=args.owner_password,
            runtime_password=args.runtime_password,
        )
    except (db_roles.RoleSetupError, psycopg.Error) as error:
        print(f"db roles: {error}", file=sys.stderr)
        return 1
    print("\n".join(done))
    return 0


def _add_db_parser(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    db = commands.add_parser("db", help="PostgreSQL: the owner and runtime roles and their grants")
    actions = db.add_subparsers(dest="action", required=True)
    roles = actions.add_parser(
        "roles", help="create the roles and the database if missing, apply the grants (idempotent)"
    )
    roles.add_argument("--owner", required=True, help="the role migrations run as")
    roles.add_argument("--runtime", required=True, help="the role the application runs as")
    roles.add_argument("--owner-password", help="set the owner's password")
    roles.add_argument("--runtime-password", help="set the runtime role's password")
    roles.add_argument(
        "--admin-url",
        help="a superuser's URL to the application's database "
        "(default: MYLIFE_MIGRATION_DATABASE_URL, else MYLIFE_DATABASE_URL)",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mylife")
    commands = parser.add_subparsers(dest="command", required=True)
    instrument = commands.add_parser("instrument", help="validate or import instrument definitions")
    instrument.add_argument("action", choices=["validate", "import"])
    instrument.add_argument("files", nargs="+", type=Path)
    commands.add_parser("demo", help="load the demo accounts and assessments (idempotent)")
    identity = commands.add_parser("identity", help="link OpenID Connect identities to accounts")
    actions = identity.add_subparsers(dest="action", required=True)
    link = actions.add_parser("link", help="link an identity to an existing account")
    link.add_argument("--username", required=True)
    staff = actions.add_parser("staff", help="create a staff account that signs in through OIDC")
    staff.add_argument("--name", required=True)
    staff.add_argument("--role", choices=[str(role) for role in STAFF_ROLES], required=True)
    staff.add_argument(
        "--organisation", help="where they work, shown beside their name (at most 120 characters)"
    )
    for sub in (link, staff):
        sub.add_argument("--issuer", required=True, help="the provider's issuer URL")
        sub.add_argument("--subject", required=True, help="the person's `sub` at that provider")
    _add_db_parser(commands)
    args = parser.parse_args(argv)
    if args.command == "instrument":
        return _validate(args.files) if args.action == "validate" else _import(args.files)
    if args.command == "identity":
        return _identity(args)
    if args.command == "db":
        return _db_roles(args)
    return _demo()


if __name__ == "__main__":
    sys.exit(main())
