"""Find actors and places in a sentence and resolve them against the knowledge base.

An actor is a person (known or introduced by role), an office named
without a person ("der russische Außenminister"), a state or an
organisation. Roles take their country from the words around them:
an adjective or compound prefix before ("chinesische", "US-"), a genitive
or possessive ("Russlands", "Estonia's"), or a link after ("des russischen
Sicherheitsrates", "of Lithuania").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from difflib import SequenceMatcher
from itertools import takewhile
from types import MappingProxyType
from typing import NamedTuple

from dyad.clauses import clause_around
from dyad.dates import month_is_name
from dyad.kb.loader import FOLD_GATE, KnowledgeBase
from dyad.kb.records import AliasTarget, Office, Person
from dyad.lexicon import Lexicon
from dyad.model import Location, Mention, Sentence

NAME_LIKENESS = 0.85  # an unknown name this close to an office holder's is that holder's, misspelt
PRONOUN_SUBJECT_WINDOW = 5  # German verb-second puts the subject pronoun within the first few words
HYPHENS = frozenset({"-", "‐"})
GENITIVE = frozenset({"'s", "’s", "'S"})
FORMER_REACH = 3  # tokens before a role where "former" may stand, a hyphen or a country between
OPENING_ROLE = 1  # "The president said": a bare office at the start of a sentence is its subject
MAX_NAME_TOKENS = 6  # tokens of an unknown name, hyphens and particles included
MEMBER_GAP = 2  # words between an organisation and a member state named after it ("EU member Latvia")
GIVEN_NAME_PREFIX = 2  # letters a given name shares with a respelling of it ("Eva" for "Evo")
APPOSITION_ENDS = frozenset({",", ".", ";", ")"})
OFFICE_MARGIN_DAYS = 120  # a bare surname also counts for someone just before or after their term
COMPLEMENT_REACH = 6  # "für den Dialog zwischen Belgrad und Pristina," before the holder's name
ARABIC_PARTICLES = frozenset({"bin", "ibn", "bint", "al", "el", "ben", "abu"})  # after a first name
NAME_PARTICLES = ARABIC_PARTICLES | {"da", "de", "del", "van", "von"}


class Span(NamedTuple):
    """A raw match: tokens ``i:j`` of a sentence (a named tuple: every sentence makes a few, and a tuple is made
    faster than a frozen dataclass)."""

    i: int
    j: int
    kind: str  # actor, role, cap
    targets: tuple[AliasTarget, ...] = ()
    office: str | None = None


@dataclass(frozen=True, slots=True)
class PlaceMention:
    location: Location
    token: int  # index of the place's first token in the sentence
    destination: bool = False  # after "nach" / "to": where someone travels
    alternatives: tuple[int, ...] = ()  # other places of the same name (geonames ids)


@dataclass(frozen=True, slots=True)
class SentenceMentions:
    actors: tuple[Mention, ...]
    places: tuple[PlaceMention, ...]
    weak_states: tuple[Mention, ...]  # states named without a person or office
    orgs: tuple[Mention, ...]
    token_of: dict[int, int] = field(default_factory=dict)  # mention start -> token index


@dataclass(frozen=True, slots=True)
class DocContext:
    """What the article has said so far: people named, for short forms and pronouns. Each sentence's
    ``find_mentions`` returns a new one; the mappings are never changed once returned."""

    people: Mapping[str, Mention] = field(default_factory=dict)  # person id -> first full mention
    # person id -> first mention by a short form, of people not named in full ("Kh.Battulga", "Erdogan")
    short_named: Mapping[str, Mention] = field(default_factory=dict)
    unknown: Mapping[str, Mention] = field(default_factory=dict)  # surname -> unknown person
    last_person: Mention | None = None
    mentions_of: Mapping[str, int] = field(default_factory=dict)  # person -> times named so far
    # the last sentence naming people of exactly two countries: (sentence index, those people)
    last_pair: tuple[int, tuple[Mention, ...]] | None = None

    def protagonist(self) -> Mention | None:
        """The person the article is about: named most often so far (first named on a tie)."""
        if not self.mentions_of:
            return None
        key = max(self.mentions_of, key=self.mentions_of.__getitem__)  # max() keeps the first of equals
        return self.people.get(key)


@dataclass(slots=True)
class _Seen:
    """The people named so far as one sentence adds to them: changed only while ``find_mentions`` reads it."""

    people: dict[str, Mention]
    short_named: dict[str, Mention]
    unknown: dict[str, Mention]
    mentions_of: dict[str, int]


def pronoun_subject(words: list[str], lex: Lexicon) -> bool:
    """A pronoun among the first words: the subject of the sentence ("Er traf", "Later he met")."""
    return any(w.lower() in lex.pronouns for w in words[:PRONOUN_SUBJECT_WINDOW])


def find_mentions(sent: Sentence, text: str, kb: KnowledgeBase, lex: Lexicon, day: date | None,
                  ctx: DocContext) -> tuple[SentenceMentions, DocContext]:
    """The sentence's actors and places, and the article's context as the sentence leaves it."""
    seen = _Seen(dict(ctx.people), dict(ctx.short_named), dict(ctx.unknown), dict(ctx.mentions_of))
    words = [t.text for t in sent.tokens]
    lower = sent.lower  # the nlp layer's lower-case words
    actor_at = kb.actors.scan(words)  # the longest actor name at each token: read for spans and places
    spans = _raw_spans(words, lower, actor_at, kb, lex, _title_case(words, lex))
    actors: list[Mention] = []
    weak: list[Mention] = []
    orgs: list[Mention] = []
    consumed: set[int] = set()  # span indices used as a role's country or person
    token_of: dict[int, int] = {}

    def add(mention: Mention, token: int, into: list[Mention]) -> None:
        into.append(mention)
        token_of[mention.start] = token

    for k, span in enumerate(spans):
        if span.kind != "role":
            continue
        assert span.office is not None  # a role span names its office
        country, used = _role_country(spans, k, words, kb, lex)
        consumed |= used
        holder = _following_person(spans, k, words, lex, span.office in kb.offices and kb.offices[span.office].posted)
        if holder is not None and country is None and spans[holder].kind == "cap":
            country, used = _country_after(spans, holder, words, lex, _organisation_office(span, kb))
            consumed |= used
        if holder is None:
            holder = _person_before(spans, k, used, words, lex, consumed)
        if _former(spans, k, used, lower, lex):
            # "den früheren amerikanischen Präsidenten Barack Obama": a private person, nobody's side
            if holder is not None:
                consumed.add(holder)
            continue
        role_name = "counterpart" if span.office == "counterpart" else kb.offices[span.office].role
        start, end = sent.tokens[span.i].start, sent.tokens[span.j - 1].end
        if holder is not None:
            # the holder, and what stands between: where the office serves ("Ambassador to Kuwait Jane Roe"),
            # whose it is ("Minister of Lithuania Jane Roe") or a form of address
            consumed.update(range(k + 1, holder + 1) if holder > k else (holder,))
            person = _person_mention(spans[holder], sent, words, kb, day, seen, role=role_name, country=country,
                                     office_key=span.office)
            if person is not None:
                add(person, spans[holder].i, actors)
                continue
        also = _coordinated_countries(spans, k, words, lex, used)
        consumed |= {m for _, m in also}
        for side in [country, *(key for key, _ in also)]:
            mention = _office_mention(span, side, role_name, text, sent, kb, day, seen, lex)
            if mention is not None:
                add(mention, span.i, actors)

    for k, span in enumerate(spans):
        if k in consumed or span.kind == "role":
            continue
        start, end = sent.tokens[span.i].start, sent.tokens[span.j - 1].end
        if span.kind == "cap":
            person = _unknown_by_surname(words[span.i:span.j], seen)
            if person is not None:
                add(replace(person, start=start, end=end, text=text[start:end]), span.i, actors)
            continue
        target = span.targets[0]
        if target.kind == "person":
            person = _person_mention(span, sent, words, kb, day, seen, beside=_state_before(spans, k, words))
            if person is not None:
                add(person, span.i, actors)
        elif target.kind == "state":
            if _is_location(spans, k, lower, lex):
                continue
            add(Mention("state", start, end, text[start:end], key=target.key, country=target.key,
                        use=target.use), span.i, weak)
        elif target.kind == "movement":
            # coded as its country, named in the role: a side where the wording makes it one, as a state is
            movement = kb.movements[target.key]
            add(Mention("state", start, end, text[start:end], key=movement.country, country=movement.country,
                        role=movement.name, actor_type=movement.type, use="movement"), span.i, weak)
        elif target.kind == "org":
            add(Mention("org", start, end, text[start:end], key=target.key, country=target.key,
                        actor_type="IGO", use=target.use), span.i, orgs)

    places = _places(sent, words, lower, actor_at, kb, lex, text)
    people = [m for m in actors if m.kind == "person" and m.country]  # an office holder not yet placed counts later
    for mention in people:
        key = mention.key or mention.name
        assert key is not None  # a person mention carries an id or the name as written
        seen.mentions_of[key] = seen.mentions_of.get(key, 0) + 1
    first = min(people, key=lambda m: token_of[m.start]) if people else None
    last_person = ctx.last_person
    if first is not None and not pronoun_subject(words[:token_of[first.start]], lex):
        # a later "er"/"he" most often continues the subject, named first ("Milei will travel to Rome,
        # where he is due to meet Pope Francis. He is also expected to ..."); a subject pronoun before
        # the first name continues the subject before ("Last October he was in Beijing for talks with Xi")
        last_person = first
    context = DocContext(MappingProxyType(seen.people), MappingProxyType(seen.short_named),
                         MappingProxyType(seen.unknown), last_person, MappingProxyType(seen.mentions_of), ctx.last_pair)
    return SentenceMentions(tuple(actors), places, tuple(weak), tuple(orgs), token_of), context


def _title_case(words: list[str], lex: Lexicon) -> bool:
    """A headline in title case ("Ramaphosa Visits Angola", "Crown Prince Holds Talks With Araghchi"): every
    longer word capitalised, a meeting word among them. There a capital marks no name: "Visits" is a verb,
    and "Ramaphosa" before it is no first name. German capitalises its nouns anyway."""
    if lex.capitalised_nouns:
        return False
    longer = [w for w in words if w.isalpha() and len(w) >= 4]
    return len(longer) >= 3 and all(w[0].isupper() for w in longer) \
        and any(lex.triggers.match_at(words, k) for k in range(1, len(words)) if words[k][:1].isupper())


def _raw_spans(words: list[str], lower: Sequence[str], actor_at: list, kb: KnowledgeBase, lex: Lexicon,
               title_case: bool = False) -> list[Span]:
    """Longest matches of actor names, role nouns and unknown capitalised names; in a ``title_case`` headline,
    meeting words are no part of a name. ``lower`` holds the words lower-cased, ``actor_at`` the actor names
    found at each (``kb.actors.scan``)."""
    n = len(words)
    roles = kb.roles.get(lex.language)
    role_at = roles.scan(words, lower) if roles is not None else [None] * n
    role_starts = roles.starts_each(words, lower) if roles is not None else [False] * n
    # a lower-case word that begins no name, office, role phrase or month begins no span: most words, told apart
    # in one pass before the loop
    begins = [word[:1].isupper() or actor is not None or role is not None or starts or low in lex.months
              for word, actor, role, starts, low in zip(words, actor_at, role_at, role_starts, lower, strict=True)]
    spans: list[Span] = []
    i = 0
    while i < n:
        if not begins[i]:
            i += 1
            continue
        word = words[i]
        actor = actor_at[i] or _genitive_person(words, i, kb) or _folded_person(words, i, kb)
        role = role_at[i] or (role_starts[i] and _role_across_adjectives(words, i, kb, roles)) \
            or _compound_role(word, lower[i], lex)
        if role and (not actor or role[0] >= actor[0]):
            end = _portfolio_end(words, lower, i + role[0], lex)
            spans.append(Span(i, end, "role", office=role[1][0]))
            i = end
        elif actor and _plausible_actor(words, i, actor[0], actor[1], lex, title_case):
            spans.append(Span(i, i + actor[0], "actor", tuple(actor[1])))
            i += actor[0]
        elif (_capitalised_name(word, lower[i], lex) or month_is_name(words, i, lex)) \
                and not (title_case and lex.triggers.match_at(words, i)):
            j = i + 1
            while j < n and j - i < MAX_NAME_TOKENS:
                # "Junus-Bek Jewkurow", "Mohamed bin Sajed": hyphenated parts and particles stay in the name
                step = 2 if words[j] in HYPHENS or lower[j] in NAME_PARTICLES else 1
                k = j + step - 1
                if k >= n or not _capitalised_name(words[k], lower[k], lex) \
                        or (actor_at[k] and not _given_name_of_another(words, i, actor_at[k][1], kb, lex)) \
                        or _genitive_person(words, k, kb) or role_at[k] \
                        or (title_case and lex.triggers.match_at(words, k)):
                    break
                j = k + 1
            spans.append(Span(i, j, "cap"))
            i = j
        else:
            i += 1
    return spans


def _portfolio_end(words: list[str], lower: Sequence[str], end: int, lex: Lexicon) -> int:
    """Where an office's title ends that goes on with further portfolios: "Minister of Foreign Affairs [and
    International Cooperation]", "[, Foreign Employment and Tourism]". Capitalised portfolio words after "and"
    or a comma, up to a word in lower case; a name after the comma ("Minister of Foreign Affairs, Abdi Ali") is
    none, nor another office ("Prime Minister, Foreign Minister Ali")."""
    n = len(words)
    while end + 1 < n and (lower[end] in lex.list_conjunctions or words[end] == ","):
        k = end + 1
        while k < n and words[k][:1].isupper() and lower[k] in lex.portfolio_words:
            k += 1
        if k == end + 1 or (k < n and words[k][:1].isupper()):
            break  # "Prime Minister, Foreign Minister Ali": another office begins
        end = k
    return end


def _given_name_of_another(words: list[str], i: int, targets: list[AliasTarget], kb: KnowledgeBase,
                           lex: Lexicon) -> bool:
    """ "Roman Herzog" is not Isaac Herzog: a name ``words[i]`` before a known surname that begins none of the
    other names of the people so called ("Omar Guelleh" is Ismaïl Omar Guelleh; a respelling, "Eva Morales" for
    Evo Morales, begins the same). Only where a capital marks a name: not first in the sentence, nor in a
    language that capitalises its nouns."""
    if i == 0 or lex.capitalised_nouns or not all(t.kind == "person" and t.use == "short" for t in targets):
        return False
    if words[i - 1].lower() in lex.location_preps:
        return False  # "In Edoras Vorn was received": a place, then the name
    start = kb.fold(words[i])[:GIVEN_NAME_PREFIX]
    return not any(kb.fold(given).startswith(start) for t in targets
                   for name in (kb.people[t.key].name, *kb.people[t.key].aliases) for given in name.split()[:-1])


def _compound_role(word: str, low: str, lex: Lexicon) -> tuple[int, list[str]] | None:
    """A compound role noun the role list does not spell out ("Entwicklungsministerin"): its head's office.
    ``low`` is the word lower-cased."""
    if not lex.role_suffixes or not word[:1].isupper() or not low.endswith(lex.role_endings) or not word.isalpha():
        return None
    for ending, office in lex.role_suffixes:
        if low.endswith(ending):
            return 1, [office]
    return None


def _office_mention(span: Span, country: str | None, role_name: str, text: str, sent: Sentence,
                    kb: KnowledgeBase, day: date | None, seen: _Seen, lex: Lexicon) -> Mention | None:
    """A side named by its office: the person named earlier who holds it, or the office itself."""
    start, end = sent.tokens[span.i].start, sent.tokens[span.j - 1].end
    earlier = _named_earlier(span.office, country, seen, kb, opening=_singular_subject(span, sent, lex))
    if earlier is not None:
        # "der chinesische Spitzendiplomat" after "Wang Yi": the person already named
        return replace(earlier, start=start, end=end, text=text[start:end])
    if country is None:
        return None
    actor_id = None
    if span.office not in (None, "counterpart"):
        holder = kb.holder(span.office, country, day)
        actor_id = holder.id if holder else None
    return Mention("role", start, end, text[start:end], key=span.office, country=country, role=role_name,
                   actor_id=actor_id, actor_type="IGO" if country in kb.organisations else "GOV",
                   office=span.office)


def _singular_subject(span: Span, sent: Sentence, lex: Lexicon) -> bool:
    """ "The president said", "Der Präsident sagte": one office holder opening the sentence. Its noun is its own
    lemma ("leaders" is not), after an article that marks one person where the language has such (German
    "der"; "die Außenminister" are several)."""
    if span.i > OPENING_ROLE or sent.tokens[span.j - 1].lemma.lower() != sent.lower[span.j - 1]:
        return False
    article = sent.lower[span.i - 1] if span.i else ""
    return not lex.singular_articles or article in lex.singular_articles


def _coordinated_countries(spans: list[Span], k: int, words: list[str], lex: Lexicon,
                           used: set[int]) -> list[tuple[str, int]]:
    """ "Russlands und Chinas Spitzendiplomaten", "die Außenminister Armeniens und Aserbaidschans",
    "counterparts from Czechia, Slovakia and Hungary": the further countries of a shared office."""
    if used == {k + 1}:
        others: list[tuple[str, int]] = []
        m = k + 1
        while m + 1 < len(spans) and _listed_after(spans[m], spans[m + 1], words, lex):
            m += 1
            others.append((spans[m].targets[0].key, m))
        return others
    if used != {k - 1} or k < 2:
        return []
    if _listed_after(spans[k - 2], spans[k - 1], words, lex):
        return [(spans[k - 2].targets[0].key, k - 2)]
    return []


def _listed_after(first: Span, second: Span, words: list[str], lex: Lexicon) -> bool:
    """Both name states, joined as a list: by commas and "and", "und der"."""
    link = [w.lower() for w in words[first.j:second.i]]
    return first.kind == second.kind == "actor" and first.targets[0].kind == second.targets[0].kind == "state" \
        and any(w in lex.side_words or w == "," for w in link) \
        and all(w in lex.side_words or w == "," or w in lex.definite_articles for w in link)


def _genitive_person(words: list[str], i: int, kb: KnowledgeBase):
    """ "Wangs Reise", "Putins Besuch": a person's name with the genitive s."""
    word = words[i]
    if len(word) < 4 or not word.endswith("s") or not word[0].isupper():
        return None
    hit = kb.actors.match_at([word[:-1]], 0)
    if hit and all(t.kind == "person" for t in hit[1]):
        return hit
    return None


