from datetime import date

import pytest

from dyad.dates import find_dates
from dyad.lexicon import load_lexicon
from dyad.nlp import split_sentences, tokenize

PUBLISHED = date(2023, 9, 19)  # a Tuesday


def readings(lang, text, published=PUBLISHED):
    found = find_dates(tuple(tokenize(text)), load_lexicon(lang), published, published)
    assert found, f"no date found in {text!r}"
    first = found[0]
    return (first.past.value if first.past else None, first.future.value if first.future else None)


@pytest.mark.parametrize("lang, text, past, future", [
    ("de", "am Dienstag (19.09.2023)", "2023-09-19", "2023-09-19"),
    ("de", "am Montag", "2023-09-18", "2023-09-25"),
    ("de", "am Freitag", "2023-09-15", "2023-09-22"),
    ("de", "gestern", "2023-09-18", "2023-09-18"),
    ("de", "am Vortag", "2023-09-18", "2023-09-18"),
    ("de", "vergangene Woche", "2023-09", None),
    ("de", "nächsten Monat", None, "2023-10"),
    ("de", "kommende Woche", None, None),
    ("de", "im vergangenen September", "2022-09", None),
    ("de", "im Juli dieses Jahres", "2023-07", "2023-07"),
    ("de", "am 12. März 2022", "2022-03-12", "2022-03-12"),
    ("de", "am 3. Oktober", None, "2023-10-03"),  # two weeks ahead: not last year's
    ("de", "am 3. Dezember", "2022-12-03", "2023-12-03"),
    ("de", "am 25.09.", None, "2023-09-25"),
    ("de", "im Mai", "2023-05", "2024-05"),
    ("de", "im Jahr 2019", "2019", "2019"),
    ("de", "Anfang des Monats", "2023-09", "2023-09"),
    ("de", "im April vergangenen Jahres", "2022-04", "2022-04"),
    ("de", "Ende vergangenen Jahres", "2022", None),
    ("de", "am Sonntagabend", "2023-09-17", "2023-09-24"),
    ("de", "am Vorabend", "2023-09-18", "2023-09-18"),
    ("de", "vom 5. – 7. Oktober", None, "2023-10"),  # a spaced hyphen becomes a dash in clean text
    ("de", "vor laufenden Kameras 2019", "2019", "2019"),
    ("en", "on Tuesday", "2023-09-19", "2023-09-19"),
    ("en", "late last year", "2022", None),
    ("en", "next Tuesday", None, "2023-09-26"),
    ("en", "last Tuesday", "2023-09-12", None),
    ("en", "yesterday", "2023-09-18", "2023-09-18"),
    ("en", "the day before", "2023-09-18", "2023-09-18"),
    ("en", "on March 12, 2024", "2024-03-12", "2024-03-12"),
    ("en", "on 12 March 2024", "2024-03-12", "2024-03-12"),
    ("en", "earlier this month", "2023-09", "2023-09"),
    ("en", "last month", "2023-08", None),
    ("en", "last year", "2022", None),
    ("en", "in July this year", "2023-07", "2023-07"),
    ("en", "in 2021", "2021", "2021"),
])
def test_date_expressions(lang, text, past, future):
    assert readings(lang, text) == (past, future)


def test_a_week_across_two_months_gives_no_month():
    # published Wednesday 2023-10-04: last week ran from 25 September to 1 October
    assert readings("en", "last week", date(2023, 10, 4)) == (None, None)


@pytest.mark.parametrize("lang, text", [
    ("de", "Die Minister trafen sich."),
    ("en", "They may meet again."),
    ("de", "Er sprach mit 12 Journalisten."),
    ("en", "It was their first meeting since 2018."),
    ("de", "der erste Besuch seit dem Grenzkrieg von 1998"),
    ("en", "the first visit since the border war of 1998"),
])
def test_no_false_dates(lang, text):
    assert find_dates(tuple(tokenize(text)), load_lexicon(lang), PUBLISHED, PUBLISHED) == []


