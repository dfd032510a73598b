"""When a forecast falls due: time expressions resolved against the article's date.

A forecast can only be judged once its horizon has passed, so the ledger needs a date, not
the words: "in the spring" in an article of 14 February 2023 is due on 31 May 2023, "next
year" on 31 December 2024, "within two years" two years after publication. Vague horizons
get onrecord's own reading, written down here so that it can be argued with: "the coming
days" is 14 days, "weeks" 8 weeks, "months" 6 months, "years" 5 years; "soon" and "the
future" have no due date. Without the article's date nothing is resolved.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from functools import lru_cache

from ..data import read_lines

__all__ = ["due_date", "points_forward", "points_back"]

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_DAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a couple of": 2, "a few": 3,
    "few": 3, "several": 5,
}
# "last" looks back, except as "the last week of June", "the last quarter of the year"
_BACK = re.compile(r"\b(last(?!\s+\w+\s+of\b)|ago|earlier|previous|past|yesterday|recent|recently|since)\b", re.I)
_YEAR = re.compile(r"\b(1[89]\d\d|2[01]\d\d)\b")
_COUNT = re.compile(
    r"\b(?:within|in|over|for|after)\s+(?:the\s+)?(?:next\s+|coming\s+)?"
    r"(\d+|a couple of|a few|few|several|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s+"
    r"(day|week|month|year|decade)s?\b",
    re.I,
)
_NEXT_N = re.compile(
    r"\b(?:next|coming)\s+(\d+|a couple of|a few|few|several|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s+"
    r"(day|week|month|year|decade)s?\b",
    re.I,
)


@lru_cache(maxsize=1)
def _seasons() -> dict[str, tuple[int, int]]:
    return {name: (int(first), int(last)) for name, first, last in (line.split("\t") for line in read_lines("forecast_horizons.tsv"))}


@lru_cache(maxsize=1)
def _forward_words() -> frozenset[str]:
    return frozenset(read_lines("forecast_forward_words.txt"))


def points_back(expression: str) -> bool:
    """Whether a time expression looks back ("last year", "two weeks ago", "earlier this month")."""
    return bool(_BACK.search(expression))


def points_forward(expression: str, published: date | None = None) -> bool:
    """Whether a time expression points after the article's date.

    With the date, it does when it resolves to a day on or after it; without, when it has a
    forward word ("next", "coming", "by", "within") or names a season or a month, which a
    clause in the present tense can only mean ahead ("is preparing for an offensive in the spring").
    """
    if points_back(expression):
        return False
    if published is not None:
        due = due_date(expression, published)
        if due is not None:
            return due >= published
    words = set(re.findall(r"[a-z]+", expression.lower()))
    if _YEAR.search(expression) and not words & _forward_words():
        return False  # "in January 2012": ahead or behind, only the article's date can tell
    counted = _COUNT.search(expression) or _NEXT_N.search(expression)
    if counted and not counted.group(0).lower().startswith(("for", "after")):
        return True  # "in three weeks", "within two years", "the next 18 months"
    return bool(words & _forward_words() or words & set(_seasons()) or words & set(_MONTHS))


def due_date(expression: str, published: date | None) -> date | None:
    """The last day ``expression`` allows, read from ``published``; None when it cannot say.

    >>> due_date("the spring", date(2023, 2, 14))
    datetime.date(2023, 5, 31)
    >>> due_date("the end of next year", date(2023, 2, 14))
    datetime.date(2024, 12, 31)
    """
    if published is None or points_back(expression):
        return None
    text = " ".join(expression.lower().replace("-", " ").split())
    words = text.split()
    if re.search(r"\ba year and a half\b", text):
        return _plus(published, 18, "month")
    count = _COUNT.search(text) or _NEXT_N.search(text)
    if count:
        amount = count.group(1)
        return _plus(published, int(amount) if amount.isdigit() else _NUMBERS[amount], count.group(2))
    if "decade" in words:
        start = published.year - published.year % 10
        return date(start + (19 if "next" in words else 9), 12, 31)
    year_match = _YEAR.search(text)
    year = int(year_match.group(1)) if year_match else None
    for season, (first, last) in _seasons().items():
        if season in words:
            return _season_end(published, first, last, year, "next" in words)
    for name, month in _MONTHS.items():
        if name in words:
            return _month_end(published, month, year, "next" in words)
    for name, weekday in _DAYS.items():
        if name in words:
            ahead = (weekday - published.weekday()) % 7 or 7
            return published + timedelta(days=ahead + (7 if "next" in words and ahead < 7 else 0))
    quarter = re.search(r"\b(first|second|third|fourth|1st|2nd|3rd|4th|q[1-4])\s*(?:quarter)?\b", text)
    if quarter and ("quarter" in words or quarter.group(1).startswith("q")):
        index = {"first": 1, "1st": 1, "q1": 1, "second": 2, "2nd": 2, "q2": 2, "third": 3, "3rd": 3, "q3": 3}.get(quarter.group(1), 4)
        return _ahead(published, year, index * 3, "next" in words)
    half = re.search(r"\b(first|second)\s+half\b", text)
    if half:
        return _ahead(published, year, 6 if half.group(1) == "first" else 12, "next" in words)
    part = 4 if "early" in words else 8 if {"mid", "middle"} & set(words) else None  # early / mid year
    if year is not None:
        return _last_day(year, part or 12)
    if part and "year" in words:
        return _last_day(published.year + ("next" in words), part)
    if "tomorrow" in words:
        return published + timedelta(days=1)
    for unit in ("week", "month", "year"):
        if unit in words:
            if "next" in words:
                return _plus(_unit_end(published, unit), 1, unit, end_of_unit=True)
            if "this" in words or "end" in words or "later" in words or "coming" in words and unit == "year":
                return _unit_end(published, unit)
    for unit in ("days", "weeks", "months", "years"):
        if unit in words and {"coming", "next", "few", "within"} & set(words):
            return _vague(published, unit[:-1])  # "the coming weeks", "within months"
    return None


def _vague(published: date, unit: str) -> date:
    """onrecord's reading of "the coming days / weeks / months / years" (module docstring)."""
    return _plus(published, {"day": 14, "week": 8, "month": 6, "year": 5}[unit], unit)


