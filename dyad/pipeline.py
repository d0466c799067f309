"""The runner: one document in, its events out; failures isolated per document."""

from __future__ import annotations

import hashlib
import time
from calendar import monthrange
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import date

from dyad.attendance import Summits
from dyad.clean import clean
from dyad.context import NamedDay, fill_from_context, find_dateline
from dyad.dates import find_dates
from dyad.decide import Reading, decide
from dyad.dedup import MAX_HEADING, heading_sentences, held_today, merge_candidates, with_best
from dyad.errors import DocumentError
from dyad.events import sentence_events
from dyad.kb.loader import KnowledgeBase, load_kb
from dyad.kb.records import Office
from dyad.language import detect_language
from dyad.lexicon import available_languages, load_lexicon
from dyad.mentions import DocContext, find_mentions
from dyad.model import (
    ArticleResult,
    Candidate,
    CleanText,
    DateValue,
    Document,
    Event,
    Evidence,
    Location,
    Mention,
    Participant,
)
from dyad.nlp import read_sentences
from dyad.settings import Settings
from dyad.trigger import find_triggers

# A web page sets one sentence or two apart as a paragraph of its own (a lead, a quote): the day and the cities
# named there still frame the paragraph after it, as they would in print. Three sentences make a paragraph that
# stands for itself.
SHORT_PARAGRAPH = 2
# kinds of a meeting word that place a call's sentence: a meeting, visit or reception it also reports
CALL_WITH_PLACE_KINDS = frozenset({"meet", "visit", "host"})


def extract(doc: Document, kb: KnowledgeBase | None = None, settings: Settings | None = None) -> ArticleResult:
    """Every meeting event an article reports."""
    settings = settings or Settings()
    language, readings = _read(doc, kb or load_kb(settings.kb_extra), settings)
    return ArticleResult(doc, language, decide(readings, settings))


def readings_of(doc: Document, kb: KnowledgeBase, settings: Settings) -> list[Reading]:
    """Every event the rules propose for an article, with how it is reported, before the decision."""
    return _read(doc, kb, settings)[1]


def _read(doc: Document, kb: KnowledgeBase, settings: Settings) -> tuple[str, list[Reading]]:
    if not doc.text or not doc.text.strip():
        raise DocumentError(doc.origin or doc.id, "read", "empty text")
    if len(doc.text) > settings.max_chars:
        raise DocumentError(doc.origin or doc.id, "read",
                            f"text of {len(doc.text):,} characters exceeds the limit of {settings.max_chars:,}")
    language = settings.language or doc.language or detect_language(doc.text)
    if language not in available_languages():
        language = detect_language(doc.text)
    lex = load_lexicon(language)
    text = clean(doc, [load_lexicon(lang) for lang in available_languages()])
    ctx = DocContext()
    summits = Summits()  # what the sentences so far said of the article's summits (dyad.attendance)
    reference = doc.published
    candidates: list[Candidate] = []
    places_before: dict[int, list[Location]] = {}  # cities named earlier in the paragraph or a run of short ones
    paragraph_places: list[Location] = []
    summit_places: list[tuple[int, Location]] = []  # (sentence index, city) of summits named
    days_before: dict[int, NamedDay | None] = {}  # the last day named earlier in the paragraph, or a short one before
    paragraph_day: NamedDay | None = None
    paragraph = -1
    paragraph_start: int | None = None  # the index of its first sentence
    day_paragraph = -1  # the paragraph that named paragraph_day
    background_sentences: set[int] = set()
    sentence_count = 0
    first_sentences: list[tuple[int, int]] = []  # (start, end) of the first few: the heading is among them
    deadline = time.monotonic() + settings.time_budget if settings.time_budget else None
    for index, sent in enumerate(read_sentences(text.text, lex)):
        if deadline is not None and time.monotonic() > deadline:
            raise DocumentError(doc.origin or doc.id, "extract",
                                f"over the time budget of {settings.time_budget:g} s at character "
                                f"{text.to_original(sent.start, sent.start)[0]:,} of {len(doc.text):,}; skipped")
        sentence_count = index + 1
        if index < MAX_HEADING:
            first_sentences.append((sent.start, sent.end))
        dates = find_dates(sent.tokens, lex, doc.published, reference, sent.lower)
        day = next((d.past.value for d in dates if d.past and d.past.precision == "day"), None)
        event_day = _representative_day(dates) or doc.published
        previous_person = ctx.last_person
        protagonist = ctx.protagonist()
        mentions, ctx = find_mentions(sent, text.text, kb, lex, event_day, ctx)
        people = tuple(a for a in mentions.actors if a.kind == "person" and a.country)
        if len({a.country for a in people}) == 2:
            ctx = replace(ctx, last_pair=(index, people))
        if sent.paragraph != paragraph:
            short = paragraph_start is not None and index - paragraph_start <= SHORT_PARAGRAPH
            if not (short and day_paragraph == paragraph):
                paragraph_day = None
            if not short:
                paragraph_places = []  # a run of short paragraphs reads as one
            paragraph, paragraph_start = sent.paragraph, index
        places_before[index] = list(paragraph_places)
        # "Xi und Putin hatten sich zuletzt in Peking getroffen": background, not the day just named
        background = not lex.background_words.isdisjoint(sent.lower)
        days_before[index] = None if background else paragraph_day
        if background:
            background_sentences.add(index)
        paragraph_places += [p.location for p in mentions.places if p.location.city]
        triggers = find_triggers(sent, lex)
        if any(t.kind == "summit" for t in triggers) and not background:
            # "Beim Gipfel in Madrid ...": where later meetings "am Rande des Gipfels" took place
            summit_places += [(index, p.location) for p in mentions.places if p.location.city][:1]
        if triggers:
            start, end = text.to_original(sent.start, sent.end)
            evidence = Evidence(doc.text[start:end], start, end)
            found, summits = sentence_events(sent, index, mentions, dates, triggers, lex, kb, evidence,
                                             (previous_person, protagonist), event_day, ctx, candidates, summits)
            candidates += found
        if day:
            reference = date.fromisoformat(day)
            day_paragraph = paragraph
            paragraph_day = NamedDay(next(d.past for d in dates if d.past and d.past.precision == "day"),
                                     frozenset(p.location.city for p in mentions.places if p.location.city))
    candidates = held_today(fill_from_context(candidates, find_dateline(text.text, lex, kb), doc.published,
                                              places_before, summit_places, days_before), doc.published)
    named = frozenset(ctx.people) | frozenset(ctx.mentions_of)  # by full name or, in office, by surname
    salient = _salient_people(ctx)
    readings = []
    for n, group in enumerate(merge_candidates(candidates, heading_sentences(text.text, first_sentences))):
        event = _event(doc, n, _dated_by_publication(with_best(group), doc.published, background_sentences),
                       text, kb, named, salient)
        if len({p.country for p in event.participants if p.country}) < 2:
            continue  # a side met only itself: "the two leaders" read as one, two bodies of the EU
        readings.append(Reading(tuple(group), event, sentence_count, language))
    return language, readings


