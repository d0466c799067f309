// dyad dashboard: timeline, network and map over the same filtered records.
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

function params() {
  const form = new FormData(document.getElementById("filters"));
  const q = new URLSearchParams({ limit: "500", order: "oldest" });
  for (const [k, v] of form.entries()) if (String(v).trim()) q.set(k, String(v).trim());
  return q;
}

async function load() {
  const response = await fetch("/events?" + params().toString());
  const count = document.getElementById("count");
  if (!response.ok) {
    const problem = await response.json();
    count.textContent = "Filter not understood: " + JSON.stringify(problem.detail);
    return;
  }
  const data = await response.json();
  count.textContent = `${data.total}${data.total_exceeds ? "+" : ""} meetings` +
    (data.total > data.items.length ? ` (showing ${data.items.length})` : "");
  timeline(data.items);
  network(data.items);
  map(data.items);
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
  for (const t of [lo, (lo + hi) / 2, hi]) {
    el("text", { x: x(t), y: height - 8, "text-anchor": "middle", "font-size": 10 }, svg).textContent =
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

function network(items) {
  const svg = document.getElementById("network");
  clear(svg);
  const width = svg.clientWidth || 600, height = 380;
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  const nodes = new Map(), edges = new Map();
  for (const r of items) {
    const sides = r.countries.map(c => {
      const people = r.actors.filter(a => a.country === c);
      return people.length ? people.map(a => ({ id: "p:" + a.actor, label: a.name || a.actor, kind: "person" }))
                           : [{ id: "s:" + c, label: c, kind: "state" }];
    });
    const flat = sides.flat();
    for (const n of flat) nodes.set(n.id, n);
    for (let i = 0; i < sides.length; i++) for (let j = i + 1; j < sides.length; j++)
      for (const a of sides[i]) for (const b of sides[j]) {
        const key = a.id < b.id ? a.id + "|" + b.id : b.id + "|" + a.id;
        edges.set(key, (edges.get(key) || 0) + 1);
      }
  }
  const degree = new Map();
  for (const [k, w] of edges) for (const id of k.split("|")) degree.set(id, (degree.get(id) || 0) + w);
  // the 60 busiest actors keep the picture readable; the filters reach the rest
  const list = [...nodes.values()].sort((a, b) => (degree.get(b.id) || 0) - (degree.get(a.id) || 0)).slice(0, 60);
  const index = new Map(list.map((n, i) => [n.id, i]));
  list.forEach((n, i) => { const a = 2 * Math.PI * i / list.length; n.x = width / 2 + 150 * Math.cos(a); n.y = height / 2 + 150 * Math.sin(a); });
  const links = [...edges.entries()].map(([k, w]) => { const [a, b] = k.split("|"); return { a: index.get(a), b: index.get(b), w }; })
    .filter(l => l.a !== undefined && l.b !== undefined);
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
      n.x = Math.max(20, Math.min(width - 90, n.x + disp[i][0] / d * Math.min(d, temp)));
      n.y = Math.max(15, Math.min(height - 15, n.y + disp[i][1] / d * Math.min(d, temp)));
    });
  }
  for (const l of links) {
    const line = el("line", { x1: list[l.a].x, y1: list[l.a].y, x2: list[l.b].x, y2: list[l.b].y,
      class: "edge", "stroke-width": Math.min(8, 0.8 + l.w) }, svg);
    el("title", {}, line).textContent = `${list[l.a].label} – ${list[l.b].label}: ${l.w}`;
  }
  for (const n of list) {
    const g = el("g", { class: "node " + n.kind, "data-id": n.id }, svg);
    el("circle", { cx: n.x, cy: n.y, r: n.kind === "state" ? 6 : 5 }, g);
    el("text", { x: n.x + 7, y: n.y + 3 }, g).textContent = n.label;
  }
}

function project(lon, lat) { return [(lon + 180) * 2, (90 - lat) * 2]; }

async function map(items) {
  const svg = document.getElementById("map");
  clear(svg);
  if (!world) world = await (await fetch("/static/world.json")).json();
  const countryOnly = new Set(items.filter(r => r.country && !r.city).map(r => r.country));
  for (const c of world) {
    // a ring that crosses the antimeridian is drawn in pieces, never across the whole map
    const d = c.rings.map(ring => ring.map(([lon, lat], i) =>
      (i === 0 || Math.abs(lon - ring[i - 1][0]) > 180 ? "M" : "L") + project(lon, lat).join(",")).join("")).join("");
    const path = el("path", { d, class: "country" + (countryOnly.has(c.iso3) ? " met" : ""), "data-iso3": c.iso3 || "" }, svg);
    el("title", {}, path).textContent = c.name;
  }
  for (const r of items.filter(r => r.city && r.lat !== null && r.lon !== null)) {
    const [px, py] = project(r.lon, r.lat);
    const dot = el("circle", { cx: px, cy: py, r: 3.5, class: "place city", "data-id": r.id }, svg);
    el("title", {}, dot).textContent = `${r.city}: ${r.countries.join("–")} ${r.date || ""}`;
    dot.addEventListener("click", () => showEvent(r.id));
  }
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
    const from = Math.max(0, s.evidence_start - 300), to = Math.min(doc.text.length, s.evidence_end + 300);
    context.appendChild(document.createTextNode(doc.text.slice(from, s.evidence_start)));
    html("mark", doc.text.slice(s.evidence_start, s.evidence_end), context);
    context.appendChild(document.createTextNode(doc.text.slice(s.evidence_end, to)));
  }
}

document.getElementById("filters").addEventListener("submit", e => { e.preventDefault(); load(); });
load();
