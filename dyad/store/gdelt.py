"""GDELT 2.0: the event table (61 columns), the Mentions table (16) and a companion file of dyad's own fields.

Field by field after the GDELT 2.0 event codebook (docs/codebook.md says how each
is filled). A record of n sides gives its n(n-1)/2 pairs; a visit (042) also gives
the host's 043 row. GLOBALEVENTID is an integer derived from the record id, the pair
and the code, so the same store always exports the same ids; the companion file maps
it back to the record with dyad's date, precision and people. Tab-separated, no header,
as GDELT's own files.
"""

from __future__ import annotations

import csv
import hashlib
import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from datetime import date
from functools import lru_cache
from itertools import combinations
from typing import IO, Any
from urllib.parse import urlsplit

from dyad.nlp import split_sentences
from dyad.store.dyadic import event_day, ordered_sides
from dyad.store.geo import countries, country_name, is_organisation, organisations

GOLDSTEIN = {"036": 4.0, "040": 1.0, "041": 1.0, "042": 1.9, "043": 2.8, "044": 2.5, "045": 5.0, "046": 7.0}
GEO = ("Type", "FullName", "CountryCode", "ADM1Code", "ADM2Code", "Lat", "Long", "FeatureID")
ACTOR = ("Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode", "Religion1Code", "Religion2Code", "Type1Code",
         "Type2Code", "Type3Code")
EVENT_COLUMNS = [
    "GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate",
    *[f"Actor{n}{f}" for n in (1, 2) for f in ACTOR],
    "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale", "NumMentions",
    "NumSources", "NumArticles", "AvgTone",
    *[f"{g}Geo_{f}" for g in ("Actor1", "Actor2", "Action") for f in GEO],
    "DATEADDED", "SOURCEURL",
]
MENTION_COLUMNS = ["GLOBALEVENTID", "EventTimeDate", "MentionTimeDate", "MentionType", "MentionSourceName",
                   "MentionIdentifier", "SentenceID", "Actor1CharOffset", "Actor2CharOffset", "ActionCharOffset",
                   "InRawText", "Confidence", "MentionDocLen", "MentionDocTone", "MentionDocTranslationInfo", "Extras"]
COMPANION_COLUMNS = ["GLOBALEVENTID", "record_id", "status", "mode", "host", "date", "date_precision", "date_start",
                     "date_end", "sqldate_basis", "actor1_people", "actor1_roles", "actor1_actor_ids",
                     "actor2_people", "actor2_roles", "actor2_actor_ids", "geonames_id", "series", "round", "topics",
                     "n_sources", "announced_by"]
# the codebook's types (INTEGER, FLOAT, STRING), for typed loaders
_INTEGER = {"GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "IsRootEvent", "QuadClass", "NumMentions", "NumSources",
            "NumArticles", "Actor1Geo_Type", "Actor2Geo_Type", "ActionGeo_Type", "DATEADDED", "EventTimeDate",
            "MentionTimeDate", "MentionType", "SentenceID", "Actor1CharOffset", "Actor2CharOffset",
            "ActionCharOffset", "InRawText", "Confidence", "MentionDocLen"}
_FLOAT = {"FractionDate", "GoldsteinScale", "AvgTone", "Actor1Geo_Lat", "Actor1Geo_Long", "Actor2Geo_Lat",
          "Actor2Geo_Long", "ActionGeo_Lat", "ActionGeo_Long", "MentionDocTone"}
TYPES = {c: "INTEGER" if c in _INTEGER else "FLOAT" if c in _FLOAT else "STRING"
         for c in EVENT_COLUMNS + MENTION_COLUMNS}
assert len(EVENT_COLUMNS) == 61 and len(MENTION_COLUMNS) == 16


def write(records: Iterable[dict[str, Any]], out: IO, mentions: IO | None = None,
          companion: IO | None = None) -> int:
    """The event rows to ``out``; with ``mentions`` and ``companion``, those tables too. Returns event rows."""
    n = 0
    extra = csv.writer(companion, delimiter="\t", lineterminator="\n") if companion is not None else None
    if extra is not None:
        extra.writerow(COMPANION_COLUMNS)
    for record in records:
        for row in event_rows(record):
            out.write(_line(row["event"]))
            n += 1
            if mentions is not None:
                for mention in row["mentions"]:
                    mentions.write(_line(mention))
            if extra is not None:
                extra.writerow(["" if v is None else v for v in row["companion"]])
    return n


