"""End-to-end behaviour of the extractor on invented actors (tests/data/fantasy_kb.yaml)."""

from datetime import date

import pytest

from dyad.lexicon import load_lexicon
from dyad.mentions import DocContext, find_mentions
from dyad.model import Document
from dyad.nlp import split_sentences
from dyad.pipeline import extract
from dyad.settings import Settings


def run(kb, text, published=date(2023, 9, 20), lang=None):
    # the rules' proposals: the learned decision over them is tested in test_decide.py
    result = extract(Document("t", text, published, lang), kb, Settings(language=lang, min_confidence=0.0))
    for event in result.events:
        assert text[event.evidence.start:event.evidence.end] == event.evidence.text
        for p in event.participants:
            assert 0 <= p.start < p.end <= len(text)
    return result.events


def sides(event):
    return {(p.country, p.name) for p in event.participants}


def countries(event):
    return {p.country for p in event.participants}


def the_planned(kb, text, **kwargs):
    """The one planned event of a text."""
    [planned] = [e for e in run(kb, text, **kwargs) if e.status == "planned"]
    return planned


def test_meeting_with_roles_date_place_and_host(fantasy_kb):
    text = ("Der arnorische Außenminister Elendil Vorn traf sich am Dienstag in Minas Tirith mit dem "
            "gondorischen Verteidigungsminister Boromir Denethorsohn.")
    [event] = run(fantasy_kb, text)
    assert sides(event) == {("XAR", "Elendil Vorn"), ("XGO", "Boromir Denethorson")}
    assert event.status == "occurred" and event.mode == "in_person"
    assert (event.date.value, event.date.precision, event.date.basis) == ("2023-09-19", "day", "relative to published")
    assert (event.location.city, event.location.country) == ("Minas Tirith", "XGO")
    assert event.host == "XGO" and event.cameo == "042"
    roles = {p.country: p.role for p in event.participants}
    assert roles == {"XAR": "foreign minister", "XGO": "defence minister"}
    vorn = next(p for p in event.participants if p.country == "XAR")
    assert text[vorn.start:vorn.end] == "Elendil Vorn"


@pytest.mark.parametrize("published, arnor_holder", [
    (date(2023, 9, 20), "elendil-vorn"),
    (date(2024, 9, 20), "tarcil-amrod"),
])
def test_side_named_by_office_gets_the_holder_on_that_date(fantasy_kb, published, arnor_holder):
    text = "Der gondorische Außenminister empfing den arnorischen Außenminister in Minas Tirith."
    [event] = run(fantasy_kb, text, published)
    by_country = {p.country: p for p in event.participants}
    assert by_country["XAR"].name is None and by_country["XAR"].actor_id == arnor_holder
    assert by_country["XGO"].name is None and by_country["XGO"].actor_id == "faramir-ithil"
    assert event.host == "XGO"


def test_planned_visit_to_a_capital_names_the_host(fantasy_kb):
    [event] = run(fantasy_kb, "Vorn soll im Oktober nach Minas Tirith reisen, um dort Ithil zu treffen.")
    assert event.status == "planned"
    assert countries(event) == {"XAR", "XGO"}
    assert event.date.value == "2023-10"


@pytest.mark.parametrize("text", [
    "Das geplante Treffen zwischen Vorn und Ithil wurde abgesagt.",
    "Vorn und Ithil trafen sich nicht.",
    "Arnor verhängte neue Sanktionen gegen Gondor.",
    "Gondor's foreign minister Faramir Ithil said Arnor had violated the treaty.",
    "The talks between Vorn and Ithil were called off on Monday.",
])
def test_no_event_for_cancelled_negated_or_no_meeting(fantasy_kb, text):
    assert run(fantasy_kb, text) == ()


def test_unknown_person_takes_country_and_role_from_context(fantasy_kb):
    text = "Der gondorische Außenminister Hirgon Tal traf am Montag in Annuminas den arnorischen Premierminister."
    [event] = run(fantasy_kb, text)
    by_country = {p.country: p for p in event.participants}
    assert (by_country["XGO"].name, by_country["XGO"].role) == ("Hirgon Tal", "foreign minister")
    assert by_country["XAR"].name is None


def test_day_before_and_surname_coreference(fantasy_kb):
    text = ("Elendil Vorn traf am Montag Faramir Ithil in Annuminas. "
            "Am Vortag hatte Vorn mit Boromir Denethorsohn telefoniert.")
    first, second = run(fantasy_kb, text)
    assert first.date.value == "2023-09-18"
    assert sides(second) == {("XAR", "Elendil Vorn"), ("XGO", "Boromir Denethorson")}
    assert second.date.value == "2023-09-17" and second.mode == "phone" and second.cameo == "041"


def test_english_phone_call(fantasy_kb):
    text = ("Arnorian Foreign Minister Elendil Vorn held talks by phone with his Gondorian counterpart "
            "Faramir Ithil on Monday, the ministry said.")
    [event] = run(fantasy_kb, text, lang="en")
    assert sides(event) == {("XAR", "Elendil Vorn"), ("XGO", "Faramir Ithil")}
    assert event.mode == "phone" and event.date.value == "2023-09-18"


@pytest.mark.parametrize("text", [
    "Gondor's defence minister Boromir Denethorson attended the FFP summit in Annuminas on Friday.",
    "Gondor's defence minister Boromir Denethorson ended his participation in the FFP summit in Annuminas on "
    "Friday.",
])
def test_taking_part_in_a_summit_is_an_event_with_the_organisation(fantasy_kb, text):
    [event] = run(fantasy_kb, text, lang="en")
    assert countries(event) == {"XGO", "FELLOW"}
    assert event.location.country == "XAR"


def test_bilateral_on_the_sidelines_leaves_the_organisation_out(fantasy_kb):
    text = ("On the sidelines of the FFP summit in Annuminas, Vorn met Ithil on Friday.")
    [event] = run(fantasy_kb, text, lang="en")
    assert countries(event) == {"XAR", "XGO"}


def test_title_lead_and_body_give_one_event_with_the_most_precise_date(fantasy_kb):
    text = ("Vorn trifft Ithil\n\nDer arnorische Außenminister Elendil Vorn hat am Dienstag seinen "
            "gondorischen Amtskollegen Faramir Ithil getroffen.\n\nVorn und Ithil sprachen über Handel.")
    [event] = run(fantasy_kb, text)
    assert event.date.value == "2023-09-19"
    assert "trade" in event.topics


def test_counterpart_without_name_gets_the_same_office(fantasy_kb):
    text = "Elendil Vorn telefonierte am Montag mit seinem gondorischen Amtskollegen."
    [event] = run(fantasy_kb, text)
    gondor = next(p for p in event.participants if p.country == "XGO")
    assert gondor.name is None and gondor.role == "foreign minister" and gondor.actor_id == "faramir-ithil"


def test_without_publication_date_relative_dates_stay_open(fantasy_kb):
    [event] = run(fantasy_kb, "Vorn traf Ithil am Dienstag in Annuminas.", published=None)
    assert event.date is None


@pytest.mark.parametrize("text, status", [
    ("Vorn werde im Mai nach Minas Tirith reisen, teilte das Ministerium mit.", "planned"),
    ("The ministry said Vorn would travel to Minas Tirith in May.", "planned"),
    ("Vorn met Ithil on Monday but the talks brought no breakthrough.", "occurred"),
])
def test_status_cues(fantasy_kb, text, status):
    [event] = run(fantasy_kb, text)
    assert event.status == status


def test_office_named_after_the_person_refers_back_to_them(fantasy_kb):
    text = ("Faramir Ithil traf am Montag Elendil Vorn in Annuminas. "
            "Am Vortag hatte der gondorische Außenminister mit dem Verteidigungsminister Denethorsohn gesprochen.")
    events = run(fantasy_kb, text)
    assert len(events) == 1  # both sides of the second meeting are from Gondor
    text = ("Faramir Ithil reiste nach Annuminas. Dort traf der gondorische Außenminister am Montag "
            "den arnorischen Außenminister.")
    [event] = run(fantasy_kb, text)
    gondor = next(p for p in event.participants if p.country == "XGO")
    assert gondor.name == "Faramir Ithil"


@pytest.mark.parametrize("text, city", [
    *((f"{dateline} Gondor's foreign minister Faramir Ithil met Elendil Vorn on Tuesday.", "Minas Tirith")
      for dateline in ("MINAS TIRITH, Sept 19 -", "MINAS TIRITH, Gondor, Sept 19 –", "MINAS TIRITH —",
                       "MINAS TIRITH, Sept. 19 (Gondor Wire) --", "Minas Tirith, September 19, 2023 (GBC) –")),
    # a dateline in the host's country beats the capital guessed for the host
    ("PORT-UMBAR – Gondor's foreign minister Faramir Ithil received Elendil Vorn on Tuesday.", "Port-Umbar"),
])
def test_dateline_places_a_meeting_of_its_own_country(fantasy_kb, text, city):
    [event] = run(fantasy_kb, text, lang="en")
    assert (event.location.city, event.location.country) == (city, "XGO")


def test_a_german_dateline_with_the_year_places_the_meeting(fantasy_kb):
    text = "Minas Tirith, 19. September 2023 (Gondor Wire) – Außenminister Faramir Ithil traf am Dienstag Elendil Vorn."
    [event] = run(fantasy_kb, text, lang="de")
    assert (event.location.city, event.location.country) == ("Minas Tirith", "XGO")


@pytest.mark.parametrize("text, place", [
    # filed in a third country on the day: where the two met (at a gathering there)
    ("EDORAS, Sept 19 (Gondor Wire) -- Faramir Ithil and Elendil Vorn met on Tuesday.", ("Edoras", "XRO")),
    # a meeting a week back, or a call, was not where the report was filed
    ("EDORAS, Sept 19 (Gondor Wire) -- Faramir Ithil and Elendil Vorn met on Sept. 18.", ("Edoras", "XRO")),
    ("EDORAS, Sept 19 (Gondor Wire) -- Faramir Ithil and Elendil Vorn met on Sept. 17.", None),
    ("EDORAS, Sept 19 (Gondor Wire) -- Faramir Ithil and Elendil Vorn met on Sept. 12.", None),
    ("EDORAS, Sept 19 (Gondor Wire) -- Faramir Ithil spoke by phone with Elendil Vorn on Tuesday.", None),
])
def test_dateline_of_a_third_country_places_only_a_meeting_of_the_day(fantasy_kb, text, place):
    [event] = run(fantasy_kb, text, published=date(2023, 9, 19), lang="en")
    assert (None if event.location is None else (event.location.city, event.location.country)) == place


@pytest.mark.parametrize("lang, text", [
    ("en", "MINAS TIRITH, Sept 19 (Gondor Wire) -- Faramir Ithil spoke by phone with Elendil Vorn on Tuesday."),
    ("en", "Faramir Ithil telephoned Elendil Vorn from Minas Tirith on Tuesday."),
    ("de", "Minas Tirith (Gondor Wire) – Faramir Ithil hat am Dienstag mit Elendil Vorn telefoniert."),
    ("en", "Faramir Ithil spoke by phone with Elendil Vorn on Tuesday ahead of next week's summit in Edoras."),
    ("en", "MINAS TIRITH (Gondor Wire) -- Faramir Ithil received a phone call from Elendil Vorn on Tuesday."),
])
def test_a_call_is_held_nowhere(fantasy_kb, lang, text):
    # neither the dateline nor the caller's city is where a phone call took place
    [event] = run(fantasy_kb, text, published=date(2023, 9, 19), lang=lang)
    assert (event.mode, event.location) == ("phone", None)


def test_a_call_reported_with_a_visit_keeps_the_visit_s_place(fantasy_kb):
    text = ("Der Anruf wurde von Elendil Vorn vorbereitet, der am Montag in Minas Tirith von Faramir Ithil "
            "empfangen wurde.")
    [event] = run(fantasy_kb, text, lang="de")
    assert event.location is not None and event.location.city == "Minas Tirith"


@pytest.mark.parametrize("lang, text", [
    ("en", "Elendil Vorn received his counterpart from Gondor, Faramir Ithil, on Monday."),
    ("de", "Elendil Vorn empfing am Montag seinen Amtskollegen aus Gondor, Faramir Ithil."),
])
def test_where_a_guest_comes_from_is_not_where_they_met(fantasy_kb, lang, text):
    [event] = run(fantasy_kb, text, lang=lang)
    assert event.location is not None and event.location.country == "XAR"  # the host's capital


def test_seat_of_government_stands_for_the_capital(fantasy_kb):
    [event] = run(fantasy_kb, "Vorn traf Ithil am Montag im Weißen Turm.")
    assert (event.location.city, event.location.country) == ("Minas Tirith", "XGO")


def test_one_meeting_per_host_city(fantasy_kb):
    text = ("Faramir Ithil reiste am Montag nach Annuminas und Edoras, wo er mit Elendil Vorn und "
            "König Theoden Marke zusammentraf.")
    events = run(fantasy_kb, text)
    met = {(frozenset(p.country for p in e.participants), e.location.city) for e in events}
    assert met == {(frozenset({"XGO", "XAR"}), "Annuminas"), (frozenset({"XGO", "XRO"}), "Edoras")}


def test_meeting_with_someone_takes_the_last_named_person_as_subject(fantasy_kb):
    text = "Elendil Vorn reiste am Montag ab. In Minas Tirith sind Gespräche mit Faramir Ithil geplant."
    [event] = run(fantasy_kb, text)
    assert sides(event) == {("XAR", "Elendil Vorn"), ("XGO", "Faramir Ithil")}
    assert event.status == "planned"


@pytest.mark.parametrize("text", [
    "Amrod visited Edoras on Monday. In a phone call with Faramir Ithil on Sunday, King Theoden Marke said "
    "that the talks would go on.",
])
def test_a_phrase_with_someone_put_first_has_its_subject_after_the_comma(fantasy_kb, text):
    [event] = [e for e in run(fantasy_kb, text, published=date(2025, 3, 4)) if "Ithil" in e.evidence.text]
    assert sides(event) == {("XGO", "Faramir Ithil"), ("XRO", "Theoden Marke")}


@pytest.mark.parametrize("text", [
    "Am Dienstag traf Amrod seine Amtskollegen aus Gondor und Rohan.",
    "On Tuesday Amrod met his counterparts from Gondor and Rohan.",
    "Am Dienstag traf Amrod die Außenminister Gondors und Rohans.",
])
def test_counterparts_of_several_states_named_together_meet_together(fantasy_kb, text):
    [event] = run(fantasy_kb, text, published=date(2025, 3, 4))
    assert countries(event) == {"XAR", "XGO", "XRO"}


@pytest.mark.parametrize("text", [
    "Amrod telefonierte am Dienstag mit den Außenministern Gondors und Rohans.",
    "Amrod führte am Dienstag Telefongespräche mit den Außenministern Gondors und Rohans.",
    # received one after another, also with the meeting word last
    "Elendil Vorn hat am Montag in Annuminas nacheinander die Außenminister Gondors und Rohans empfangen.",
    "In Annuminas on Monday, Elendil Vorn separately received the foreign ministers of Gondor and Rohan.",
])
def test_counterparts_of_several_states_called_or_met_one_by_one_are_a_meeting_each(fantasy_kb, text):
    events = run(fantasy_kb, text, published=date(2025, 3, 4))
    assert sorted(sorted(countries(e)) for e in events) == [["XAR", "XGO"], ["XAR", "XRO"]]


