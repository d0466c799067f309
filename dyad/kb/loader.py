"""Load and validate the knowledge base; build its matchers once."""

from __future__ import annotations

import csv
import hashlib
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import yaml

from dyad.errors import KnowledgeBaseError
from dyad.kb.phrases import PhraseIndex
from dyad.kb.records import AliasTarget, Movement, Office, OfficeKind, Organisation, Person, Place, State

DATA = Path(__file__).parent / "data"
LANGUAGES = ("de", "en")
FOLD_GATE = 4  # letters of a folded word checked before any longer respelled name is tried
GERMAN_ADJECTIVE_ENDINGS = ("", "e", "em", "en", "er", "es")
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class KnowledgeBase:
    version: str
    states: dict[str, State]
    organisations: dict[str, Organisation]
    people: dict[str, Person]
    places: dict[int, Place]
    offices: dict[str, OfficeKind]
    actors: PhraseIndex[AliasTarget]  # state, organisation and person names
    roles: dict[str, PhraseIndex[str]]  # per language: surface -> office key or "counterpart"
    place_names: PhraseIndex[int]  # every gazetteer name -> geonames ids
    curated_places: PhraseIndex[int]  # exonyms and well-known names only
    place_stopwords: dict[str, frozenset[str]]  # per language
    holders: dict[tuple[str, str], tuple[tuple[Office, Person], ...]] = field(repr=False)
    cities_by_name: dict[tuple[str, str], int] = field(repr=False)
    first_names: dict[str, frozenset[str]] = field(repr=False, default_factory=dict)  # first word -> people
    folded_names: dict[str, frozenset[str]] = field(repr=False, default_factory=dict)  # folded name -> people
    folded_prefixes: frozenset[str] = frozenset()  # first letters of every folded name: a cheap gate
    folds: tuple[tuple[str, str], ...] = ()
    movements: dict[str, Movement] = field(default_factory=dict)

    @cached_property
    def fold(self) -> Callable[[str], str]:
        """A spelling-insensitive key: ``kb.fold("Bairamow") == kb.fold("Bayramov")``. Remembered per name, as
        every capitalised word of a text is folded (mentions._folded_person) and names recur; the function
        itself is the attribute, so a call costs no method frame."""
        folds = self.folds
        return lru_cache(maxsize=1 << 16)(lambda name: fold_name(name, folds))

    def holder(self, office: str, country: str | None, day: date | None) -> Person | None:
        """Who held ``office`` for ``country`` on ``day`` (single holder only)."""
        if day is None or country is None:
            return None
        keys = [office] + [k for k, kind in self.offices.items() if kind.is_a == office]
        held = [(o.start, p) for key in keys for o, p in self.holders.get((key, country), ()) if o.held_on(day)]
        # on the day of a handover both records may count: the successor holds it
        return max(held, key=lambda h: h[0])[1] if held else None

    @cached_property
    def holders_under(self) -> dict[str, tuple[tuple[tuple[str, str], tuple[tuple[Office, Person], ...]], ...]]:
        """Per office, the ``holders`` entries of it and of the offices that are a kind of it, in the order of
        ``holders`` (so a lookup by office reads its own entries, not every office's)."""
        under: dict[str, list[tuple[tuple[str, str], tuple[tuple[Office, Person], ...]]]] = \
            {key: [] for key in self.offices}
        for key, held in self.holders.items():
            under[key[0]].append((key, held))
            kind_of = self.offices[key[0]].is_a
            if kind_of in under and kind_of != key[0]:
                under[kind_of].append((key, held))
        return {key: tuple(entries) for key, entries in under.items()}

    @cached_property
    def office_rank(self) -> dict[str, int]:
        """Offices in the order offices.yaml lists them, most senior first."""
        return {key: n for n, key in enumerate(self.offices)}

    def same_office(self, general: str | None, specific: str | None) -> bool:
        """Whether an office named in the text ("Regierungschef") covers one held ("prime_minister")."""
        return general is not None and (general == specific or (
            specific in self.offices and self.offices[specific].is_a == general))

    def side_code(self, code: str) -> str:
        """The code a side is written with: a body's organisation ("EP" is "EU"), else its own."""
        org = self.organisations.get(code)
        return org.part_of if org is not None and org.part_of else code

    def country_name(self, code: str) -> str:
        if code in self.states:
            return self.states[code].name
        if code in self.organisations:
            return self.organisations[code].name
        return code

    def city(self, name: str, country: str) -> Place | None:
        gid = self.cities_by_name.get((name, country))
        return self.places.get(gid) if gid is not None else None

    def best_place(self, ids: Iterable[int]) -> Place | None:
        places = [self.places[i] for i in ids if i in self.places]
        return max(places, key=lambda p: p.population) if places else None

    def ambiguous_aliases(self) -> list[str]:
        return [" ".join(k) for k, targets in self.actors.items() if len({(t.kind, t.key) for t in targets}) > 1]


