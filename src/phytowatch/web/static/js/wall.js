// The wall: one tile per facility, built once from /api/v1/wall, then kept live by the event
// stream (`runs` each second, `run`, `alarm`). Tiles are updated in place: an event only marks
// tiles dirty, and the DOM is touched once per animation frame, for the dirty tiles alone, and
// only where a text actually changed; the order and the counts are recomputed at most once a
// second (an ETA that moved: every ten seconds). A tile's state and the filters follow the rules of web/wall.py (tile_state, states_of,
// WallFilter, state_counts): the server says each tile's state in the first picture, this
// script keeps it live with the same rules.
import { T, local, utcTitle, listen, liveBadge } from "./common.js";
import { runProgress } from "./progress.js";

const W = JSON.parse(document.getElementById("wall-words")?.textContent || "{}");
// state -> [urgency, icon]; the order of web/wall.py TileState
const STATES = {
  alarm: [0, "⚠"], failed: [1, "✕"], rejected: [2, "⊗"], offline: [3, "⊘"], review: [4, "◐"],
  holding: [5, "●"], waiting: [6, "◔"], passed: [7, "✓"], idle: [8, "○"],
};
// the counts at the top, each a filter, and the states each stands for (web/wall.py GROUPS)
const GROUPS = {
  alarm: ["alarm"], offline: ["offline"], running: ["holding", "waiting"], failed: ["failed"],
  rejected: ["rejected"], review: ["review"], passed: ["passed"], idle: ["idle"],
};
const FILTERS = { ...GROUPS, holding: ["holding"], waiting: ["waiting"] };
const LAST_STATE = { not_signable: "failed", rejected: "rejected", findings_to_review: "review", awaiting_signoff: "review" };
const URGENT = new Set(["critical", "major"]); // minor alarms and warnings: the badge only
const ZH = document.documentElement.lang === "zh-CN";
const CALM = window.matchMedia("(prefers-reduced-motion: reduce)");
const FLASH = [{ boxShadow: "0 0 0 4px #ffb000" }, { boxShadow: "0 0 0 0 transparent" }];

const wall = document.getElementById("wall");
const filters = document.getElementById("wall-filters");
const count = document.getElementById("wall-count");
const countBar = document.getElementById("wall-counts");
const tiles = new Map(); // facility code -> tile
const headers = new Map(); // city -> its heading, when grouped by city
const dirty = new Set();
let frame = 0;
let orderChanged = true; // a state changed: the counts and the order, within a second
let etaChanged = false; // an ETA changed: the order, within ETA_SORT_MS
const ETA_SORT_MS = 10_000;
let lastSort = 0;
let arranged = false; // the first picture is sorted at once
let refreshTimer = 0;

function wordOf(key) { return W[key] || T[key] || key; }
// the registry keeps a city by its Chinese name; the server adds its English one
function cityName(f) { return (ZH ? f.city : f.city_en) || f.city; }

function alarmed(f) {
  // an unacknowledged critical or major alarm other than silence (the others: the badge only)
  return f.alarms.some((a) => a.state === "active" && URGENT.has(a.severity) && a.kind !== "facility_silent");
}

function runStateOf(f) {
  // offline: nothing received (server time) for longer than the schedule's interval during a run,
  // which is what the facility_silent alarm says; a device clock running behind is not offline
  if (f.run && f.alarms.some((a) => a.state !== "cleared" && a.kind === "facility_silent")) return "offline";
  if (f.run) return f.run.phase === "HOLDING" ? "holding" : "waiting";
  if (!f.last) return "idle";
  if (f.last.clean) return "passed";
  return LAST_STATE[f.last.review] || "review";
}

/** The tile's state (an alarm first) and every state it is in (its run's, and alarm). */
function statesOf(f) {
  const run = runStateOf(f);
  return alarmed(f) ? ["alarm", [run, "alarm"].sort()] : [run, [run]];
}

function etaOf(f) {
  return f.run ? f.run.eta || null : null;
}

function governing(f) {
  const entries = Object.entries(f.run.governing || {});
  if (!entries.length || entries[0][1] == null) return "–";
  const [criterion, value] = entries[0];
  return `${Number(value).toFixed(1)}${criterion.includes("rh") ? " %" : " °C"}`;
}

