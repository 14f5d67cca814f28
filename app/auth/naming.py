"""How a person is named to someone else, and names that would pass for a staff member's.

Everyone sees a person as their name with their role, and a staff member's
organisation too: "Kaisa Korhonen (case manager, Kuopio youth services)". A name
alone proves nothing (anyone may call themselves anything); the role label comes
from the account, so a young person called "Kaisa Korhonen" still reads as a
young person.

On sign-up a chosen display name that copies an active staff member's is refused.
Names are compared by `name_key`: Unicode-normalised (NFKC), case-folded, with
accents, spaces, invisible characters and punctuation dropped, and letters that look
alike (Cyrillic and Greek look-alikes, digits, "rn" for "m") folded together. A
name from the national portal's verified identity is the person's real name and
is not checked.
"""

import re
import unicodedata
from collections.abc import Iterable

from sqlmodel import Session, col, select

from app.auth.models import Account, Role
from app.core.i18n import gettext
from app.core.types import saved_id

STAFF_ROLES = (Role.CASE_MANAGER, Role.MANAGER, Role.ADMIN)


def role_label(role: str | None) -> str:
    """A role in the reader's language ('' for none or an unknown one)."""
    try:
        return Role(role).label if role else ""
    except ValueError:
        return ""


def describe(name: str, role: str | None, organisation: str | None = None) -> str:
    """A person as others see them: name, role and organisation (the ones given)."""
    role_text, organisation = role_label(role), (organisation or "").strip()
    if role_text and organisation:
        return gettext(
            "%(name)s (%(role)s, %(organisation)s)",
            name=name,
            role=role_text,
            organisation=organisation,
        )
    if role_text or organisation:
        return gettext("%(name)s (%(role)s)", name=name, role=role_text or organisation)
    return name


def describe_account(account: Account) -> str:
    return describe(account.display_name, account.role, account.organisation)


def names_of(session: Session, account_ids: Iterable[int]) -> dict[int, tuple[str, str | None]]:
    """The name and organisation of each of these accounts that still exists, in one query
    (none for no ids): for naming the people of a list without a query per row."""
    wanted = set(account_ids)
    if not wanted:
        return {}
    rows = session.exec(
        select(Account.id, Account.display_name, Account.organisation).where(
            col(Account.id).in_(wanted)
        )
    ).all()
    return {saved_id(account_id): (name, organisation) for account_id, name, organisation in rows}


# --- names that pass for someone else's --------------------------------------------