def _folded_person(words: list[str], i: int, kb: KnowledgeBase):
    """A known person in another transliteration ("Mirsojan" for Mirzoyan, "Kassym-Schomart Tokajew")."""
    if not words[i][:1].isupper() or kb.fold(words[i])[:FOLD_GATE] not in kb.folded_prefixes:
        return None  # one fold per capitalised word: most are no name at all
    n = len(words)
    run = i + 1  # the end of the capitalised words and hyphens from i, four at most: the name is among them
    while run < n and run - i < 4 and (words[run][:1].isupper() or words[run] == "-" or (
            words[run] in NAME_PARTICLES and run + 1 < n and words[run + 1][:1].isupper())):
        run += 1  # "Abdel Fattah el Sisi": a particle inside the name
    for end in range(run, i, -1):  # the longest name first; hyphens count as tokens
        if words[end - 1] == "-" or (end < n and words[end] == "-"):
            continue  # never half of a hyphenated name ("Junus-Bek")
        size = end - i
        ids = kb.folded_names.get(kb.fold(" ".join(words[i:end]).replace(" - ", "-")))
        if ids and len(ids) == 1:
            return size, [AliasTarget("person", next(iter(ids)), "name" if size > 1 else "folded")]
    return None


def _role_across_adjectives(words, i, kb: KnowledgeBase, roles):
    """A role phrase with a state adjective inside ("Sekretär des russischen Sicherheitsrates"); the caller
    has checked that a role phrase begins with ``words[i]``."""
    kept, index = [], []
    for k in range(i, min(len(words), i + 6)):
        hit = kb.actors.match_at(words, k)
        if k > i and hit and hit[0] == 1 and hit[1][0].use == "adjective":
            continue
        kept.append(words[k])
        index.append(k)
    if len(kept) == len(index) == min(len(words), i + 6) - i:
        return None
    match = roles.match_at(kept, 0)
    if match is None:
        return None
    return index[match[0] - 1] - i + 1, match[1]


