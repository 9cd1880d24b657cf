// A run's page: the chart (whole run downsampled by the server; zooming or panning fetches the
// detail of the window shown), live while the run is open.
import { T, local, listen } from "./common.js";
import { makeChart } from "./chart.js";
import { runProgress } from "./progress.js";

const run = JSON.parse(document.getElementById("run-data").textContent);
const target = document.getElementById("chart");
const status = document.getElementById("chart-status");
const POINTS = Math.min(1500, Math.max(300, Math.round(target.clientWidth)));
let chart = null;
let whole = null; // [from, to] of the whole run
let shown = null; // [from, to] zoomed, or null
let timer = 0;
let fetches = 0;

async function fetchChart(range) {
  let url = `/api/v1/runs/${run.run}/chart?points=${POINTS}`;
  if (range) url += `&t_from=${range[0]}&t_to=${range[1]}`;
  status.textContent = T.loading;
  const answer = await fetch(url, { credentials: "same-origin" });
  if (!answer.ok) { status.textContent = `${answer.status}`; return null; }
  fetches += 1;
  const body = await answer.json();
  status.textContent = `${body.readings} ${T.readings} · ${local(body.from * 1000)} – ${local(body.to * 1000)}`;
  document.body.dataset.chartFetches = String(fetches);
  document.body.dataset.chartRange = `${body.from}-${body.to}`;
  return body;
}

async function show(range) {
  const body = await fetchChart(range);
  if (!body) return;
  shown = range;
  chart.replace(body, range || [body.from, body.to]);
}

function zoomed(min, max) {
  clearTimeout(timer);
  timer = setTimeout(() => show(clampRange(Math.max(whole[0], min), Math.min(whole[1], max))), 50);
}

function current() { return shown || whole; }

function clampRange(a, b) {
  const span = Math.min(b - a, whole[1] - whole[0]);
  if (a < whole[0]) { a = whole[0]; b = a + span; }
  if (b > whole[1]) { b = whole[1]; a = b - span; }
  return [a, b];
}

document.querySelector(".chart-tools").addEventListener("click", (event) => {
  const button = event.target.closest("button");
  if (!button || !chart) return;
  const [a, b] = current();
  const mid = (a + b) / 2, half = (b - a) / 2;
  if (button.dataset.zoom === "in") show(clampRange(mid - half / 2, mid + half / 2));
  else if (button.dataset.zoom === "out") {
    const r = clampRange(mid - half * 2, mid + half * 2);
    show(r[0] <= whole[0] && r[1] >= whole[1] ? null : r);
  } else if (button.dataset.zoom === "reset") show(null);
  else if (button.dataset.pan) {
    const step = Number(button.dataset.pan) * half;
    show(clampRange(a + step, b + step));
  }
});

async function start() {
  const body = await fetchChart(null);
  if (!body) return;
  whole = [body.from, body.to];
  chart = makeChart(target, run, body, zoomed);
  window.pwChart = chart;
  // print: redraw at the A4 page's width (180 mm), then back to the screen's
  const screenSize = () => ({ width: Math.max(320, target.clientWidth - 4), height: 400 });
  window.addEventListener("beforeprint", () => chart.plot.setSize({ width: 680, height: 300 }));
  window.addEventListener("afterprint", () => chart.plot.setSize(screenSize()));
  document.body.dataset.chartReady = "1";
}

function live() {
  const text = document.getElementById("live-text");
  let lastSample = null;
  let lastFetch = 0;
  listen({
    runs: (data) => {
      const mine = data.runs.find((r) => r.id === run.run);
      if (!mine) return;
      // the status line in words: the governing value, the progress and the ETA as the wall's
      // tile says them (the criterion furthest from done, progress.js), offline
      const told = runProgress(mine);
      const value = Object.values(mine.governing || {}).find((v) => v != null);
      const parts = [];
      if (value != null && run.readings) parts.push(`${T.governing} ${Number(value).toFixed(1)} °C`);
      if (told.text) parts.push(`${T.hold} ${told.text}`);
      if (told.eta) parts.push(`${T.eta} ${local(told.eta)}`);
      if (text) {
        text.textContent = parts.join(" · ");
        if (mine.stale) {
          if (parts.length) text.append(" · ");
          text.append(Object.assign(document.createElement("strong"), { textContent: T.offline }));
        }
      }
      if (mine.last_sample !== lastSample && !shown && Date.now() - lastFetch > 5000 && chart) {
        lastSample = mine.last_sample;
        lastFetch = Date.now();
        fetchChart(null).then((b) => { if (b) { whole = [b.from, b.to]; chart.replace(b, null); } });
      }
    },
    run: (data) => { if (data.run === run.run) window.location.reload(); },
  }, null, run.facility);
}

const printed = document.getElementById("printed-at");
if (printed) printed.textContent = local(Date.now());
start().then(() => { if (run.open) live(); });
