"""Command line: `python -m app.cli instrument validate|import FILE`, `python -m app.cli demo`."""

import argparse
import sys
from pathlib import Path

from sqlmodel import Session

from app import models  # noqa: F401
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mylife")
    commands = parser.add_subparsers(dest="command", required=True)
    instrument = commands.add_parser("instrument", help="validate or import instrument definitions")
    instrument.add_argument("action", choices=["validate", "import"])
    instrument.add_argument("files", nargs="+", type=Path)
    commands.add_parser("demo", help="load the demo accounts and assessments (idempotent)")
    args = parser.parse_args(argv)
    if args.command == "instrument":
        return _validate(args.files) if args.action == "validate" else _import(args.files)
    return _demo()


if __name__ == "__main__":
    sys.exit(main())