@pytest.mark.parametrize("text", [
    "Amrod met Jan Veldhoven, Gondor's agriculture minister, on Monday.",
    "Amrod met Gondorian agriculture minister Jan Veldhoven on Monday.",
    "Amrod traf am Montag Jan Veldhoven, den gondorischen Landwirtschaftsminister.",
])
def test_a_person_unknown_to_the_kb_is_named_with_the_office_beside_the_name(fantasy_kb, text):
    [event] = run(fantasy_kb, text, published=date(2025, 3, 4))
    assert sides(event) == {("XAR", "Tarcil Amrod"), ("XGO", "Jan Veldhoven")}
    assert event.date.value == "2025-03-03"  # "Jan" is a first name here, not January


def test_summit_named_earlier_and_its_participants(fantasy_kb):
    text = ("Der Gipfel der GFV begann am Montag in Annuminas. "
            "Der gondorische Außenminister Faramir Ithil nahm am Dienstag an der Hauptsitzung des Gipfels teil.")
    events = run(fantasy_kb, text)
    assert any(countries(e) == {"XGO", "FELLOW"} for e in events)


def test_place_before_where(fantasy_kb):
    [event] = run(fantasy_kb, "Letzte Station war Gondor, wo Vorn am Montag mit Ithil zusammentraf.")
    assert event.location.country == "XGO" and event.date.value == "2023-09-18"


def test_shared_office_of_two_countries_and_names_from_the_article(fantasy_kb):
    text = ("Arnors und Gondors Außenminister berieten am Montag in Edoras. "
            "Faramir Ithil sagte danach, man sei sich nähergekommen.")
    [event] = run(fantasy_kb, text)
    by_country = {p.country: p for p in event.participants}
    assert set(by_country) == {"XAR", "XGO"}
    assert by_country["XAR"].name is None and by_country["XAR"].actor_id == "elendil-vorn"
    # the Gondorian holder is named later in the article, so the side carries his name
    assert by_country["XGO"].name == "Faramir Ithil"


def test_one_meeting_per_counterpart_unless_together(fantasy_kb):
    apart = run(fantasy_kb, "Vorn sprach am Montag in Minas Tirith mit Faramir Ithil und mit König Theoden Marke.")
    assert sorted(sorted(p.country for p in e.participants) for e in apart) == [["XAR", "XGO"], ["XAR", "XRO"]]
    [together] = run(fantasy_kb, "Vorn traf am Montag in Edoras gemeinsam mit Faramir Ithil König Theoden Marke.")
    assert countries(together) == {"XAR", "XGO", "XRO"}


def test_deputy_is_not_the_minister(fantasy_kb):
    [event] = run(fantasy_kb, "Der stellvertretende gondorische Außenminister Hirgon Tal traf am Montag Elendil Vorn.")
    gondor = next(p for p in event.participants if p.country == "XGO")
    assert gondor.name == "Hirgon Tal" and gondor.role == "deputy foreign minister"


@pytest.mark.parametrize("text", [
    "A spokesperson dismissed reports that Vorn had met Ithil on Monday.",
    "Ob es zu einem Treffen zwischen Vorn und Ithil kommt, ist offen.",
])
def test_denied_and_open_meetings_give_nothing(fantasy_kb, text):
    assert run(fantasy_kb, text) == ()


def test_city_named_just_before_places_the_meeting(fantasy_kb):
    events = run(fantasy_kb, "Vorn landete am Montag in Edoras. Dort traf er König Theoden Marke zu Gesprächen.")
    [event] = [e for e in events if countries(e) == {"XAR", "XRO"}]
    assert (event.location.city, event.location.country) == ("Edoras", "XRO")


@pytest.mark.parametrize("text", [
    "Ein persönliches Treffen mit Ithil lehnt Vorn bis heute ab.",
    "Ein Treffen zwischen Vorn und Ithil schloss das Ministerium hingegen aus.",
    "Vorn turned down a meeting with Ithil on Monday.",
])
def test_refused_meetings_give_nothing(fantasy_kb, text):
    assert run(fantasy_kb, text) == ()


def test_hosting_an_organisation_and_attendance_later_in_the_article(fantasy_kb):
    text = ("Arnor's foreign minister Elendil Vorn hosted his counterparts from the FFP in Annuminas on Monday. "
            "The council meeting was also attended by Gondor's foreign minister Faramir Ithil.")
    events = run(fantasy_kb, text, lang="en")
    pairs = {frozenset(p.country for p in e.participants) for e in events}
    assert {frozenset({"XAR", "FELLOW"}), frozenset({"XGO", "FELLOW"})} <= pairs


def test_a_country_discussed_is_not_where_they_met(fantasy_kb):
    text = ("Vorn und Ithil trafen sich am Montag in Minas Tirith. "
            "Die beiden Politiker sprachen über den Krieg in Rohan.")
    [event] = run(fantasy_kb, text)
    assert event.location.city == "Minas Tirith"


def test_the_two_refers_to_the_meeting_just_reported(fantasy_kb):
    text = ("Vorn traf am Montag in Minas Tirith Faramir Ithil. Am Dienstag empfängt Vorn König Theoden Marke "
            "in Annuminas. Die beiden hatten sich zuletzt im Mai in Edoras getroffen.")
    events = run(fantasy_kb, text)
    earlier = [e for e in events if e.date and e.date.value == "2023-05"]
    assert [countries(e) for e in earlier] == [{"XAR", "XRO"}]


def test_a_sentence_opening_with_mit_names_no_side(fantasy_kb):
    text = ("Vorn traf am Montag König Theoden Marke. "
            "Mit großer Spannung war Ithils Treffen mit Marke erwartet worden.")
    pairs = {frozenset(p.country for p in e.participants) for e in run(fantasy_kb, text)}
    assert frozenset({"XGO", "XRO"}) in pairs
    assert frozenset({"XAR", "XGO"}) not in pairs  # Vorn is not added as a side of the second meeting


def test_coming_together_with_two_counterparts_is_one_meeting(fantasy_kb):
    [event] = run(fantasy_kb, "Vorn kam am Montag mit dem gondorischen Außenminister Faramir Ithil und dem "
                              "rohanischen König Theoden Marke zusammen.")
    assert countries(event) == {"XAR", "XGO", "XRO"}


def test_both_politicians_received_apart_are_two_meetings(fantasy_kb):
    text = ("Vorn und König Theoden Marke trafen sich am Montag in Edoras. "
            "Zuvor hatte Faramir Ithil beide Politiker am Sonntag getrennt empfangen.")
    pairs = {frozenset(p.country for p in e.participants) for e in run(fantasy_kb, text)}
    assert pairs == {frozenset({"XAR", "XRO"}), frozenset({"XGO", "XAR"}), frozenset({"XGO", "XRO"})}


def test_the_two_are_the_people_named_just_before_even_without_an_event(fantasy_kb):
    text = ("Vorn traf am Montag König Theoden Marke in Edoras. "
            "Weder Vorn noch Faramir Ithil nahmen an der Zeremonie am Dienstag teil. "
            "Die beiden Politiker hatten sich zuletzt im Mai in Minas Tirith getroffen.")
    events = run(fantasy_kb, text)
    assert not any(e.date and e.date.value == "2023-09-19" for e in events)  # "weder ... noch" negates
    [may] = [e for e in events if e.date and e.date.value == "2023-05"]
    assert countries(may) == {"XAR", "XGO"}


def test_a_year_after_since_is_no_date_of_the_meeting(fantasy_kb):
    [event] = run(fantasy_kb, "Vorn traf Ithil in Minas Tirith, zum ersten Mal seit dem Krieg von 1998.")
    assert event.date.basis == "publication month"  # no time expression of its own


def test_people_in_a_quotation_are_not_sides_of_a_meeting_reported_outside_it(fantasy_kb):
    text = ('Vorn traf am Montag Faramir Ithil. "Wenn der König von Rohan und Arnor zusammenarbeiten, wird die Welt '
            'sicherer", sagte Ithil zu Beginn des Treffens.')
    pairs = {frozenset(p.country for p in e.participants) for e in run(fantasy_kb, text)}
    assert pairs == {frozenset({"XAR", "XGO"})}


def test_a_meeting_on_the_sidelines_takes_the_place_of_the_summit_named_before(fantasy_kb):
    text = ("Beim Gipfel in Edoras feiert sich der Bund der Freien Völker. "
            "Am Mittwoch trafen sich Vorn und Ithil am Rande des Gipfels zu einem Gespräch.")
    [event] = run(fantasy_kb, text)
    assert (event.location.city, event.location.country) == ("Edoras", "XRO")


@pytest.mark.parametrize("text", [
    "Arnor sagt Gespräche mit Gondor in Edoras ab",
    "Rohan ist bereit zu Gesprächen zwischen Arnor und Gondor in Edoras.",
    "Rohan is willing to host further talks between Arnor and Gondor in Edoras, Marke said.",
    'Ein Sprecher sagte, Vorn habe "keine Pläne", Ithil am Rande des Gipfels in Edoras zu treffen.',
    "A spokesman said Vorn had no plans to meet Ithil in Edoras this week.",
])
def test_called_off_and_offered_meetings_give_nothing(fantasy_kb, text):
    assert run(fantasy_kb, text) == ()


def test_talks_between_two_sides_brokered_by_a_third_are_one_meeting(fantasy_kb):
    [event] = run(fantasy_kb, "Rohan mediated talks between Arnor and Gondor in Edoras on Monday.", lang="en")
    assert countries(event) == {"XAR", "XGO", "XRO"}


def test_an_office_without_a_country_takes_the_country_where_it_was_met(fantasy_kb):
    text = "Vorn met Prime Minister Aragorn Elessar in Minas Tirith on Monday. Elessar later met Marke."
    events = run(fantasy_kb, text, lang="en")
    first = {p.country: p for p in events[0].participants}
    assert first["XGO"].name == "Aragorn Elessar" and first["XGO"].role == "prime minister"
    assert run(fantasy_kb, "Vorn met Prime Minister Aragorn Elessar on Monday.", lang="en") == ()


def test_an_undated_meeting_takes_the_day_named_earlier_in_its_paragraph(fantasy_kb):
    text = ("Vorn landete am Dienstag in Edoras. Dort sprach er mit König Theoden Marke.\n\n"
            "Ithil traf Marke in Minas Tirith.")
    events = run(fantasy_kb, text)
    by_pair = {frozenset(p.country for p in e.participants): e for e in events}
    assert by_pair[frozenset({"XAR", "XRO"})].date.value == "2023-09-19"
    assert by_pair[frozenset({"XGO", "XRO"})].date.basis == "publication month"  # another paragraph


def test_received_by_a_host_named_with_title_and_full_name_places_the_meeting_in_the_host_capital(fantasy_kb):
    [event] = run(fantasy_kb, "Anschließend wurde Vorn vom gondorischen Außenminister Faramir Ithil zu einem "
                              "kurzen Höflichkeitsbesuch empfangen.")
    assert event.host == "XGO" and event.location.country == "XGO"


def test_a_visit_to_a_named_place_has_that_country_as_other_side_not_the_protagonist(fantasy_kb):
    # "next month" is a date, not "the next meeting" of the two named before
    text = ("King Theoden Marke received Faramir Ithil in Edoras on Monday. "
            "Vorn is expected to visit Minas Tirith next month.")
    events = run(fantasy_kb, text, lang="en")
    planned = [e for e in events if e.status == "planned"]
    assert [countries(e) for e in planned] == [{"XAR", "XGO"}]
    assert planned[0].host == "XGO"


def test_an_office_with_its_remit_is_followed_by_its_holder(fantasy_kb):
    [event] = run(fantasy_kb, "Der arnorische Sonderbeauftragte für den Frieden, Hirgon Tal, traf am Montag Ithil.")
    arnor = next(p for p in event.participants if p.country == "XAR")
    assert arnor.name == "Hirgon Tal" and arnor.role == "special envoy"


def test_a_hyphenated_gazetteer_name_is_found_as_written_with_a_space(fantasy_kb):
    [event] = run(fantasy_kb, "Vorn met Ithil in Port Umbar on Monday.", lang="en")
    assert (event.location.city, event.location.country) == ("Port-Umbar", "XGO")


def test_a_subject_pronoun_continues_the_subject_of_the_sentence_before(fantasy_kb):
    text = ("Arnor's foreign minister Elendil Vorn will travel to Edoras, where he is due to meet Marke on Monday. "
            "He is also expected to hold talks with Ithil during his stay.")
    pairs = {frozenset(p.country for p in e.participants) for e in run(fantasy_kb, text, lang="en")}
    assert frozenset({"XAR", "XGO"}) in pairs and frozenset({"XRO", "XGO"}) not in pairs


def test_talks_in_a_named_format_are_one_meeting_of_all(fantasy_kb):
    text = ("Vorn travelled to Edoras for talks with Faramir Ithil and King Theoden Marke "
            "in the so-called Edoras format.")
    [event] = run(fantasy_kb, text, lang="en")
    assert countries(event) == {"XAR", "XGO", "XRO"}


def test_a_state_named_in_what_was_discussed_is_no_side(fantasy_kb):
    text = "Vorn traf am Montag König Theoden Marke und sprach mit ihm über die Verhandlungen mit Gondor."
    assert [countries(e) for e in run(fantasy_kb, text)] == [{"XAR", "XRO"}]


def test_a_place_and_a_dash_open_a_dateline(fantasy_kb):
    [event] = run(fantasy_kb, "Port-Umbar – Vorn und Ithil haben sich am Montag zu Gesprächen getroffen.")
    assert event.location.city == "Port-Umbar"


def test_a_trip_to_a_list_of_places_is_one_visit_per_country(fantasy_kb):
    events = run(fantasy_kb, "Vorn war im Mai nach Edoras und Minas Tirith gereist, um mit den dortigen Herrschern "
                             "zu sprechen.")
    assert sorted((e.host, e.location.city) for e in events) == [("XGO", "Minas Tirith"), ("XRO", "Edoras")]
    events = run(fantasy_kb, "Ithil visited Arnor and Rohan in May, securing new trade pledges.", lang="en")
    assert sorted(e.host for e in events) == ["XAR", "XRO"]


def test_an_office_holder_without_a_country_is_no_antecedent_for_a_pronoun(fantasy_kb):
    # this used to fail the whole document: "he" became a side without a country
    for text, lang in (("Prime Minister Aragorn Elessar said the situation was serious. He met Vorn in Edoras on "
                        "Tuesday.", "en"),
                       ("Premierminister Aragorn Elessar nannte die Lage ernst. Er traf Vorn am Dienstag in Edoras.",
                        "de")):
        assert all(p.country for e in run(fantasy_kb, text, lang=lang) for p in e.participants)


@pytest.mark.parametrize("lang, text, expected", [
    # a particle of a separable verb belongs to that verb's clause ("sagte ... ab" calls off, "der ab Dienstag" not)
    ("de", "Vorn traf am Montag in Minas Tirith Faramir Ithil, sagte ein Sprecher, der ab Dienstag in Edoras ist.",
     [("occurred", {"XAR", "XGO"})]),
    # an offer after the meeting word is what was said at it
    ("en", "Ithil met King Theoden Marke in Edoras on Monday and said Gondor is willing to import more goods.",
     [("occurred", {"XGO", "XRO"})]),
    # an aside between two dashes leaves the clause around it whole
    ("de", "Vorn wird – so heißt es in Regierungskreisen – am Montag in Minas Tirith Ithil treffen.",
     [("planned", {"XAR", "XGO"})]),
    # "two officials said" is no reference to the two just named
    ("en", "Vorn met Marke in Edoras on Wednesday. Ithil held talks in Edoras on Thursday, two officials said.",
     [("occurred", {"XAR", "XRO"})]),
    # who says it after the meeting's clause is its source, not a side or the office's holder
    ("en", "Vorn met the Rohirric king for talks in Edoras, Faramir Ithil said on Monday.",
     [("occurred", {"XAR", "XRO"})]),
    # a short quotation is a nickname, not speech
    ("de", 'Vorn traf am Montag den rohanischen König Theoden "Marke" in Edoras.', [("occurred", {"XAR", "XRO"})]),
])
def test_reviewed_cases(fantasy_kb, lang, text, expected):
    assert [(e.status, countries(e)) for e in run(fantasy_kb, text, lang=lang)] == expected


