// dyad dashboard: timeline, counts per month, table, network and map over the same filtered records.
// Article text is untrusted: it only ever reaches the page through textContent.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
let world = null;

function el(name, attrs = {}, parent = null) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (parent) parent.appendChild(node);
  return node;
}

function html(name, text, parent, cls) {
  const node = document.createElement(name);
  if (text !== undefined && text !== null) node.textContent = text;
  if (cls) node.className = cls;
  if (parent) parent.appendChild(node);
  return node;
}

function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

let TABLE_PAGE = 25;
const PALETTE = ["#1d3557", "#e76f51", "#2a9d8f", "#e9c46a", "#8338ec", "#f4a261", "#457b9d", "#6a994e", "#bc4749", "#999"];
const state = { sort: "date", offset: 0, items: [] };

// the filters: the form, seeded once from the page's own address (so a view can be shared as a link)
function filters() {
  const form = new FormData(document.getElementById("filters"));
  const q = new URLSearchParams();
  for (const [k, v] of form.entries()) if (String(v).trim()) q.set(k, String(v).trim());
  return q;
}

function seedFilters() {
  const given = new URLSearchParams(window.location.search);
  const form = document.getElementById("filters");
  for (const [k, v] of given.entries()) if (form.elements[k]) form.elements[k].value = v;
  TABLE_PAGE = Math.min(500, Math.max(1, parseInt(given.get("rows") || "25", 10) || 25));
  return Math.min(500, Math.max(1, parseInt(given.get("limit") || "500", 10) || 500));
}
const DRAW_LIMIT = seedFilters();

function describe(problem) {
  // FastAPI's validation errors, as one readable line per parameter
  const detail = problem && problem.detail;
  if (!Array.isArray(detail)) return typeof detail === "string" ? detail : "the server did not understand the filters";
  const hints = { from: "a date: YYYY, YYYY-MM or YYYY-MM-DD", to: "a date: YYYY, YYYY-MM or YYYY-MM-DD",
    country: "a country code such as CHN", with: "a country code such as RUS" };
  return detail.map(d => { const name = d.loc[d.loc.length - 1]; return `${name} must be ${hints[name] || d.msg}`; }).join("; ");
}

async function fetchJson(url) {
  const response = await fetch(url);
  if (!response.ok) {
    let problem = null;
    try { problem = await response.json(); } catch (e) { problem = null; }
    throw new Error(describe(problem));
  }
  return response.json();
}

async function load() {
  const count = document.getElementById("count");
  count.classList.remove("error");
  clearEvent();
  state.offset = 0;
  const q = filters();
  q.set("limit", String(DRAW_LIMIT));
  q.set("order", "newest");
  downloads();
  // the table and the counts are asked for at once with the records to draw, and each is drawn when it comes;
  // a filter the server refuses is reported once, by the records' request
  const others = Promise.all([table().catch(() => null), counts().catch(() => null)]);
  let data;
  try { data = await fetchJson("/events?" + q.toString()); } catch (e) {
    count.textContent = "Filter not understood: " + e.message;
    count.classList.add("error");
    return;
  }
  state.items = data.items;
  count.textContent = `${data.total}${data.total_exceeds ? "+" : ""} meetings` +
    (data.total > data.items.length ? ` (the newest ${data.items.length} drawn)` : "");
  timeline(data.items);
  network();
  map(data.items);
  await others;
}

function clearEvent() {
  const box = document.getElementById("event");
  clear(box);
  html("p", "Click a meeting on the timeline, the table or the map.", box, "hint");
}

function downloads() {
  for (const format of ["csv", "json"]) {
    const q = filters();
    q.set("format", format);
    q.set("sort", state.sort);
    document.getElementById("download-" + format).href = "/events/download?" + q.toString();
  }
}

