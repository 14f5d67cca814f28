"""How people are named to others, where staff work, and names that pass for another's."""

import secrets
from collections.abc import Iterator

import pytest
from sqlmodel import Session

from app.auth import identities
from app.auth.naming import copies_any, copies_staff_name, describe, name_key
from app.cli import main
from app.core.db import get_engine
from app.core.i18n import current_locale, set_locale
from tests.auth.conftest import Committed
from tests.factories import make_case_manager, make_young_person


@pytest.fixture
def in_locale() -> Iterator[object]:
    before = current_locale()
    yield set_locale
    set_locale(before)


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en", "Kaisa Korhonen (case manager, Kuopio youth services)"),
        ("fi", "Kaisa Korhonen (omatyöntekijä, Kuopio youth services)"),
        ("sv", "Kaisa Korhonen (kontaktperson, Kuopio youth services)"),
    ],
)
def test_a_person_is_named_with_role_and_organisation(
    in_locale: object, locale: str, expected: str
) -> None:
    set_locale(locale)
    assert describe("Kaisa Korhonen", "case_manager", "Kuopio youth services") == expected
    young = {"en": "young person", "fi": "nuori", "sv": "ung person"}[locale]
    assert describe("Aino", "young_person", None) == f"Aino ({young})"
    assert describe("Someone", None, None) == "Someone"


def test_look_alike_names_have_the_same_key() -> None:
    key = name_key("Mikko Mäkelä")
    for same in (
        "mikko mäkelä",
        "  MIKKO\tMÄKELÄ  ",
        "Mikko Ma\u0308kela\u0308",  # decomposed accents
        "Mikko Makela",  # accents dropped
        "Mi\u200bkko Mäke\u00adlä",  # zero-width space, soft hyphen
        "\u041cikko Mäkelä",  # a Cyrillic capital EM
        "M\u0456kko Mäkelä",  # a Cyrillic small I
        "Mlkko Mäkelä",  # small L for I
        "M1kko Mäke1ä",  # digit one
        "Mikko M\u00e4kel\u00e4\u202e",  # a direction control
        "Mikko-Mäkelä",
        "\U0001d40c\U0001d422\U0001d424\U0001d424\U0001d428 Mäkelä",  # mathematical bold
    ):
        assert name_key(same) == key, same
    for other in ("Mikko Mäkinen", "Mikaela Mäkelä", "Niko Mäkelä"):
        assert name_key(other) != key, other


def test_only_active_staff_names_are_held(session: Session) -> None:
    make_case_manager(session, display_name="Ulla Uusitalo")
    make_young_person(session, display_name="Vilja Virta")
    assert copies_staff_name(session, name="ULLA  uusitalo")
    assert not copies_staff_name(session, name="Vilja Virta")  # not staff
    assert not copies_staff_name(session, name="Ulla Uusi")


def test_the_cli_sets_a_staff_members_organisation(cli_rows: Committed) -> None:
    issuer, subject = f"https://idp-{secrets.token_hex(4)}.kuopio.test", "mikko"
    cli_rows.issuers.append(issuer)  # the CLI commits: deleted after the test
    staff = ["identity", "staff", "--name", "Mikko CLI", "--role", "case_manager"]
    where = ["--organisation", "  Kuopio social services "]
    assert main([*staff, *where, "--issuer", issuer, "--subject", subject]) == 0
    with Session(get_engine()) as session:
        account = identities.account_for(session, issuer=issuer, subject=subject)
        assert account is not None and account.organisation == "Kuopio social services"
    with pytest.raises(SystemExit):
        main([*staff, "--organisation"])  # the option needs a value


@pytest.mark.parametrize(
    "name",
    [
        "Kaisa Korhonen (case manager, Kuopio youth services)",
        "Kaisa Korhonen, case manager",
        "Kaisa Korhonen 2",
        "Ka\u0131sa Korhonen",  # dotless i
        "Kaisa K\u0585rhonen",  # Armenian oh
        "Kaisa K\u2c9frhonen",  # Coptic o
        "\ua4d7aisa Korhonen",  # Lisu K
        "\u1d0baisa Korhonen",  # small capital K
        "Kaisa Korho\u0274en",  # small capital N
        "Mi\u043ako Mäkelä (omatyöntekijä)",  # Cyrillic k
    ],
)
def test_names_dressed_up_as_a_staff_members_are_refused(name: str) -> None:
    assert copies_any(name, ["Kaisa Korhonen", "Mikko Mäkelä"])


@pytest.mark.parametrize("name", ["Kaisa Virtanen", "Hanna Lindström", "Mikko", "Aino Korhonen"])
def test_other_names_pass(name: str) -> None:
    assert not copies_any(name, ["Kaisa Korhonen", "Mikko Mäkelä"])
