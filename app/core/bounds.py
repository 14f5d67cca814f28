"""What a number or a date from outside may be: what the database's columns can hold.

Inputs are bounded where they are read (path, query, form and body types), with a message
naming the field; `app.core.db` refuses anything that slipped past as the last guard.
"""

from datetime import date

from app.core.errors import CharacterNotAllowed

INT_MAX = 2**31 - 1  # integer columns are 32-bit on PostgreSQL
INT_RANGE = range(-(2**31), INT_MAX + 1)
DATE_RANGE = range(1900, 2201)  # years any stored date may have
# A number a phone can dial from a tap-to-call link: digits and spaces, a leading + allowed.
PHONE_NUMBER = r"\+?[0-9][0-9 ]{1,22}[0-9]"  # at most 25 characters


def date_in_range(value: date) -> bool:
    """True for a date (or datetime) whose year any date column holds."""
    return value.year in DATE_RANGE


def storable_text(field: str, value: str) -> str:
    """Text a column can hold: one with a NUL character is refused, naming the field (the
    edge refuses most before any route; this is the rule for every service that saves text)."""
    if "\x00" in value:
        raise CharacterNotAllowed(field=field)
    return value