async function table() {
  const q = filters();
  q.set("limit", String(TABLE_PAGE));
  q.set("offset", String(state.offset));
  q.set("sort", state.sort);
  const body = document.querySelector("#table tbody");
  let data;
  try { data = await fetchJson("/events?" + q.toString()); } catch (e) {
    clear(body);
    document.getElementById("page").textContent = "";
    throw e;
  }
  clear(body);
  for (const r of data.items) {
    const row = html("tr", null, body);
    row.dataset.id = r.id;
    html("td", r.date || "—", row);
    html("td", r.countries.join("–"), row);
    html("td", r.actors.map(a => a.name || a.actor).join(", "), row);
    html("td", [r.city, r.country].filter(Boolean).join(", "), row);
    html("td", r.status, row);
    html("td", String(r.n_sources), row, "sources");
    html("td", r.evidence_text, row, "evidence").title = r.evidence_text || "";
    row.addEventListener("click", () => showEvent(r.id));
  }
  const last = Math.min(data.total, state.offset + data.items.length);
  document.getElementById("page").textContent =
    data.total ? `${state.offset + 1}–${last} of ${data.total}${data.total_exceeds ? "+" : ""}` : "none";
  document.getElementById("prev").disabled = state.offset === 0;
  document.getElementById("next").disabled = last >= data.total;
  for (const b of document.querySelectorAll("button.sort")) b.classList.toggle("active", b.dataset.sort === state.sort);
}

async function counts() {
  const svg = document.getElementById("counts");
  const legend = document.getElementById("counts-legend");
  clear(svg); clear(legend);
  const q = filters();
  q.set("by", document.getElementById("counts-by").value);
  const rows = await fetchJson("/counts?" + q.toString());
  const width = svg.clientWidth || 900, height = 180, left = 34, bottom = 22;
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  if (!rows.length) { el("text", { x: 10, y: 20 }, svg).textContent = "No dated meetings."; return; }
  const months = [...new Set(rows.map(r => r.month))].sort();
  // every month between the first and the last, so gaps show as zeros
  const all = [];
  for (let [y, m] = months[0].split("-").map(Number); ; m++) {
    if (m > 12) { m = 1; y++; }
    const key = `${y}-${String(m).padStart(2, "0")}`;
    all.push(key);
    if (key >= months[months.length - 1] || all.length > 600) break;
  }
  const keys = [...new Set(rows.map(r => r.key))];
  const value = new Map(rows.map(r => [r.key + "@" + r.month, r.meetings]));
  const top = Math.max(1, ...rows.map(r => r.meetings));
  const x = i => left + (width - left - 10) * (all.length === 1 ? 0.5 : i / (all.length - 1));
  const y = v => height - bottom - (height - bottom - 10) * v / top;
  el("line", { x1: left, x2: width - 10, y1: y(0), y2: y(0), stroke: "#999" }, svg);
  el("text", { x: 4, y: y(top) + 4, "font-size": 10 }, svg).textContent = String(top);
  el("text", { x: 4, y: y(0), "font-size": 10 }, svg).textContent = "0";
  // the first and last labels end at the plot's edges, not half outside it
  [[0, "start"], [Math.floor((all.length - 1) / 2), "middle"], [all.length - 1, "end"]].forEach(([i, anchor]) => {
    el("text", { x: x(i), y: height - 6, "text-anchor": anchor, "font-size": 10 }, svg).textContent = all[i];
  });
  keys.forEach((key, k) => {
    const color = PALETTE[k % PALETTE.length];
    const points = all.map((m, i) => `${x(i)},${y(value.get(key + "@" + m) || 0)}`).join(" ");
    const line = el("polyline", { points, class: "series", stroke: color, "data-key": key }, svg);
    el("title", {}, line).textContent = key;
    all.forEach((m, i) => {
      const v = value.get(key + "@" + m);
      if (!v) return;
      const dot = el("circle", { cx: x(i), cy: y(v), r: 2.5, fill: color, class: "count", "data-key": key,
        "data-month": m, "data-meetings": v }, svg);
      el("title", {}, dot).textContent = `${key} ${m}: ${v}`;
    });
    const item = html("span", null, legend, "key");
    const swatch = html("span", null, item, "swatch");
    swatch.style.background = color;
    item.appendChild(document.createTextNode(" " + key + " "));
  });
}

function dayOf(record) {
  if (!record.date) return null;
  const d = record.date.length === 4 ? record.date + "-07-01" : record.date.length === 7 ? record.date + "-15" : record.date;
  return new Date(d + "T00:00:00Z").getTime();
}