def _plus(start: date, n: int, unit: str, *, end_of_unit: bool = False) -> date:
    if unit == "day":
        return start + timedelta(days=n)
    if unit == "week":
        return start + timedelta(weeks=n)
    months = n * {"month": 1, "year": 12, "decade": 120}[unit]
    moved = _add_months(start, months)
    return _last_day(moved.year, moved.month) if end_of_unit and unit == "month" else moved


def _add_months(start: date, months: int) -> date:
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _unit_end(day: date, unit: str) -> date:
    if unit == "week":
        return day + timedelta(days=6 - day.weekday())
    if unit == "month":
        return _last_day(day.year, day.month)
    return date(day.year, 12, 31)


def _season_end(published: date, first: int, last: int, year: int | None, next_: bool) -> date:
    """The end of the named season: the one in ``year``, or the first that has not ended by ``published``."""
    wraps = last < first  # winter: December to February
    if year is not None:
        return _last_day(year + 1 if wraps else year, last)
    end = _last_day(published.year + 1 if wraps and published.month >= first else published.year, last)
    if end < published:
        end = _last_day(end.year + 1, last)
    start_month = date(end.year - 1 if wraps else end.year, first, 1)
    if next_ and start_month <= published:  # "next spring", said in the spring, is the one after
        end = _last_day(end.year + 1, last)
    return end


def _ahead(published: date, year: int | None, month: int, next_: bool) -> date:
    """The end of ``month`` in ``year``, or in the first year it has not passed ("the first quarter",
    said in November, is next year's)."""
    if year is not None:
        return _last_day(year, month)
    end = _last_day(published.year + next_, month)
    return end if end >= published else _last_day(end.year + 1, month)


def _month_end(published: date, month: int, year: int | None, next_: bool) -> date:
    if year is not None:
        return _last_day(year, month)
    end = _last_day(published.year, month)
    if end < published or (next_ and month == published.month):
        end = _last_day(published.year + 1, month)
    return end
