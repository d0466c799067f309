"""Deduplication inside one article: which candidates are one real-world meeting."""

from hypothesis import given, settings
from hypothesis import strategies as st

from dyad.dedup import _same_meeting, heading_sentences, merge_candidates
from dyad.model import Candidate, DateValue, Evidence, Location, Mention


def candidate(index: int, day: str | None, city: str | None, country: str, named: bool = True) -> Candidate:
    """``named``: the sentence names the place (else it is guessed, as the host's capital is)."""
    sides = (("XAR", (Mention("person", 0, 4, "Vorn", key="elendil-vorn", country="XAR"),)),
             ("XRO", (Mention("person", 5, 10, "Marke", key="theoden-marke", country="XRO"),)))
    place = Location(city, country, start=20, end=26) if named else Location(city, country)
    return Candidate(sides, "occurred", "in_person", frozenset({"host"}),
                     DateValue(day, "day", "explicit") if day else None, place, None, None, (),
                     Evidence("", 0, 0), index)


def test_an_undated_headline_is_the_meeting_its_lead_reports_wherever_each_places_it():
    groups = merge_candidates([candidate(0, None, "Edoras", "XRO"), candidate(2, "2023-09-20", "Annuminas", "XAR")])
    assert len(groups) == 1


def test_meetings_in_two_countries_are_two_outside_the_headline():
    groups = merge_candidates([candidate(3, None, "Edoras", "XRO"), candidate(5, "2023-09-20", "Annuminas", "XAR")])
    assert len(groups) == 2


def test_a_capital_guessed_for_the_host_splits_no_meeting():
    # "Rohan hosts refugees ...": the host's capital is where it would receive, no place the text names
    groups = merge_candidates([candidate(3, "2023-09-20", "Edoras", "XRO"),
                               candidate(5, None, "Annuminas", "XAR", named=False)])
    assert len(groups) == 1


def test_a_country_named_without_a_city_splits_no_meeting():
    # "the visit of Arnor's king, the first since ...": a country alone is often whose, not where
    groups = merge_candidates([candidate(3, "2023-09-20", "Edoras", "XRO"), candidate(5, "2023-09-20", None, "XAR")])
    assert len(groups) == 1


def test_lines_above_the_headline_belong_to_the_heading():
    groups = merge_candidates([candidate(1, None, "Edoras", "XRO"), candidate(3, "2023-09-20", "Annuminas", "XAR")],
                              heading=2)
    assert len(groups) == 1


def _lines(text):
    starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
    return [(s, s + len(line.rstrip())) for s, line in zip(starts, text.split("\n"), strict=True) if line.strip()]


def test_the_heading_is_the_lines_before_the_first_full_sentence():
    lead = "Vorn traf Ithil am Dienstag. Sie sprachen über Handel."
    for text, expected in [(lead, 1), ("Vorn trifft Ithil\n" + lead, 1), ("Wire report\nVorn trifft Ithil\n" + lead, 2),
                           ("UPDATE 2\nWire report\nVorn trifft Ithil  \n\n" + lead, 3),
                           ("Vorn trifft Ithil.\n" + lead, 1), ('"Gute Gespräche"\n' + lead, 1),
                           ("a\nb\nc\nd\ne\n" + lead, 3)]:
        sentences = _lines(text)[:-1] + [(text.index(lead), text.index(lead) + 28)]
        assert heading_sentences(text, sentences) == expected, text


def quadratic_merge(candidates):
    """The grouping as first written: each candidate against every member of every group."""
    groups = []
    for cand in candidates:
        for group in groups:
            if all(_same_meeting(cand, other) for other in group):
                group.append(cand)
                break
        else:
            groups.append([cand])
    return groups


PEOPLE = {"XAR": ["vorn", "amon"], "XRO": ["marke", "eomer"], "XGO": ["ithil"]}
random_candidate = st.builds(
    lambda index, sides, people, value, status, place, from_context: Candidate(
        tuple((c, tuple(Mention("person", 0, 1, p, key=p, country=c) for p in PEOPLE[c] if p in people)
                  or (Mention("state", 0, 1, c, key=c, country=c),)) for c in sides),
        status, "in_person", frozenset({"meet"}),
        DateValue(value, {4: "year", 7: "month", 10: "day"}[len(value)], "explicit") if value else None,
        Location(*place) if place else None, None, None, (), Evidence("", 0, 0), index,
        place_from_context=from_context),
    st.integers(0, 3), st.sampled_from([("XAR", "XRO"), ("XRO", "XAR"), ("XAR", "XGO"), ("XAR", "XRO", "XGO")]),
    st.sets(st.sampled_from(["vorn", "amon", "marke", "eomer", "ithil"])),
    st.sampled_from([None, "2023", "2023-09", "2023-10", "2023-09-19", "2023-09-20", "2024", "2023-09-19"]),
    st.sampled_from(["occurred", "occurred", "planned"]),
    st.sampled_from([None, ("Edoras", "XRO"), ("Annuminas", "XAR"), (None, "XAR"), (None, None)]), st.booleans())


@settings(max_examples=400, deadline=None)
@given(st.lists(random_candidate, max_size=30))
def test_grouping_is_the_same_as_comparing_with_every_member(candidates):
    assert merge_candidates(candidates) == quadratic_merge(candidates)
