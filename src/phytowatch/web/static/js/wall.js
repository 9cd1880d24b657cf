// The wall: one tile per facility, built once from /api/v1/wall, then kept live by the event
// stream (`runs` each second, `run`, `alarm`). Tiles are updated in place: an event only marks
// tiles dirty, and the DOM is touched once per animation frame, for the dirty tiles alone, and
// only where a text actually changed; the order is recomputed at most once a second.
import { T, local, utcTitle, progress, listen, liveBadge } from "./common.js";

const STATES = {
  alarm: [0, "⚠"], failed: [1, "✕"], offline: [2, "⊘"], holding: [3, "●"],
  waiting: [4, "◔"], passed: [5, "✓"], idle: [6, "○"],
};
const wall = document.getElementById("wall");
const filters = document.getElementById("wall-filters");
const count = document.getElementById("wall-count");
const tiles = new Map(); // facility code -> tile
const dirty = new Set();
let frame = 0;
let orderChanged = true;
let lastSort = 0;
let arranged = false; // the first picture is sorted at once
let refreshTimer = 0;

const URGENT = new Set(["critical", "major"]); // minor alarms and warnings: the badge only

function stateOf(f) {
  // offline: nothing received (server time) for longer than the schedule's interval during a run,
  // which is what the facility_silent alarm says; a device clock running behind is not offline
  const open = (a) => a.state !== "cleared";
  const urgent = (a) => a.state === "active" && URGENT.has(a.severity) && a.kind !== "facility_silent";
  if (f.alarms.some(urgent)) return "alarm";
  if (f.run && f.alarms.some((a) => open(a) && a.kind === "facility_silent")) return "offline";
  if (f.run) return f.run.phase === "HOLDING" ? "holding" : "waiting";
  if (f.last?.verdict === "FAIL") return "failed";
  if (f.last?.verdict === "PASS") return "passed";
  return "idle";
}

function etaOf(f) {
  if (!f.run) return null;
  const hold = f.run.holds?.[0];
  return hold?.earliest_end || f.run.earliest_end || f.eta || null;
}

function governing(f) {
  if (!f.run) return "";
  const entries = Object.entries(f.run.governing || {});
  if (!entries.length || entries[0][1] == null) return "–";
  const [criterion, value] = entries[0];
  return `${Number(value).toFixed(1)}${criterion.includes("rh") ? " %" : " °C"}`;
}

function element(tag, cls, parent) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  parent.append(node);
  return node;
}

function make(f) {
  const el = document.createElement("a");
  el.className = "tile";
  const code = element("div", "code", el);
  const ent = element("div", "ent", el);
  const st = element("div", "st", el);
  const icon = element("span", "", st);
  icon.setAttribute("aria-hidden", "true");
  const word = element("span", "", st);
  const val = element("div", "val", el);
  const prog = element("div", "prog", el);
  const bar = element("span", "bar", prog);
  const fill = element("i", "", bar);
  const progText = element("span", "", prog);
  const eta = element("div", "eta", el);
  const badge = element("span", "badge", el);
  const name = document.documentElement.lang === "zh-CN" ? f.enterprise_zh : f.enterprise_en;
  code.textContent = f.code;
  ent.textContent = `${name || f.enterprise} · ${f.city} · ${T[f.kind] || f.kind}`;
  ent.title = `${f.enterprise_zh} / ${f.enterprise_en} (${f.enterprise})`;
  return { f, el, parts: { icon, word, val, prog, fill, progText, eta, badge }, seen: {}, state: "" };
}

function set(tile, key, node, value, prop = "textContent") {
  if (tile.seen[key] === value) return;
  tile.seen[key] = value;
  node[prop] = value;
}