def test_without_publication_date_only_absolute_dates_resolve():
    lex = load_lexicon("de")
    assert find_dates(tuple(tokenize("am Dienstag")), lex, None) == []
    found = find_dates(tuple(tokenize("am 12. März 2022")), lex, None)
    assert found[0].past.value == "2022-03-12"


@pytest.mark.parametrize("lang, text, value", [
    ("de", "am selben Tag", "2023-09-10"),
    ("de", "am Nachmittag", "2023-09-10"),
    ("de", "zwei Tage später", "2023-09-12"),
    ("en", "three days earlier", "2023-09-07"),
    ("en", "later that day", "2023-09-10"),
])
def test_expressions_relative_to_the_date_referred_to(lang, text, value):
    found = find_dates(tuple(tokenize(text)), load_lexicon(lang), PUBLISHED, date(2023, 9, 10))
    assert found[0].past.value == value


@pytest.mark.parametrize("text", ["am ²³. September", "am 3. ①", "am ³ September", "² Tage später", "am 1.1.0000",
                                  "am 31.12.9999, am Tag danach", "vor ⑫ Tagen"])
def test_odd_digits_and_the_ends_of_the_calendar_give_no_date_or_a_valid_one(text):
    for published in (PUBLISHED, date(9999, 12, 31), date(1, 1, 1)):
        for lang in ("de", "en"):
            for found in find_dates(tuple(tokenize(text)), load_lexicon(lang), published, published):
                for value in (found.past, found.future):
                    if value is not None:  # a real day, month or year of the calendar
                        year, month, day = ([int(x) for x in value.value.split("-")] + [1, 1])[:3]
                        assert date(year, month, day)
@pytest.mark.parametrize("lang, text, past, future", [
    ("en", "on Sept. 12", "2023-09-12", "2024-09-12"),
    ("en", "three days ago", "2023-09-16", None),
    ("en", "a week ago", "2023-09", None),  # the week of 11-17 September lies in one month
    ("en", "two months ago", "2023-07", None),
    ("en", "on the 12th", "2023-09-12", "2023-10-12"),
    ("en", "on the 25th", "2023-08-25", "2023-09-25"),
    ("de", "vor drei Tagen", "2023-09-16", None),
    ("de", "vor einem Jahr", "2022", None),
    ("de", "vor zwei Wochen", "2023-09", None),
])
def test_counts_back_from_publication_and_days_without_their_month(lang, text, past, future):
    assert readings(lang, text) == (past, future)


@pytest.mark.parametrize("lang, text", [
    ("en", "the 17th summit of the group"),  # an ordinal of a round, not a day
    ("en", "in November. 16 leaders came"),  # the full stop of a full month name ends the sentence
    ("de", "vor dem Treffen"),
])
def test_ordinals_and_counts_that_name_no_day(lang, text):
    found = find_dates(tuple(tokenize(text)), load_lexicon(lang), PUBLISHED, PUBLISHED)
    assert all(v is None or v.precision != "day" for d in found for v in (d.past, d.future))


@pytest.mark.parametrize("lang, text", [("de", "am ² Mai vor ³ Tagen"), ("en", "on the ①th, ² days ago")])
def test_digits_that_are_no_decimal_numbers_are_no_date(lang, text):
    found = find_dates(tuple(tokenize(text)), load_lexicon(lang), PUBLISHED, PUBLISHED)
    assert all(v is None or v.precision != "day" for d in found for v in (d.past, d.future))


@pytest.mark.parametrize("text, expected", [
    ("Sie trafen sich am 5. Jan in Annuminas.", "2025-01-05"),
    ("They met on Jan 5 in Annuminas.", "2025-01-05"),
    ("They met Jan Veldhoven in Annuminas.", None),
])
def test_a_short_month_before_a_capitalised_word_is_a_first_name(text, expected):
    lang = "de" if " am " in text else "en"
    lex = load_lexicon(lang)
    [sent] = split_sentences(text, lex.abbreviations, lex.ordinal_dots, lang)
    found = [d.past.value for d in find_dates(sent.tokens, lex, date(2025, 3, 4), date(2025, 3, 4)) if d.past]
    assert found == ([expected] if expected else [])
