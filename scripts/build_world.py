"""Build the dashboard's world outline from Natural Earth data (public domain).

    npm pack world-atlas@2 && tar xzf world-atlas-2.0.2.tgz
    python scripts/build_world.py package/countries-110m.json dyad/serve/static/world.json

Decodes the TopoJSON into one list of rings per country, keyed by ISO alpha-3 (longitude and
latitude rounded to 0.1 degree), a compact file the dashboard draws as SVG.
"""

import json
import sys


def _alpha3(numeric) -> str | None:
    import pycountry

    if numeric is None:
        return None
    country = pycountry.countries.get(numeric=str(numeric).zfill(3))
    return country.alpha_3 if country else None


def decode(topo: dict) -> list[dict]:
    scale, translate = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((round(x * scale[0] + translate[0], 1), round(y * scale[1] + translate[1], 1)))
        arcs.append(points)

    def ring(indexes):
        out = []
        for i in indexes:
            part = arcs[i] if i >= 0 else arcs[~i][::-1]
            out.extend(part if not out else part[1:])
        return out

    countries = []
    for geo in topo["objects"]["countries"]["geometries"]:
        polygons = geo.get("arcs", [])
        if geo["type"] == "Polygon":
            polygons = [polygons]
        rings = [ring(r) for polygon in polygons for r in polygon]
        countries.append({"iso3": _alpha3(geo.get("id")), "name": geo.get("properties", {}).get("name", ""),
                          "rings": rings})
    return countries


if __name__ == "__main__":
    source, target = sys.argv[1], sys.argv[2]
    with open(source, encoding="utf-8") as f:
        topo = json.load(f)
    with open(target, "w", encoding="utf-8") as f:
        json.dump(decode(topo), f, separators=(",", ":"))