def _plausible_actor(words, i, size, targets, lex: Lexicon, title_case: bool = False) -> bool:
    """Short forms that are also everyday words need a capital."""
    if i >= 2 and words[i - 1] in HYPHENS and words[i - 2][:1].isupper() and all(t.kind == "person" for t in targets):
        return False  # the second part of a double name ("Blanco-Gil") is nobody of its own
    if all(t.kind == "person" and t.use == "short" for t in targets):
        w = words[i]
        if not w[:1].isupper():
            return False
        if i > 0 and words[i - 1].lower() in lex.location_preps:
            return False  # "in Austin" is the city ("a call from Putin" is the man)
        nxt = words[i + 1] if i + 1 < len(words) else ""
        if nxt.lower() in ARABIC_PARTICLES or (lex.language == "en" and nxt[:1].isupper() and nxt.isalpha()
                                               and not title_case):
            return False  # a first name of somebody else ("Mohammed bin Salman" is not Amina Mohammed)
    return True


def _capitalised_name(word: str, low: str, lex: Lexicon) -> bool:
    """``low`` is the word lower-cased."""
    return (len(word) > 1 and word[0].isupper() and word[1:].islower() is not False and word.isalpha()
            and word not in lex.name_stopwords and low not in lex.months and low not in lex.weekdays)