def load_kb(extra: str | Path | None = None) -> KnowledgeBase:
    """The packaged knowledge base, plus the user's file if given (cached per process)."""
    return _load(str(extra) if extra else None)


@lru_cache(maxsize=4)
def _load(extra: str | None) -> KnowledgeBase:
    files = sorted(p for p in DATA.rglob("*") if p.is_file() and p.suffix in {".yaml", ".tsv", ".txt"})
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(DATA).as_posix().encode())
        digest.update(path.read_bytes())
    extra_data: dict[str, Any] = {}
    if extra:
        extra_path = Path(extra)
        try:
            digest.update(extra_path.read_bytes())
        except OSError as exc:
            raise KnowledgeBaseError(f"{extra}: cannot read: {exc.strerror}") from exc
        extra_data = _read_yaml(extra_path, dict)

    offices = {
        key: OfficeKind(key, _need(spec, "role", f"offices.yaml: {key}"), bool(spec.get("single_holder")),
                        bool(spec.get("organisation")), spec.get("is_a"), bool(spec.get("posted")))
        for key, spec in _read_yaml(DATA / "offices.yaml", dict).items()
    }
    states = _states(_read_yaml(DATA / "states.yaml", list) + extra_data.get("states", []))
    organisations = _organisations(
        _read_yaml(DATA / "organisations.yaml", list) + extra_data.get("organisations", [])
    )
    movements = _movements(_read_yaml(DATA / "movements.yaml", list) + extra_data.get("movements", []), states)
    people_records = []
    for path in sorted((DATA / "people").glob("*.yaml")):
        people_records += [(path.name, r) for r in _read_yaml(path, list)]
    people_records += [(str(extra), r) for r in extra_data.get("people", [])]
    people = _people(people_records, offices, str(extra) if extra else None)
    places = _places(DATA / "places.tsv") if (DATA / "places.tsv").exists() else {}
    english = _english_names(DATA / "english_names.tsv", places)
    geonames_names = {gid: places[gid].name for gid in english}  # still indexed, so "Köln" resolves as before
    places.update((gid, replace(places[gid], name=name)) for gid, name in english.items())
    for i, row in enumerate(extra_data.get("places", [])):
        place = _extra_place(row, f"{extra}: places[{i}]")
        places[place.geonames_id] = place

    actors: PhraseIndex[AliasTarget] = PhraseIndex()
    for state in states.values():
        for name in state.names:
            actors.add(name, AliasTarget("state", state.code, "name"))
        for adjective in state.adjectives:
            actors.add(adjective, AliasTarget("state", state.code, "adjective"))
        for metonym in state.metonyms:
            actors.add(metonym, AliasTarget("state", state.code, "metonym"))
        for prefix in state.prefixes:
            actors.add(prefix, AliasTarget("state", state.code, "prefix"))
    for org in organisations.values():
        for name in org.names:
            actors.add(name, AliasTarget("org", org.code, "name"))
        for abbreviation in org.abbreviations:
            actors.add(abbreviation, AliasTarget("org", org.code, "abbreviation"))
    for movement in movements.values():
        for name in movement.names:
            actors.add(name, AliasTarget("movement", movement.code, "name"))
    for person in people.values():
        actors.add(person.name, AliasTarget("person", person.id, "name"))
        for alias in person.aliases:
            use = "short" if len(alias.split()) == 1 else "name"
            actors.add(alias, AliasTarget("person", person.id, use))

    roles = {lang: _roles(lang, offices, extra_data.get("roles", {}).get(lang, {})) for lang in LANGUAGES}
    place_names: PhraseIndex[int] = PhraseIndex()
    cities_by_name: dict[tuple[str, str], int] = {}
    for place in sorted(places.values(), key=lambda p: -p.population):
        for name in filter(None, (place.name, geonames_names.get(place.geonames_id))):
            place_names.add(name, place.geonames_id)
            if "-" in name:
                place_names.add(name.replace("-", " "), place.geonames_id)  # "Port Vila" for GeoNames' "Port-Vila"
            cities_by_name.setdefault((name, place.country), place.geonames_id)
    curated: PhraseIndex[int] = PhraseIndex()
    for gid, name in english.items():
        curated.add(name, gid)
    for lang in LANGUAGES:
        path = DATA / "lang" / lang / "exonyms.tsv"
        for line_no, row in enumerate(_tsv(path) if path.exists() else (), 1):
            if len(row) < 3:
                raise KnowledgeBaseError(f"{path.name}:{line_no}: expected name, english_name, country")
            gid = cities_by_name.get((row[1], row[2]))
            if gid is not None:
                curated.add(row[0], gid)
                place_names.add(row[0], gid)
    for state in states.values():
        if state.capital and (gid := cities_by_name.get((state.capital, state.code))):
            curated.add(state.capital, gid)
    stopwords: dict[str, frozenset[str]] = {}
    for lang in LANGUAGES:
        path = DATA / "lang" / lang / "place_stopwords.txt"
        lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
        stopwords[lang] = frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))

    first_names: dict[str, set[str]] = {}
    for person in people.values():
        for name in (person.name, *person.aliases):
            words = name.split()
            if len(words) > 1:
                first_names.setdefault(words[0], set()).add(person.id)
    folds = tuple((str(a), str(b)) for a, b in _read_yaml(DATA / "translit.yaml", dict).get("folds", []))
    folded: dict[str, set[str]] = {}
    for person in people.values():
        for name in (person.name, *person.aliases):
            key = fold_name(name, folds)
            if len(key) >= 5:
                folded.setdefault(key, set()).add(person.id)
    for person in people.values():
        for name in (person.name, *person.aliases):
            # a hyphenated name may be written with a space ("Abdel Fattah el Sisi"), not the reverse: "Al-Jaber"
            # at the end of a Kuwaiti name is no "Al Jaber"; nor is a surname alone so spelt a full name ("Al
            # Sheikh"), nor a spelling that is someone else's name ("Kim Jong-il" as "Kim Yong Il")
            spaced = name.replace("-", " ")
            if spaced == name or len(spaced.split()) < 3:
                continue
            key = fold_name(spaced, folds)
            if not folded.get(key, set()) - {person.id}:
                folded.setdefault(key, set()).add(person.id)
    holders: dict[tuple[str, str], list[tuple[Office, Person]]] = {}
    for person in people.values():
        for office in person.offices:
            holders.setdefault((office.office, office.country), []).append((office, person))
    return KnowledgeBase(
        version="sha256:" + digest.hexdigest()[:16],
        states=states,
        organisations=organisations,
        people=people,
        places=places,
        offices=offices,
        actors=actors,
        roles=roles,
        place_names=place_names,
        curated_places=curated,
        place_stopwords=stopwords,
        holders={k: tuple(v) for k, v in holders.items()},
        cities_by_name=cities_by_name,
        first_names={k: frozenset(v) for k, v in first_names.items()},
        folded_names={k: frozenset(v) for k, v in folded.items()},
        folded_prefixes=frozenset(k[:n] for k in folded for n in range(1, FOLD_GATE + 1)),
        folds=folds,
        movements=movements,
    )


