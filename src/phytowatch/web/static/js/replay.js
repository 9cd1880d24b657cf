// Replay of a run at a chosen speed: the whole run is fetched once (downsampled) and shown, then
// revealed again from the start up to a moving clock; the governing value (the coldest product probe for heat, the warmest for
// cold) is shown at the clock.
import { T, local } from "./common.js";
import { makeChart } from "./chart.js";

const run = JSON.parse(document.getElementById("run-data").textContent);
const target = document.getElementById("chart");
const play = document.getElementById("play");
const speed = document.getElementById("speed");
const pos = document.getElementById("pos");
const clock = document.getElementById("clock");
const gov = document.getElementById("gov");
let body = null, chart = null, at = 0, playing = false, last = 0;

function cut(upTo) {
  const keep = body.t.findIndex((t) => t > upTo);
  const n = keep === -1 ? body.t.length : keep;
  const probes = {};
  for (const [p, s] of Object.entries(body.probes)) {
    probes[p] = { role: s.role, lo: s.lo.map((v, i) => (i < n ? v : null)), hi: s.hi.map((v, i) => (i < n ? v : null)) };
  }
  return { ...body, probes, n };
}

function governing(n) {
  if (!n) return null;
  const heat = run.schedule.regime !== "cold";
  let best = null;
  for (const s of Object.values(body.probes)) {
    if (s.role !== (run.schedule.role || "product")) continue;
    const v = heat ? s.lo[n - 1] : s.hi[n - 1];
    if (v == null) continue;
    best = best == null ? v : heat ? Math.min(best, v) : Math.max(best, v);
  }
  return best;
}

let full = null; // the run's hold windows and interruptions, revealed up to the clock as well

function render() {
  const marks = chart.marks;
  marks.holds = full.holds.filter(([a]) => a <= at).map(([a, b]) => [a, Math.min(b, at)]);
  marks.interruptions = full.interruptions.filter((t) => t <= at);
  const view = cut(at);
  chart.replace(view, [body.from, body.to]);
  clock.textContent = local(at * 1000);
  const value = governing(view.n);
  gov.textContent = value == null ? "" : `${T.governing}: ${value.toFixed(2)} °C`;
  pos.value = String(Math.round((1000 * (at - body.from)) / (body.to - body.from)));
  document.body.dataset.replayAt = String(at);
}

function tick(now) {
  if (!playing) return;
  const dt = (now - last) / 1000;
  last = now;
  at = Math.min(body.to, at + dt * Number(speed.value));
  render();
  if (at >= body.to) { toggle(false); return; }
  requestAnimationFrame(tick);
}

function toggle(on) {
  playing = on;
  play.textContent = on ? `■ ${T.pause}` : `▶ ${T.play}`;
  play.setAttribute("aria-pressed", String(on));
  if (on) { if (at >= body.to) at = body.from; last = performance.now(); requestAnimationFrame(tick); }
}

play.addEventListener("click", () => toggle(!playing));
pos.addEventListener("input", () => { at = body.from + (Number(pos.value) / 1000) * (body.to - body.from); render(); });

const answer = await fetch(`/api/v1/runs/${run.run}/chart?points=1000`, { credentials: "same-origin" });
body = await answer.json();
// the whole run is shown before Play (the clock at its end, the axes those of the whole run);
// Play starts again from the beginning
at = body.to;
chart = makeChart(target, { ...run, alarms: [], stills: [] }, body, null, { fixed: true });
window.pwChart = chart;
full = { holds: chart.marks.holds.slice(), interruptions: chart.marks.interruptions.slice() };
play.textContent = `▶ ${T.play}`;
render();
document.body.dataset.replayReady = "1";
