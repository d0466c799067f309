"""Deduplication inside one article: which candidates are one real-world meeting."""

from dyad.dedup import merge_candidates
from dyad.events import Candidate
from dyad.model import DateValue, Evidence, Location, Mention


def candidate(index: int, day: str | None, city: str, country: str) -> Candidate:
    sides = (("XAR", (Mention("person", 0, 4, "Vorn", key="elendil-vorn", country="XAR"),)),
             ("XRO", (Mention("person", 5, 10, "Marke", key="theoden-marke", country="XRO"),)))
    return Candidate(sides, "occurred", "in_person", frozenset({"host"}),
                     DateValue(day, "day", "explicit") if day else None, Location(city, country), None, None, (),
                     Evidence("", 0, 0), index)


def test_an_undated_headline_is_the_meeting_its_lead_reports_wherever_each_places_it():
    groups = merge_candidates([candidate(0, None, "Edoras", "XRO"), candidate(2, "2023-09-20", "Annuminas", "XAR")])
    assert len(groups) == 1


def test_meetings_in_two_countries_are_two_outside_the_headline():
    groups = merge_candidates([candidate(3, None, "Edoras", "XRO"), candidate(5, "2023-09-20", "Annuminas", "XAR")])
    assert len(groups) == 2