function timeline(items) {
  const svg = document.getElementById("timeline");
  clear(svg);
  const width = svg.clientWidth || 900, height = 150;
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  const dated = items.filter(r => dayOf(r) !== null);
  if (!dated.length) { el("text", { x: 10, y: 20 }, svg).textContent = "No dated meetings."; return; }
  const times = dated.map(dayOf);
  let lo = Math.min(...times), hi = Math.max(...times);
  if (hi === lo) { lo -= 86400000 * 15; hi += 86400000 * 15; }
  const x = t => 20 + (width - 40) * (t - lo) / (hi - lo);
  el("line", { x1: 20, x2: width - 20, y1: height - 25, y2: height - 25, stroke: "#999" }, svg);
  for (const [t, anchor] of [[lo, "start"], [(lo + hi) / 2, "middle"], [hi, "end"]]) {
    el("text", { x: x(t), y: height - 8, "text-anchor": anchor, "font-size": 10 }, svg).textContent =
      new Date(t).toISOString().slice(0, 10);
  }
  const lanes = {};
  for (const r of dated) {
    const px = Math.round(x(dayOf(r)) / 6);
    lanes[px] = (lanes[px] || 0) + 1;
    const dot = el("circle", { cx: x(dayOf(r)), cy: height - 32 - 9 * ((lanes[px] - 1) % 11), r: 4,
      class: `event ${r.status}`, "data-id": r.id }, svg);
    el("title", {}, dot).textContent = `${r.date} ${r.countries.join("–")}`;
    dot.addEventListener("click", () => showEvent(r.id));
  }
}

function network() {
  const svg = document.getElementById("network");
  clear(svg);
  const width = svg.clientWidth || 600, height = 380;
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  const kind = document.getElementById("network-kind").value;
  const topN = Math.max(2, parseInt(document.getElementById("network-top").value, 10) || 30);
  const minimum = parseInt(document.getElementById("network-min").value, 10) || 1;
  document.getElementById("network-min-value").textContent = String(minimum) + (minimum === 1 ? " meeting" : " meetings");
  const nodes = new Map(), edges = new Map(), meetings = new Map();
  for (const r of state.items) {
    // states and people apart: a side is its state, or each of its people (the state where it names none)
    const sides = r.countries.map(c => {
      if (kind === "state") return [{ id: "s:" + c, label: c, kind: "state" }];
      const people = r.actors.filter(a => a.country === c);
      return people.map(a => ({ id: "p:" + a.actor, label: a.name || a.actor, kind: "person" }));
    });
    for (const n of sides.flat()) { nodes.set(n.id, n); meetings.set(n.id, (meetings.get(n.id) || 0) + 1); }
    for (let i = 0; i < sides.length; i++) for (let j = i + 1; j < sides.length; j++)
      for (const a of sides[i]) for (const b of sides[j]) {
        if (a.id === b.id) continue;
        const key = a.id < b.id ? a.id + "|" + b.id : b.id + "|" + a.id;
        edges.set(key, (edges.get(key) || 0) + 1);
      }
  }
  // the busiest actors, and only ties of at least the chosen number of meetings
  const list = [...nodes.values()].sort((a, b) => (meetings.get(b.id) - meetings.get(a.id)) || a.label.localeCompare(b.label))
    .slice(0, topN);
  const index = new Map(list.map((n, i) => [n.id, i]));
  const links = [...edges.entries()].filter(([, w]) => w >= minimum)
    .map(([k, w]) => { const [a, b] = k.split("|"); return { a: index.get(a), b: index.get(b), w }; })
    .filter(l => l.a !== undefined && l.b !== undefined);
  if (!list.length) { el("text", { x: 10, y: 20 }, svg).textContent = "No actors."; return; }
  layout(list, links, width, height);
  for (const l of links) {
    const line = el("line", { x1: list[l.a].x, y1: list[l.a].y, x2: list[l.b].x, y2: list[l.b].y,
      class: "edge", "stroke-width": Math.min(8, 0.8 + l.w), "data-weight": l.w }, svg);
    el("title", {}, line).textContent = `${list[l.a].label} – ${list[l.b].label}: ${l.w}`;
  }
  const placed = [];
  for (const n of list) {
    const g = el("g", { class: "node " + n.kind, "data-id": n.id, "data-meetings": meetings.get(n.id) }, svg);
    el("circle", { cx: n.x, cy: n.y, r: 4 + Math.min(8, Math.sqrt(meetings.get(n.id))) }, g);
    el("title", {}, g).textContent = `${n.label}: ${meetings.get(n.id)} meetings`;
    label(svg, g, n, placed, width, height);
  }
}