def fold_name(name: str, folds: tuple[tuple[str, str], ...]) -> str:
    text = unicodedata.normalize("NFKD", name.lower())
    text = "".join(c for c in text if not unicodedata.combining(c) and (c.isalnum() or c == " "))
    for old, new in folds:
        text = text.replace(old, new)
    return " ".join(text.split())


def _read_yaml(path: Path, kind: type) -> Any:
    try:
        with path.open(encoding="utf-8") as f:
            data = yaml.load(f, Loader=Loader)
    except OSError as exc:
        raise KnowledgeBaseError(f"{path}: cannot read: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise KnowledgeBaseError(f"{path}: not valid YAML: {exc}") from exc
    if data is None:
        return kind()
    if not isinstance(data, kind):
        raise KnowledgeBaseError(f"{path}: expected a {kind.__name__} at the top level")
    return data


def _tsv(path: Path) -> Iterable[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            if row and not row[0].startswith("#"):
                yield row


def _need(record: dict, key: str, where: str) -> Any:
    value = record.get(key)
    if value in (None, "", []):
        raise KnowledgeBaseError(f"{where}: missing field '{key}'")
    return value


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise KnowledgeBaseError(f"{where}: expected a list of strings")
    return tuple(v for v in value if v.strip())


def _states(records: list[dict]) -> dict[str, State]:
    states: dict[str, State] = {}
    for i, r in enumerate(records):
        where = f"states.yaml: entry {i} ({r.get('code', '?')})"
        code = _need(r, "code", where)
        en, de = r.get("en") or {}, r.get("de") or {}
        metonyms = r.get("metonyms") or {}
        german_adjectives = [
            stem + ending for stem in _strings(de.get("adjectives"), where + " de.adjectives")
            for ending in GERMAN_ADJECTIVE_ENDINGS
        ]
        states[code] = State(
            code=code,
            name=_need(r, "name", where),
            capital=r.get("capital"),
            names=_strings(en.get("names"), where) + _strings(de.get("names"), where),
            adjectives=_strings(en.get("adjectives"), where) + tuple(german_adjectives),
            metonyms=_strings(metonyms.get("en"), where) + _strings(metonyms.get("de"), where),
            prefixes=_strings(de.get("prefixes"), where) + _strings(en.get("prefixes"), where),
        )
    return states


def _organisations(records: list[dict]) -> dict[str, Organisation]:
    orgs: dict[str, Organisation] = {}
    for i, r in enumerate(records):
        where = f"organisations.yaml: entry {i} ({r.get('code', '?')})"
        code = _need(r, "code", where)
        names: tuple[str, ...] = ()
        abbreviations: tuple[str, ...] = ()
        for lang in LANGUAGES:
            part = r.get(lang) or {}
            names += _strings(part.get("names"), where)
            abbreviations += _strings(part.get("abbreviations"), where)
        orgs[code] = Organisation(code, _need(r, "name", where), r.get("type") or "IGO", names, abbreviations,
                                  r.get("seat"), r.get("part_of"))
    for org in orgs.values():
        if org.part_of is not None and org.part_of not in orgs:
            raise KnowledgeBaseError(f"organisations.yaml: {org.code}: part_of '{org.part_of}' is no organisation")
    return orgs


def _movements(records: list[dict], states: dict[str, State]) -> dict[str, Movement]:
    movements: dict[str, Movement] = {}
    for i, r in enumerate(records):
        where = f"movements.yaml: entry {i} ({r.get('code', '?')})"
        code, country = _need(r, "code", where), _need(r, "country", where)
        if country not in states:
            raise KnowledgeBaseError(f"{where}: country '{country}' is no state")
        names: tuple[str, ...] = ()
        for lang in LANGUAGES:
            names += _strings((r.get(lang) or {}).get("names"), where)
        movements[code] = Movement(code, _need(r, "name", where), country, r.get("type") or "REB", names)
    return movements


def _people(records: list[tuple[str, dict]], offices: dict[str, OfficeKind],
            extra: str | None = None) -> dict[str, Person]:
    """People by id; a record of the ``extra`` file replaces a curated one of the same id, but two curated
    records of one id are an error (the later would silently replace the earlier)."""
    people: dict[str, Person] = {}
    defined_in: dict[str, str] = {}
    for file, r in records:
        where = f"{file}: person {r.get('id', '?')}"
        pid = _need(r, "id", where)
        if pid in defined_in and file != extra:
            raise KnowledgeBaseError(f"{where}: the id is already defined in {defined_in[pid]}")
        defined_in[pid] = file
        aliases = r.get("aliases") or {}
        if isinstance(aliases, dict):
            alias_list = tuple(a for lang in aliases.values() for a in _strings(lang, where + " aliases"))
        else:
            alias_list = _strings(aliases, where + " aliases")
        person_offices = []
        for j, o in enumerate(r.get("offices") or []):
            owhere = f"{where} offices[{j}]"
            key = _need(o, "office", owhere)
            if key not in offices:
                raise KnowledgeBaseError(f"{owhere}: unknown office '{key}'")
            start, precision = _date(_need(o, "start", owhere), owhere + " start")
            end = _date(o["end"], owhere + " end", last=True)[0] if o.get("end") else None
            person_offices.append(
                Office(key, o.get("title") or offices[key].role, _need(o, "country", owhere),
                       o.get("type") or "GOV", start, end, precision)
            )
        people[pid] = Person(
            id=pid,
            name=_need(r, "name", where),
            source=r.get("source") or "",
            aliases=alias_list,
            offices=tuple(person_offices),
            family_name_first=bool(r.get("family_name_first")),
        )
    return people


def _date(value: Any, where: str, last: bool = False) -> tuple[date, str]:
    """A YYYY-MM-DD or YYYY-MM value; a month-only end means the month's last day."""
    if isinstance(value, date):
        return value, "day"
    text = str(value)
    try:
        if len(text) == 7:
            year, month = int(text[:4]), int(text[5:7])
            if last:
                nxt = date(year + month // 12, month % 12 + 1, 1)
                return date.fromordinal(nxt.toordinal() - 1), "month"
            return date(year, month, 1), "month"
        if len(text) == 4:
            return (date(int(text), 12, 31) if last else date(int(text), 1, 1)), "year"
        return date.fromisoformat(text), "day"
    except ValueError as exc:
        raise KnowledgeBaseError(f"{where}: not a date: {text!r}") from exc


def _roles(lang: str, offices: dict[str, OfficeKind], extra: dict) -> PhraseIndex[str]:
    index: PhraseIndex[str] = PhraseIndex(fold_case=(lang == "en"))
    path = DATA / "lang" / lang / "roles.yaml"
    data = _read_yaml(path, dict) if path.exists() else {}
    for source, mapping in ((path.name, data), ("--kb-extra roles", extra)):
        for key, forms in mapping.items():
            if key != "counterpart" and key not in offices:
                raise KnowledgeBaseError(f"{lang}/{source}: unknown office '{key}'")
            for form in _strings(forms, f"{lang}/{source}: {key}"):
                index.add(form, key)
    return index


def _places(path: Path) -> dict[int, Place]:
    places = {}
    for row in _tsv(path):
        gid = int(row[0])
        places[gid] = Place(gid, row[1], row[2], float(row[3]), float(row[4]), int(row[5]))
    return places


def _english_names(path: Path, places: dict[int, Place]) -> dict[int, str]:
    """english_names.tsv: the English name to output for a place whose GeoNames name is not it."""
    names: dict[int, str] = {}
    for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines() if path.exists() else (), 1):
        if not line.strip() or line.startswith("#"):
            continue
        row = line.split("\t")
        if len(row) != 2 or not row[0].isdigit() or not row[1].strip():
            raise KnowledgeBaseError(f"{path.name}:{line_no}: expected geonames_id, english name")
        gid = int(row[0])
        if gid not in places:
            raise KnowledgeBaseError(f"{path.name}:{line_no}: GeoNames id {gid} is not in places.tsv")
        if gid in names:
            raise KnowledgeBaseError(f"{path.name}:{line_no}: GeoNames id {gid} is listed twice")
        names[gid] = row[1].strip()
    return names


def _extra_place(row: dict, where: str) -> Place:
    return Place(int(_need(row, "geonames_id", where)), _need(row, "name", where), _need(row, "country", where),
                 float(_need(row, "lat", where)), float(_need(row, "lon", where)), int(row.get("population") or 0))