def test_a_background_meeting_takes_no_day_named_before_it(fantasy_kb):
    text = "Am Montag hatte Vorn mit Ithil telefoniert. Marke und Vorn hatten sich zuletzt in Edoras getroffen."
    earlier = [e for e in run(fantasy_kb, text) if countries(e) == {"XAR", "XRO"}]
    assert [e.date for e in earlier] == [None]


def test_a_bare_surname_counts_for_someone_weeks_before_their_term(fantasy_kb):
    # Amrod becomes Arnor's foreign minister on 2024-07-01
    pairs = [countries(e)
             for e in run(fantasy_kb, "Ithil traf am Montag Amrod in Minas Tirith.", date(2024, 5, 15))]
    assert pairs == [{"XAR", "XGO"}]
    assert run(fantasy_kb, "Ithil traf am Montag Amrod in Minas Tirith.", date(2023, 5, 15)) == ()


def test_those_attending_the_summit_just_named_take_part_in_it(fantasy_kb):
    text = "The FFP summit opened in Annuminas on Monday.\n\nFaramir Ithil and King Theoden Marke attended in person."
    events = {frozenset(p.country for p in e.participants): e for e in run(fantasy_kb, text, lang="en")}
    assert {frozenset({"XGO", "FELLOW"}), frozenset({"XRO", "FELLOW"})} <= set(events)
    assert frozenset({"XGO", "XRO"}) not in events
    attending = events[frozenset({"XGO", "FELLOW"})]
    assert (attending.location.city, attending.date.value) == ("Annuminas", "2023-09-18")  # the summit's


def test_both_sides_agreeing_to_meet_again_is_a_planned_meeting_of_the_two(fantasy_kb):
    text = ("Vorn traf am Montag Faramir Ithil in Minas Tirith. "
            "Beide Seiten vereinbarten, zu gegebener Zeit eine neue Runde der Konsultationen abzuhalten.")
    planned = [e for e in run(fantasy_kb, text) if e.status == "planned"]
    assert [countries(e) for e in planned] == [{"XAR", "XGO"}]


def test_who_an_aside_between_dashes_names_is_no_side_of_the_meeting_around_it(fantasy_kb):
    text = "Das Treffen – Teil einer Reise von Ithil nach Edoras – fand statt, als König Theoden Marke Vorn traf."
    events = run(fantasy_kb, text)
    assert [sorted(p.name for p in e.participants) for e in events] == [["Elendil Vorn", "Theoden Marke"]]


def test_the_next_round_is_the_series_the_article_reports_not_the_last_meeting(fantasy_kb):
    text = ("Vorn und Faramir Ithil trafen sich am Montag in Edoras zur sechsten Runde ihrer Gespräche. "
            "Vorn hatte zuvor König Theoden Marke in Minas Tirith getroffen. "
            "Die siebte Runde soll im November in Annuminas stattfinden.")
    planned = the_planned(fantasy_kb, text)
    assert countries(planned) == {"XAR", "XGO"}


def test_the_three_ministers_are_the_last_meeting_of_three_sides(fantasy_kb):
    text = ("Vorn, Faramir Ithil und König Theoden Marke trafen sich am Montag gemeinsam in Edoras. "
            "Am Dienstag traf Vorn Ithil allein in Minas Tirith. "
            "Ein weiteres Treffen der drei Minister ist für Dezember in Annuminas geplant.")
    planned = the_planned(fantasy_kb, text)
    assert countries(planned) == {"XAR", "XGO", "XRO"}


@pytest.mark.parametrize("text", [
    "Vorn werde König Theoden Marke im Oktober in Edoras treffen, sagte Faramir Ithil vor Journalisten.",
    "Vorn will meet King Theoden Marke in Edoras in October, said Faramir Ithil.",
])
def test_the_speaker_after_an_inverted_speech_verb_is_no_side(fantasy_kb, text):
    [event] = run(fantasy_kb, text)
    assert countries(event) == {"XAR", "XRO"}


def test_a_call_with_an_invitation_is_the_call_and_a_planned_visit(fantasy_kb):
    text = "Vorn spoke by phone with King Theoden Marke on Monday, inviting him to visit Arnor."
    events = sorted(run(fantasy_kb, text), key=lambda e: e.status)
    assert [(e.status, e.mode) for e in events] == [("occurred", "phone"), ("planned", "in_person")]
    assert events[1].location.country == "XAR" and events[1].date is None


def test_an_accepted_invitation_is_planned_whatever_the_tense(fantasy_kb):
    [event] = run(fantasy_kb, "König Theoden Marke nahm am Montag eine Einladung Vorns nach Annuminas an.")
    assert event.status == "planned" and countries(event) == {"XAR", "XRO"}


def test_a_summit_during_which_someone_was_invited_took_place(fantasy_kb):
    text = ("Während eines Gipfeltreffens in Edoras im März lud Vorn König Theoden Marke ein, an einem Forum "
            "teilzunehmen, das nächsten Monat in Annuminas stattfinden wird.")
    by_status = {e.status: e for e in run(fantasy_kb, text)}
    assert by_status["occurred"].date.value == "2023-03" and by_status["occurred"].location.city == "Edoras"
    assert by_status["planned"].date.value == "2023-10" and by_status["planned"].location.city == "Annuminas"


@pytest.mark.parametrize("text", [
    "Premierminister Elendil Vorn empfing im Juli König Theoden Marke in Annuminas. Am Montag traf "
    "Außenminister Tarcil Amrod in Edoras den rohirrischen Außenminister Eomer Hald. Die beiden Staats- und "
    "Regierungschefs hatten sich zuvor im März in Minas Tirith getroffen.",
    "Prime Minister Elendil Vorn hosted King Theoden Marke in Annuminas in July. On Monday Foreign Minister "
    "Tarcil Amrod met Rohirric Foreign Minister Eomer Hald in Edoras. The two leaders had met in Minas Tirith "
    "in March.",
])
def test_the_two_leaders_are_the_leaders_even_after_their_ministers_met(fantasy_kb, text):
    [march] = [e for e in run(fantasy_kb, text, published=date(2025, 9, 20)) if e.date and e.date.value == "2025-03"]
    assert {p.name for p in march.participants} == {"Elendil Vorn", "Theoden Marke"}


def test_a_name_in_the_genitive_after_a_capitalised_noun_is_the_visitor(fantasy_kb):
    [event] = run(fantasy_kb, "Die Meldung deutete auf den erwarteten Besuch Vorns in Rohan im nächsten Monat hin.")
    assert event.status == "planned" and countries(event) == {"XAR", "XRO"}
    assert event.date.value == "2023-10"


def test_a_month_bounding_a_phrase_after_since_is_no_date_of_the_meeting(fantasy_kb):
    [event] = run(fantasy_kb, "Es ist der erste Besuch Vorns in Rohan seit seiner Rückkehr ins Amt im Januar.")
    assert event.date.basis == "publication month"
    # a meeting inside the phrase is what the month dates: "since their summit in March"
    events = run(fantasy_kb, "It was the first call between Vorn and Ithil since their summit in March.")
    assert any(e.date and e.date.value == "2023-03" for e in events)


def test_a_visit_in_the_subjunctive_is_hypothetical(fantasy_kb):
    assert not run(fantasy_kb, "Ein Besuch Vorns in Edoras wäre aus Sicht von Diplomaten der nächste Schritt.")


@pytest.mark.parametrize("lang, text, city, country", [
    ("de", "Bundeskanzler Olaf Scholz traf sich am Dienstag in Köln mit dem französischen Präsidenten "
           "Emmanuel Macron.", "Cologne", "DEU"),
    ("de", "Der russische Außenminister Sergej Lawrow traf sich am Montag in Ulan Bator mit dem chinesischen "
           "Außenminister Wang Yi.", "Ulaanbaatar", "MNG"),
    ("en", "Saudi Crown Prince Mohammed bin Salman received Chinese Foreign Minister Wang Yi in AlUla on "
           "Tuesday.", "AlUla", "SAU"),
])
def test_a_meeting_place_is_given_its_english_name(kb, lang, text, city, country):
    """The shipped gazetteer: GeoNames says "Köln", "Ulan Bator", "Al-`Ula"; the output is the English name."""
    [event] = run(kb, text, lang=lang)
    assert (event.location.city, event.location.country) == (city, country)


@pytest.mark.parametrize("text", [
    "Die Gespräche zwischen Vorn und Faramir Ithil am Wochenende in Edoras könnten den Weg für ein Treffen von "
    "König Theoden Marke und Ithil im November ebnen.",
    "The talks between Vorn and Faramir Ithil in Edoras at the weekend could pave the way for a meeting of King "
    "Theoden Marke and Ithil in November.",
])
def test_a_meeting_a_hedged_statement_opens_the_way_to_is_planned(fantasy_kb, text):
    by_status = {e.status: e for e in run(fantasy_kb, text)}
    assert {p.country for p in by_status["occurred"].participants} == {"XAR", "XGO"}
    assert {p.country for p in by_status["planned"].participants} == {"XRO", "XGO"}
    assert by_status["planned"].date.value == "2023-11"


def test_next_names_the_series_only_just_before_its_meeting_word(fantasy_kb):
    text = ("Vorn und Faramir Ithil trafen sich am Montag in Edoras. "
            "Vorn wird im Oktober nach Rohan reisen, um die nächsten Schritte zu besprechen.")
    planned = the_planned(fantasy_kb, text)
    assert countries(planned) == {"XAR", "XRO"}


def test_a_subject_pronoun_before_the_first_name_keeps_the_subject_for_the_next_he(fantasy_kb):
    text = ("Faramir Ithil traf am Montag König Theoden Marke in Edoras. "
            "Im August war er in Annuminas zu Gesprächen mit Vorn. "
            "Er will im Dezember erneut mit König Theoden Marke telefonieren.")
    planned = the_planned(fantasy_kb, text)
    assert countries(planned) == {"XGO", "XRO"}


def test_the_next_summit_of_an_organisation_is_not_the_bilateral_on_its_sidelines(fantasy_kb):
    text = ("Die Staats- und Regierungschefs der GFV kamen am Montag in Edoras zu ihrem Gipfel zusammen. "
            "Am Rande des Gipfels traf Vorn Faramir Ithil. Beide hatten schon im Mai in Minas Tirith verhandelt. "
            "Der nächste Gipfel soll im kommenden Jahr in Annuminas stattfinden.")
    planned = [e for e in run(fantasy_kb, text) if e.status == "planned"]
    assert not any(countries(e) == {"XAR", "XGO"} for e in planned)


def test_coordinated_clauses_with_their_own_sides_are_two_meetings(fantasy_kb):
    text = ("Vorn traf am Montag in Annuminas König Theoden Marke. Er und Marke hatten im August telefoniert, "
            "und ihre Berater, Tarcil Amrod und Faramir Ithil, trafen sich im selben Monat in Edoras.")
    pairs = [sorted(p.name for p in e.participants) for e in run(fantasy_kb, text, published=date(2025, 9, 20))]
    assert pairs.count(["Elendil Vorn", "Theoden Marke"]) == 2  # on Monday, and the call in August


@pytest.mark.parametrize("text", [
    "In Edoras Vorn was received by King Theoden Marke and also held talks with Rohirric foreign minister Eomer Hald.",
    "Vorn held separate talks with King Theoden Marke and Rohirric foreign minister Eomer Hald in Edoras.",
])
def test_counterparts_of_one_country_met_apart_are_one_meeting_each(fantasy_kb, text):
    events = run(fantasy_kb, text)
    assert sorted(sorted(p.name for p in e.participants) for e in events) == [
        ["Elendil Vorn", "Eomer Hald"], ["Elendil Vorn", "Theoden Marke"]]


@pytest.mark.parametrize("text", [
    "Vorn und König Theoden Marke reisten am Montag gemeinsam nach Minas Tirith. "
    "Dort wurden sie von Faramir Ithil empfangen. Sie begrüßten das Abkommen.",
])
def test_they_are_the_people_of_the_meeting_just_reported(fantasy_kb, text):
    events = run(fantasy_kb, text)
    assert {"XAR", "XRO", "XGO"} in [countries(e) for e in events]
    assert all(e.evidence.text.split()[0] != "Sie" for e in events)  # welcoming an agreement


def test_names_in_apposition_and_a_place_after_its_country_adjective(fantasy_kb):
    text = ("Am Donnerstag sollen sich die Außenminister Arnors und Gondors, Elendil Vorn und Faramir Ithil, "
            "im rohirrischen Edoras treffen.")
    [event] = run(fantasy_kb, text)
    assert event.status == "planned" and event.date.value == "2023-09-21"
    assert (event.location.city, event.location.country) == ("Edoras", "XRO")


def test_state_adjectives_before_delegations_are_the_sides(fantasy_kb):
    [event] = run(fantasy_kb, "Arnorian and Gondorian delegations held a third round of talks in Edoras on Monday.")
    assert countries(event) == {"XAR", "XGO"} and event.round == 3


def test_a_delegation_under_an_office_holder_is_of_the_delegation_s_country(fantasy_kb):
    [event] = run(fantasy_kb, "Im Juni hatte Vorn in Annuminas eine rohirrische Delegation unter Außenminister "
                              "Eomer Hald empfangen.")
    assert {(p.country, p.name) for p in event.participants} == {("XAR", "Elendil Vorn"), ("XRO", "Eomer Hald")}


def test_two_leaders_talking_with_one_counterpart_and_then_another_are_two_meetings(fantasy_kb):
    text = ("Vorn and Faramir Ithil first held talks with King Theoden Marke and then with the Rohirric "
            "minister Eomer Hald in Edoras on Monday.")
    assert len(run(fantasy_kb, text)) == 1  # the same country twice: one side
    text = "Vorn and King Theoden Marke first held talks with Faramir Ithil and then with Mithran Grau on Monday."
    assert {frozenset(p.country for p in e.participants) for e in run(fantasy_kb, text)} == {
        frozenset({"XAR", "XRO", "XGO"}), frozenset({"XAR", "XRO", "FELLOW"})}


def test_people_invited_to_a_summit_named_before_take_part_in_it(fantasy_kb):
    text = ("Vorn will travel to Edoras for the FFP summit, which begins on Friday. "
            "Faramir Ithil and King Theoden Marke have been invited to the summit as guests.")
    pairs = {frozenset(p.country for p in e.participants) for e in run(fantasy_kb, text) if e.status == "planned"}
    assert {frozenset({"XGO", "FELLOW"}), frozenset({"XRO", "FELLOW"})} <= pairs
    assert frozenset({"XGO", "XRO"}) not in pairs


def test_attendance_takes_the_day_the_title_s_summit_is_later_given(fantasy_kb):
    text = ("GFV-Gipfel in Edoras: Einigung auf neue Ziele\n\nDarauf verständigten sich die Staats- und "
            "Regierungschefs am Mittwoch beim Gipfel in Edoras. Die Beratungen dauerten drei Stunden.\n\n"
            "Auch Vorn nahm an der Arbeitssitzung teil.")
    [vorn] = [e for e in run(fantasy_kb, text, published=date(2023, 9, 22), lang="de")
              if "XAR" in countries(e)]
    assert vorn.date.value == "2023-09-20" and vorn.location.city == "Edoras"


def test_a_place_whose_name_begins_with_an_article(kb):
    [event] = run(kb, "Bundeskanzler Olaf Scholz traf sich am Dienstag in Den Haag mit dem französischen "
                      "Präsidenten Emmanuel Macron.", lang="de")
    assert event.location.city == "The Hague"