def _role_country(spans: list[Span], k: int, words: list[str], kb: KnowledgeBase,
                  lex: Lexicon) -> tuple[str | None, set[int]]:
    """The state or organisation a role belongs to, and the spans that said so."""
    span = spans[k]
    # inside the phrase: "Sekretär des russischen Sicherheitsrates"
    for w in words[span.i:span.j]:
        hit = kb.actors.match_at([w], 0)
        if hit and hit[1][0].kind == "state" and hit[1][0].use == "adjective":
            return hit[1][0].key, set()
    # before: adjective, "US-" prefix, genitive name, "Estonia's"
    org_office = _organisation_office(span, kb)
    if k > 0:
        prev = spans[k - 1]
        gap = words[prev.j:span.i]
        kind = prev.targets[0].kind if prev.kind == "actor" else None
        # "Polish agriculture minister": one word of the portfolio before a minister of no listed office
        portfolio = span.office == "minister" and gap and gap[-1].isalpha() and gap[-1].islower()
        if (kind == "state" or (kind == "org" and org_office)) and _adjacent(gap[:-1] if portfolio else gap, lex):
            return prev.targets[0].key, {k - 1}
    # after: "des Iran", "der USA", "of Lithuania", "of the United States"
    return _country_after(spans, k, words, lex, org_office)


def _organisation_office(span: Span, kb: KnowledgeBase) -> bool:
    return span.office in kb.offices and kb.offices[span.office].organisation


def _country_after(spans: list[Span], k: int, words: list[str], lex: Lexicon,
                   org_office: bool) -> tuple[str | None, set[int]]:
    """The state (or, for an organisation's office, the organisation) named right after span ``k``: after a
    role ("of Lithuania", "des Iran") or after the new name a role introduced ("President Jane Roe of Ruritania")."""
    if k + 1 >= len(spans):
        return None, set()
    nxt = spans[k + 1]
    gap = [w.lower() if lex.language != "de" else w for w in words[spans[k].j:nxt.i]]
    kind = nxt.targets[0].kind if nxt.kind == "actor" else None
    linked = gap and gap[0] in lex.role_links and all(w in lex.role_links or w.lower() in lex.articles for w in gap)
    # German genitive right after the noun: "die Außenminister Armeniens und Aserbaidschans"
    genitive = not gap and lex.language == "de" and kind == "state" and words[nxt.i].endswith("s")
    if (kind == "state" or (kind == "org" and org_office)) and (linked or genitive):
        return nxt.targets[0].key, {k + 1}
    if kind == "org" and linked and not _member_named(spans, k + 1):
        # "the president of the ECOWAS Commission" heads the body; the body stays named, for its summit
        # ("Leaders of the GCC gathered for their summit")
        return nxt.targets[0].key, set()
    return None, set()