function layout(list, links, width, height) {
  list.forEach((n, i) => { const a = 2 * Math.PI * i / list.length; n.x = width / 2 + 150 * Math.cos(a); n.y = height / 2 + 150 * Math.sin(a); });
  const k = Math.sqrt(width * height / Math.max(1, list.length)) * 0.6;   // ideal edge length
  for (let step = 0; step < 300; step++) {   // Fruchterman-Reingold with cooling and a pull to the centre
    const temp = 20 * (1 - step / 300) + 0.5;
    const disp = list.map(() => [0, 0]);
    for (let i = 0; i < list.length; i++) for (let j = i + 1; j < list.length; j++) {
      const dx = list[i].x - list[j].x, dy = list[i].y - list[j].y, d = Math.sqrt(dx * dx + dy * dy) + 0.01;
      const f = k * k / d;
      disp[i][0] += dx / d * f; disp[i][1] += dy / d * f; disp[j][0] -= dx / d * f; disp[j][1] -= dy / d * f;
    }
    for (const l of links) {
      const dx = list[l.a].x - list[l.b].x, dy = list[l.a].y - list[l.b].y, d = Math.sqrt(dx * dx + dy * dy) + 0.01;
      const f = d * d / k;
      disp[l.a][0] -= dx / d * f; disp[l.a][1] -= dy / d * f; disp[l.b][0] += dx / d * f; disp[l.b][1] += dy / d * f;
    }
    list.forEach((n, i) => {
      disp[i][0] += (width / 2 - n.x) * 0.05; disp[i][1] += (height / 2 - n.y) * 0.05;
      const d = Math.sqrt(disp[i][0] ** 2 + disp[i][1] ** 2) + 0.01;
      n.x = Math.max(20, Math.min(width - 20, n.x + disp[i][0] / d * Math.min(d, temp)));
      n.y = Math.max(15, Math.min(height - 15, n.y + disp[i][1] / d * Math.min(d, temp)));
    });
  }
}

function label(svg, g, n, placed, width, height) {
  // right, left, above or below the node, wherever it overlaps no label placed before; else none (the tooltip stays)
  const text = el("text", { x: n.x, y: n.y }, g);
  text.textContent = n.label;
  const box = text.getBBox();
  const w = box.width, h = box.height || 10;
  const options = [[n.x + 9, n.y + h / 3], [n.x - 9 - w, n.y + h / 3], [n.x - w / 2, n.y - 9], [n.x - w / 2, n.y + h + 6]];
  for (const [x, y] of options) {
    const rect = { x, y: y - h * 0.8, w, h };
    if (rect.x < 0 || rect.x + w > width || rect.y < 0 || rect.y + h > height) continue;
    if (placed.some(p => rect.x < p.x + p.w && p.x < rect.x + rect.w && rect.y < p.y + p.h && p.y < rect.y + rect.h)) continue;
    text.setAttribute("x", x); text.setAttribute("y", y);
    placed.push(rect);
    return;
  }
  g.removeChild(text);
}

function project(lon, lat) { return [(lon + 180) * 2, (90 - lat) * 2]; }

function centroid(rings) {
  // the area centroid of the largest ring, as the exports place a country (dyad/store/geo.py)
  let best = null, bestArea = -1;
  for (let ring of rings) {
    const lons = ring.map(p => p[0]);
    if (Math.max(...lons) - Math.min(...lons) > 180) ring = ring.map(([x, y]) => [x < 0 ? x + 360 : x, y]);
    let a = 0, cx = 0, cy = 0;
    ring.forEach(([x0, y0], i) => { const [x1, y1] = ring[(i + 1) % ring.length]; const c = x0 * y1 - x1 * y0; a += c; cx += (x0 + x1) * c; cy += (y0 + y1) * c; });
    if (a && Math.abs(a) > bestArea) { bestArea = Math.abs(a); const lon = cx / (3 * a); best = [lon > 180 ? lon - 360 : lon, cy / (3 * a)]; }
  }
  return best;
}