def test_talks_between_delegations_named_by_adjectives_in_the_city_of(fantasy_kb):
    text = ("Arnor said on Tuesday it would accept a ceasefire with Rohan after talks between Arnorian and "
            "Gondorian delegations in the Rohirric city of Edoras.")
    [event] = run(fantasy_kb, text)
    assert countries(event) == {"XAR", "XGO"}
    assert event.location.city == "Edoras"


def test_who_mediated_talks_between_two_states_is_a_side(fantasy_kb):
    [event] = run(fantasy_kb, "Rohan mediated indirect talks between Arnor and Gondor in the spring, before the war.")
    assert countries(event) == {"XRO", "XAR", "XGO"}


def test_talks_between_two_hosted_by_a_third_include_the_host(fantasy_kb):
    [event] = run(fantasy_kb, "The deal was announced after four days of talks between Vorn and Faramir Ithil, "
                              "hosted by King Theoden Marke.")
    assert countries(event) == {"XAR", "XGO", "XRO"}


def test_what_follows_a_colon_is_read_alone(fantasy_kb):
    text = ("Vorn traf am Montag König Theoden Marke in Edoras. Kurz nach dem Auftritt mit Marke verkündete "
            "Faramir Ithil, was seit Tagen spekuliert worden war: Am kommenden Freitag wollen sich Vorn und Ithil "
            "in Annuminas treffen.")
    planned = the_planned(fantasy_kb, text)
    assert countries(planned) == {"XAR", "XGO"}


@pytest.mark.parametrize("text, planned", [
    ("Vorn und Faramir Ithil hofften, dass die Zusammenarbeit in weiteren Treffen fortgesetzt wird.", 0),
    ("Vorn and Faramir Ithil hoped that cooperation would continue in further meetings.", 0),
    ("Vorn said he hoped to meet Faramir Ithil in Edoras in October.", 1),  # a plan of his own
])
def test_a_meeting_only_hoped_for_is_no_event(fantasy_kb, text, planned):
    assert sum(e.status == "planned" for e in run(fantasy_kb, text)) == planned


def test_the_last_round_is_the_series_the_article_reports(fantasy_kb):
    text = ("Vorn und Faramir Ithil trafen sich am Montag in Edoras zur achten Runde ihrer Gespräche. "
            "Vorn hatte zuvor König Theoden Marke in Minas Tirith getroffen. "
            "Die letzte Runde hatte im Mai in Annuminas stattgefunden.")
    [may] = [e for e in run(fantasy_kb, text) if e.date and e.date.value == "2023-05"]
    assert countries(may) == {"XAR", "XGO"}


def test_a_pronoun_opening_a_later_clause_is_the_sentence_s_first_person(fantasy_kb):
    text = ("Boromir Denethorson sprach am Montag vor Soldaten. "
            "Vorn hatte im Mai in Minas Tirith Faramir Ithil getroffen; im Juni empfing er König Theoden Marke "
            "in Annuminas.")
    pairs = {frozenset(p.name for p in e.participants) for e in run(fantasy_kb, text)}
    assert frozenset({"Elendil Vorn", "Theoden Marke"}) in pairs


@pytest.mark.parametrize("text", [
    "Arnor strebt seit Jahren dasselbe an und verhandelt darüber allein mit Gondor.",
    "Spekulationen über ein Dreiertreffen mit Vertretern Gondors wies Vorn zurück.",
    "Ein Gipfel von Vorn und Faramir Ithil sei erst denkbar, wenn beide Seiten ihre Zusagen erfüllen.",
    "For years Arnor has negotiated with Gondor on its own.",
    "Ithil said Gondor had proposed a meeting between Vorn and King Theoden Marke before the end of October.",
])
def test_habits_speculation_and_conceivable_meetings_are_no_events(fantasy_kb, text):
    assert not run(fantasy_kb, text)
    assert run(fantasy_kb, "Vorn traf Faramir Ithil am Montag in Edoras, zum ersten Mal seit Jahren.")


def test_a_state_named_with_a_war_is_not_where_the_summit_met(fantasy_kb):
    text = "Faramir Ithil attended the FFP summit on Tuesday, which Vorn used to rally support over the war in Rohan."
    [event] = [e for e in run(fantasy_kb, text) if "XGO" in countries(e)]
    assert event.location is None or event.location.country != "XRO"
    # a war named before the sentence's visit leaves the country visited alone
    [visit] = run(fantasy_kb, "During the war, Vorn visited Rohan on Monday.")
    assert countries(visit) == {"XAR", "XRO"}


@pytest.mark.parametrize("text, status", [
    ("At the invitation of King Theoden Marke, Vorn paid a state visit to Rohan on Monday.", "occurred"),
    ("Vorn, who was invited by King Theoden Marke, met him in Edoras on Monday.", "occurred"),
    ("Auf Einladung von König Theoden Marke reiste Vorn am Montag nach Edoras.", "occurred"),
    ("Vorn accepted an invitation from King Theoden Marke to visit Rohan.", "planned"),
])
def test_a_visit_reported_with_its_invitation_took_place(fantasy_kb, text, status):
    [event] = run(fantasy_kb, text)
    assert event.status == status


@pytest.mark.parametrize("text", [
    "Vorn said there was no way to meet Faramir Ithil this month.",
    "The call did not pave the way for a meeting between Vorn and Faramir Ithil.",
    "Der Anruf ebne nicht den Weg für ein Treffen zwischen Vorn und Faramir Ithil.",
])
def test_a_negated_prospect_is_no_meeting(fantasy_kb, text):
    assert not run(fantasy_kb, text)


def test_talks_that_pave_the_way_do_not_lend_their_sides_or_places(fantasy_kb):
    events = run(fantasy_kb, "Monday's talks in Edoras paved the way for a meeting between Vorn and Faramir Ithil.")
    assert [(e.status, e.location) for e in events] == [("planned", None)]
    call, visit = sorted(run(fantasy_kb, "Vorn spoke with King Theoden Marke by phone, inviting him to visit "
                                         "Annuminas."), key=lambda e: e.status)
    assert call.location is None and visit.location.city == "Annuminas"


def test_the_heads_of_delegation_are_not_the_heads_of_state(fantasy_kb):
    text = ("Prime Minister Elendil Vorn met King Theoden Marke in Edoras in July. On Monday Foreign Minister Tarcil "
            "Amrod met Faramir Ithil in Minas Tirith. The two heads of delegation will meet again in October.")
    planned = the_planned(fantasy_kb, text, published=date(2025, 9, 20))
    assert {p.name for p in planned.participants} == {"Tarcil Amrod", "Faramir Ithil"}


def test_a_month_after_an_agent_is_the_meeting_s_date(fantasy_kb):
    [event] = run(fantasy_kb, "Vorn was received by Marke in Edoras in May.")
    assert event.date.value == "2023-05"


def test_the_last_visit_of_someone_outside_the_series_keeps_its_own_sides(fantasy_kb):
    text = "Vorn met Faramir Ithil in Minas Tirith on Monday. King Theoden Marke's last visit to Arnor was in February."
    pairs = [frozenset(p.country for p in e.participants) for e in run(fantasy_kb, text)]
    assert frozenset({"XRO", "XAR"}) in pairs


def test_clauses_after_a_colon_with_their_own_sides(fantasy_kb):
    pairs = {frozenset(p.name for p in e.participants)
             for e in run(fantasy_kb, "Vorn met Faramir Ithil: King Theoden Marke met Boromir Denethorson.")}
    assert pairs == {frozenset({"Elendil Vorn", "Faramir Ithil"}), frozenset({"Theoden Marke", "Boromir Denethorson"})}


def test_separate_agreements_do_not_separate_one_meeting(fantasy_kb):
    text = ("Vorn held talks with his counterparts from Gondor and Rohan in Minas Tirith on Monday, and the sides "
            "signed separate agreements on trade.")
    assert len(run(fantasy_kb, text)) == 1


def test_he_who_will_attend_a_summit_is_its_side(fantasy_kb):
    text = ("Vorn traf am Montag in Edoras König Theoden Marke. "
            "Danach will er am GFV-Gipfel in Minas Tirith teilnehmen, der am Freitag beginnt.")
    planned = the_planned(fantasy_kb, text)
    assert countries(planned) == {"XAR", "FELLOW"}


def test_an_invitation_to_an_organisation_s_summit_is_taking_part_in_it(fantasy_kb):
    text = "Vorn also invited King Theoden Marke to the FFP summit, which the government of Arnor will host in October."
    pairs = {frozenset(p.country for p in e.participants) for e in run(fantasy_kb, text) if e.status == "planned"}
    assert pairs == {frozenset({"XRO", "FELLOW"}), frozenset({"XAR", "FELLOW"})}


@pytest.mark.parametrize("published", [date(9999, 12, 31), date(1, 1, 1)])
def test_a_publication_date_at_the_ends_of_the_calendar_dates_nothing_off_it(fantasy_kb, published):
    text = ("Vorn traf am Dienstag Faramir Ithil; am Tag danach reiste er ab. "
            "Nächste Woche und im nächsten Jahr wollen sie sich wieder treffen, zwei Tage später auch Theoden Marke.")
    for event in run(fantasy_kb, text, published):
        assert event.date is None or 1 <= int(event.date.value[:4]) and len(event.date.value.split("-")[0]) == 4


def test_a_document_over_its_time_budget_is_reported_and_skipped(fantasy_kb):
    from dyad.errors import DocumentError

    text = "Vorn traf am Dienstag Faramir Ithil. " * 2_000
    with pytest.raises(DocumentError, match=r"long: extract: over the time budget of 1e-06 s at character"):
        extract(Document("long", text, date(2023, 9, 20), "de"), fantasy_kb, Settings(time_budget=1e-6))
    assert extract(Document("long", text, date(2023, 9, 20), "de"), fantasy_kb, Settings(time_budget=None)).events


@pytest.mark.parametrize("text, lang", [
    ("Arnorian Prime Minister Elendil Vorn arrived in Gondor on Monday. Gondor and Arnor held talks "
     "about the river trade. Vorn said the talks had been useful.", "en"),
    ("Der arnorische Regierungschef Elendil Vorn ist am Montag in Gondor eingetroffen. Gondor und Arnor "
     "führten Gespräche über den Flusshandel. Vorn nannte die Gespräche nützlich.", "de"),
])
def test_a_state_named_alone_is_represented_by_the_person_the_article_names_for_it(fantasy_kb, text, lang):
    events = run(fantasy_kb, text, lang=lang)
    assert any(sides(e) == {("XAR", "Elendil Vorn"), ("XGO", None)} for e in events)


@pytest.mark.parametrize("text, lang", [
    ("Gondor's King will receive the Arnorian foreign minister Elendil Vorn on Wednesday in Minas Tirith.", "en"),
    ("Der arnorische Außenminister Elendil Vorn wird am Mittwoch in Minas Tirith Faramir Ithil treffen.", "de"),
])
def test_a_meeting_dated_on_the_publication_day_took_place_whatever_the_tense(fantasy_kb, text, lang):
    [event] = run(fantasy_kb, text, published=date(2023, 9, 20), lang=lang)  # a Wednesday
    assert event.status == "occurred" and event.date.value == "2023-09-20"


@pytest.mark.parametrize("text, lang, expected", [
    ("Elendil Vorn met Faramir Ithil in Minas Tirith to discuss the river trade.", "en", "2023-09"),
    ("Elendil Vorn hatte Faramir Ithil bereits in Minas Tirith getroffen.", "de", None),
    ("Elendil Vorn hat in Minas Tirith mit Faramir Ithil über den Flusshandel gesprochen.", "de", "2023-09"),
    ("Elendil Vorn had previously met Faramir Ithil in Minas Tirith.", "en", None),
])
def test_news_without_a_time_expression_takes_the_publication_month(fantasy_kb, text, lang, expected):
    [event] = run(fantasy_kb, text, lang=lang)
    assert (event.date.value if event.date else None) == expected
    if expected:
        assert (event.date.precision, event.date.basis) == ("month", "publication month")


@pytest.mark.parametrize("text, lang", [
    ("Es gebe keinen anderen Weg, sagte Außenminister Elendil Vorn am Dienstag bei einem GFV-Gipfel in Edoras.", "de"),
    ("There is no other way, Foreign Minister Elendil Vorn said on Tuesday at an FFP summit in Edoras.", "en"),
])
def test_what_a_side_says_at_an_organisations_summit_is_taking_part_in_it(fantasy_kb, text, lang):
    [event] = run(fantasy_kb, text, lang=lang)
    assert sides(event) == {("XAR", "Elendil Vorn"), ("FELLOW", None)}
    assert event.location.city == "Edoras"


def test_the_second_part_of_a_double_name_is_nobody_of_its_own(fantasy_kb):
    text = "Faramir Ithil traf in Minas Tirith den Historiker Aldo Garcia-Vorn, der über Arnor sprach."
    assert not any("XAR" in countries(e) for e in run(fantasy_kb, text))


@pytest.mark.parametrize("text, lang", [
    # inflections the lexicon does not list, found through the lemma of a listed form
    ("Elendil Vorn berät am Dienstag in Minas Tirith mit Faramir Ithil.", "de"),
    ("Elendil Vorn discusses the river trade with Faramir Ithil in Minas Tirith.", "en"),
])
def test_a_meeting_word_is_found_in_any_inflection_of_a_listed_form(fantasy_kb, text, lang):
    from dyad.trigger import find_triggers

    lex = load_lexicon(lang)
    [sent] = split_sentences(text, lex.abbreviations, lex.ordinal_dots, lang)
    assert any(t.kind == "talks" for t in find_triggers(sent, lex))
    assert any(countries(e) == {"XAR", "XGO"} for e in run(fantasy_kb, text, lang=lang))


@pytest.mark.parametrize("text, lang", [
    ("Elendil Vorn met Faramir Ithil in Minas Tirith on Monday. King Theoden Marke of Rohan joined the talks "
     "as an observer.", "en"),
    ("Elendil Vorn traf am Montag in Minas Tirith Faramir Ithil. An den Gesprächen nahm auch König Theoden Marke "
     "teil.", "de"),
])
def test_who_joins_the_meeting_just_reported_is_one_of_its_participants(fantasy_kb, text, lang):
    [event] = run(fantasy_kb, text, lang=lang)
    assert countries(event) == {"XAR", "XGO", "XRO"}
    assert event.date.value == "2023-09-18" and event.location.city == "Minas Tirith"


def test_joining_talks_of_ones_own_is_a_meeting_of_its_own(fantasy_kb):
    events = run(fantasy_kb, "Elendil Vorn met Faramir Ithil on Monday. Later, King Theoden Marke joined talks "
                             "with the Fellowship in Edoras.", lang="en")
    assert {"XAR", "XGO"} in [countries(e) for e in events]


def test_a_dateline_after_the_headline_on_the_same_line_places_the_meeting(fantasy_kb):
    text = ("Handel im Mittelpunkt. Edoras – Der arnorische Außenminister Elendil Vorn hat König Theoden Marke "
            "getroffen.")
    [event] = run(fantasy_kb, text, published=None)
    assert (event.location.city, event.location.country) == ("Edoras", "XRO")


@pytest.mark.parametrize("text", [
    "Vorn sagte, er würde Ithil nur treffen, wenn Gondor die Grenze öffne.",
    "Ein Treffen mit Ithil käme für Vorn erst nach einer Waffenruhe in Frage.",
])
def test_a_meeting_in_the_german_conditional_is_hypothetical(fantasy_kb, text):
    assert not run(fantasy_kb, text, lang="de")


