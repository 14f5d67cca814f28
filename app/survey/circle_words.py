"""The Circle of Life in words: the bands' names, what each sector says, and the change
since an earlier reading. The instrument sets only where its bands start and end; what a
band is called is the application's, by its kind, so every version reads alike."""

from collections.abc import Sequence
from datetime import UTC, datetime

from app.core.i18n import N_, gettext, ngettext
from app.core.types import LOCAL_TIME
from app.survey.circle import ThemeReading
from app.survey.definition import Band

# Kind words: a 5 is neutral, never a problem.
BAND_WORDS = {"low": N_("worth talking about"), "middle": N_("okay"), "high": N_("good")}

# Each month as the languages inflect it (Finnish: "toukokuusta", "toukokuussa").
SINCE_MONTH = (
    N_("since January"),
    N_("since February"),
    N_("since March"),
    N_("since April"),
    N_("since May"),
    N_("since June"),
    N_("since July"),
    N_("since August"),
    N_("since September"),
    N_("since October"),
    N_("since November"),
    N_("since December"),
)
IN_MONTH = (
    N_("in January"),
    N_("in February"),
    N_("in March"),
    N_("in April"),
    N_("in May"),
    N_("in June"),
    N_("in July"),
    N_("in August"),
    N_("in September"),
    N_("in October"),
    N_("in November"),
    N_("in December"),
)
MONTH_IS_ENOUGH_DAYS = 300  # an earlier reading within this is named by its month


def band_words(band: Band | None) -> str:
    return gettext(BAND_WORDS[band.id]) if band else ""


def when(earlier: datetime | None, now: datetime | None) -> tuple[str, str]:
    """("since May", "in May") for an earlier reading; its day when it is long ago."""
    if earlier is None or now is None:
        return "", ""
    local = (earlier if earlier.tzinfo else earlier.replace(tzinfo=UTC)).astimezone(LOCAL_TIME)
    if (now - earlier).days > MONTH_IS_ENOUGH_DAYS:
        day = f"{local.day}.{local.month}.{local.year}"
        return gettext("since %(date)s", date=day), gettext("on %(date)s", date=day)
    return gettext(SINCE_MONTH[local.month - 1]), gettext(IN_MONTH[local.month - 1])


def _satisfaction(reading: ThemeReading) -> str:
    if reading.satisfaction is None:
        return gettext("satisfaction not answered")
    return gettext(
        "satisfied %(value)s (%(band)s)",
        value=reading.satisfaction,
        band=band_words(reading.band),
    )


def _change(reading: ThemeReading, at: str) -> str:
    earlier = reading.previous_satisfaction
    if earlier is None or reading.change is None:
        return ""
    if reading.change > 0:
        return gettext("up from %(value)s %(when)s", value=earlier, when=at)
    if reading.change < 0:
        return gettext("down from %(value)s %(when)s", value=earlier, when=at)
    return gettext("the same as %(when)s", when=at)


def says(reading: ThemeReading, at: str = "") -> str:
    """One sector in words: "Money: satisfied 4 (…), important 7 — up from 2 in May"."""
    parts = [_satisfaction(reading)]
    if reading.importance is None:
        parts.append(gettext("importance not answered"))
    elif reading.gap:  # the gap said with the importance, not as another "important"
        parts.append(
            gettext(
                "important %(value)s – matters more than you're happy with it",
                value=reading.importance,
            )
        )
    else:
        parts.append(gettext("important %(value)s", value=reading.importance))
    if reading.staff is not None:
        parts.append(gettext("the case manager's reading %(value)s", value=reading.staff))
    text = f"{reading.title}: {', '.join(parts)}"
    change = _change(reading, at)
    return f"{text} – {change}" if change else text


def change_summary(readings: Sequence[ThemeReading], since: str) -> str:
    """ "Up in 7 of 10 areas since May", when an earlier reading can be compared."""
    compared = [r for r in readings if r.change is not None]
    if not compared or not since:
        return ""
    up = sum(1 for r in compared if (r.change or 0) > 0)
    if up == 0:
        return gettext("No area is up %(since)s – worth talking about together", since=since)
    return ngettext(
        "Up in %(up)s of %(num)s area %(since)s",
        "Up in %(up)s of %(num)s areas %(since)s",
        len(compared),
        up=up,
        since=since,
    )
