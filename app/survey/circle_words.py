"""The Circle of Life in words: the bands' names, what each sector says, and the change
since an earlier reading. The instrument sets only where its bands start and end; what a
band is called is the application's, by its kind, so every version reads alike."""

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from babel.lists import format_list

from app.core.i18n import N_, babel_locale, gettext, ngettext
from app.core.types import LOCAL_TIME
from app.survey.circle import ThemeReading
from app.survey.definition import Band, Scale

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
    """("since May", "in May") for an earlier reading; its day when a month would not tell it
    apart (the same month as now, or long ago)."""
    if earlier is None or now is None:
        return "", ""
    local, local_now = (_local(moment) for moment in (earlier, now))
    same_month = (local.year, local.month) == (local_now.year, local_now.month)
    if same_month or (now - earlier).days > MONTH_IS_ENOUGH_DAYS:
        return gettext("since %(date)s", date=day(earlier)), gettext(
            "on %(date)s", date=day(earlier)
        )
    return gettext(SINCE_MONTH[local.month - 1]), gettext(IN_MONTH[local.month - 1])


def _local(moment: datetime) -> datetime:
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(LOCAL_TIME)


def day(moment: datetime) -> str:
    """A moment's day in Finnish time, as every page writes days (24.11.2026)."""
    local = _local(moment)
    return f"{local.day}.{local.month}.{local.year}"


def _satisfaction(reading: ThemeReading, at: str) -> str:
    """Satisfaction and, right after it, its change: "satisfied 4 (okay), up from 2 in May"."""
    if reading.satisfaction is None:
        return gettext("satisfaction not answered")
    said = gettext(
        "satisfied %(value)s (%(band)s)",
        value=reading.satisfaction,
        band=band_words(reading.band),
    )
    change = _change(reading, at)
    return f"{said}, {change}" if change else said


def _change(reading: ThemeReading, at: str) -> str:
    earlier = reading.previous_satisfaction
    if earlier is None or reading.change is None:
        return ""
    if reading.change > 0:
        return gettext("up from %(value)s %(when)s", value=earlier, when=at)
    if reading.change < 0:
        return gettext("down from %(value)s %(when)s", value=earlier, when=at)
    return gettext("the same as %(when)s", when=at)


def _importance(reading: ThemeReading, own: bool) -> str:
    if reading.importance is None:
        return gettext("importance not answered")
    if not reading.gap:
        return gettext("important %(value)s", value=reading.importance)
    # The gap said with the importance, not as another "important"; to the person as "you",
    # to anyone else of the person.
    if own:
        return gettext(
            "important %(value)s – matters more than you're happy with it",
            value=reading.importance,
        )
    return gettext(
        "important %(value)s – matters more to them than they are happy with it",
        value=reading.importance,
    )


def says(reading: ThemeReading, at: str = "", own: bool = True) -> str:
    """One sector in words: "Money: satisfied 4 (…), up from 2 in May; important 7; the case
    manager's reading 2". `own`: the reader is the person who answered (else a case
    manager, who reads of them)."""
    parts = [_satisfaction(reading, at), _importance(reading, own)]
    if reading.staff is not None:
        parts.append(gettext("the case manager's reading %(value)s", value=reading.staff))
    return f"{reading.title}: {'; '.join(parts)}"


# How many areas went which way, each a part of one list.
CHANGES: dict[str, Callable[[int], str]] = {
    "up": lambda n: ngettext("gone up in %(num)s area", "gone up in %(num)s areas", n),
    "down": lambda n: ngettext("gone down in %(num)s area", "gone down in %(num)s areas", n),
    "same": lambda n: ngettext(
        "stayed the same in %(num)s area", "stayed the same in %(num)s areas", n
    ),
}


def change_summary(readings: Sequence[ThemeReading], since: str) -> str:
    """ "Since May, satisfaction has gone up in 7 areas, gone down in 2 areas and stayed the
    same in 1 area." The ups first; any downs said, and kindly."""
    changes = [r.change for r in readings if r.change is not None]
    if not changes or not since:
        return ""
    counts = {
        "up": sum(1 for c in changes if c > 0),
        "down": sum(1 for c in changes if c < 0),
        "same": sum(1 for c in changes if c == 0),
    }
    parts = [CHANGES[way](count) for way, count in counts.items() if count]
    text = gettext(
        "%(since)s, satisfaction has %(changes)s.",
        since=since,
        changes=format_list(parts, locale=babel_locale()),
    )
    text = text[:1].upper() + text[1:]
    if counts["down"]:
        text += " " + gettext("Those that went down are worth talking about together.")
    return text


def legend(
    scale: Scale, *, name: str | None, has_staff: bool, earlier: datetime | None
) -> list[tuple[str, str]]:
    """What each mark of the circle means, as (kind of swatch, words): on the page and in
    the downloaded image alike. `name`: the person's, for anyone else reading (None: their
    own circle)."""
    entries = [
        (
            f"band-{band.id}",
            gettext(
                "Satisfaction %(min)s–%(max)s: %(label)s",
                min=band.min,
                max=band.max,
                label=band_words(band),
            ),
        )
        for band in scale.bands
    ]
    gap = (
        gettext("Stripes and !: more important than satisfying")
        if name is None
        else gettext(
            "Stripes and !: important to %(name)s, but they are not as happy with it", name=name
        )
    )
    entries += [
        ("unanswered", gettext("Dashed outline: not answered yet")),
        ("importance", gettext("Dark line: how important the theme is")),
        ("gap", gap),
    ]
    if has_staff:
        entries.append(("staff", gettext("Dotted purple line: the case manager's reading")))
    if earlier is not None:
        entries.append(
            ("previous", gettext("Dashed line: satisfaction on %(date)s", date=day(earlier)))
        )
    return entries
