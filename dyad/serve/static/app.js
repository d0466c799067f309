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
  count.textContent = `${data.total} meetings` + (data.total > data.items.length ? ` (showing ${data.items.length})` : "");
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
  const list = [...nodes.values()].slice(0, 150);
  const index = new Map(list.map((n, i) => [n.id, i]));
  list.forEach((n, i) => { const a = 2 * Math.PI * i / list.length; n.x = width / 2 + 150 * Math.cos(a); n.y = height / 2 + 150 * Math.sin(a); });
  const links = [...edges.entries()].map(([k, w]) => { const [a, b] = k.split("|"); return { a: index.get(a), b: index.get(b), w }; })
    .filter(l => l.a !== undefined && l.b !== undefined);
  for (let step = 0; step < 250; step++) {   // a small spring layout: enough for a few hundred nodes
    for (let i = 0; i < list.length; i++) for (let j = i + 1; j < list.length; j++) {
      const p = list[i], q = list[j];
      let dx = p.x - q.x, dy = p.y - q.y, d2 = dx * dx + dy * dy + 0.01;
      const f = 400 / d2;
      p.x += dx * f; p.y += dy * f; q.x -= dx * f; q.y -= dy * f;
    }
    for (const l of links) {
      const p = list[l.a], q = list[l.b];
      const dx = q.x - p.x, dy = q.y - p.y;
      p.x += dx * 0.02; p.y += dy * 0.02; q.x -= dx * 0.02; q.y -= dy * 0.02;
    }
    for (const n of list) { n.x = Math.max(20, Math.min(width - 20, n.x)); n.y = Math.max(15, Math.min(height - 15, n.y)); }
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
    const d = c.rings.map(ring => "M" + ring.map(([lon, lat]) => project(lon, lat).join(",")).join("L") + "Z").join("");
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
