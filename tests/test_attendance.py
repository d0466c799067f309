"""Taking part in the summit an article reports, where the sentence does not name it (dyad.attendance).

Invented actors only (tests/data/fantasy_kb.yaml).
"""

from datetime import date

import pytest

from dyad.model import Document
from dyad.pipeline import extract
from dyad.settings import Settings

PUBLISHED = date(2023, 9, 20)  # a Wednesday: "on Monday" is 2023-09-18
FILLER = "The agenda was dominated by trade. Grain prices have risen sharply. Harvests were poor in the north. "
FILLER_DE = ("Auf der Tagesordnung stand der Handel. Die Getreidepreise sind stark gestiegen. "
             "Die Ernten im Norden waren schlecht. ")


def run(kb, text, lang="en"):
    result = extract(Document("t", text, PUBLISHED, lang), kb, Settings(language=lang))
    return result.events


def with_org(events):
    """{country of the other side: event} for the events with the organisation."""
    return {next(p.country for p in e.participants if p.country != "FELLOW"): e
            for e in events if any(p.country == "FELLOW" for p in e.participants)}


def test_attendance_far_from_the_summit_of_the_lead(fantasy_kb):
    text = ("FFP leaders meet in Annuminas\n\n"
            "Leaders of the Fellowship of Free Peoples gathered in Annuminas on Monday for their annual summit. "
            + FILLER + "Faramir Ithil and King Theoden Marke attended in person.")
    found = with_org(run(fantasy_kb, text))
    assert {"XGO", "XRO"} <= set(found)  # (and Arnor, whose capital hosts it)
    assert {p.name for p in found["XGO"].participants} == {"Faramir Ithil", None}
    assert found["XGO"].date.value == "2023-09-18"  # the summit's day
    assert found["XRO"].status == "occurred"


def test_another_meeting_reported_ends_the_summit_as_topic(fantasy_kb):
    text = ("Leaders of the Fellowship of Free Peoples gathered in Annuminas on Monday for their annual summit. "
            + FILLER + "King Theoden Marke attended in person. " + FILLER
            + "Vorn had met Ithil in Edoras in March. " + FILLER
            + "Gondor was represented by its defence minister.")
    found = with_org(run(fantasy_kb, text))
    assert set(found) == {"XRO"}  # Gondor's delegation may be at any meeting after the talks in Edoras


def test_states_listed_as_represented_are_each_a_side(fantasy_kb):
    text = ("Leaders of the Fellowship of Free Peoples gathered in Annuminas on Monday for their annual summit. "
            + FILLER + "Arnor and Rohan were represented by senior delegations.")
    found = with_org(run(fantasy_kb, text))
    assert set(found) == {"XAR", "XRO"}
    assert all(p.name is None for e in found.values() for p in e.participants)


def test_host_opening_the_summit_and_a_guest_by_video(fantasy_kb):
    text = ("Leaders of the Fellowship of Free Peoples gathered in Annuminas on Monday for their annual summit. "
            + FILLER + "King Theoden Marke opened the summit at Meduseld, welcoming his fellow leaders. "
            "Faramir Ithil joined the leaders by video link for a session on trade.")
    found = with_org(run(fantasy_kb, text))
    assert set(found) == {"XRO", "XGO"}
    assert found["XGO"].mode == "video" and found["XRO"].mode == "in_person"


def test_meeting_the_leaders_of_an_organisation(fantasy_kb):
    [event] = run(fantasy_kb, "Elendil Vorn met FFP leaders in Edoras in March, pledging closer ties.")
    assert {p.country for p in event.participants} == {"XAR", "FELLOW"}
    assert (event.location.city, event.date.value) == ("Edoras", "2023-03")


def test_german_attendance_far_from_the_summit_of_the_lead(fantasy_kb):
    text = ("Die Staats- und Regierungschefs der GFV kamen am Montag in Annuminas zu ihrem Gipfel zusammen. "
            + FILLER_DE + "Arnor war durch einen Minister vertreten, Rohan durch seinen Vizepräsidenten. "
            "Faramir Ithil wurde per Video zugeschaltet.")
    found = with_org(run(fantasy_kb, text, "de"))
    assert set(found) == {"XAR", "XRO", "XGO"}
    assert found["XGO"].mode == "video"
    assert found["XAR"].date.value == "2023-09-18"


SUMMIT_LEAD = ("FFP leaders gathered in Edoras on Tuesday for their annual summit. The talks focused on trade. "
               "Prices rose. The weather was fine. Markets were calm. Nothing else happened. ")


@pytest.mark.parametrize("text", [
    "Vorn attended a memorial service in Annuminas.",
])
def test_what_someone_else_attends_is_not_the_summit(fantasy_kb, text):
    events = run(fantasy_kb, SUMMIT_LEAD + text)
    assert not any(text in e.evidence.text for e in events)
    # the control: plain attendance still joins the summit
    [marke] = [e for e in run(fantasy_kb, SUMMIT_LEAD + "King Theoden Marke attended in person.")
               if "XRO" in {p.country for p in e.participants}]
    assert {p.country for p in marke.participants} == {"XRO", "FELLOW"}


@pytest.mark.parametrize("lang, text, present", [
    ("en", "Leaders of the Fellowship of Free Peoples gathered in Annuminas on Monday for their annual summit. "
           "King Theoden Marke and Faramir Ithil were also present.", {"XRO", "XGO"}),
    ("en", "Leaders of the Fellowship of Free Peoples gathered in Annuminas on Monday for their annual summit. "
           "Also present was King Theoden Marke.", {"XRO"}),
    ("de", "Der Gipfel der Gemeinschaft der Freien Völker fand am Montag in Annuminas statt. "
           "Auch König Theoden Marke war anwesend.", {"XRO"}),
])
def test_a_side_present_at_the_summit_takes_part_in_it(fantasy_kb, lang, text, present):
    assert present <= set(with_org(run(fantasy_kb, text, lang=lang)))