def _line(values: list) -> str:
    line = "\t".join(["" if v is None else v if type(v) is str else str(v) for v in values])
    if line.count("\t") != len(values) - 1 or "\n" in line or "\r" in line:
        # a tab or line break in a value (rare): each becomes a space, as it would end the cell or the row
        line = "\t".join(_cell(v) for v in values)
    return line + "\n"


def _cell(value: Any) -> str:
    return "" if value is None else str(value).replace("\t", " ").replace("\r", " ").replace("\n", " ")


def event_id(record_id: str, one: str, two: str, code: str) -> int:
    """A stable integer id below 2**60 (fits BigQuery's and pandas' int64)."""
    return int(hashlib.sha1(f"{record_id}|{one}|{two}|{code}".encode()).hexdigest()[:15], 16)


def event_rows(record: dict[str, Any]) -> Iterator[dict[str, list]]:
    day, basis = event_day(record)
    added = _added(record, day)
    code = "036" if record["status"] == "planned" else (record["cameo"] or "040")
    action_geo = _place_geo(record)
    remote = code == "041" or record["mode"] in ("phone", "video")
    names = [_source_name(s) for s in record["sources"]]
    n_mentions, n_sources = len(record["sources"]), len(set(names))
    n_articles = len({s["document_id"] for s in record["sources"]})
    first = record["sources"][0] if record["sources"] else None
    # the lead paragraph: no line break before the first report's evidence
    root = 1 if first is not None and "\n" not in first.get("text", "\n")[:first["evidence_start"]].lstrip() else 0
    sentences = [_sentence_number(s.get("text"), s["evidence_start"]) for s in record["sources"]]
    sides = ordered_sides(record)
    people: dict[str, list[dict[str, Any]]] = {side: [] for side in sides}  # each side's participants, in order
    for p in record["participants"]:
        if p["country"] in people:
            people[p["country"]].append(p)
    for one, two in combinations(sides, 2):
        codes = [(code, one, two)]
        if code == "042" and record["host"] == two:
            codes.append(("043", two, one))  # the host's side of the same visit
        for event_code, a, b in codes:
            gid = event_id(record["id"], a, b, event_code)
            actor_geo = [_country_geo(a) if remote else action_geo, _country_geo(b) if remote else action_geo]
            yield {"event": [
                gid, _int_day(day), day.year * 100 + day.month if day else None, day.year if day else None,
                f"{day.year + (day.month * 30 + day.day) / 365:.4f}" if day else None,
                *_actor(people[a], a), *_actor(people[b], b),
                root, event_code, event_code, event_code[:2], 1, GOLDSTEIN.get(event_code),
                n_mentions, n_sources, n_articles, None,
                *actor_geo[0], *actor_geo[1], *action_geo,
                added, record["source_url"] or (_citation(first) if first else None),
            ], "mentions": [_mention(gid, added, s, n, a, b, name)
                            for s, n, name in zip(record["sources"], sentences, names, strict=True)],
               "companion": _companion(gid, record, basis, people[a], people[b])}


def _int_day(day: date | None) -> int | None:
    return _yyyymmdd(day) if day else None


def _yyyymmdd(day: date) -> int:
    return day.year * 10000 + day.month * 100 + day.day  # as strftime("%Y%m%d"), without formatting a string


def _added(record: dict[str, Any], day: date | None) -> int | None:
    """DATEADDED: dyad keeps no ingest time, so the first report's publication day (else the event day), 00:00."""
    published = next((s["published"] for s in record["sources"] if s["published"]), None) or day
    return _yyyymmdd(published) * 1000000 if published else None


def _actor(people: list[dict[str, Any]], side: str) -> list:
    """The ten actor columns of one side (``people``, its participants): CAMEO code, name, country, known group
    and type."""
    names = "; ".join(p["name"] for p in people if p["name"])
    if is_organisation(side, people):
        org = organisations().get(side)
        group = org.cameo if org else None
        kind = org.type if org else "IGO"
        return [kind + (group or ""), names or country_name(side), None, group, None, None, None, kind, None, None]
    seen: dict[str, int] = {}
    for p in people:
        if p["actor_type"]:
            seen[p["actor_type"]] = seen.get(p["actor_type"], 0) + 1
    common = sorted(seen, key=seen.__getitem__, reverse=True)[:3]  # stable: ties in the order first seen
    types = [*common, *[None] * (3 - len(common))]
    return [side + (types[0] or ""), names or country_name(side), side, None, None, None, None, *types]