def test_a_german_compound_role_noun_the_list_does_not_spell_out_is_an_office(fantasy_kb):
    text = "Elendil Vorn traf am Montag in Minas Tirith die Flussministerin Arwen Talas."
    [event] = run(fantasy_kb, text, lang="de")
    assert ("XGO", "Arwen Talas") in sides(event)


def test_the_host_is_the_side_in_whose_city_the_meeting_took_place(fantasy_kb):
    from dyad.events import Candidate
    from dyad.model import Evidence, Location, Mention
    from dyad.pipeline import _host

    sides = (("XAR", (Mention("person", 0, 4, "Vorn", key="elendil-vorn", country="XAR"),)),
             ("XGO", (Mention("person", 5, 10, "Ithil", key="faramir-ithil", country="XGO"),)))

    def host(place, host="XAR", from_context=False):
        cand = Candidate(sides, "occurred", "in_person", frozenset({"host"}), None, place, host, None, (),
                         Evidence("", 0, 0), 3, place_from_context=from_context)
        return _host(cand, place, fantasy_kb)

    minas_tirith = Location("Minas Tirith", "XGO")
    assert host(minas_tirith) == "XGO"  # "Vorn arrived in Minas Tirith, where Ithil received him"
    assert host(minas_tirith, from_context=True) == "XAR"  # a place guessed from the paragraph decides nothing
    assert host(Location("Edoras", "XRO")) == "XAR"  # a third country's city: the host may well be a guest there
    assert host(Location(None, "XGO")) == "XAR"  # a country alone may be the visitor's destination, not the venue
    assert host(minas_tirith, host=None) is None


def test_a_serial_comma_keeps_the_last_stop_of_a_trip(fantasy_kb):
    events = run(fantasy_kb, "Faramir Ithil travelled to Annuminas, Edoras, and Port-Umbar last week.", lang="en")
    assert {frozenset(countries(e)) for e in events} == {frozenset({"XGO", "XAR"}), frozenset({"XGO", "XRO"})}


def test_an_office_holder_named_by_surname_alone_is_named_for_his_office(fantasy_kb):
    text = ("Foreign Minister Vorn arrived in Edoras on Monday. "
            "On Tuesday, the Arnorian foreign minister met King Theoden Marke.")
    tuesday = next(e for e in run(fantasy_kb, text, lang="en") if e.date.value == "2023-09-19")
    assert sides(tuesday) == {("XAR", "Elendil Vorn"), ("XRO", "Theoden Marke")}


def test_a_meeting_dated_after_the_publication_day_is_planned(fantasy_kb):
    [event] = run(fantasy_kb, "Elendil Vorn meets King Theoden Marke in Edoras tomorrow.", lang="en")
    assert (event.status, event.date.value) == ("planned", "2023-09-21")


def test_days_after_an_event_count_from_that_event_not_from_the_date_before(fantasy_kb):
    # the call was four days after the meeting: the meeting is not four days after anything named before
    [event] = run(fantasy_kb, "The call came four days after Elendil Vorn met Faramir Ithil in Minas Tirith.",
                  lang="en")
    assert event.status == "occurred" and event.date.value == "2023-09"


def test_a_conference_call_of_three_is_one_meeting(fantasy_kb):
    text = "Elendil Vorn telefonierte am Montag in einer Dreier-Konferenz mit Faramir Ithil und König Theoden Marke."
    [event] = run(fantasy_kb, text, lang="de")
    assert countries(event) == {"XAR", "XGO", "XRO"} and event.mode == "phone"


@pytest.mark.parametrize("lang, text", [
    ("de", "Elendil Vorn reiste am Montag in die gondorische Hauptstadt."),
    ("en", "Elendil Vorn travelled to the Gondorian capital on Monday."),
])
def test_the_capital_of_a_state_named_by_its_adjective(fantasy_kb, lang, text):
    [event] = run(fantasy_kb, text, lang=lang)
    assert countries(event) == {"XAR", "XGO"}
    assert (event.location.city, event.date.value) == ("Minas Tirith", "2023-09-18")


def test_an_honorific_between_office_and_known_name_is_no_person(fantasy_kb):
    lex = load_lexicon("en")
    text = "Foreign Minister Lord Steward Faramir Ithil spoke."
    [sentence] = split_sentences(text, lex.abbreviations, language="en")
    mentions, _ = find_mentions(sentence, text, fantasy_kb, lex, date(2023, 9, 20), DocContext())
    assert [(a.name, a.country, a.role) for a in mentions.actors] == [("Faramir Ithil", "XGO", "foreign minister")]


def test_a_day_carried_over_from_another_stop_does_not_split_a_visit(fantasy_kb):
    # the trip to Edoras takes Thursday from the sentence before; the reception there on Friday is the same visit
    text = ("Vor seiner Ankunft in Edoras hatte Ithil am Donnerstag in Annuminas Elendil Vorn getroffen. "
            "Von dort reiste Faramir Ithil nach Edoras. König Theoden Marke empfing ihn am Freitag in Edoras.")
    events = run(fantasy_kb, text, lang="de")
    assert sorted((tuple(sorted(countries(e))), e.date.value) for e in events) == [
        (("XAR", "XGO"), "2023-09-14"), (("XGO", "XRO"), "2023-09-15")]


def test_an_official_of_a_body_is_a_side_of_the_organisation_it_belongs_to(kb):
    text = ("Turkish President Recep Tayyip Erdogan met the president of the European Parliament, Martin Schulz, "
            "in Brussels on Monday, and the two talked for an hour about the refugee crisis.")
    [event] = run(kb, text, published=date(2015, 10, 6), lang="en")
    assert countries(event) == {"TUR", "EU"}


@pytest.mark.parametrize("lang, text", [
    ("en", "Commission President Ursula von der Leyen met Parliament President Roberta Metsola in Strasbourg "
           "on Monday."),
    ("de", "Kommissionspräsidentin Ursula von der Leyen traf am Montag Parlamentspräsidentin Roberta Metsola "
           "in Straßburg."),
])
def test_two_officials_of_one_organisation_meeting_is_no_event(kb, lang, text):
    # the guidelines leave out meetings whose sides all represent one state or organisation
    assert run(kb, text, published=date(2023, 10, 17), lang=lang) == ()


@pytest.mark.parametrize("text", [
    "Rohirric spokeswoman Eowyn Hald confirmed on Tuesday that Elendil Vorn had talks with the king.",
    "Rohirric spokesman Hador Lind said Elendil Vorn had met with the king on Monday.",
])
def test_a_spokesperson_who_reports_a_meeting_is_no_side_of_it(fantasy_kb, text):
    # the king is named nowhere: the meeting has one known side only, and the spokesperson does not stand in
    assert run(fantasy_kb, text, lang="en") == ()


@pytest.mark.parametrize("lang, text", [
    ("en", "Elendil Vorn held talks on Monday with Hador Lind, the president of the Fellowship of Free Peoples."),
    ("de", "Elendil Vorn sprach am Montag mit Hador Lind, dem Präsidenten der Gemeinschaft der Freien Völker."),
])
def test_the_head_of_an_organisation_named_after_the_office_is_its_side(fantasy_kb, lang, text):
    [event] = run(fantasy_kb, text, lang=lang)
    assert sides(event) == {("XAR", "Elendil Vorn"), ("FELLOW", "Hador Lind")}


def test_an_office_of_a_member_state_named_after_the_organisation_is_the_states(fantasy_kb):
    text = "Elendil Vorn met the trade minister of Fellowship of Free Peoples member Gondor on Monday."
    assert all("FELLOW" not in countries(e) for e in run(fantasy_kb, text, lang="en"))


@pytest.mark.parametrize("text, arnorian", [
    ("Faramir Ithil met the Arnorian ambassador, Beren Vorn, in Minas Tirith on Monday.", "Beren Vorn"),
    ("On Monday Faramir Ithil met Arnorian Trade Minister Beren Vorn in Minas Tirith.", "Beren Vorn"),
    ("On Monday Faramir Ithil met Arnorian Prime Minister Elendil Vorn in Minas Tirith.", "Elendil Vorn"),
])
def test_a_known_surname_after_another_given_name_is_somebody_else(fantasy_kb, text, arnorian):
    [event] = run(fantasy_kb, text, lang="en")
    assert sides(event) == {("XGO", "Faramir Ithil"), ("XAR", arnorian)}


@pytest.mark.parametrize("lang, text", [
    ("de", "Bei seinen Gesprächen in Kairo verteidigte Elendil Vorn das Abkommen mit Gondor."),
    ("en", "During his talks in Edoras, Elendil Vorn defended the trade deal with Gondor."),
])
def test_a_state_after_a_nouns_with_is_no_side(fantasy_kb, lang, text):
    # "mit Gondor" belongs to the agreement, not to the talks
    assert all("XGO" not in countries(e) for e in run(fantasy_kb, text, lang=lang))


@pytest.mark.parametrize("lang, text", [
    ("de", "Elendil Vorn telefonierte am Montag mit Gondor."),
    ("de", "Elendil Vorn traf sich am Montag in Edoras mit Gondor."),
    ("en", "Elendil Vorn met on Monday in Edoras with Gondor."),
    ("en", "Elendil Vorn spoke by phone on Monday with Gondor."),
])
def test_a_state_after_a_verbs_with_is_a_side_whatever_stands_between(fantasy_kb, lang, text):
    [event] = run(fantasy_kb, text, lang=lang)
    assert countries(event) == {"XAR", "XGO"}


@pytest.mark.parametrize("text, expected", [
    ("Elendil Vorn backed Gondor's bid to join the Fellowship of Free Peoples on Monday.", []),
    ("Elendil Vorn will join the summit of the Fellowship of Free Peoples in Edoras on Tuesday.",
     [({"XAR", "FELLOW"}, "planned")]),
])
def test_joining_an_organisation_is_membership_joining_its_summit_a_meeting(fantasy_kb, text, expected):
    assert [(countries(e), e.status) for e in run(fantasy_kb, text, lang="en")] == expected


@pytest.mark.parametrize("text", [
    # a list of those who met, and a passive whose host is named last: no pair without the host
    "Am Montag haben Faramir Ithil, König Theoden Marke und Elendil Vorn nacheinander in Annuminas Gespräche geführt.",
    "Die Außenminister Gondors und Rohans wurden am Montag in Annuminas nacheinander von Elendil Vorn empfangen.",
    # "jeweils" far from the meeting word is about something else
    "Ithil, Marke und Vorn haben am Montag jeweils zwei Berater nach Annuminas geschickt und sich dort getroffen.",
])
def test_no_meeting_one_after_another_without_who_received_them(fantasy_kb, text):
    assert all("XAR" in countries(e) for e in run(fantasy_kb, text, lang="de"))


def test_an_organisation_met_is_a_side_and_met_apart_from_the_next_counterpart(fantasy_kb):
    text = "On Tuesday, Elendil Vorn met with the Fellowship of Free Peoples, then with King Theoden Marke."
    assert sorted(sorted(countries(e)) for e in run(fantasy_kb, text, lang="en")) == [
        ["FELLOW", "XAR"], ["XAR", "XRO"]]


@pytest.mark.parametrize("lang, text, sides", [
    ("de", "Elendil Vorn führte am Dienstag Gespräche mit der Gemeinschaft der Freien Völker über den Krieg.",
     [{"XAR", "FELLOW"}]),
    ("en", "On Tuesday, Elendil Vorn held talks with the FFP in Edoras.", [{"XAR", "FELLOW"}]),
    # the organisation's name qualifies a noun: not the organisation as a side
    ("en", "On Tuesday, Elendil Vorn met with FFP allies in Edoras.", []),
    # the with-phrase of another word than the meeting word
    ("de", "Elendil Vorn traf am Dienstag Faramir Ithil, mit dem er über Handel mit der GFV sprach.",
     [{"XAR", "XGO"}]),
])
def test_an_organisation_right_after_the_meeting_words_with(fantasy_kb, lang, text, sides):
    assert [countries(e) for e in run(fantasy_kb, text, lang=lang)] == sides


@pytest.mark.parametrize("text, expected", [
    ("Foreign Minister Vorn Visits Gondor", {("XAR", "Elendil Vorn"), ("XGO", None)}),
    ("Gondorian Crown Prince Holds Talks With Arnorian Foreign Minister Vorn In Edoras",
     {("XGO", None), ("XAR", "Elendil Vorn")}),
])
def test_a_title_case_headline_makes_no_name_of_its_verbs(fantasy_kb, text, expected):
    [event] = run(fantasy_kb, text, lang="en")
    assert sides(event) == expected


@pytest.mark.parametrize("text", [
    "Am 25.09. trifft Elendil Vorn in Edoras König Theoden Marke.",
    "Am 25. September trifft Elendil Vorn in Edoras König Theoden Marke.",
])
def test_a_day_and_month_just_after_publication_is_the_coming_one(fantasy_kb, text):
    [event] = run(fantasy_kb, text, lang="de")  # published 2023-09-20
    assert (event.status, event.date.value) == ("planned", "2023-09-25")


def test_a_day_just_after_publication_dates_no_meeting_reported_as_held(fantasy_kb):
    # last year's 25 September is not what a report of 20 September means either
    [event] = run(fantasy_kb, "Elendil Vorn traf am 25. September in Edoras König Theoden Marke.", lang="de")
    assert event.status == "occurred" and event.date.value != "2022-09-25"


@pytest.mark.parametrize("lang, text", [
    ("en", "Elendil Vorn visited Minas Tirith on Monday. Faramir Ithil welcomed the agreement on river trade."),
    ("en", "Elendil Vorn visited Minas Tirith on Monday. Faramir Ithil received a letter from the king."),
    ("de", "Elendil Vorn reiste am Montag nach Minas Tirith. Faramir Ithil begrüßte die Einigung zum Flusshandel."),
    ("de", "Elendil Vorn reiste am Montag nach Minas Tirith. Faramir Ithil begrüßte das Abkommen zum Flusshandel."),
    # the participle ends the clause, its object stands before it
    ("de", "Elendil Vorn reiste am Montag nach Minas Tirith. Faramir Ithil hat die Einigung als Erfolg begrüßt."),
    ("de", "Elendil Vorn reiste am Montag nach Minas Tirith. Faramir Ithil hat am Abend das Abkommen begrüßt."),
    ("de", "Elendil Vorn reiste am Montag nach Minas Tirith. Faramir Ithil hat das Abkommen am Dienstag begrüßt."),
])
def test_a_host_verb_whose_object_is_a_thing_receives_nobody(fantasy_kb, lang, text):
    second = text.index(". ") + 2
    assert [e for e in run(fantasy_kb, text, lang=lang) if e.evidence.start >= second] == []


@pytest.mark.parametrize("text", [
    "Faramir Ithil welcomed the Arnorian foreign minister in Minas Tirith on Monday.",
    "Faramir Ithil hosted a dinner for Elendil Vorn in Minas Tirith on Monday.",
    "Faramir Ithil receives this Monday his Arnorian counterpart Elendil Vorn.",
    "Elendil Vorn arrived in Minas Tirith on Monday. Faramir Ithil welcomed his guests at the palace.",
])
def test_a_host_verb_receives_guests_offices_and_gives_dinners(fantasy_kb, text):
    events = run(fantasy_kb, text, lang="en")
    last = text.rfind("Faramir")
    assert [countries(e) for e in events if e.evidence.start == last] == [{"XAR", "XGO"}]