def _member_named(spans: list[Span], k: int) -> bool:
    """A state named right after the organisation at span ``k``: "the president of EU member Latvia" is Latvia's."""
    return k + 1 < len(spans) and spans[k + 1].kind == "actor" and spans[k + 1].targets[0].kind == "state" \
        and spans[k + 1].i - spans[k].j <= MEMBER_GAP


def _adjacent(gap: list[str], lex: Lexicon) -> bool:
    """Words that may stand between a country word and its role noun."""
    return all(w in HYPHENS or w in GENITIVE or w.lower() in lex.articles or w in lex.possessives for w in gap)


def _person_before(spans: list[Span], k: int, used: set[int], words: list[str], lex: Lexicon,
                   consumed: set[int]) -> int | None:
    """ "Jan Kowalczyk, Poland's agriculture minister,", "Omar Touray, the president of the Commission":
    a name the office follows in apposition, after a comma and at most an article."""
    first = min([k, *used])
    m = first - 1
    if m < 0 or m in consumed:
        return None
    cand = spans[m]
    if not (cand.kind == "cap" or (cand.kind == "actor" and cand.targets[0].kind == "person")):
        return None
    if m > 0 and spans[m - 1].j == cand.i:
        return None  # the tail of a longer name ("Sheikh Mansour bin Zayed Al Nahyan, Vice President")
    gap = [w.lower() for w in words[cand.j:spans[first].i]]
    if not gap or gap[0] != "," or not all(w in lex.articles for w in gap[1:]):
        return None
    return m


def _following_person(spans: list[Span], k: int, words: list[str], lex: Lexicon, posted: bool) -> int | None:
    """The span of the person a role introduces: right after it, or after "des X," / ","; for a ``posted`` office
    also after where it serves ("Ambassador to Kuwait Jane Roe"; a president "in Moskau" is where he is)."""
    span = spans[k]
    if span.j < len(words) and words[span.j].lower() in lex.role_complements:
        # "der Sonderbeauftragte für den Dialog, Peter Sørensen, ...": the holder after the office's remit,
        # set off by commas ("for talks in Ankara, Dmitry Peskov said" names someone else)
        comma = next((i for i in range(span.j, min(span.j + COMPLEMENT_REACH, len(words))) if words[i] == ","), None)
        after = next((m for m in range(k + 1, len(spans)) if spans[m].i == comma + 1), None) \
            if comma is not None else None
        if after is not None and (spans[after].kind == "cap" or (spans[after].kind == "actor"
                                                                 and spans[after].targets[0].kind == "person")) \
                and (spans[after].j >= len(words) or words[spans[after].j] in APPOSITION_ENDS):
            return after
    for m in range(k + 1, min(k + 3, len(spans))):
        cand = spans[m]
        gap = words[spans[m - 1].j:cand.i]
        if cand.kind == "cap" or (cand.kind == "actor" and cand.targets[0].kind == "person"):
            if not all(w == "," or w in lex.honorifics or (w == "." and n and gap[n - 1] in lex.honorifics)
                       for n, w in enumerate(gap)):  # "Prime Minister Hon. X"
                return None
            if cand.kind == "cap" and m + 1 < len(spans) and spans[m + 1].i == cand.j \
                    and spans[m + 1].kind == "actor" and spans[m + 1].targets[0].kind == "person":
                return m + 1  # unknown capitalised words right before a known name are its honorific
            return m
        if cand.kind == "actor" and cand.targets[0].kind in ("state", "org") and m == k + 1 \
                and words[span.j:cand.i] and (words[span.j].lower() in lex.role_links or (
                    posted and words[span.j].lower() in lex.role_postings
                    and all(w.lower() in lex.articles for w in words[span.j + 1:cand.i]))):
            continue  # "Minister of Lithuania Jane Roe", "Ambassador to Kuwait Jane Roe"
        return None
    return None


def _former(spans: list[Span], k: int, used: set[int], lower: Sequence[str], lex: Lexicon) -> bool:
    """Whether a word for an office left stands right before the role, or before its country ("former US
    President", "Ex-Präsident", "des ehemaligen russischen Präsidenten")."""
    start = min(spans[m].i for m in (k, *used))
    before = [w for w in lower[max(0, start - FORMER_REACH):start] if w not in HYPHENS]
    return bool(before) and (before[-1] in lex.former_words or (
        len(before) >= 2 and before[-2] in lex.former_words and before[-1][:1].isalpha()
        and before[-1] not in lex.articles and before[-1] not in lex.list_conjunctions))