# Letters of other scripts that look like Latin ones (Cyrillic and Greek, as code points),
# both cases: mapped before case-folding, since a capital's twin is often not its small
# letter's. Digits and signs that pass for letters too.
_SCRIPT_TWINS = {
    "A": (0x0410, 0x0391),
    "a": (0x0430, 0x03B1),
    "B": (0x0412, 0x0392),
    "C": (0x0421,),
    "c": (0x0441,),
    "d": (0x0501,),
    "E": (0x0415, 0x0395),
    "e": (0x0435,),
    "H": (0x041D, 0x0397),
    "h": (0x043D, 0x04BB),
    "I": (0x0406, 0x0399),
    "i": (0x0456, 0x03B9),
    "J": (0x0408,),
    "j": (0x0458,),
    "K": (0x041A, 0x039A),
    "k": (0x043A, 0x03BA),
    "l": (0x04CF,),
    "M": (0x041C, 0x039C),
    "m": (0x043C,),
    "N": (0x039D,),
    "O": (0x041E, 0x039F),
    "o": (0x043E, 0x03BF),
    "P": (0x0420, 0x03A1),
    "p": (0x0440, 0x03C1),
    "Q": (0x051A,),
    "q": (0x051B,),
    "S": (0x0405,),
    "s": (0x0455,),
    "T": (0x0422, 0x03A4),
    "t": (0x0442, 0x03C4),
    "u": (0x03C5,),
    "v": (0x03BD,),
    "W": (0x051C,),
    "w": (0x051D,),
    "X": (0x0425, 0x03A7),
    "x": (0x0445, 0x03C7),
    "Y": (0x0423, 0x03A5),
    "y": (0x0443,),
    "Z": (0x0396,),
}
_LOOK_ALIKES = str.maketrans(
    {chr(code): latin for latin, codes in _SCRIPT_TWINS.items() for code in codes}
    | dict(zip("01|!$@", "oiiisa", strict=True))
)
# Letters of other scripts whose Unicode name does not say which Latin letter they pass for.
# fmt: off
_OTHER_TWINS = str.maketrans(
    {
        "\u0585": "o",  # Armenian oh
        "\u0578": "n",  # Armenian vo
        "\u057d": "u",  # Armenian seh
        "\ua4d0": "B",
        "\ua4d1": "P",
        "\ua4d3": "D",
        "\ua4d4": "T",
        "\ua4d7": "K",
        "\ua4da": "C",
        "\ua4dc": "Z",
        "\ua4dd": "F",
        "\ua4df": "M",
        "\ua4e0": "N",
        "\ua4e1": "L",
        "\ua4e2": "S",
        "\ua4e3": "R",
        "\ua4e6": "V",
        "\ua4ea": "W",
        "\ua4eb": "X",
        "\ua4ec": "Y",
        "\ua4ee": "A",
        "\ua4f0": "E",
        "\ua4f2": "I",
        "\ua4f3": "O",
        "\ua4f4": "U",
    }
)
# fmt: on
# "LATIN LETTER SMALL CAPITAL K", "COPTIC SMALL LETTER O", "LATIN SMALL LETTER DOTLESS I":
# a letter whose name ends in one Latin letter passes for that letter.
_NAMED_TWIN = re.compile(r"LETTER (?:SMALL CAPITAL |DOTLESS |TURNED |CAPITAL |SMALL )?([A-Z])$")


def _latin_twin(char: str) -> str:
    if char.isascii() or not char.isalpha():
        return char
    found = _NAMED_TWIN.search(unicodedata.name(char, ""))
    return found.group(1).lower() if found else char


# After case-folding: small L and I are told apart by nobody in many fonts.
_FOLDED = (("rn", "m"), ("vv", "w"), ("l", "i"))


def name_key(name: str) -> str:
    """What a name looks like, for comparing two names: equal keys read as the same name."""
    text = unicodedata.normalize("NFKC", name).translate(_LOOK_ALIKES).translate(_OTHER_TWINS)
    text = "".join(_latin_twin(char) for char in text).casefold()
    # Only letters and digits count: accents, spaces (also zero-width ones), punctuation,
    # symbols and control characters are dropped ("Kaisa K." is "kaisak", as is "KAISA K").
    folded = "".join(
        char
        for char in unicodedata.normalize("NFKD", text)
        if unicodedata.category(char)[0] in "LN"
    )
    for look, like in _FOLDED:
        folded = folded.replace(look, like)
    return folded


def _words(name: str) -> set[str]:
    return {key for word in re.split(r"[\s(),.;:/]+", name) if (key := name_key(word))}


def copies_any(name: str, names: Iterable[str]) -> bool:
    """Whether `name` reads as one of `names`: the same name, or one that holds every word
    of a name of two words or more ("Kaisa Korhonen 2", "Kaisa Korhonen (case manager)")."""
    key, words = name_key(name), _words(name)
    for other in names:
        theirs = _words(other)
        if key and (name_key(other) == key or (len(theirs) > 1 and theirs <= words)):
            return True
    return False


def copies_staff_name(session: Session, *, name: str) -> bool:
    """Whether the name reads as the name of an active staff member."""
    staff = session.exec(
        select(Account.display_name).where(
            col(Account.role).in_([str(role) for role in STAFF_ROLES]),
            col(Account.is_active).is_(True),
        )
    ).all()
    return copies_any(name, staff)