@pytest.mark.parametrize("text", [
    "Elendil Vorn reiste nach Minas Tirith. Faramir Ithil hat den Gast am Montag begrüßt.",
    "Elendil Vorn reiste nach Minas Tirith. Faramir Ithil hat Elendil Vorn am Montag in seiner Residenz empfangen.",
    "Elendil Vorn reiste nach Minas Tirith. Faramir Ithil hat am Montag den arnorischen Außenminister empfangen.",
])
def test_a_host_participle_at_the_clause_end_receives_the_guest_before_it(fantasy_kb, text):
    second = text.index(". ") + 2
    assert [countries(e) for e in run(fantasy_kb, text, lang="de") if e.evidence.start >= second] == [{"XAR", "XGO"}]


def test_a_federal_office_is_the_office(fantasy_kb):
    text = "Elendil Vorn reist nach Edoras. Am Montag trifft der Bundesaußenminister dort König Theoden Marke."
    monday = next(e for e in run(fantasy_kb, text, lang="de") if e.evidence.text.startswith("Am Montag"))
    assert sides(monday) == {("XAR", "Elendil Vorn"), ("XRO", "Theoden Marke")}


@pytest.mark.parametrize("lang, text", [
    ("en", "Leaders of the FFP met in Edoras for their summit on Friday. Elendil Vorn also met Faramir Ithil on "
           "Friday, and held talks with King Theoden Marke, who attended the summit days after a storm."),
    ("de", "Die Staats- und Regierungschefs der GFV trafen sich am Freitag in Edoras zu ihrem Gipfel. "
           "Elendil Vorn traf am Freitag Faramir Ithil und sprach mit König Theoden Marke, der trotz eines Sturms "
           "am Gipfel teilnahm."),
])
def test_a_relative_clause_about_one_participant_leaves_the_main_clauses_meetings(fantasy_kb, lang, text):
    second = text.index(". ") + 2
    events = [e for e in run(fantasy_kb, text, lang=lang) if e.evidence.start >= second]
    assert sorted(sorted(countries(e)) for e in events) == [["XAR", "XGO"], ["XAR", "XRO"]]


@pytest.mark.parametrize("lang, text", [
    ("de", "Außenministerin Galadriel Nenya traf in Edoras König Theoden Marke."),
    ("en", "Foreign Minister Galadriel Nenya met King Theoden Marke in Edoras. Later Nenya met him again."),
])
def test_an_undated_text_means_the_office_it_names_not_the_latest(fantasy_kb, lang, text):
    # Nenya was Gondor's foreign minister before she led the Fellowship: an undated page naming her as foreign
    # minister speaks of the minister
    events = run(fantasy_kb, text, published=None, lang=lang)
    assert events and all(countries(e) == {"XGO", "XRO"} for e in events)


@pytest.mark.parametrize("lang, text", [
    ("de", "Gondors Außenminister Faramier Itihl traf am Montag in Edoras König Theoden Marke."),
    ("en", "Gondor's foreign minister Faramier Itihl met King Theoden Marke in Edoras on Monday."),
])
def test_a_misspelt_name_after_an_office_is_that_offices_holder(fantasy_kb, lang, text):
    events = run(fantasy_kb, text, lang=lang)
    assert [sorted(p.name for p in e.participants) for e in events] == [["Faramir Ithil", "Theoden Marke"]]


def test_someone_between_terms_is_named_by_the_office_just_ahead(fantasy_kb):
    # Nenya left Gondor's foreign ministry at the end of 2019 and leads the Fellowship from 2021: weeks before
    # she takes over, she is its incoming head, not a foreign minister of a year ago
    events = run(fantasy_kb, "Galadriel Nenya met King Theoden Marke in Edoras on Monday.",
                 published=date(2020, 12, 2))
    roles = {p.name: (p.role, p.country) for e in events for p in e.participants}
    assert roles["Galadriel Nenya"][1] == "FELLOW"


@pytest.mark.parametrize("lang, text", [
    ("en", "King Theoden Marke received the former foreign minister of Gondor, Galadriel Nenya, in Edoras."),
    ("en", "King Theoden Marke received former Gondorian Foreign Minister Galadriel Nenya in Edoras."),
    ("de", "König Theoden Marke empfing die frühere gondorische Außenministerin Galadriel Nenya in Edoras."),
    ("de", "König Theoden Marke empfing Ex-Außenministerin Galadriel Nenya in Edoras."),
])
def test_a_former_office_holder_is_a_private_person(fantasy_kb, lang, text):
    assert run(fantasy_kb, text, published=date(2020, 6, 3), lang=lang) == ()


@pytest.mark.parametrize("lang, text", [
    ("en", "King Theoden Marke received Gondor's foreign minister, Faramir Ithil, who had formerly led the army."),
    ("de", "König Theoden Marke empfing den gondorischen Außenminister Faramir Ithil, einen früheren General."),
])
def test_an_office_held_now_is_no_former_one(fantasy_kb, lang, text):
    events = run(fantasy_kb, text, published=date(2022, 6, 3), lang=lang)
    assert [sorted(countries(e)) for e in events] == [["XGO", "XRO"]]


@pytest.mark.parametrize("lang, text", [
    ("de", "GFV-Handelskommissarin Lara Dunkelwald traf am Montag in Edoras König Theoden Marke."),
    ("en", "FFP Commissioner Lara Dunkelwald met King Theoden Marke in Edoras on Monday."),
])
def test_a_commissioner_of_an_organisation_is_its_side(fantasy_kb, lang, text):
    events = run(fantasy_kb, text, lang=lang)
    assert [sorted((p.country, p.name) for p in e.participants) for e in events] == [
        [("FELLOW", "Lara Dunkelwald"), ("XRO", "Theoden Marke")]]


@pytest.mark.parametrize("text, expected", [
    # a new name the office introduces, and its country after it
    ("Elendil Vorn met President Beren Erchamion of Rohan on Monday.", ("XRO", "Beren Erchamion", "president")),
    # forms of address belong to neither the office nor the name
    ("Elendil Vorn called on Sir Beren Erchamion, Governor-General of Rohan, on Monday.",
     ("XRO", "Beren Erchamion", "governor-general")),
    ("Elendil Vorn paid a courtesy call on the Gondorian Trade Minister His Excellency Beren Erchamion.",
     ("XGO", "Beren Erchamion", "trade minister")),
    ("Elendil Vorn met Trade Minister Hon. Beren Erchamion of Gondor on Monday.",
     ("XGO", "Beren Erchamion", "trade minister")),
    ("Elendil Vorn was received on Monday by Gondorian Trade Minister Datuk Seri Dr Beren Erchamion.",
     ("XGO", "Beren Erchamion", "trade minister")),
])
def test_protocol_style_names_keep_their_office_and_country(fantasy_kb, text, expected):
    [event] = run(fantasy_kb, text, lang="en")
    assert expected in {(p.country, p.name, p.role) for p in event.participants}
    assert len(event.participants) == 2


@pytest.mark.parametrize("lang, text", [
    ("en", "Elendil Vorn received the Gondorian Ambassador to Arnor Beren Erchamion on Monday."),
    ("en", "Elendil Vorn met Gondor's Special Envoy for the FFP Beren Erchamion on Monday."),
    ("de", "Elendil Vorn empfing am Montag den gondorischen Botschafter in Rohan Beren Erchamion."),
])
def test_an_office_named_with_where_it_serves_keeps_its_holder(fantasy_kb, lang, text):
    # the state or body after "to"/"for"/"in" is where the office serves: the name after it is the holder's,
    # and that state or body is no side of its own
    [event] = run(fantasy_kb, text, lang=lang)
    assert sides(event) == {("XAR", "Elendil Vorn"), ("XGO", "Beren Erchamion")}


@pytest.mark.parametrize("text, visited", [
    # the verb second, the place it has for its object after the subject and adverbials
    ("Am Dienstag besuchte der arnorische Außenminister Elendil Vorn Gondor.", [{"XAR", "XGO"}]),
    # the verb last, the place before it
    ("Elendil Vorn hat am Dienstag überraschend Gondor besucht.", [{"XAR", "XGO"}]),
    ("Elendil Vorn besuchte am Dienstag Gondor und Rohan.", [{"XAR", "XGO"}, {"XAR", "XRO"}]),
    # a state's name before a noun is whose, not where: the king visited Rohan's capital
    ("Am Dienstag besuchte Gondors König Edoras.", [{"XGO", "XRO"}]),
    # paying a visit: the one visited is the verb's object, a state or a person
    ("Elendil Vorn stattete Gondor am Dienstag einen Besuch ab.", [{"XAR", "XGO"}]),
    ("Elendil Vorn hat am Dienstag Gondor einen Besuch abgestattet.", [{"XAR", "XGO"}]),
    ("Elendil Vorn stattete am Dienstag König Theoden Marke einen Besuch ab.", [{"XAR", "XRO"}]),
    # travelling, each for a state of their own: no visit of one to the other
    ("Für Arnor reiste Elendil Vorn an, für Rohan König Theoden Marke.", []),
])
def test_german_visits_find_what_is_visited_anywhere_in_the_clause(fantasy_kb, text, visited):
    events = run(fantasy_kb, text, lang="de")
    assert sorted((countries(e) for e in events), key=sorted) == visited


@pytest.mark.parametrize("text", [
    "Elendil Vorn und Faramir Ithil trafen sich am Montag im südrohanischen Edoras.",
    "Elendil Vorn und Faramir Ithil trafen sich am Montag in der nordrohanischen Stadt Edoras.",
])
def test_a_region_of_a_state_written_before_the_place_is_no_obstacle(fantasy_kb, text):
    [event] = run(fantasy_kb, text, lang="de")
    assert event.location is not None and (event.location.city, event.location.country) == ("Edoras", "XRO")


@pytest.mark.parametrize("text, expected", [
    # only an office that serves somewhere takes the name after that place: the king met Theoden Marke in Rohan
    ("Am Dienstag traf der gondorische König in Rohan Theoden Marke.", [{"XGO", "XRO"}]),
    # the visiting verb's words end where another verb's begin
    ("Elendil Vorn besuchte am Dienstag ein Werk und warnte Gondor.", []),
    # a capitalised word after the place visited is no sign of a genitive by itself
    ("Elendil Vorn besuchte Gondor Anfang Mai.", [{"XAR", "XGO"}]),
    # "ein" is a separable verb's particle only where it ends the clause, not as an article
    ("Die Rede von Elendil Vorn traf in Edoras auf ein geteiltes Echo.", []),
])
def test_german_word_order_rules_stay_within_their_constructions(fantasy_kb, text, expected):
    assert [countries(e) for e in run(fantasy_kb, text, lang="de")] == expected


def test_a_german_visit_places_the_meeting_reported_with_it(fantasy_kb):
    # the verb ends its clause, and the sentence goes on after it: the place before the verb is still visited
    [event] = run(fantasy_kb, "Elendil Vorn hatte im Mai Gondor besucht und dort mit Faramir Ithil gesprochen.",
                  lang="de")
    assert countries(event) == {"XAR", "XGO"}
    assert event.location is not None and event.location.country == "XGO"


@pytest.mark.parametrize("text, expected", [
    # arriving is visiting, as "arrived in" is in English; "traf ... ein" arrives, "traf" alone meets
    ("Elendil Vorn traf am Montag in Edoras ein.", {"XAR", "XRO"}),
    ("Elendil Vorn ist am Montag zu Gesprächen in Edoras eingetroffen.", {"XAR", "XRO"}),
    ("Elendil Vorn traf am Montag in Minas Tirith König Theoden Marke.", {"XAR", "XRO"}),
])
def test_german_arrival_in_a_foreign_place_is_a_visit(fantasy_kb, text, expected):
    [event] = run(fantasy_kb, text, lang="de")
    assert countries(event) == expected


def test_a_new_name_is_written_as_the_text_writes_it(fantasy_kb):
    [event] = run(fantasy_kb, "Elendil Vorn met the Gondorian Trade Minister Beren-Amrod Erchamion on Monday.",
                  lang="en")
    assert ("XGO", "Beren-Amrod Erchamion") in sides(event)


@pytest.mark.parametrize("published, expected", [
    (date(2023, 9, 20), ("planned", "2023-09-22")),  # a Wednesday: the coming Friday
    (date(2023, 9, 22), ("occurred", "2023-09-22")),  # the Friday itself
    (None, ("planned", None)),
])
def test_the_german_present_tense_with_a_weekday_speaks_of_the_coming_day(fantasy_kb, published, expected):
    [event] = run(fantasy_kb, "Am Freitag trifft Elendil Vorn in Edoras Faramir Ithil.", published=published,
                  lang="de")
    assert (event.status, event.date.value if event.date else None) == expected


@pytest.mark.parametrize("lang, text", [
    ("en", "Elendil Vorn meets Faramir Ithil in Edoras on Monday."),  # a caption: the meeting held
    ("de", "Elendil Vorn begrüßt das Ergebnis seines Treffens mit Faramir Ithil am Montag."),  # no meeting verb
])
def test_the_present_tense_of_other_words_sets_no_coming_day(fantasy_kb, lang, text):
    assert [(e.status, e.date.value) for e in run(fantasy_kb, text, lang=lang)] == [("occurred", "2023-09-18")]


@pytest.mark.parametrize("lang, text", [
    ("en", "Elendil Vorn met Faramir Ithil in Edoras, the ministry said on Wednesday."),
    ("de", "Elendil Vorn traf Faramir Ithil in Edoras, wie das Ministerium am Mittwoch mitteilte."),
])
def test_the_day_a_meeting_was_reported_is_not_its_date(fantasy_kb, lang, text):
    [event] = run(fantasy_kb, text, published=date(2023, 9, 21), lang=lang)
    assert event.date.value == "2023-09"  # news without its own time expression: the publication month


def test_the_day_of_a_saying_after_the_talks_is_the_talks_day(fantasy_kb):
    text = "Speaking after talks with Faramir Ithil, Elendil Vorn said on Wednesday that the border would open."
    [event] = run(fantasy_kb, text, published=date(2023, 9, 21), lang="en")
    assert event.date.value == "2023-09-20"


@pytest.mark.parametrize("before, expected", [
    ("Elendil Vorn landed in Edoras on Monday.", ("2023-09-18", "Edoras")),
    # a paragraph of its own, a sentence or two long, frames the next; a longer one only itself
    ("Elendil Vorn landed in Edoras on Monday. The trip was planned for months. Rohan's harvest was good.",
     ("2023-09", None)),
])
def test_a_short_paragraph_frames_the_next_one(fantasy_kb, before, expected):
    text = f"{before}\n\nVorn held talks with King Theoden Marke."
    [event] = run(fantasy_kb, text, lang="en")
    assert (event.date.value, event.location.city if event.location else None) == expected


def test_a_visit_going_on_since_a_weekday_is_under_way(fantasy_kb):
    [event] = run(fantasy_kb, "Seit Montag führt ein Staatsbesuch Elendil Vorn nach Rohan.", lang="de")
    assert (event.status, event.date.value) == ("occurred", "2023-09-18")


TWO_MINISTERS = {"en": "Elendil Vorn met Faramir Ithil in Edoras on Monday. Vorn praised the talks, and Vorn thanked "
                        "the hosts. ",
                 "de": "Elendil Vorn traf Faramir Ithil am Montag in Edoras. Vorn lobte die Gespräche, und Vorn dankte "
                       "den Gastgebern. "}


@pytest.mark.parametrize("lang, last, expected", [
    # one office opening a sentence: the holder the article is about
    ("en", "The foreign minister will visit Rohan in October.", {("XAR", "Elendil Vorn"), ("XRO", None)}),
    ("de", "Der Außenminister wird im Oktober nach Rohan reisen.", {("XAR", "Elendil Vorn"), ("XRO", None)}),
    # an office of several stays all of them
    ("en", "The foreign ministers will meet again in October.", {("XAR", "Elendil Vorn"), ("XGO", "Faramir Ithil")}),
    ("de", "Die Außenminister wollen sich im Oktober erneut treffen.",
     {("XAR", "Elendil Vorn"), ("XGO", "Faramir Ithil")}),
])
def test_an_office_opening_a_sentence_is_the_holder_the_article_is_about(fantasy_kb, lang, last, expected):
    planned = [e for e in run(fantasy_kb, TWO_MINISTERS[lang] + last, lang=lang) if e.status == "planned"]
    assert [sides(e) for e in planned] == [expected]