function paint(tile) {
  const { f, el, parts } = tile;
  const state = stateOf(f);
  if (state !== tile.state) {
    if (tile.state) {
      el.classList.remove("changed");
      void el.offsetWidth; // restart the flash
      el.classList.add("changed");
    }
    el.classList.remove(`s-${tile.state}`);
    el.classList.add(`s-${state}`);
    tile.state = state;
    orderChanged = true;
  }
  set(tile, "icon", parts.icon, STATES[state][1]);
  set(tile, "word", parts.word, T[state]);
  const href = f.run ? `/runs/${f.run.id}` : f.last ? `/runs/${f.last.id}` : `/facilities/${encodeURIComponent(f.code)}`;
  set(tile, "href", el, href, "href");
  const verdict = f.last ? (f.last.verdict === "PASS" ? T.passed : f.last.verdict === "FAIL" ? T.failed : "") : "";
  set(tile, "val", parts.val, f.run ? governing(f) : f.last ? `#${f.last.id} ${verdict}` : T.no_run);
  const hold = f.run?.holds?.[0];
  if (hold && hold.duration_s) {
    const pct = Math.min(100, (100 * hold.elapsed_s) / hold.duration_s);
    set(tile, "fill", parts.fill.style, `${pct.toFixed(1)}%`, "width");
    set(tile, "progText", parts.progText, progress(hold.elapsed_s, hold.duration_s));
    set(tile, "progHidden", parts.prog, false, "hidden");
  } else {
    set(tile, "progHidden", parts.prog, true, "hidden");
  }
  const eta = etaOf(f);
  set(tile, "eta", parts.eta, eta ? `${T.eta} ${local(eta)}` : "");
  set(tile, "etaTitle", parts.eta, eta ? utcTitle(eta) : "", "title");
  const active = f.alarms.filter((a) => a.state === "active").length;
  const total = f.alarms.length;
  set(tile, "badge", parts.badge, total ? `⚠ ${total}` : "");
  set(tile, "badgeHidden", parts.badge, total === 0, "hidden");
  set(tile, "badgeClass", parts.badge, active ? "badge" : "badge acked", "className");
  set(tile, "badgeTitle", parts.badge, total ? `${total} ${T.alarms}` : "", "title");
  const key = `${STATES[state][0]}|${eta || "~"}`;
  if (tile.sortKey !== key) { tile.sortKey = key; orderChanged = true; }
}

function visible(tile) {
  const want = Object.fromEntries(new FormData(filters));
  const f = tile.f;
  return (!want.city || f.city === want.city) && (!want.kind || f.kind === want.kind)
    && (!want.state || tile.state === want.state)
    && (!want.enterprise || f.enterprise === want.enterprise);
}

function compare(sort) {
  if (sort === "code") return (a, b) => a.f.code.localeCompare(b.f.code);
  const eta = (t) => (etaOf(t.f) ? Date.parse(etaOf(t.f)) : Infinity);
  if (sort === "eta") return (a, b) => eta(a) - eta(b) || a.f.code.localeCompare(b.f.code);
  return (a, b) => STATES[a.state][0] - STATES[b.state][0] || eta(a) - eta(b)
    || a.f.code.localeCompare(b.f.code);
}

function arrange(force = false) {
  const now = performance.now();
  if (!force && arranged && (!orderChanged || now - lastSort < 1000)) return;
  arranged = true;
  orderChanged = false;
  lastSort = now;
  const all = [...tiles.values()];
  all.sort(compare(filters.sort.value));
  let shown = 0;
  let previous = null;
  for (const tile of all) {
    const show = visible(tile);
    if (tile.el.hidden === show) tile.el.hidden = !show;
    if (show) shown += 1;
    // move a tile only when it is not already after its predecessor
    const expected = previous ? previous.el.nextSibling : wall.firstChild;
    if (expected !== tile.el) wall.insertBefore(tile.el, expected);
    previous = tile;
  }
  count.textContent = `${shown} ${T.of} ${all.length} ${T.shown}`;
}

// what the DOM work costs, for the benchmark (benchmarks/pages.py) and the curious
const stats = (window.pwWall = { frames: 0, ms: 0, maxMs: 0, tilesPainted: 0, painted: 0, live: 0 });

function flush() {
  const started = performance.now();
  frame = 0;
  stats.tilesPainted += dirty.size;
  for (const tile of dirty) paint(tile);
  dirty.clear();
  arrange();
  const took = performance.now() - started;
  stats.frames += 1;
  stats.ms += took;
  stats.maxMs = Math.max(stats.maxMs, took);
  if (!stats.painted && tiles.size) {
    stats.painted = performance.now();
    document.body.dataset.wallPainted = "1";
  }
}

function touch(tile) {
  dirty.add(tile);
  if (!frame) frame = requestAnimationFrame(flush);
}

function fillFilter(name, values) {
  const select = filters[name];
  const keep = select.value || wanted.get(name) || "";
  for (const [value, label] of values) {
    if (![...select.options].some((o) => o.value === value)) select.add(new Option(label, value));
  }
  select.value = keep;
  if (select.value !== keep) select.value = "";
}