def _person_mention(span: Span, sent: Sentence, words: list[str], kb: KnowledgeBase, day: date | None,
                    seen: _Seen, role: str | None = None, country: str | None = None,
                    office_key: str | None = None, beside: str | None = None) -> Mention | None:
    """The person a name span stands for; ``beside``: a state named right before the name ("Jordan's King
    Abdullah"), which tells apart people of one name."""
    start, end = sent.tokens[span.i].start, sent.tokens[span.j - 1].end
    # as written: tokens the text joins stay joined ("Jean-Marie", not "Jean - Marie")
    tokens = sent.tokens[span.i:span.j]
    surface = tokens[0].text + "".join(("" if t.start == prev.end else " ") + t.text
                                       for prev, t in zip(tokens, tokens[1:], strict=False))
    if span.kind == "cap":
        if span.j - span.i < 2:
            return None  # an unknown person is introduced with first and last name
        misspelt = _holder_named_alike(surface, office_key, country, kb, day)
        if misspelt is not None:
            # "Außenminister Daniel Mitrow", "Bolivian leader Eva Morales": the office's holder, misspelt
            return _person_mention(Span(span.i, span.j, "actor", (AliasTarget("person", misspelt.id, "name"),)),
                                   sent, words, kb, day, seen, role, country, office_key)
        if country is None:
            if office_key not in kb.offices or kb.offices[office_key].organisation:
                return None  # a spokesperson or secretary-general without a country or body: nobody's side
            # "met Prime Minister Jotham Napat in Port Vila": the meeting's place may tell the country
            return Mention("person", start, end, surface, name=surface, role=role, actor_type="GOV",
                           office=office_key, use="unplaced")
        mention = Mention("person", start, end, surface, name=surface, country=country, role=role,
                          actor_type="IGO" if country in kb.organisations else "GOV", office=office_key, use="unknown")
        seen.unknown[words[span.j - 1]] = mention
        return mention
    word = words[span.i] if span.j - span.i == 1 else None
    sharing = kb.first_names.get(word, frozenset()) if word else frozenset()
    named_first = [pid for pid in seen.people if pid in sharing]  # in the order the article named them
    if named_first:
        # "Sheikh Mohammed" after "Mohammed bin Abdulrahman": of several so named, the one named most often
        person = kb.people[max(named_first, key=lambda pid: (seen.mentions_of.get(pid, 0),
                                                             -named_first.index(pid)))]
    else:
        person = _pick_person(span.targets, kb, seen, day, country or beside)
    if person is None:
        return None
    if word and person.id not in seen.people and kb.first_names.get(word, frozenset()) - {person.id} \
            and not _holds(person, office_key, country, day):
        # also somebody else's first name: only the article's context decides, or the office named beside the
        # name, held by this person that day ("Sudanese Prime Minister Idris", "... Kamel Idris")
        return None
    if all(t.use == "short" for t in span.targets) and person.id not in seen.people \
            and not _in_office_near(person, day):
        return None  # a bare surname counts for people in office or named before ("Rice", "Power")
    if all(t.use == "folded" for t in span.targets) and person.id not in seen.people:
        return None  # a respelled surname alone ("Franken") only for someone the article has named
    held = person.office_on(day, kb.office_rank)
    if day is None:
        # an undated page: the office the text names, or the one it named before, not the person's latest
        held = _undated_office(person, office_key, country, seen, kb) or held
    office = held or _latest_office(person, day)
    if office is not None and kb.same_office(office_key, office.office):
        role = office.role  # the office's own title: "secretary of state" for a US foreign minister
    # an office held on the date decides the country; the text's word decides otherwise
    side = held.country if held else (country or (office.country if office else None))
    mention = Mention(
        "person", start, end, surface, key=person.id, name=person.name, country=side,
        role=role if role and role != "counterpart" else (office.role if office else None),
        actor_type=office.type if office else None, actor_id=person.id,
        office=office.office if office else None,
    )
    if any(t.use == "name" for t in span.targets):
        seen.people.setdefault(person.id, mention)
    elif person.id not in seen.people:
        seen.short_named.setdefault(person.id, mention)
    return mention


def _holds(person: Person, office: str | None, country: str | None, day: date | None) -> bool:
    return day is not None and office is not None and any(
        o.office == office and o.country == country and o.held_on(day) for o in person.offices)


def _named_earlier(office: str | None, country: str | None, seen: _Seen, kb: KnowledgeBase,
                   opening: bool = False) -> Mention | None:
    """The one person named earlier in the article who holds ``office`` (for ``country``)."""
    if office in (None, "counterpart"):
        return None
    def holding(named: dict[str, Mention]) -> dict[str | None, Mention]:
        return {m.key: m for m in named.values()
                if kb.same_office(office, m.office) and (country is None or m.country == country)}

    found = holding(seen.people) or holding(seen.short_named)  # named in full first
    if len(found) <= 1 or not opening:
        return next(iter(found.values())) if len(found) == 1 else None
    # "The president ..." opening a sentence, several named: the one the article is about, named most often
    counts = sorted(((seen.mentions_of.get(key or "", 0), key) for key in found), reverse=True)
    return found[counts[0][1]] if counts[0][0] > counts[1][0] else None


def _holder_named_alike(surface: str, office: str | None, country: str | None, kb: KnowledgeBase,
                        day: date | None) -> Person | None:
    """The holder of ``office`` (for ``country``, and on ``day``, where known) whose name the unknown name
    resembles closely: a typo or another transliteration of a known person named with their office."""
    if office not in kb.offices:
        return None
    written = kb.fold(surface)
    alike = {person.id: (person, day is None or o.held_on(day)) for (_, side), held in kb.holders_under[office]
             if country is None or side == country for o, person in held
             if any(_alike(written, kb.fold(name)) for name in (person.name, *person.aliases))}
    # the sentence's day may be another time's ("2013 begann der Bau, sagte Außenminister X"): any holder will do
    # where none held the office that day
    on_day = [person for person, held in alike.values() if held] or [person for person, _ in alike.values()]
    return on_day[0] if len(on_day) == 1 else None


def _alike(written: str, name: str) -> bool:
    """Nearly the same folded name; the cheap bounds first, as most names differ from the first letter."""
    if written[:1] != name[:1]:
        return False
    matcher = SequenceMatcher(None, written, name)
    return matcher.real_quick_ratio() >= NAME_LIKENESS and matcher.quick_ratio() >= NAME_LIKENESS \
        and matcher.ratio() >= NAME_LIKENESS


def _state_before(spans: list[Span], k: int, words: list[str]) -> str | None:
    """The state a span names right before span k, with a genitive between at most ("Jordan's", "jordanische")."""
    if k == 0 or spans[k - 1].kind != "actor" or len(spans[k - 1].targets) != 1:
        return None
    before = spans[k - 1]
    if before.targets[0].kind != "state" or not all(w in GENITIVE for w in words[before.j:spans[k].i]):
        return None
    return before.targets[0].key


def _pick_person(targets: tuple[AliasTarget, ...], kb: KnowledgeBase, seen: _Seen, day: date | None,
                 country: str | None) -> Person | None:
    """The one person a name may be; of several, the last the article has named, else the only one of the
    country named with the name, else the only one in office that day ("King Abdullah" in 2018 is Jordan's)."""
    ids = list(dict.fromkeys(t.key for t in targets if t.kind == "person"))
    if len(ids) == 1:
        return kb.people[ids[0]]
    named = [pid for pid in ids if pid in seen.people]
    if named:
        return kb.people[named[-1]]
    if any(t.use == "short" for t in targets):
        return None  # a bare surname shared by several: only the article's context decides
    if country is not None:
        ids = [pid for pid in ids if any(o.country == country for o in kb.people[pid].offices)]
    serving = [pid for pid in ids if kb.people[pid].office_on(day) is not None] if day is not None else ids
    return kb.people[serving[0]] if len(serving) == 1 else None


