"""Find date expressions in a sentence and resolve them.

Expressions are resolved against the publication date (or, for "am Vortag"
/ "the day before", against the date the text last referred to). Both a
backward and a forward reading are kept, because only the event's status
says whether "am Dienstag" is the last Tuesday or the next one.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from dyad.lexicon import Lexicon
from dyad.model import DateValue, Token

NUMERIC_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})")
NUMERIC_DAY_MONTH = re.compile(r"(\d{1,2})\.(\d{2})")  # "25.08." and its closing dot
# A day and month without a year this close after publication is the coming one ("Am 25. August
# trifft er ..." three days ahead), never last year's: it has no past reading.
NEAR_AHEAD_DAYS = 31
ISO_YEAR = re.compile(r"(19[5-9]\d|20[0-4]\d)")
YEAR_BOUND_REACH = 6  # "seit dem Grenzkrieg von 1998": the bound word may stand a few words before the year


@dataclass(frozen=True, slots=True)
class DateMention:
    start: int  # clean-text offsets
    end: int
    past: DateValue | None  # reading for a meeting reported as held
    future: DateValue | None  # reading for a planned meeting

    def reading(self, planned: bool) -> DateValue | None:
        return self.future if planned else self.past


def find_dates(tokens: tuple[Token, ...], lex: Lexicon, published: date | None,
               reference: date | None = None, lower: Sequence[str] | None = None) -> list[DateMention]:
    """Every date expression of a sentence, left to right; ``lower`` is the tokens' text lower-cased, where
    the caller has it."""
    words = [t.text for t in tokens]
    if lower is None:
        lower = [w.lower() for w in words]
    out: list[DateMention] = []
    starters, openers = lex.date_starters, lex.date_openers
    end = 0  # the tokens before this one belong to an expression found
    # most words begin no date expression: only a number or a word that may begin one is tried
    for i in [i for i, low in enumerate(lower) if low in openers or low[:1].isdigit()]:
        if i < end:
            continue
        shift = lex.day_before.match_at(lower, i)  # "the day before", "am Vortag"
        if not (lower[i] in starters or words[i][:1].isdigit() or shift):
            continue
        try:
            found = _match(words, lower, shift, i, lex, published, reference or published)
        except OverflowError:  # a day counted from the first or the last day of the calendar
            found = None
        if found is None:
            continue
        size, past, future = found
        out.append(DateMention(tokens[i].start, tokens[i + size - 1].end, _at(past, tokens, i, size),
                               _at(future, tokens, i, size)))
        end = i + size
    return out


def _at(value: DateValue | None, tokens, i: int, size: int) -> DateValue | None:
    if value is None or not 1 <= int(value.value.split("-")[0]) <= 9999:  # a year counted off the calendar
        return None
    return DateValue(value.value, value.precision, value.basis, tokens[i].start, tokens[i + size - 1].end,
                     value.future)


def _day(d: date, basis: str) -> DateValue:
    return DateValue(d.isoformat(), "day", basis)


def _month(year: int, month: int, basis: str) -> DateValue:
    return DateValue(f"{year:04d}-{month:02d}", "month", basis)


def _year(year: int, basis: str) -> DateValue:
    return DateValue(f"{year:04d}", "year", basis)


REL = "relative to published"
SHIFTS = {"before": -1, "after": 1, "same": 0}
EXPLICIT = "explicit"


def _match(words, lower, shift, i, lex: Lexicon, published: date | None, reference: date | None):
    """(tokens used, past reading, future reading) for an expression at ``i``; ``shift`` is the
    day-before/after phrase starting there, if any."""
    w, lw = words[i], lower[i]
    n = len(words)
    nxt = lower[i + 1] if i + 1 < n else ""

    # 19.09.2023
    if m := NUMERIC_DATE.fullmatch(w):
        day, month, year = int(m[1]), int(m[2]), int(m[3])
        year += 2000 if year < 100 else 0
        value = _safe_day(year, month, day)
        return (1, _day(value, EXPLICIT), _day(value, EXPLICIT)) if value else None

    # 25.08. (no year), where a full stop marks a day number
    if lex.ordinal_dots and i + 1 < n and words[i + 1] == "." and (m := NUMERIC_DAY_MONTH.fullmatch(w)):
        return _day_month(int(m[1]), int(m[2]), None, 2, published)

    # 2023-09-19
    if ISO_YEAR.fullmatch(w) and i + 4 < n and words[i + 1] == "-" and words[i + 3] == "-" \
            and words[i + 2].isdecimal() and words[i + 4].isdecimal():
        value = _safe_day(int(w), int(words[i + 2]), int(words[i + 4]))
        return (5, _day(value, EXPLICIT), _day(value, EXPLICIT)) if value else None

    # 19. September (2023) / 19 September 2023
    if w.isdecimal() and len(w) <= 2:
        j = i + 1 + (nxt == ".")
        if j < n and lower[j] in lex.months:
            month = lex.months[lower[j]]
            year, used = _year_after(words, j + 1)
            found = _day_month(int(w), month, year, j + 1 + used - i, published)
            if found and i >= 2 and lower[i - 1] in lex.range_words:
                # "vom 5. bis 10. Mai": a span of days gives the month
                size, past, future = found
                return size, _as_month(past), _as_month(future)
            return found

    if lw in lex.months and (w[0].isupper() or lex.language == "de") and not month_is_name(words, i, lex):
        month = lex.months[lw]
        # September 19, 2023; Sept. 19
        d = i + 1 + (i + 2 < n and words[i + 1] == "." and w in lex.abbreviations)  # "Sept. 19", not "September. 19"
        if d < n and words[d].isdecimal() and len(words[d]) <= 2:
            j = d + 1 + (d + 1 < n and lower[d + 1] in lex.ordinal_suffixes)
            year, used = _year_after(words, j)
            return _day_month(int(words[d]), month, year, j + used - i, published)
        year, used = _year_after(words, i + 1)
        prev = lower[i - 1] if i else ""
        if prev in lex.year_bounds or (i > 1 and lower[i - 2] in lex.year_bounds and prev in ("the", "dem", "den")) \
                or _bounded(lower, i, lex, words, lex.month_bounds):
            # "seit Januar", "since the inauguration in January", "seit seiner Rückkehr ins Amt im Januar":
            # a bound, not a date
            return None
        if year:
            return 1 + used, _month(year, month, EXPLICIT), _month(year, month, EXPLICIT)
        # "im Juli dieses Jahres", "im April vergangenen Jahres", "in July this year"
        if i + 2 < n and lower[i + 2] in lex.units and lex.units[lower[i + 2]] == "year" and published:
            offset = _offset(lower[i + 1], lex)
            if offset is not None:
                value = _month(published.year + offset, month, REL)
                return 3, value, value
        if published is None:
            return None
        if prev in lex.past_words:
            y = published.year - (month >= published.month)
            return 1, _month(y, month, REL), None
        if prev in lex.next_words:
            y = published.year + (month <= published.month)
            return 1, None, _month(y, month, REL)
        back = published.year - (month > published.month)
        ahead = published.year + (month < published.month)
        return 1, _month(back, month, REL), _month(ahead, month, REL)

    # am Dienstag / on Tuesday / last Tuesday / am Sonntagabend
    weekday_word = lw if lw in lex.weekdays else _weekday_with_part(lw, lex)
    if weekday_word and published is not None:
        weekday = lex.weekdays[weekday_word]
        prev = lower[i - 1] if i else ""
        back = published - timedelta(days=(published.weekday() - weekday) % 7)
        ahead = published + timedelta(days=(weekday - published.weekday()) % 7)
        if prev in lex.past_words and back == published:
            back -= timedelta(days=7)
        if prev in lex.next_words and ahead == published:
            ahead += timedelta(days=7)
        return 1, (None if prev in lex.next_words else _day(back, REL)), \
            (None if prev in lex.past_words or prev in lex.since_words else _day(ahead, REL))

    if lw in lex.day_offsets and published is not None:
        value = _day(published + timedelta(days=lex.day_offsets[lw]), REL)
        return 1, value, value

    if shift and reference is not None:
        size, kinds = shift
        value = _day(reference + timedelta(days=SHIFTS[kinds[0]]), REL)
        return size, value, value

    # "three days ago", "vor zwei Wochen": counted back from the publication day
    if published is not None and (ago := _ago(lower, i, lex, published)) is not None:
        return ago[0], ago[1], None

    # "on the 19th": a day of the publication month, the last such day on or before publication
    after = lower[i + 2] if i + 2 < n else ""
    if w.isdecimal() and len(w) <= 2 and nxt in lex.ordinal_suffixes and published is not None \
            and not after.isalpha():  # "the 17th summit" is a round
        day = int(w)
        month_back = (published.year, published.month) if day <= published.day else \
            ((published.year, published.month - 1) if published.month > 1 else (published.year - 1, 12))
        back = _safe_day(*month_back, day)
        month_ahead = (published.year, published.month) if day >= published.day else \
            ((published.year, published.month + 1) if published.month < 12 else (published.year + 1, 1))
        ahead = _safe_day(*month_ahead, day)
        if back or ahead:
            return 2, _day(back, REL) if back else None, _day(ahead, REL) if ahead else None

    # "zwei Tage später", "three days earlier": counted from the date referred to
    count = _count(lw, lex, article_is_one=False)
    if count and reference is not None and i + 2 < n and lex.units.get(lower[i + 1]) == "day" \
            and lower[i + 2] in lex.later_words | lex.earlier_words:
        sign = 1 if lower[i + 2] in lex.later_words else -1
        value = _day(reference + timedelta(days=sign * count), REL)
        return 3, value, value

    # "Anfang des Monats", "Ende vergangenen Jahres", "Mitte dieses Monats"
    if lw in lex.month_parts and published is not None:
        k = i + 1
        offset = 0
        while k < n and k <= i + 3 and lower[k] not in lex.units:
            step = _offset(lower[k], lex)
            offset = step if step is not None else offset
            k += 1
        if k < n and k <= i + 3 and lex.units[lower[k]] in ("month", "year"):
            value = _relative_unit(lex.units[lower[k]], offset, published)
            return k - i + 1, (value if offset <= 0 else None), (value if offset >= 0 else None)

    # letzte Woche / last month / this year / next week / earlier this month
    if (lw in lex.past_words or lw in lex.next_words or lw in lex.this_words) and nxt in lex.units \
            and published is not None:
        unit = lex.units[nxt]
        offset = -1 if lw in lex.past_words else 1 if lw in lex.next_words else 0
        value = _relative_unit(unit, offset, published)
        return 2, (value if offset <= 0 else None), (value if offset >= 0 else None)

    # a year on its own ("2015 unter Kanzlerin Merkel", "in 2019"), not part of a number or range
    if ISO_YEAR.fullmatch(w) and not (i + 1 < n and words[i + 1] in ("-", "–", "%")) \
            and not (i > 0 and words[i - 1] in ("-", "–")) and not _bounded(lower, i, lex, words):
        return 1, _year(int(w), EXPLICIT), _year(int(w), EXPLICIT)
    return None


def _count(word: str, lex: Lexicon, article_is_one: bool = True) -> int | None:
    """A small count in words or digits; "a"/"einer" is one where ``article_is_one`` ("a week ago")."""
    if article_is_one and word in lex.one_words:
        return 1
    return lex.numbers.get(word) or (int(word) if word.isdecimal() and len(word) <= 2 else None)


def _ago(lower: Sequence[str], i: int, lex: Lexicon, published: date) -> tuple[int, DateValue | None] | None:
    """(tokens used, date) of "N units ago" (the count first) or "vor N Einheiten" (the preposition first)."""
    n = len(lower)
    if lower[i] in lex.ago_preps and i + 2 < n:
        count, unit, size = _count(lower[i + 1], lex), lex.units.get(lower[i + 2]), 3
    elif i + 2 < n and lower[i + 2] in lex.ago_words:
        count, unit, size = _count(lower[i], lex), lex.units.get(lower[i + 1]), 3
    else:
        return None
    if not count or unit is None or unit == "weekend":
        return None
    if unit == "day":
        return size, _day(published - timedelta(days=count), REL)
    if unit == "week":
        return size, _relative_unit("week", -count, published)
    if unit == "month":
        return size, _relative_unit("month", -count, published)
    return size, _year(published.year - count, REL)


def _bounded(lower: Sequence[str], i: int, lex: Lexicon, words: list[str],
             bounds: frozenset[str] | None = None) -> bool:
    """A bound word before the year: "seit 2018", or across a phrase ending in "von"/"of"
    ("seit dem Grenzkrieg von 1998"); "vor laufenden Kameras 2019" is no bound, and
    "since their virtual summit in November" dates that summit."""
    if i == 0:
        return False
    if lower[i - 1] in lex.year_bounds:
        return True
    if lower[i - 1] not in lex.year_bound_links:
        return False
    for k in range(i - 2, max(-1, i - 1 - YEAR_BOUND_REACH), -1):
        if lower[k] in (lex.year_bounds if bounds is None else bounds):
            return True
        if not lower[k][:1].isalpha() or lex.triggers.match_at(words, k):
            return False  # a comma, a number or a meeting ends the phrase
    return False


def _as_month(value: DateValue | None) -> DateValue | None:
    return DateValue(value.value[:7], "month", value.basis) if value else None


def _offset(word: str, lex: Lexicon) -> int | None:
    if word in lex.past_words:
        return -1
    if word in lex.next_words:
        return 1
    if word in lex.this_words:
        return 0
    return None


def names_weekday(word: str, lex: Lexicon) -> bool:
    """ "Dienstag", "Sonntagabend", "tuesday": ``word`` lower-cased names a day of the week."""
    return word in lex.weekdays or _weekday_with_part(word, lex) is not None


def _weekday_with_part(word: str, lex: Lexicon) -> str | None:
    for part in lex.day_parts:
        if word.endswith(part) and word[:-len(part)] in lex.weekdays:
            return word[:-len(part)]
    return None


def _year_after(words, j: int) -> tuple[int | None, int]:
    """A year right after ``words[j-1]`` (skipping a comma): (year, tokens used)."""
    k = j + (j < len(words) and words[j] == ",")
    if k < len(words) and ISO_YEAR.fullmatch(words[k]):
        return int(words[k]), k - j + 1
    return None, 0


def _day_month(day: int, month: int, year: int | None, size: int, published: date | None):
    if year:
        value = _safe_day(year, month, day)
        return (size, _day(value, EXPLICIT), _day(value, EXPLICIT)) if value else None
    if published is None:
        return None
    back_year = published.year - ((month, day) > (published.month, published.day))
    ahead_year = published.year + ((month, day) < (published.month, published.day))
    back, ahead = _safe_day(back_year, month, day), _safe_day(ahead_year, month, day)
    if back is None or ahead is None:
        return None
    if (ahead - published).days <= NEAR_AHEAD_DAYS and ahead != back:
        return size, None, _day(ahead, REL)
    return size, _day(back, REL), _day(ahead, REL)


def _relative_unit(unit: str, offset: int, published: date) -> DateValue | None:
    if unit == "year":
        return _year(published.year + offset, REL)
    if unit == "month":
        month0 = published.month - 1 + offset
        return _month(published.year + month0 // 12, month0 % 12 + 1, REL)
    # a week (or weekend) gives its month only when it lies in one month
    monday = published - timedelta(days=published.weekday()) + timedelta(weeks=offset)
    first, last = (monday + timedelta(days=5), monday + timedelta(days=6)) if unit == "weekend" \
        else (monday, monday + timedelta(days=6))
    if first.month == last.month:
        return _month(first.year, first.month, REL)
    return None


def _safe_day(year: int, month: int, day: int) -> date | None:
    if not (1 <= year <= 9999) or not (1 <= month <= 12) or not (1 <= day <= calendar.monthrange(year, month)[1]):
        return None
    return date(year, month, day)


def month_is_name(words: list[str], i: int, lex: Lexicon) -> bool:
    """ "Jan Kowalczyk", "Mar Roxas": a month's short form before a capitalised word is a first name."""
    low = words[i].lower()
    month = lex.months.get(low)
    if month is None or i + 1 >= len(words) or not any(len(k) > len(low) and v == month
                                                        for k, v in lex.months.items()):
        return False
    after = words[i + 1]
    return len(after) > 1 and after.isalpha() and after[0].isupper() and after.lower() not in lex.months \
        and after.lower() not in lex.weekdays
