// The bureau's figures, drawn with uPlot (served from /static/vendor): declaration to release
// (median by day of release, hours), the pass rate by schedule (%), alarms raised by kind. The
// numbers are the page's own (the JSON the API answers), the words the page's language.
import { ZONE } from "./common.js";

const { data, words } = JSON.parse(document.getElementById("kpi-data").textContent);
const BLUE = "#0072b2";
const ORANGE = "#d55e00";
const GREEN = "#009e73";

function width(el) { return Math.max(320, Math.min(900, el.clientWidth || 600)); }

/** Bars over categories: x is 0..n-1, labelled with the categories' names. */
function bars(el, names, values, label, colour, max) {
  if (!names.length) return;
  const xs = names.map((_, k) => k);
  new uPlot({
    width: width(el), height: 220,
    scales: { x: { time: false, range: [-0.5, names.length - 0.5] }, y: { range: [0, max ?? Math.max(1, ...values) * 1.1] } },
    axes: [
      { values: (u, splits) => splits.map((s) => (Number.isInteger(s) && names[s] !== undefined ? names[s] : "")), incrs: [1] },
      { label },
    ],
    legend: { show: false },
    series: [{}, { label, stroke: colour, fill: colour + "99", paths: uPlot.paths.bars({ size: [0.6, 80] }), points: { show: false } }],
  }, [xs, values], el);
}

function releaseChart(el) {
  const days = data.declaration_to_release.by_day;
  if (!days.length) return;
  // each day at noon in the bureau's zone, drawn in the reader's zone
  const xs = days.map((d) => Date.parse(d.day + "T12:00:00+08:00") / 1000);
  const hours = days.map((d) => (d.median_s == null ? null : Math.round(d.median_s / 36) / 100));
  new uPlot({
    width: width(el), height: 220,
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), ZONE),
    axes: [{}, { label: words.hours }],
    series: [{ label: words.day }, { label: words.median, stroke: BLUE, width: 2, points: { show: days.length < 60 } }],
  }, [xs, hours], el);
}

releaseChart(document.getElementById("chart-release"));
const runs = data.runs.by_schedule.filter((r) => r.closed > 0);
bars(document.getElementById("chart-runs"), runs.map((r) => r.schedule),
  runs.map((r) => Math.round(r.pass_rate.share * 1000) / 10), words.pass_rate, GREEN, 100);
bars(document.getElementById("chart-alarms"), data.alarms.map((a) => words.kinds[a.kind] || a.kind),
  data.alarms.map((a) => a.raised), words.raised, ORANGE);