def extract_all(docs: Iterable[Document | DocumentError], kb: KnowledgeBase,
                settings: Settings) -> Iterator[ArticleResult | DocumentError]:
    """Extract each document; a failure is yielded in its place and the batch goes on."""
    for doc in docs:
        if isinstance(doc, DocumentError):
            yield doc
            continue
        try:
            yield extract(doc, kb, settings)
        except DocumentError as exc:
            yield exc
        except Exception as exc:  # a bug on one article must not stop the batch
            yield DocumentError(doc.origin or doc.id, "extract", f"{type(exc).__name__}: {exc}")


def _representative_day(dates) -> date | None:
    """A day to look office holders up on: the first date of the sentence, mid-month or mid-year."""
    for mention in dates:
        value = mention.past or mention.future
        if value is not None:
            year, month, day = (value.value.split("-") + ["7", "1"])[:3] if value.precision == "year" else \
                (value.value.split("-") + ["15"])[:3]
            return date(int(year), int(month), int(day))
    return None


def _dated_by_publication(cand: Candidate, published: date | None, background: set[int]) -> Candidate:
    """The guidelines' rules of the publication date: a meeting dated on the publication day took
    place, whatever the tense, and one dated on a later day is planned; a meeting the article reports
    as news with no time expression took place in the publication month (a background meeting with
    none stays undated)."""
    if published is None:
        return cand
    if cand.status == "planned" and cand.date is not None and cand.date.value == published.isoformat():
        return replace(cand, status="occurred")
    if cand.status == "occurred" and cand.date is not None and cand.date.precision == "day" \
            and cand.date.value > published.isoformat():
        return replace(cand, status="planned")  # "Morgen trifft er ...": a day still to come
    if cand.status == "occurred" and cand.date is None and cand.sentence_index not in background:
        return replace(cand, date=DateValue(published.isoformat()[:7], "month", "publication month"))
    return cand


def _salient_people(ctx: DocContext) -> dict[str, Mention]:
    """Per country, the person the article names most often (first named on a tie), by full name or by surname
    alone ("Orban")."""
    first = {key: n for n, key in enumerate(ctx.mentions_of)}
    best: dict[str, Mention] = {}
    for key in sorted(first, key=lambda k: (-ctx.mentions_of[k], first[k])):
        person = ctx.people.get(key) or ctx.short_named.get(key) or ctx.unknown.get(key)
        if person is not None and person.country and person.country not in best:
            best[person.country] = person
    return best