def _country_geo(code: str) -> list:
    country = countries().get(code)
    if country is None:
        return [None] * 8
    return [1, country.name, country.fips, country.fips, None, country.lat, country.lon, country.fips]


def _place_geo(record: dict[str, Any]) -> list:
    """ActionGeo: a city (type 3 in the United States, 4 elsewhere) or the country at its centroid (type 1)."""
    country = countries().get(record["country"] or "")
    if country is None:
        return [None] * 8
    if not record["city"]:
        return _country_geo(country.iso3)
    kind = 3 if country.iso3 == "USA" else 4
    # dyad knows no first-level division: ADM1Code is the country's FIPS code, as GDELT gives where it has none;
    # FeatureID stays blank (dyad's GeoNames ids are no GNS ids; the companion file has them)
    return [kind, f"{record['city']}, {country.name}", country.fips, country.fips, None, record["lat"], record["lon"],
            None]


def _source_name(source: dict[str, Any]) -> str:
    url = source["url"]
    netloc = NETLOC.match(url, url.index("://") + 3) if url and "://" in url else None
    host = _host(netloc.group()) if netloc else None
    return host or source["source"] or ""


NETLOC = re.compile(r"[^/?#]*")  # what follows "scheme://" up to the path, as urlsplit reads it


@lru_cache(maxsize=4096)  # a store's sources are a few thousand sites
def _host(netloc: str) -> str | None:
    host = urlsplit("//" + netloc).hostname
    return host.removeprefix("www.") if host else None


def _citation(source: dict[str, Any]) -> str:
    return " ".join(x for x in (source["source"], source["title"] or source["doc_key"]) if x)


def _mention(gid: int, added: int | None, source: dict[str, Any], sentence: int | None, one: str, two: str,
             name: str) -> list:
    web = bool(source["url"]) and source["url"].startswith(("http://", "https://"))
    published = _yyyymmdd(source["published"]) * 1000000 if source["published"] else added
    text = source.get("text")
    offsets: dict[str, int] = {}
    for p in source["participants"]:
        if p["country"] and p["evidence"]["start"] >= 0:
            offsets.setdefault(p["country"], p["evidence"]["start"])
    return [gid, added, published, 1 if web else 2, name,
            source["url"] if web else _citation(source), sentence,
            offsets.get(one, -1), offsets.get(two, -1), source["evidence_start"], 1, _confidence(source),
            len(text) if text is not None else None, None, None,
            f"dyad_record:{source['event_id']};evidence_end:{source['evidence_end']}"]


def _confidence(source: dict[str, Any]) -> int | None:
    """Confidence: the codebook's percentage (0-100), from the event's confidence (0-1); blank when unknown."""
    value = source.get("confidence")
    return None if value is None else max(0, min(100, round(value * 100)))


def _sentence_number(text: str | None, offset: int) -> int | None:
    """SentenceID: the 1-based number of the sentence the evidence starts in."""
    if text is None:
        return None
    starts = [s.start for s in split_sentences(text[:offset + 1])]
    return max(1, bisect_right(starts, offset))


def _companion(gid: int, record: dict[str, Any], basis: str, one: list[dict[str, Any]],
               two: list[dict[str, Any]]) -> list:
    def of(people: list[dict[str, Any]], key: str) -> str:
        return "|".join(p[key] or "" for p in people)

    return [gid, record["id"], record["status"], record["mode"], record["host"], record["date"],
            record["date_precision"], record["date_start"], record["date_end"], basis,
            of(one, "name"), of(one, "role"), of(one, "actor_id"), of(two, "name"), of(two, "role"),
            of(two, "actor_id"), record["geonames_id"], record["series"], record["round"],
            "|".join(record["topics"]), record["n_sources"], record["announced_by"]]


__all__ = ["COMPANION_COLUMNS", "EVENT_COLUMNS", "MENTION_COLUMNS", "TYPES", "event_id", "event_rows", "write"]