@pytest.mark.parametrize("lang, text", [
    # bilateral meetings with a list of counterparts: one with each of them
    ("en", "Elendil Vorn will hold bilateral meetings with the leaders of Gondor and Rohan at the summit."),
    ("de", "Elendil Vorn führt am Rande des Gipfels bilaterale Gespräche mit den Königen von Gondor und Rohan."),
])
def test_counterparts_met_apart_give_one_meeting_each(fantasy_kb, lang, text):
    events = run(fantasy_kb, text, lang=lang)
    assert sorted((countries(e) for e in events), key=sorted) == [{"XAR", "XGO"}, {"XAR", "XRO"}]


def test_an_apart_word_in_a_relative_clause_is_about_someone_else(fantasy_kb):
    [event] = run(fantasy_kb, "Elendil Vorn received the envoys of Gondor and Rohan, who later travelled home "
                              "separately.", lang="en")
    assert countries(event) == {"XAR", "XGO", "XRO"}


@pytest.mark.parametrize("lang, text", [
    ("en", "Elendil Vorn said a meeting with King Theoden Marke is possible."),
    ("en", "Elendil Vorn said he was open to talks with King Theoden Marke."),
    ("de", "Elendil Vorn sagte, ein Treffen mit König Theoden Marke sei möglich."),
    ("de", "Elendil Vorn zeigte sich offen für Gespräche mit König Theoden Marke."),
    ("de", "Elendil Vorn bestritt, dass er König Theoden Marke treffen werde."),
])
def test_a_meeting_only_possible_welcome_or_denied_is_none(fantasy_kb, lang, text):
    assert not run(fantasy_kb, text, lang=lang)


def test_a_meeting_held_stays_when_something_else_is_called_possible(fantasy_kb):
    [event] = run(fantasy_kb, "Elendil Vorn met King Theoden Marke on Monday and said it was possible to trade.",
                  lang="en")
    assert countries(event) == {"XAR", "XRO"} and event.status == "occurred"


@pytest.mark.parametrize("lang, text", [
    ("en", "Elendil Vorn will meet King Theoden Marke today in Edoras."),
    ("de", "Elendil Vorn will heute in Edoras König Theoden Marke treffen."),
])
def test_a_meeting_today_is_held_even_on_a_page_without_a_date(fantasy_kb, lang, text):
    # the guidelines count a meeting on the publication day as held, whatever the tense
    [event] = run(fantasy_kb, text, published=None, lang=lang)
    assert event.status == "occurred"


def test_a_bare_office_is_its_holder_named_before_by_a_short_name_only(fantasy_kb):
    # "Marke" alone names the king of Rohan; "the king" later is the same man
    events = run(fantasy_kb, "Marke arrived in Minas Tirith on Monday. On Tuesday the king met Faramir Ithil.",
                 lang="en")
    assert ({"Theoden Marke", "Faramir Ithil"}, "2023-09-19") in [
        ({p.name for p in e.participants}, e.date and e.date.value) for e in events]


@pytest.mark.parametrize("lang, text", [
    # bilateral meetings that are not the ones reported
    ("en", "Elendil Vorn received the envoys of Gondor and Rohan on Monday after bilateral meetings between the two "
           "kingdoms had failed."),
    ("en", "The kings of Gondor and Rohan met Elendil Vorn on Monday for a summit with bilateral meetings on the "
           "sidelines."),
])
def test_bilateral_meetings_of_others_do_not_split_the_meeting_reported(fantasy_kb, lang, text):
    events = run(fantasy_kb, text, lang=lang)
    assert {"XAR", "XGO", "XRO"} in [countries(e) for e in events]


@pytest.mark.parametrize("lang, text", [
    # the mediation belongs to another clause, or is said of the talks by someone else
    ("en", "After Faramir Ithil mediated a truce, talks between Elendil Vorn and King Theoden Marke resumed on "
           "Monday."),
    ("en", "Faramir Ithil on Tuesday praised the mediated talks between Elendil Vorn and King Theoden Marke."),
    ("de", "Faramir Ithil hat eine Waffenruhe vermittelt und am Montag begannen Gespräche zwischen Elendil Vorn und "
           "König Theoden Marke."),
])
def test_a_mediation_in_another_clause_or_said_of_the_talks_adds_no_side(fantasy_kb, lang, text):
    [event] = run(fantasy_kb, text, lang=lang)
    assert {p.name for p in event.participants} == {"Elendil Vorn", "Theoden Marke"}


@pytest.mark.parametrize("lang, text", [
    ("en", "Elendil Vorn met King Theoden Marke on Monday because it was necessary to settle the dispute."),
    ("de", "Offen für neue Ideen traf Elendil Vorn am Montag König Theoden Marke."),
    ("de", "Elendil Vorn traf König Theoden Marke am Montag und bestritt, dass es Streit gebe."),
    ("de", "Bei dem Treffen am Montag bestritt Elendil Vorn gegenüber König Theoden Marke jede Schuld."),
    ("de", "Elendil Vorn bestritt, dass es Streit gebe, und reiste am Montag zu Gesprächen mit König Theoden Marke "
           "nach Edoras."),
    ("en", "Elendil Vorn said his meeting with King Theoden Marke on Monday was necessary."),
])
def test_a_meeting_held_stays_beside_words_of_possibility_openness_or_denial(fantasy_kb, lang, text):
    [event] = run(fantasy_kb, text, lang=lang)
    assert countries(event) == {"XAR", "XRO"} and event.status == "occurred"


@pytest.mark.parametrize("text", [
    # the day something is said, another day named for the meeting, a name with "Today" in it
    "Elendil Vorn said today he will meet King Theoden Marke in Edoras.",
    "Elendil Vorn will travel to Edoras today and meet King Theoden Marke there tomorrow.",
    "Elendil Vorn will travel to Edoras today and meet King Theoden Marke on Friday.",
    "Elendil Vorn told Gondor Today he will meet King Theoden Marke in Edoras.",
    "Elendil Vorn told reporters today that he would meet King Theoden Marke in Edoras.",
])
def test_today_makes_a_meeting_held_only_where_it_is_the_meeting_s_day(fantasy_kb, text):
    events = run(fantasy_kb, text, published=None, lang="en")
    assert events and all(e.status == "planned" for e in events)


@pytest.mark.parametrize("lang, text", [
    ("en", "Elendil Vorn was greeted on arrival in Edoras by King Theoden Marke on Monday."),
    ("de", "Elendil Vorn hatte König Theoden Marke am Montag angerufen."),
])
def test_greeting_and_calling_words_report_meetings(fantasy_kb, lang, text):
    [event] = run(fantasy_kb, text, lang=lang)
    assert countries(event) == {"XAR", "XRO"} and event.date is not None and event.date.value == "2023-09-18"


def test_a_country_after_a_topic_phrase_of_several_words_is_what_they_discussed(fantasy_kb):
    [event] = run(fantasy_kb, "Vorn held talks with Faramir Ithil on the situation in Rohan on Monday.", lang="en")
    assert countries(event) == {"XAR", "XGO"}
    assert event.location is None


def test_a_country_the_ceasefire_is_about_is_not_where_they_met(fantasy_kb):
    [event] = run(fantasy_kb, "Vorn held talks with Faramir Ithil about the ceasefire in Rohan on Monday.", lang="en")
    assert event.location is None


def test_a_city_after_a_war_noun_may_be_where_they_met(fantasy_kb):
    [event] = run(fantasy_kb, "Vorn held talks with Faramir Ithil on a truce in Horn on Sunday.", lang="en")
    assert event.location.city == "Horn"


def test_a_town_name_that_begins_a_longer_name_is_no_place(fantasy_kb):
    [event] = run(fantasy_kb, "Vorn and Faramir Ithil met on Monday to discuss the drought in the Horn of Rhun.",
                  lang="en")
    assert countries(event) == {"XAR", "XGO"}
    assert event.location is None


@pytest.mark.parametrize("text", [
    "Faramir Ithil received Rohirric Foreign Minister Mardil in Minas Tirith on Monday.",
    "Faramir Ithil received Rohirric Foreign Minister Ecthil Mardil in Minas Tirith on Monday.",
])
def test_the_office_named_beside_a_surname_decides_who_holds_it(fantasy_kb, text):
    # "Mardil" is also another man's first name, and "Ecthil" another spelling of the minister's own
    [event] = run(fantasy_kb, text, lang="en")
    assert sides(event) == {("XGO", "Faramir Ithil"), ("XRO", "Ecthel el-Mardil")}


def test_a_hyphenated_name_written_with_a_space_is_the_same_person(fantasy_kb):
    [event] = run(fantasy_kb, "Faramir Ithil met Ecthel el Mardil in Edoras on Monday.", lang="en")
    assert sides(event) == {("XGO", "Faramir Ithil"), ("XRO", "Ecthel el-Mardil")}


@pytest.mark.parametrize("lang, text", [
    ("en", "Talks on Monday between Arnor and Gondor in Edoras ended without a breakthrough."),
    ("en", "Talks on trade between Arnor and Gondor resumed in Edoras on Monday."),
    ("de", "Gespräche zum Friedensvertrag zwischen Arnor und Gondor fanden am Montag in Edoras statt."),
    ("en", "Talks were held between Arnor and Gondor in Edoras on Friday."),
    ("de", "Die Gespräche am Dienstag zwischen Arnor und Gondor in Edoras verliefen konstruktiv."),
])
def test_states_between_are_sides_where_words_stand_between_meeting_word_and_between(fantasy_kb, lang, text):
    [event] = run(fantasy_kb, text, lang=lang)
    assert countries(event) == {"XAR", "XGO"}
    assert event.location.city == "Edoras"


def test_a_meeting_word_after_the_war_noun_is_held_at_the_place(fantasy_kb):
    [event] = run(fantasy_kb, "Vorn met Faramir Ithil for ceasefire talks in Edoras on Tuesday.", lang="en")
    assert event.location.city == "Edoras"


def test_the_situation_in_a_country_discussed_is_no_second_meeting(fantasy_kb):
    text = "Vorn met Faramir Ithil in Edoras on Monday. The two men also held talks about the situation in Rohan."
    [event] = run(fantasy_kb, text, lang="en")
    assert event.location.city == "Edoras"


def test_states_after_a_noun_of_relations_and_between_are_no_sides(fantasy_kb):
    text = ('Vorn met Faramir Ithil on Monday. "The ministers discussed the harvest, including the trade between '
            'Rohan and Arnor," the ministry said.')
    assert [countries(e) for e in run(fantasy_kb, text, lang="en")] == [{"XAR", "XGO"}]


@pytest.mark.parametrize("text", [
    "Vorn met Gondorian Foreign Minister Faramir Ithil and Defence Minister Boromir Denethorson in Minas Tirith.",
    "Vorn traf in Minas Tirith den gondorischen Außenminister Faramir Ithil und Verteidigungsminister "
    "Boromir Denethorson.",
    # nobody named before the verb in second place: its subject follows it, up to "mit"
    "Am Montag sprach Vorn in Minas Tirith mit Außenminister Faramir Ithil und danach mit "
    "Verteidigungsminister Boromir Denethorson.",
])
def test_listed_counterparts_of_one_state_are_one_meeting_each(fantasy_kb, text):
    events = run(fantasy_kb, text)
    assert sorted(sorted(p.name for p in e.participants) for e in events) == [
        ["Boromir Denethorson", "Elendil Vorn"], ["Elendil Vorn", "Faramir Ithil"]]


@pytest.mark.parametrize("lang, text", [
    ("en", "Vorn will also meet Foreign Minister Faramir Ithil and Finance Minister Tolan Brennick on Monday."),
    ("de", "Vorn trifft am Montag auch Außenminister Faramir Ithil und Finanzminister Tolan Brennick."),
])
def test_a_person_the_knowledge_base_lacks_listed_with_counterparts_is_their_compatriot(fantasy_kb, lang, text):
    events = run(fantasy_kb, text, lang=lang)
    assert sorted(sorted(sides(e)) for e in events) == [
        [("XAR", "Elendil Vorn"), ("XGO", "Faramir Ithil")], [("XAR", "Elendil Vorn"), ("XGO", "Tolan Brennick")]]


def test_a_person_of_the_subjects_own_state_in_the_list_stays_at_the_one_meeting(fantasy_kb):
    [event] = run(fantasy_kb, "Vorn met Faramir Ithil and the Arnorian envoy Hal Dorin in Minas Tirith.")
    assert sides(event) == {("XAR", "Elendil Vorn"), ("XAR", "Hal Dorin"), ("XGO", "Faramir Ithil")}


def test_a_list_of_three_counterparts_is_three_meetings(fantasy_kb):
    text = ("In Minas Tirith King Theoden Marke held talks with Gondorian Foreign Minister Galadriel Nenya (Party A), "
            "Defence Minister Boromir Denethorson (Party B) and the Gondorian envoy Faramir Ithil.")
    events = run(fantasy_kb, text, published=date(2015, 3, 3))
    assert sorted(sorted(p.name for p in e.participants) for e in events) == [
        ["Boromir Denethorson", "Theoden Marke"], ["Faramir Ithil", "Theoden Marke"],
        ["Galadriel Nenya", "Theoden Marke"]]


@pytest.mark.parametrize("text", [
    # named in a clause of its own, or as a possessor: not one of a list of people met
    "Vorn met Faramir Ithil, who had stood in for Boromir Denethorson, in Minas Tirith.",
    "Vorn hosted Denethorson's deputy, Faramir Ithil, in Annuminas.",
    "Vorn met Faramir Ithil, the foreign minister, accompanied by Boromir Denethorson, in Minas Tirith.",
    # an organisation's people are its one delegation
    "Vorn met Fellowship president Galadriel Nenya and secretary general Mithran Grau in Annuminas.",
    # a team meeting a team; a person and his own staff; a delegation named first; one call
    "Vorn and the Arnorian envoy Hal Dorin met Faramir Ithil and Boromir Denethorson in Minas Tirith.",
    "Vorn met Faramir Ithil and his deputy Boromir Denethorson in Minas Tirith.",
    "Vorn met a Gondorian delegation including Faramir Ithil and Boromir Denethorson in Minas Tirith.",
    "Vorn spoke by phone with Faramir Ithil and Boromir Denethorson on Monday.",
    # the summit named first is no verb its subject follows: one meeting with both
    "On the eve of the summit, Vorn agreed to a treaty after a meeting with King Theoden Marke and Fellowship "
    "president Galadriel Nenya.",
])
def test_people_not_listed_as_met_or_of_one_organisation_stay_one_meeting(fantasy_kb, text):
    assert len(run(fantasy_kb, text)) == 1


def test_further_portfolios_of_an_office_are_no_name(fantasy_kb):
    text = ("Gondorian Foreign Minister Faramir Ithil hosted the Arnorian Minister of Foreign Affairs, "
            "Foreign Trade and Tourism, Tarcil Amrod, in Minas Tirith on Monday.")
    events = run(fantasy_kb, text)
    assert [sorted(p.name for p in e.participants) for e in events] == [["Faramir Ithil", "Tarcil Amrod"]]