def _in_office_near(person: Person, day: date | None) -> bool:
    """In office on the day, or within months of it ("Ramaphosa had spoken to Trump in November",
    weeks before Trump's second term began)."""
    if person.office_on(day) is not None:
        return True
    if day is None:
        return False
    margin = timedelta(days=OFFICE_MARGIN_DAYS)
    return any(o.start - margin <= day <= (o.end or day) + margin for o in person.offices)


def _undated_office(person: Person, office_key: str | None, country: str | None, seen: _Seen,
                    kb: KnowledgeBase) -> Office | None:
    """Which of a person's offices an undated text means: the one its office word names ("Außenministerin
    Baerbock" is Germany's foreign minister, whatever she became later), else the one it gave the person before."""
    named = [o for o in person.offices if office_key is not None and kb.same_office(office_key, o.office)
             and (country is None or o.country == country)]
    if named:
        return max(named, key=lambda o: o.start)
    earlier = seen.people.get(person.id)
    if earlier is None:
        return None
    return next((o for o in person.offices if o.office == earlier.office and o.country == earlier.country), None)


def _latest_office(person: Person, day: date | None):
    """The office a person is named by on a day none of their terms covers: one starting within months after
    it (a president-elect is named by the presidency, not by an earlier ministry), else the last before it."""
    if day is None:
        return person.office_on(None)
    coming = [o for o in person.offices if day < o.start <= day + timedelta(days=OFFICE_MARGIN_DAYS)]
    if coming:
        return min(coming, key=lambda o: o.start)
    before = [o for o in person.offices if o.start <= day]
    return max(before, key=lambda o: o.start) if before else person.office_on(None)


def _unknown_by_surname(tokens: list[str], seen: _Seen) -> Mention | None:
    return seen.unknown.get(tokens[-1]) if tokens else None


def _is_location(spans: list[Span], k: int, lower: Sequence[str], lex: Lexicon) -> bool:
    span = spans[k]
    before = [w for w in lower[max(0, span.i - 2):span.i] if w not in lex.articles]
    return bool(before) and before[-1] in lex.location_preps


def _places(sent: Sentence, words: list[str], lower: Sequence[str], actor_at: list, kb: KnowledgeBase, lex: Lexicon,
            text: str) -> tuple[PlaceMention, ...]:
    """Places after a location preposition or a visiting verb, and the ones listed after them
    ("nach Paris und Warschau"); ``lower`` holds the words lower-cased, ``actor_at`` the actor names found at
    each."""
    out = []
    for i in [i for i, low in enumerate(lower) if low in lex.place_cues]:  # most words are none of these
        low = lower[i]
        if low in lex.where_words and i >= 2:
            # "Letzte Station war Katar, wo Scholz ... zusammentraf"
            for size in (1, 2, 3):
                start = i - 1 - size
                found = _place_at(sent, words, actor_at, start, kb, lex) if start >= 0 else None
                if found is not None and found[1] == size:
                    out.append(PlaceMention(found[0], start, False, found[2]))
                    break
        if low not in lex.location_preps and low not in lex.place_verbs:
            continue
        destination = low in lex.direction_preps
        late_object = low in lex.place_verbs and lex.place_object_reach > 0
        listed = _place_list(sent, words, lower, actor_at, i + 1, kb, lex, destination, genitive_first=late_object)
        out += listed or (_object_place(sent, words, lower, actor_at, i, kb, lex) if late_object else [])
    return tuple(out)


def _place_list(sent: Sentence, words: list[str], lower: Sequence[str], actor_at: list, j: int, kb: KnowledgeBase,
                lex: Lexicon, destination: bool, *, genitive_first: bool = False) -> list[PlaceMention]:
    """The place named at ``j`` (right after its cue word), and the ones listed after it ("nach Paris und
    Warschau"). With ``genitive_first``, a first place in the genitive before a noun is none ("besuchte Polens
    Präsident Duda": whose president, not what was visited)."""
    start = j
    listed: list[PlaceMention] = []
    while True:
        # "in Den Haag", "in El Alamein": an article may begin the name itself
        found = _place_at(sent, words, actor_at, j, kb, lex)
        while found is None and j < len(words) and (
                lower[j] in lex.articles or _describes_place(words, actor_at, j, lex)
                or (j > start and lower[j] in lex.place_links and lower[j - 1] in lex.place_nouns)):
            j += 1
            found = _place_at(sent, words, actor_at, j, kb, lex)
        if found is None:
            capital = _capital_named(sent, words, actor_at, j, kb, lex)
            if capital is not None:
                listed.append(PlaceMention(capital, j - 2, destination))
            return listed
        location, size, others = found
        if genitive_first and not listed and _genitive(words, j, size, kb, lex):
            return listed
        if not listed and location.city is None and _office_follows(words, j + size, kb, lex):
            return listed  # "visiting US Defence Secretary Austin": whose secretary, not a place visited
        listed.append(PlaceMention(location, j, destination, others))
        j += size
        if not (j + 1 < len(words) and (words[j] == "," or lower[j] in lex.side_words)):
            return listed
        j += 1
        if words[j - 1] == "," and j + 1 < len(words) and lower[j] in lex.side_words:
            j += 1  # the serial comma: "Kuwait, Bahrain, and Egypt"


def _office_follows(words: list[str], j: int, kb: KnowledgeBase, lex: Lexicon) -> bool:
    """An office's title begins at ``words[j]``."""
    roles = kb.roles.get(lex.language)
    return roles is not None and j < len(words) and roles.match_at(words, j) is not None


def _after_preposition(words: list[str], lower: Sequence[str], k: int, lo: int, lex: Lexicon) -> bool:
    """Whether a preposition governs the name at ``k``: the last word before it that is no capitalised word is
    one, with only articles and lower-case words between ("mit dem benachbarten Polen"); for a name listed
    after others, the word before the list ("mit Polen und Frankreich"). ``lo`` is where the search stops."""
    listed = k > lo and (lower[k - 1] in lex.list_conjunctions or words[k - 1] == ",")
    for m in range(k - 1, lo - 1, -1):
        if lower[m] in lex.prepositions:
            return True
        if words[m][:1].isupper() or not words[m].isalpha():
            if not (listed and (words[m] == "," or words[m][:1].isupper())):
                return False
    return False