function load(rows) {
  const seen = new Set();
  for (const f of rows) {
    seen.add(f.code);
    let tile = tiles.get(f.code);
    if (!tile) {
      tile = make(f);
      tiles.set(f.code, tile);
      wall.append(tile.el);
    } else tile.f = f;
    touch(tile);
  }
  for (const [code, tile] of tiles) if (!seen.has(code)) { tile.el.remove(); tiles.delete(code); }
  const zh = document.documentElement.lang === "zh-CN";
  const uniq = (pairs) => [...new Map(pairs).entries()].sort((a, b) => a[1].localeCompare(b[1]));
  fillFilter("city", uniq(rows.map((f) => [f.city, f.city])));
  fillFilter("kind", uniq(rows.map((f) => [f.kind, T[f.kind] || f.kind])));
  fillFilter("enterprise", uniq(rows.map((f) => [f.enterprise, `${f.enterprise} · ${zh ? f.enterprise_zh : f.enterprise_en}`])));
  arranged = false;
  wall.setAttribute("aria-busy", "false");
}

async function fetchWall() {
  const answer = await fetch("/api/v1/wall", { credentials: "same-origin" });
  if (answer.status === 401) { window.location.assign(`/login?next=${encodeURIComponent("/wall")}`); return; }
  if (!answer.ok) throw new Error(`wall: ${answer.status}`);
  const body = await answer.json();
  if (!tiles.size) wall.textContent = "";
  load(body.facilities);
  document.body.dataset.wallLoaded = String(tiles.size);
}

function refreshSoon() {
  if (!refreshTimer) refreshTimer = setTimeout(() => { refreshTimer = 0; fetchWall(); }, 1500);
}

function onRuns(data) {
  const open = new Set();
  for (const run of data.runs) {
    const tile = tiles.get(run.facility);
    if (!tile) continue;
    open.add(run.facility);
    const before = tile.f.run;
    if (!before || before.id !== run.id || before.phase !== run.phase || before.stale !== run.stale
        || before.last_sample !== run.last_sample || JSON.stringify(before.governing) !== JSON.stringify(run.governing)
        || JSON.stringify(before.holds) !== JSON.stringify(run.holds)) {
      tile.f.run = { ...run };
      touch(tile);
    }
  }
  for (const tile of tiles.values()) {
    if (tile.f.run && !open.has(tile.f.code)) { tile.f.run = null; touch(tile); refreshSoon(); }
  }
  document.body.dataset.lastRuns = data.at;
  if (!stats.live) stats.live = performance.now();
}

function onRun(data) {
  const tile = tiles.get(data.facility);
  if (!tile) return;
  if (data.kind === "closed") {
    tile.f.run = null;
    tile.f.last = { id: data.run, verdict: data.phase, closed_at: data.at };
  } else if (tile.f.run && tile.f.run.id === data.run) {
    tile.f.run.phase = data.phase;
  } else refreshSoon();
  touch(tile);
}

function onAlarm(data) {
  const alarm = data.alarm;
  const tile = tiles.get(alarm.facility);
  if (!tile) return;
  const rest = tile.f.alarms.filter((a) => a.id !== alarm.id);
  tile.f.alarms = data.change === "cleared" ? rest
    : [...rest, { id: alarm.id, kind: alarm.kind, severity: alarm.severity, state: alarm.state }];
  touch(tile);
}

// the filters live in the address (a wall display can be bookmarked as /wall?city=赣州&state=alarm)
const wanted = new URLSearchParams(window.location.search);
filters.addEventListener("change", () => {
  const query = new URLSearchParams();
  for (const [name, value] of new FormData(filters)) {
    if (value && !(name === "sort" && value === "urgency")) query.set(name, value);
  }
  const search = query.toString();
  history.replaceState(null, "", search ? `?${search}` : window.location.pathname);
  arrange(true);
});
setInterval(() => arrange(), 1000);
for (const name of ["state", "sort"]) if (wanted.get(name)) filters[name].value = wanted.get(name);
// once a minute the whole picture again: facilities added, predicted ends of runs started since
setInterval(() => fetchWall().catch(() => {}), 60_000);
fetchWall().then(() => {
  listen({ runs: onRuns, run: onRun, alarm: onAlarm }, liveBadge(document.getElementById("wall-live")));
});