@pytest.mark.parametrize("text, meetings", [
    # a longer list of states whose one office a subject met: talks with each, as at a forum's margins
    ("In Singapore the New Zealand foreign minister Winston Peters also met the foreign ministers of Malaysia, "
     "Indonesia, Cambodia and Turkey on Friday.", 4),
    # hosting them is one gathering, however many
    ("Ukrainian President Volodymyr Zelensky hosted the leaders of France, Germany, Britain and Poland in Kyiv "
     "on Saturday.", 1),
    # up to three states' counterparts hosted together: one meeting
    ("Moroccan Foreign Minister Nasser Bourita hosted his counterparts from Mali, Burkina Faso and Niger in Rabat "
     "on Monday.", 1),
])
def test_an_office_of_many_states_met_is_a_meeting_with_each(kb, text, meetings):
    assert len(run(kb, text, published=date(2018, 8, 4))) == meetings


def test_a_meeting_with_no_place_of_its_own_is_at_the_summit_the_article_reported_before(fantasy_kb):
    text = ("ANNUMINAS: Foreign Minister Elendil Vorn was on his way home last night.\n\n"
            "Vorn had travelled to Minas Tirith on Wednesday for the summit of the Fellowship of Free Peoples.\n\n"
            "Vorn also met King Theoden Marke.")
    events = run(fantasy_kb, text)
    met = [e for e in events if {p.country for p in e.participants} == {"XAR", "XRO"}]
    assert [(e.location.city if e.location else None) for e in met] == ["Minas Tirith"]


def test_a_state_named_before_an_office_after_visiting_is_no_place_visited(fantasy_kb):
    text = "The visiting Gondor Foreign Minister Faramir Ithil met King Theoden Marke for talks on Monday."
    events = run(fantasy_kb, text)
    assert len(events) == 1 and (events[0].location is None or events[0].location.country != "XGO")


@pytest.mark.parametrize("lang, text", [
    ("en", "King Theoden Marke receives Elendil Vorn in Edoras today. Talks between the two men are expected to "
           "centre on trade."),
    ("de", "König Theoden Marke empfängt Elendil Vorn heute in Edoras. Bei den Gesprächen der beiden soll es vor "
           "allem um den Handel gehen."),
])
def test_the_days_meeting_announced_with_its_details_is_the_one_meeting_held(fantasy_kb, lang, text):
    # dated on the publication day, a meeting took place whatever the tense; its plan is no second meeting
    [event] = run(fantasy_kb, text, published=date(2023, 9, 20), lang=lang)
    assert (event.status, event.date.value) == ("occurred", "2023-09-20")


@pytest.mark.parametrize("lang, text", [
    ("en", "King Theoden Marke received Elendil Vorn in Edoras today. The two men agreed to meet again in Arnor."),
    ("de", "König Theoden Marke empfing Elendil Vorn heute in Edoras. Die beiden vereinbarten ein weiteres Treffen."),
    # a call today is no visit
    ("en", "Elendil Vorn spoke by phone with Faramir Ithil today. Vorn is expected to visit Minas Tirith."),
])
def test_a_further_meeting_beside_the_days_meeting_stays_planned(fantasy_kb, lang, text):
    events = run(fantasy_kb, text, published=date(2023, 9, 20), lang=lang)
    assert sorted(e.status for e in events) == ["occurred", "planned"]


@pytest.mark.parametrize("text", [
    "Elendil Vorn war am Sonntag zu Besuch bei dem gondorischen Regenten Faramir Ithil.",
    "Elendil Vorn war am Sonntag zu Gast bei Faramir Ithil in dessen Residenz.",
    "Elendil Vorn war am Sonntag bei Faramir Ithil zu Gast.",
])
def test_a_visit_paid_to_a_person_is_a_meeting_with_them(fantasy_kb, text):
    [event] = run(fantasy_kb, text, lang="de")
    assert sides(event) == {("XAR", "Elendil Vorn"), ("XGO", "Faramir Ithil")}


def test_a_name_two_people_bore_is_the_one_in_office_that_day(kb):
    # "King Abdullah" was Saudi Arabia's king until 2015 and is Jordan's since 1999
    [event] = run(kb, "Steinmeier met Jordan's King Abdullah on Sunday.", published=date(2018, 1, 29), lang="en")
    assert ("JOR", "Abdullah II of Jordan") in sides(event)


def test_touring_states_is_a_visit_to_each(fantasy_kb):
    events = run(fantasy_kb, "Elendil Vorn bereiste im Mai Rohan und Gondor.", lang="de")
    assert sorted(sorted(countries(e)) for e in events) == [["XAR", "XGO"], ["XAR", "XRO"]]


def test_meetings_on_the_programme_are_planned(fantasy_kb):
    text = ("Für Elendil Vorn stehen in Minas Tirith Gespräche mit Faramir Ithil und Boromir Denethorson auf dem "
            "Programm.")
    events = run(fantasy_kb, text, lang="de")
    assert [e.status for e in events] == ["planned", "planned"]


@pytest.mark.parametrize("lang, text", [
    ("de", "Gondorische und arnorische Delegationen trafen sich am Freitag in Edoras."),
    ("de", "Delegationen Gondors und Arnors trafen sich am Freitag in Edoras."),
    ("en", "Delegations of Gondor and Arnor met in Edoras on Friday."),
])
def test_states_whose_delegations_met_are_the_sides(fantasy_kb, lang, text):
    [event] = run(fantasy_kb, text, lang=lang)
    assert countries(event) == {"XGO", "XAR"}


@pytest.mark.parametrize("text", [
    # a list of several states' people: whose compatriot the unknown person is, the text does not say
    "Vorn held talks with Faramir Ithil, King Theoden Marke and Prime Minister Tolan Brennick on Monday.",
    # Gondor's one foreign minister is Ithil: the second is nobody's of Gondor
    "Vorn met Foreign Minister Faramir Ithil and Foreign Minister Tolan Brennick on Monday.",
])
def test_a_person_the_knowledge_base_lacks_gets_no_state_the_list_leaves_open(fantasy_kb, text):
    events = run(fantasy_kb, text, lang="en")
    assert events and all("Tolan Brennick" not in {p.name for p in e.participants} for e in events)


def test_a_plan_for_another_place_is_no_report_of_the_days_meeting(fantasy_kb):
    text = "Elendil Vorn met Faramir Ithil in Minas Tirith today. Ithil is expected to visit Annuminas for talks."
    events = run(fantasy_kb, text, published=date(2023, 9, 20), lang="en")
    assert sorted((e.status, e.location.city if e.location else None) for e in events) == [
        ("occurred", "Minas Tirith"), ("planned", "Annuminas")]


def test_bei_without_a_visit_word_pays_nobody_a_visit(fantasy_kb):
    text = "Zur Trauerfeier reiste für Gondor Faramir Ithil an, für Arnor war bei der Feier Elendil Vorn."
    assert not run(fantasy_kb, text, lang="de")


def test_a_country_named_with_a_name_none_of_its_bearers_fits_leaves_it_unresolved(kb):
    # "King Abdullah" is Jordan's or was Saudi Arabia's, but not Malaysia's
    [event] = run(kb, "Xi Jinping met Malaysian King Abdullah and Prime Minister Anwar Ibrahim in Beijing on Tuesday.",
                  published=date(2024, 5, 6), lang="en")
    assert "JOR" not in countries(event) and "MYS" in countries(event)


def test_an_office_without_a_known_holder_is_the_person_of_its_state_the_article_names_in_it(fantasy_kb):
    # an undated page: the knowledge base cannot say who held the office; the article names him later
    text = "Elendil Vorn traf am Montag den gondorischen Außenminister in Edoras. Faramir Ithil sprach danach von " \
           "Fortschritten."
    [event] = run(fantasy_kb, text, published=None, lang="de")
    assert sides(event) == {("XAR", "Elendil Vorn"), ("XGO", "Faramir Ithil")}


def test_an_office_without_a_known_holder_is_the_person_of_its_state_the_article_names_by_surname(fantasy_kb):
    text = "Elendil Vorn traf am Montag den gondorischen Außenminister in Edoras. Ithil sprach danach von " \
           "Fortschritten, und Ithil dankte den Gastgebern."
    [event] = run(fantasy_kb, text, published=None, lang="de")
    assert sides(event) == {("XAR", "Elendil Vorn"), ("XGO", "Faramir Ithil")}


def test_an_office_is_not_the_person_of_its_state_in_another_office(fantasy_kb):
    text = "Elendil Vorn traf am Montag den gondorischen Verteidigungsminister in Edoras. Faramir Ithil sprach " \
           "danach von Fortschritten."
    [event] = run(fantasy_kb, text, published=None, lang="de")
    assert ("XGO", None) in sides(event)


def test_an_office_is_not_the_person_of_its_state_named_now_for_a_meeting_before_that_persons_term(kb):
    # Lavrov has been foreign minister since 2004
    text = ("In 1998 the Russian foreign minister visited Beijing and met President Jiang Zemin. On Monday Foreign "
            "Minister Sergey Lavrov met Wang Yi in Beijing, and Lavrov praised the ties.")
    [past] = [e for e in run(kb, text, published=date(2024, 5, 8), lang="en") if e.date and e.date.value == "1998"]
    assert "Sergey Lavrov" not in {p.name for p in past.participants}


def test_a_plan_soon_after_the_days_meeting_begins_is_no_second_meeting(fantasy_kb):
    text = ("King Theoden Marke receives Elendil Vorn in Edoras today. Soon after his arrival, Vorn is expected to "
            "hold talks with Marke on trade.")
    [event] = run(fantasy_kb, text, published=date(2023, 9, 20), lang="en")
    assert event.status == "occurred"


def test_a_state_after_a_gerund_of_negotiating_is_a_topic_not_a_delegation(fantasy_kb):
    text = "Faramir Ithil met Elendil Vorn in Edoras on Monday, negotiating Rohan's share of the harvest."
    [event] = run(fantasy_kb, text, lang="en")
    assert countries(event) == {"XGO", "XAR"}


@pytest.mark.parametrize("text", [
    "Am Freitag kommt Elendil Vorn in Minas Tirith mit Faramir Ithil zusammen.",
    "Am Freitag nimmt Elendil Vorn in Minas Tirith an Gesprächen mit Faramir Ithil teil.",
])
def test_a_separable_verb_in_the_present_with_a_weekday_is_the_coming_one(fantasy_kb, text):
    [event] = run(fantasy_kb, text, published=date(2023, 9, 20), lang="de")  # a Wednesday
    assert (event.status, event.date.value) == ("planned", "2023-09-22")


@pytest.mark.parametrize("lang, text", [
    ("en", "The Taliban met on Tuesday with Zalmay Khalilzad, the American envoy, in Doha."),
    ("en", "Zalmay Khalilzad held another round with a Taliban delegation in Doha on Tuesday."),
    ("de", "Eine Delegation der Taliban traf am Dienstag in Doha den US-Gesandten Zalmay Khalilzad."),
])
def test_a_movement_that_negotiates_is_a_side_coded_with_its_country(kb, lang, text):
    [event] = run(kb, text, published=date(2019, 2, 27), lang=lang)
    afghan = next(p for p in event.participants if p.country == "AFG")
    assert countries(event) == {"USA", "AFG"} and (afghan.name, afghan.role) == (None, "Taliban")


def test_a_movement_is_not_its_countrys_government(kb):
    # the article's Palestinian person is the president; the movement's side stays unnamed
    text = ("Palestinian President Mahmoud Abbas spoke in Ramallah on Monday, and Abbas called for calm. "
            "Egypt's intelligence chief met a Hamas delegation in Cairo on Tuesday.")
    [event] = [e for e in run(kb, text, published=date(2024, 1, 10), lang="en") if "Cairo" in e.evidence.text]
    palestinian = next(p for p in event.participants if p.country == "PSE")
    assert (palestinian.name, palestinian.role) == (None, "Hamas")


@pytest.mark.parametrize("lang, text", [
    ("en", "The Taliban welcomed the visit of Pakistani Prime Minister Shehbaz Sharif to Beijing on Monday."),
    ("en", "Hamas said Qatari Prime Minister Mohammed bin Abdulrahman Al Thani held talks in Cairo on Monday."),
    ("en", "Qatari Prime Minister Mohammed bin Abdulrahman Al Thani held talks with Egypt on Monday about the Hamas "
           "delegation's demands."),
    ("en", "Antony Blinken met with RSF representatives in Washington on Monday."),
    ("de", "Katars Ministerpräsident Mohammed bin Abdulrahman Al Thani sprach am Montag mit Ägypten über die "
           "Forderungen der Hamas-Delegation."),
])
def test_a_movement_named_beside_a_meeting_is_no_side_of_it(kb, lang, text):
    # not the subject of the meeting verb, a topic, or an abbreviation of something else (Reporters Without Borders)
    events = run(kb, text, published=date(2024, 1, 10), lang=lang)
    assert not any(p.role in ("Taliban", "Hamas", "Rapid Support Forces") for e in events for p in e.participants)


@pytest.mark.parametrize("between", ["", "Das teilte Faramir Ithil nach einem Telefonat mit Elendil Vorn mit. "])
def test_who_takes_part_in_the_talks_named_with_an_is_one_of_their_sides(fantasy_kb, between):
    # the German particle closes the clause, far from the talks it names; a call reported in between is not them
    text = ("Elendil Vorn will am Freitag in Edoras mit Faramir Ithil beraten. " + between +
            "An den Gesprächen soll nach Angaben aus Edoras auch König Theoden Marke teilnehmen.")
    events = run(fantasy_kb, text, lang="de")
    talks = [e for e in events if e.mode != "phone"]
    assert [countries(e) for e in talks] == [{"XAR", "XGO", "XRO"}]


@pytest.mark.parametrize("lang, text", [
    ("de", "Elendil Vorn reist am Donnerstag nach Gondor. Der Politiker will in Minas Tirith mit Faramir Ithil "
           "zusammenkommen, wie ein Sprecher des arnorischen Außenamts mitteilte."),
    ("en", "Elendil Vorn travels to Gondor on Thursday. In Minas Tirith, talks with Faramir Ithil are planned, "
           "an Arnorian foreign ministry spokesperson said."),
])
def test_a_spokesperson_of_the_subjects_state_leaves_the_subject_to_be_found(fantasy_kb, lang, text):
    # the spokesperson reports the meeting: their country is no side that would make the subject's redundant
    second = text.index(". ") + 2
    events = [e for e in run(fantasy_kb, text, lang=lang) if e.evidence.start >= second]
    assert [sides(e) for e in events] == [{("XAR", "Elendil Vorn"), ("XGO", "Faramir Ithil")}]


def test_who_takes_part_in_a_call_joins_it_where_it_is_the_only_meeting_in_reach(fantasy_kb):
    text = "Elendil Vorn telefonierte am Montag mit Faramir Ithil. An dem Gespräch nahm auch König Theoden Marke teil."
    [call] = run(fantasy_kb, text, lang="de")
    assert call.mode == "phone" and countries(call) == {"XAR", "XGO", "XRO"}


def test_talks_named_before_another_meeting_word_are_not_what_the_join_verb_joins(fantasy_kb):
    text = ("Elendil Vorn will am Freitag in Edoras mit Faramir Ithil beraten. König Theoden Marke erinnerte an die "
            "Gespräche vom Vorjahr und will am Gipfel teilnehmen.")
    friday = next(e for e in run(fantasy_kb, text, lang="de") if e.evidence.text.startswith("Elendil"))
    assert countries(friday) == {"XAR", "XGO"}


def test_what_somebody_wanted_to_do_next_is_planned(fantasy_kb):
    # "wollte": meant to, as the report was written; not said to have happened
    text = ("Elendil Vorn traf am Montag in Edoras König Theoden Marke. Im Anschluss wollte er mit Faramir Ithil "
            "zusammenkommen.")
    later = next(e for e in run(fantasy_kb, text, lang="de") if "XGO" in countries(e))
    assert later.status == "planned"