def _genitive(words: list[str], j: int, size: int, kb: KnowledgeBase, lex: Lexicon) -> bool:
    """Whether the name at ``words[j:j + size]`` is a genitive before a noun ("Polens Präsident"): written with
    the language's genitive ending, its stem a name as well, and a capitalised noun after it."""
    k = j + size
    if not lex.capitalised_nouns or k >= len(words) or not (words[k][:1].isupper() and words[k].isalpha()):
        return False
    last = words[k - 1]
    for ending in lex.genitive_endings:
        if last.endswith(ending) and len(last) > len(ending) + 2:
            stem = [*words[j:k - 1], last[:-len(ending)]]
            if kb.actors.match_at(stem, 0) or kb.place_names.match_at(stem, 0):
                return True
    return False


def _object_place(sent: Sentence, words: list[str], lower: Sequence[str], actor_at: list, verb: int,
                  kb: KnowledgeBase, lex: Lexicon) -> list[PlaceMention]:
    """The place a visiting verb has for its object further off in its clause, where the language's word order
    puts it there: after the subject and adverbials ("Am Dienstag besuchte der Minister Polen"), or before a
    verb that ends its clause ("hat am Dienstag Polen besucht"). The first bare place name after the verb, else
    the first before it, with the places listed after it; none after a preposition, none before a noun
    ("Polens Präsident" is the president's)."""
    reach = lex.place_object_reach
    clause = clause_around(sent, verb, 1, max(0, verb - reach), min(len(words), verb + reach + 1))
    joins = lex.list_conjunctions | lex.clause_conjunctions

    def joins_verbs(k: int) -> bool:
        # a conjunction before a lower-case word joins another verb, not a name to a list ("und warnte", "und hat")
        return lower[k] in joins and k + 1 < len(words) and words[k + 1][:1].islower()

    # the verb's own words: up to another verb's ("besuchte ein Werk und warnte Russland"), and before the verb
    # back to one ("warnte Russland und hat Polen besucht"; "Serbien und Ungarn besucht" is one list)
    after = list(takewhile(lambda k: not joins_verbs(k), (k for k in clause if k > verb)))
    before = [k for k in clause if k < verb]
    before = before[max((n + 1 for n, k in enumerate(before) if joins_verbs(k)), default=0):]
    for region in (after, before):
        for k in region:
            if actor_at[k] is None and not kb.curated_places.match_at(words, k) \
                    and not kb.place_names.match_at(words, k):
                continue  # most words name no place
            if _after_preposition(words, lower, k, region[0], lex):
                continue
            # where the verb's subject went to, like a place after "nach"
            listed = _place_list(sent, words, lower, actor_at, k, kb, lex, True, genitive_first=True)
            if listed:
                return listed
    return []


def _describes_place(words: list[str], actor_at: list, j: int, lex: Lexicon) -> bool:
    """ "der vietnamesischen Hauptstadt", "the Indian capital", "im türkischen": words before a place name."""
    # as written: German nouns are capitalised, and an English capital "Port" begins a name ("Port Vila")
    word = words[j]
    if word in lex.place_nouns:
        return True
    if word.startswith(lex.compass_prefixes) and j + 1 < len(words) and words[j + 1][:1].isupper():
        return True  # "im südtürkischen Antalya", "der nordirakischen Stadt": a region of a state, written as one word
    hit = actor_at[j]
    # "der vietnamesischen Hauptstadt", or a name right after ("im türkischen Antalya")
    return bool(hit and hit[0] == 1 and hit[1][0].use == "adjective" and j + 1 < len(words)
                and ((words[j + 1] if lex.language == "de" else words[j + 1].lower()) in lex.place_nouns
                     or (lex.language == "de" and words[j][:1].islower() and words[j + 1][:1].isupper())))


def _capital_named(sent: Sentence, words: list[str], actor_at: list, j: int, kb: KnowledgeBase,
                   lex: Lexicon) -> Location | None:
    """ "in der polnischen Hauptstadt", "to the Polish capital" with no place name at ``j`` after it (the caller
    found none): that state's capital."""
    if j < 2 or words[j - 1] not in lex.capital_nouns:
        return None
    hit = actor_at[j - 2]
    target = hit[1][0] if hit and hit[0] == 1 else None
    if target is None or target.kind != "state" or target.use != "adjective":
        return None
    state = kb.states[target.key]
    capital = kb.city(state.capital, state.code) if state.capital else None
    return _city(capital, sent.tokens[j - 2].start, sent.tokens[j - 1].end) if capital is not None else None


def _place_at(sent: Sentence, words: list[str], actor_at: list, j: int, kb: KnowledgeBase,
              lex: Lexicon) -> tuple[Location, int, tuple[int, ...]] | None:
    if j >= len(words) or not words[j][:1].isupper():
        return None
    tok = sent.tokens[j]
    actor = actor_at[j]
    curated = kb.curated_places.match_at(words, j)
    if curated and (not actor or curated[0] >= actor[0]):
        size, ids = curated
    elif actor and actor[1][0].kind == "state" and actor[1][0].use in ("name", "metonym"):
        size, state = actor[0], kb.states[actor[1][0].key]
        end = sent.tokens[j + size - 1].end
        capital = kb.city(state.capital, state.code) if state.capital else None
        if actor[1][0].use == "metonym" and capital is not None:
            # "im Kreml", "at the White House": the seat of government is in the capital
            return _city(capital, tok.start, end), size, ()
        return Location(None, state.code, start=tok.start, end=end), size, ()
    elif general := kb.place_names.match_at(words, j):
        size, ids = general
        after = words[j + size] if j + size < len(words) else ""
        linked = words[j + size + 1] if after.lower() in lex.place_links and j + size + 1 < len(words) else ""
        if (size == 1 and words[j] in kb.place_stopwords.get(lex.language, ())) or \
                (after[:1].isupper() and after.isalpha() and lex.language != "de") or linked[:1].isupper():
            # an everyday word, a building named after a town ("Lancaster House"), or the first word of a longer
            # name ("the Horn of Africa")
            return None
    else:
        return None
    place = kb.best_place(ids)
    if place is None:
        return None
    others = tuple(i for i in ids if i != place.geonames_id)
    return _city(place, tok.start, sent.tokens[j + size - 1].end), size, others


def _city(place, start: int, end: int) -> Location:
    return Location(place.name, place.country, place.lat, place.lon, "city", place.geonames_id, start, end)