async function map(items) {
  const svg = document.getElementById("map");
  clear(svg);
  if (!world) world = await (await fetch("/static/world.json")).json();
  const centres = new Map();
  for (const c of world) {
    // a ring that crosses the antimeridian is drawn in pieces, never across the whole map
    const d = c.rings.map(ring => ring.map(([lon, lat], i) =>
      (i === 0 || Math.abs(lon - ring[i - 1][0]) > 180 ? "M" : "L") + project(lon, lat).join(",")).join("")).join("");
    const path = el("path", { d, class: "country", "data-iso3": c.iso3 || "" }, svg);
    el("title", {}, path).textContent = c.name;
    if (c.iso3) centres.set(c.iso3, centroid(c.rings));
  }
  // one mark per place, its area proportional to the meetings there: big countries no longer dominate
  const places = new Map();
  for (const r of items) {
    let key, lonlat, kind;
    if (r.city && r.lat !== null && r.lon !== null) { key = "c:" + r.city + "|" + r.country; lonlat = [r.lon, r.lat]; kind = "city"; }
    else if (r.country && centres.get(r.country)) { key = "n:" + r.country; lonlat = centres.get(r.country); kind = "country"; }
    else continue;
    if (!places.has(key)) places.set(key, { lonlat, kind, name: r.city || r.country, records: [] });
    places.get(key).records.push(r);
  }
  const sorted = [...places.values()].sort((a, b) => b.records.length - a.records.length);  // small marks on top
  for (const p of sorted) {
    const [px, py] = project(p.lonlat[0], p.lonlat[1]);
    const dot = el("circle", { cx: px, cy: py, r: 2.5 + 2.5 * Math.sqrt(p.records.length - 1), class: "place " + p.kind,
      "data-id": p.records[0].id, "data-meetings": p.records.length }, svg);
    el("title", {}, dot).textContent = `${p.name}: ${p.records.length} meeting${p.records.length > 1 ? "s" : ""}`;
    dot.addEventListener("click", () => showEvent(p.records[0].id));
  }
}

function unitOffsets(text, points) {
  // the server's offsets count code points (Python's), a JavaScript string UTF-16 units: an emoji is one of the
  // first and two of the second. Every offset from the server becomes an index into a string here, and only here.
  const wanted = [...points].sort((a, b) => a - b), found = new Map();
  let point = 0, unit = 0;
  for (const p of wanted) {
    while (point < p && unit < text.length) { unit += text.codePointAt(unit) > 0xffff ? 2 : 1; point++; }
    found.set(p, unit);
  }
  return points.map(p => found.get(p));
}

async function showEvent(id) {
  const box = document.getElementById("event");
  clear(box);
  const response = await fetch("/events/" + encodeURIComponent(id));
  if (!response.ok) { html("p", "Not found.", box); return; }
  const r = await response.json();
  html("h3", `${r.countries.join(" – ")} · ${r.date || "date unknown"} · ${r.status}`, box);
  html("p", [r.city, r.country].filter(Boolean).join(", ") || "place unknown", box);
  for (const s of r.sources) {
    const div = html("div", null, box, "source");
    const link = html("a", s.title || s.url || s.doc_key, div);
    if (s.url && /^https?:\/\//.test(s.url)) { link.href = s.url; link.rel = "noopener noreferrer"; link.target = "_blank"; }
    html("p", s.participants.map(p => `${p.name || p.role || "—"} (${p.country})`).join(" · "), div);
    const context = html("p", null, div, "context");
    const doc = await (await fetch("/documents/" + s.document_id)).json();
    const [from, start, end, to] = unitOffsets(doc.text,
      [Math.max(0, s.evidence_start - 300), s.evidence_start, s.evidence_end, s.evidence_end + 300]);
    context.appendChild(document.createTextNode(doc.text.slice(from, start)));
    html("mark", doc.text.slice(start, end), context);
    context.appendChild(document.createTextNode(doc.text.slice(end, to)));
  }
}

document.getElementById("filters").addEventListener("submit", e => { e.preventDefault(); load(); });
document.getElementById("counts-by").addEventListener("change", () => counts());
for (const id of ["network-kind", "network-top", "network-min"]) document.getElementById(id).addEventListener("input", () => network());
document.getElementById("prev").addEventListener("click", () => { state.offset = Math.max(0, state.offset - TABLE_PAGE); table(); });
document.getElementById("next").addEventListener("click", () => { state.offset += TABLE_PAGE; table(); });
for (const b of document.querySelectorAll("button.sort")) b.addEventListener("click", () => {
  state.sort = b.dataset.sort; state.offset = 0; table(); downloads();
});
load();