/** The last run: its number, verdict and review state ("#12 PASS · rejected"). */
function lastText(f) {
  const last = f.last;
  const verdict = wordOf(last.verdict || "INDETERMINATE");
  // the review state, unless the tile's state word says it already (failed, rejected)
  const said = last.review === "not_signable" || last.review === "rejected";
  const review = last.review && !said ? ` · ${wordOf(last.review)}` : "";
  return `#${last.id} ${verdict}${review}`;
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
  const place = element("div", "place", el);
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
  code.textContent = f.code;
  const tile = { f, el, parts: { place, ent, icon, word, val, prog, fill, progText, eta, badge }, seen: {}, state: "", etaMs: Infinity };
  describe(tile);
  return tile;
}

/** The registry's part of a tile: city and kind (always shown), the enterprise. */
function describe(tile) {
  const { f, parts } = tile;
  set(tile, "place", parts.place, `${cityName(f)} · ${T[f.kind] || f.kind}`);
  set(tile, "ent", parts.ent, (ZH ? f.enterprise_zh : f.enterprise_en) || f.enterprise);
  set(tile, "entTitle", parts.ent, `${f.enterprise_zh} / ${f.enterprise_en} (${f.enterprise})`, "title");
}

function set(tile, key, node, value, prop = "textContent") {
  if (tile.seen[key] === value) return;
  tile.seen[key] = value;
  node[prop] = value;
}