def _event(doc: Document, number: int, cand: Candidate, text: CleanText, kb: KnowledgeBase,
           named: frozenset[str], salient: dict[str, Mention]) -> Event:
    """The output record; an office whose holder the article names elsewhere gets that name, and a
    state named without anybody is represented by the person of that state the article is about."""
    participants = []
    for country, mentions in cand.sides:
        if all(m.kind == "state" and m.use != "movement" for m in mentions) and country in salient:
            # (a movement is not its country's government: "Hamas" is no Abbas)
            mentions = (replace(salient[country], start=mentions[0].start, end=mentions[0].end),)
        people: dict[str | None, Mention] = {}
        for m in mentions:
            if m.kind == "person":
                people.setdefault(m.key or m.name, m)
        # an office whose holder is not among the named people is a participant of its own
        offices = [m for m in mentions if m.kind == "role" and m.actor_id and m.actor_id not in people]
        chosen = list(people.values()) + list({m.actor_id: m for m in offices}.values()) or \
            [_office_named_elsewhere(next((m for m in mentions if m.kind == "role"), mentions[0]),
                                     salient.get(country), kb, cand.date)]
        for m in chosen:
            start, end = text.to_original(m.start, m.end)
            is_person = m.kind == "person"
            name = m.name if is_person else (kb.people[m.actor_id].name if m.actor_id in named else None)
            participants.append(Participant(
                name=name, country=kb.side_code(country), role=m.role,
                actor_id=m.actor_id or (m.key if is_person else None),
                actor_type=m.actor_type or ("IGO" if country in kb.organisations else "GOV"),
                start=start, end=end,
                holder=kb.people[m.actor_id].name if not name and m.actor_id in kb.people else None))
    # a call is held nowhere: the dateline or a city in its sentence is where the caller or the reporter was
    # (unless its sentence also reports a meeting, visit or reception: "the call prepared by X, received in Moscow";
    # a summit is no such report: "ahead of the summit in San Francisco")
    location = None if cand.mode == "phone" and not cand.kinds & CALL_WITH_PLACE_KINDS else cand.location
    if location is not None and location.start >= 0:
        start, end = text.to_original(location.start, location.end)
        location = Location(location.city, location.country, location.lat, location.lon,
                            location.precision, location.geonames_id, start, end)
    countries = sorted({c for c, _ in cand.sides})
    digest = hashlib.sha1(f"{doc.id}|{number}|{cand.sentence_index}|{'-'.join(countries)}".encode()).hexdigest()[:12]
    return Event(
        id=digest, type="CONSULT", cameo=_cameo(cand, location), status=cand.status, mode=cand.mode,
        participants=tuple(participants), evidence=cand.evidence, date=cand.date, location=location,
        host=_host(cand, location, kb), series=_series(cand, kb), round=cand.round, topics=cand.topics,
    )


def _office_named_elsewhere(mention: Mention, salient: Mention | None, kb: KnowledgeBase,
                            when: DateValue | None) -> Mention:
    """An office the knowledge base has no holder for that day ("seinem vietnamesischen Kollegen" on an undated
    page) is the person of its state the article is about, where that person holds such an office, and held it
    at the meeting's date where the date is known."""
    if mention.kind != "role" or mention.actor_id or salient is None \
            or not kb.same_office(mention.office, salient.office):
        return mention
    person = kb.people.get(salient.key or "")
    if when is not None and person is not None and not any(
            kb.same_office(mention.office, o.office) and _held_within(o, when) for o in person.offices):
        return mention  # "In 1998 the Russian foreign minister ...": not the one in office now
    return replace(salient, start=mention.start, end=mention.end)


def _held_within(office: Office, when: DateValue) -> bool:
    """Whether an office was held at some time within a date of any precision ("1998", "2024-05", a day)."""
    parts = [int(p) for p in when.value.split("-")]
    first = date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    last = date(parts[0], 12, 31) if len(parts) == 1 else \
        (date(parts[0], parts[1], monthrange(parts[0], parts[1])[1]) if len(parts) == 2 else first)
    return office.start <= last and (office.end is None or first <= office.end)


def _host(cand: Candidate, location: Location | None, kb: KnowledgeBase) -> str | None:
    """The host is the side in whose city the meeting took place, should the sentence suggest another
    ("arrived in Niamey, where he was received by ...", "empfing er Tillerson in Doha"): a host that
    contradicts the place would flip the visitor and host of the exports (GDELT 042/043)."""
    sides = {c for c, _ in cand.sides}
    if cand.host and cand.host not in kb.organisations and location is not None and location.city \
            and not cand.place_from_context and location.country in sides:
        return location.country
    return cand.host


def _cameo(cand: Candidate, location: Location | None) -> str:
    if cand.mode in ("phone", "video"):
        return "041"
    countries = {c for c, _ in cand.sides}
    if cand.host or cand.kinds & {"visit", "host"}:
        return "042"
    if location is not None and location.country and location.country not in countries:
        return "044"
    if "talks" in cand.kinds and not cand.kinds & {"meet", "summit", "join"}:
        return "046"
    return "040"


def _series(cand: Candidate, kb: KnowledgeBase) -> str | None:
    if cand.round is None:
        return None
    names = "-".join(kb.country_name(c) for c, _ in cand.sides)
    topic = f" {cand.topics[0]}" if cand.topics else ""
    return f"{names}{topic} consultations"