function paint(tile) {
  const { f, el, parts } = tile;
  const [state, states] = statesOf(f);
  const statesKey = states.join(" ");
  if (tile.statesKey !== statesKey) { // the counts change
    tile.states = states;
    tile.statesKey = statesKey;
    el.dataset.states = statesKey;
    orderChanged = true;
  }
  if (state !== tile.state) {
    // the flash of a changed tile: an animation of its own, which asks no layout of the page
    // (restarting a CSS animation would force one, for all the tiles, on every change)
    if (tile.state && !CALM.matches) el.animate(FLASH, { duration: 1200, easing: "ease-out" });
    el.classList.remove(`s-${tile.state}`);
    el.classList.add(`s-${state}`);
    el.dataset.state = state;
    tile.state = state;
    orderChanged = true;
  }
  set(tile, "icon", parts.icon, STATES[state][1]);
  set(tile, "word", parts.word, wordOf(state));
  const href = f.run ? `/runs/${f.run.id}` : f.last ? `/runs/${f.last.id}` : `/facilities/${encodeURIComponent(f.code)}`;
  set(tile, "href", el, href, "href");
  set(tile, "val", parts.val, f.run ? governing(f) : f.last ? lastText(f) : T.no_run);
  set(tile, "valClass", parts.val, f.run ? "val" : "val small", "className");
  const shown = f.run ? runProgress(f.run) : { fraction: null, text: null, eta: null };
  if (shown.fraction != null) {
    set(tile, "fill", parts.fill.style, `${(100 * shown.fraction).toFixed(1)}%`, "width");
    set(tile, "progText", parts.progText, shown.text);
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
  // to the minute, as the ETA is shown; a new ETA alone (a prediction moves with every sample)
  // reorders the wall at most every ETA_SORT_MS, a new state within a second
  const key = eta ? eta.slice(0, 16) : "~";
  if (tile.etaKey !== key) {
    tile.etaKey = key;
    tile.etaMs = eta ? Date.parse(eta) : Infinity;
    etaChanged = true;
  }
}

// -- filters ---------------------------------------------------------------------------------

function chosen() {
  const form = new FormData(filters);
  return {
    state: form.get("state") || "", city: form.get("city") || "", kind: form.get("kind") || "",
    enterprise: form.get("enterprise") || "", q: String(form.get("q") || "").trim().toLowerCase(),
    hideIdle: form.get("idle") === "hide", sort: form.get("sort") || "urgency", group: form.get("group") || "",
  };
}

function found(q, f) {
  return [f.code, f.enterprise, f.enterprise_zh, f.enterprise_en, f.city, f.city_en]
    .some((text) => String(text || "").toLowerCase().includes(q));
}

/** Whether a tile passes the filters other than its state (what the counts count). */
function within(tile, want) {
  const f = tile.f;
  return (!want.city || f.city === want.city) && (!want.kind || f.kind === want.kind)
    && (!want.enterprise || f.enterprise === want.enterprise) && (!want.q || found(want.q, f));
}

function admits(tile, want) {
  if (!within(tile, want)) return false;
  if (want.hideIdle && tile.state === "idle") return false;
  return !want.state || (FILTERS[want.state] || []).some((s) => tile.states.includes(s));
}

// facility codes are ASCII: compared as strings, not collated (a thousand tiles sort in a
// fraction of a millisecond, where localeCompare took several)
const byCode = (a, b) => (a.f.code < b.f.code ? -1 : a.f.code > b.f.code ? 1 : 0);
const byEta = (a, b) => (a.etaMs === b.etaMs ? 0 : a.etaMs < b.etaMs ? -1 : 1); // Infinity ties

function compare(sort) {
  if (sort === "code") return byCode;
  if (sort === "eta") return (a, b) => byEta(a, b) || byCode(a, b);
  return (a, b) => STATES[a.state][0] - STATES[b.state][0] || byEta(a, b) || byCode(a, b);
}

function heading(city, name) {
  let h = headers.get(city);
  if (!h) {
    h = document.createElement("h2");
    h.className = "wall-group";
    headers.set(city, h);
  }
  h.dataset.name = name;
  return h;
}

function arrange(force = false) {
  const now = performance.now();
  const due = (orderChanged && now - lastSort >= 1000) || (etaChanged && now - lastSort >= ETA_SORT_MS);
  if (!force && arranged && !due) return;
  arranged = true;
  orderChanged = false;
  etaChanged = false;
  lastSort = now;
  stats.arranges += 1;
  const want = chosen();
  const all = [...tiles.values()];
  const order = compare(want.sort);
  const grouped = want.group === "city";
  if (grouped) {
    // the cities in the reader's collation, ranked once; then the tiles by rank
    const names = [...new Set(all.map((t) => cityName(t.f)))].sort((a, b) => a.localeCompare(b, ZH ? "zh-CN" : "en"));
    const rank = new Map(names.map((name, k) => [name, k]));
    for (const t of all) t.cityRank = rank.get(cityName(t.f));
    all.sort((a, b) => a.cityRank - b.cityRank || order(a, b));
  } else all.sort(order);
  const counts = Object.fromEntries(["all", ...Object.keys(GROUPS)].map((k) => [k, 0]));
  const groups = Object.entries(GROUPS);
  let shown = 0;
  let previous = null;
  let group = null; // [heading, tiles shown under it]
  const place = (node) => {
    // move a node only when it is not already after its predecessor
    const expected = previous ? previous.nextSibling : wall.firstChild;
    if (expected !== node) wall.insertBefore(node, expected);
    previous = node;
  };
  const close = () => { if (group) { group[0].hidden = group[1] === 0; group[0].textContent = `${group[0].dataset.name} · ${group[1]}`; } };
  for (const tile of all) {
    if (grouped && (!group || group[0] !== headers.get(tile.f.city))) {
      close();
      group = [heading(tile.f.city, cityName(tile.f)), 0];
      place(group[0]);
    }
    const inside = within(tile, want);
    if (inside) {
      counts.all += 1;
      for (const [key, states] of groups) if (states.some((s) => tile.states.includes(s))) counts[key] += 1;
    }
    const show = inside && admits(tile, want);
    if (tile.el.hidden === show) tile.el.hidden = !show;
    if (show) { shown += 1; if (group) group[1] += 1; }
    place(tile.el);
  }
  close();
  if (!grouped) for (const h of headers.values()) h.remove();
  // the count pressed: the state chosen, or the group of the one state chosen (?state=holding)
  const on = !want.state ? "all" : GROUPS[want.state] ? want.state : "running";
  for (const button of countBar.querySelectorAll("button[data-state]")) {
    const key = button.dataset.state;
    const n = String(counts[key] ?? 0);
    const b = button.querySelector("b");
    if (b.textContent !== n) b.textContent = n;
    const pressed = String(key === on);
    if (button.getAttribute("aria-pressed") !== pressed) button.setAttribute("aria-pressed", pressed);
  }
  count.textContent = `${shown} ${T.of} ${all.length} ${T.shown}`;
  wall.classList.toggle("compact", new FormData(filters).get("compact") === "1");
  if (document.body.dataset.wallShown !== String(shown)) document.body.dataset.wallShown = String(shown);
}

// what the DOM work costs, for the benchmark (benchmarks/pages.py) and the curious
const stats = (window.pwWall = { frames: 0, ms: 0, maxMs: 0, tilesPainted: 0, painted: 0, live: 0, arranges: 0, arrangeMs: 0 });

function flush() {
  const started = performance.now();
  frame = 0;
  stats.tilesPainted += dirty.size;
  for (const tile of dirty) paint(tile);
  dirty.clear();
  const painted = performance.now();
  arrange();
  stats.arrangeMs += performance.now() - painted;
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
    } else { tile.f = f; describe(tile); }
    touch(tile);
  }
  for (const [code, tile] of tiles) if (!seen.has(code)) { tile.el.remove(); tiles.delete(code); }
  const uniq = (pairs) => [...new Map(pairs).entries()].sort((a, b) => a[1].localeCompare(b[1], ZH ? "zh-CN" : "en"));
  fillFilter("city", uniq(rows.map((f) => [f.city, cityName(f)])));
  fillFilter("kind", uniq(rows.map((f) => [f.kind, T[f.kind] || f.kind])));
  fillFilter("enterprise", uniq(rows.map((f) => [f.enterprise, `${f.enterprise} · ${ZH ? f.enterprise_zh : f.enterprise_en}`])));
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
        || before.last_sample !== run.last_sample || before.eta !== run.eta
        || JSON.stringify(before.governing) !== JSON.stringify(run.governing)
        || JSON.stringify(before.progress) !== JSON.stringify(run.progress)) {
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
    // just closed, so not signed off yet: a PASS waits for review, anything else failed; the
    // picture fetched next says whether it has findings
    tile.f.run = null;
    const review = data.phase === "PASS" ? "awaiting_signoff" : "not_signable";
    tile.f.last = { id: data.run, verdict: data.phase, closed_at: data.at, review, clean: false };
    refreshSoon();
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

// the filters live in the address (a wall display can be bookmarked as
// /wall?city=赣州&state=alarm&compact=1&idle=hide)
const DEFAULTS = { sort: "urgency" };
const wanted = new URLSearchParams(window.location.search);

function remember() {
  const query = new URLSearchParams();
  for (const [name, value] of new FormData(filters)) {
    if (value && DEFAULTS[name] !== value) query.set(name, value);
  }
  const search = query.toString();
  history.replaceState(null, "", search ? `?${search}` : window.location.pathname);
  arrange(true);
}

filters.addEventListener("change", remember);
filters.addEventListener("submit", (event) => { event.preventDefault(); remember(); });
let typing = 0;
filters.q.addEventListener("input", () => { clearTimeout(typing); typing = setTimeout(remember, 150); });
countBar.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-state]");
  if (!button) return;
  const key = button.dataset.state;
  filters.state.value = key === "all" || filters.state.value === key ? "" : key;
  remember();
});
if (wanted.get("state") && FILTERS[wanted.get("state")]) filters.state.value = wanted.get("state");
if (wanted.get("q")) filters.q.value = wanted.get("q").slice(0, 100);
for (const name of ["sort", "group"]) {
  if (wanted.get(name)) filters[name].value = wanted.get(name);
  if (!filters[name].value) filters[name].selectedIndex = 0;
}
filters.compact.checked = wanted.get("compact") === "1";
filters.idle.checked = wanted.get("idle") === "hide";
wall.classList.toggle("compact", filters.compact.checked);
setInterval(() => arrange(), 1000);
// once a minute the whole picture again: facilities added, sign-offs given since
setInterval(() => fetchWall().catch(() => {}), 60_000);
fetchWall().then(() => {
  listen({ runs: onRuns, run: onRun, alarm: onAlarm }, liveBadge(document.getElementById("wall-live")));
});
