// A run's chart with uPlot: every probe (minimum and maximum per bucket, one legend entry each),
// the schedule's threshold(s) and tolerance band, the hold window shaded, interruptions, alarms
// and camera stills marked on the time axis; humidity on its own axis in %.
//
// Colours come from the Okabe-Ito palette (told apart by readers with any common colour-vision
// deficiency), one per probe in turn; the role is told by the line's dash (product solid, air
// dashed, water dash-dot, humidity dotted), in the legend too. The y-range follows the probes of
// the role the schedule judges and its thresholds: a probe of another role that would squeeze
// them starts hidden (a click on its legend entry shows it, and the range follows it).
import { T, ZONE, local } from "./common.js";

const PALETTE = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#56b4e9", "#e69f00", "#000000", "#8c564b"];
const DASH = { product: [], air: [10, 5], water: [12, 4, 2, 4], rh: [2, 4] };
const LEGEND_DASH = { product: "solid", air: "dashed", water: "dashed", rh: "dotted" };
const DAY = 86400;
const words = JSON.parse(document.getElementById("chart-words")?.textContent || "{}");

const dateOf = new Intl.DateTimeFormat("en-GB", { timeZone: ZONE, year: "numeric", month: "2-digit", day: "2-digit" });
const dayOf = { format: (d) => { const p = Object.fromEntries(dateOf.formatToParts(d).map((x) => [x.type, x.value])); return `${p.month}-${p.day}`; } };
const timeOf = new Intl.DateTimeFormat("sv-SE", { timeZone: ZONE, hour: "2-digit", minute: "2-digit", hour12: false });
const yearOf = new Intl.DateTimeFormat("sv-SE", { timeZone: ZONE, year: "numeric" });

/**
 * Time-axis labels that never overlap: whole days ("11-18") when the ticks are a day or more
 * apart, else the time, with the date under the first tick of each day.
 */
export function timeLabels(splits, incr) {
  let lastDay = null;
  return splits.map((s, k) => {
    const d = new Date(s * 1000);
    const day = dayOf.format(d);
    const first = k === 0;
    let text;
    if (incr >= DAY) text = first ? `${day}\n${yearOf.format(d)}` : day;
    else text = day !== lastDay ? `${timeOf.format(d)}\n${day}` : timeOf.format(d);
    lastDay = day;
    return text;
  });
}

function roleOf(s) { return DASH[s.role] ? s.role : "product"; }

/** The judged role's extent over the body, with the thresholds and the tolerance band. */
function judgedExtent(body, judged, marks) {
  const values = [...marks.thresholds, ...(marks.lower != null ? [marks.lower] : [])];
  for (const s of Object.values(body.probes)) {
    if (roleOf(s) !== judged) continue;
    for (const v of [...s.lo, ...s.hi]) if (v != null) values.push(v);
  }
  return values.length ? [Math.min(...values), Math.max(...values)] : null;
}

function extentOf(s) {
  const values = [...s.lo, ...s.hi].filter((v) => v != null);
  return values.length ? [Math.min(...values), Math.max(...values)] : null;
}

/**
 * The uPlot series (per probe a hidden-from-the-legend maximum, then the minimum that carries
 * the probe's legend entry), their arrays, and for each probe whether it starts shown.
 */
export function seriesOf(body, run, marks) {
  const judged = run.schedule.role || "product";
  const range = marks ? judgedExtent(body, judged, marks) : null;
  const series = [{ label: T.time, value: (u, v) => (v == null ? "–" : local(v * 1000)) }];
  const arrays = [body.t];
  let n = 0;
  for (const [probe, s] of Object.entries(body.probes)) {
    const role = roleOf(s);
    const stroke = PALETTE[n % PALETTE.length];
    n += 1;
    const rh = role === "rh";
    let show = true;
    if (!rh && role !== judged && range) {
      // another role whose values would more than double the judged span starts hidden
      const own = extentOf(s);
      const span = Math.max(1, range[1] - range[0]);
      if (own && Math.max(range[1], own[1]) - Math.min(range[0], own[0]) > 2 * span) show = false;
    }
    const common = { stroke, dash: DASH[role], scale: rh ? "rh" : "y", show, spanGaps: false };
    const unit = rh ? "%" : "°C";
    series.push({ ...common, label: `${probe} ${T.max}`, width: 1, alpha: 0.45, class: "u-partner",
      value: (u, v) => (v == null ? "–" : v.toFixed(2)) });
    series.push({ ...common, label: `${probe} (${T[role] || role})`, width: 2, role,
      value: (u, v, si, i) => {
        if (i == null || v == null) return "–";
        const hi = u.data[si - 1][i];
        return hi != null && hi !== v ? `${v.toFixed(2)}–${hi.toFixed(2)} ${unit}` : `${v.toFixed(2)} ${unit}`;
      } });
    arrays.push(s.hi, s.lo);
  }
  return { series, arrays, judged };
}

function isoSeconds(text) { return text ? Date.parse(text) / 1000 : null; }

export function markers(run) {
  const holds = [];
  if (run.hold) holds.push([isoSeconds(run.hold[0]), isoSeconds(run.hold[1])]);
  for (const h of run.live_holds || []) {
    const start = isoSeconds(h.hold_start);
    if (start) holds.push([start, start + h.elapsed_s]);
  }
  return {
    thresholds: (run.schedule.thresholds || []).map((t) => t.value),
    lower: run.schedule.lower,
    regime: run.schedule.regime,
    others: run.schedule.others || [],
    holds,
    interruptions: (run.interruptions || []).map(isoSeconds),
    alarms: (run.alarms || []).map(([at, severity, kind]) => [isoSeconds(at), severity, kind]),
    stills: (run.stills || []).map((s) => [isoSeconds(s.at), s.id, s.camera]),
  };
}

function label(ctx, text, x, y, colour, px) {
  // a label on a white ground, so that it stays readable over the curves
  const w = ctx.measureText(text).width;
  ctx.fillStyle = "rgba(255,255,255,0.85)";
  ctx.fillRect(x - 2 * px, y - 11 * px, w + 4 * px, 14 * px);
  ctx.fillStyle = colour;
  ctx.fillText(text, x, y);
}

function drawMarks(u, marks) {
  const { ctx } = u;
  const { left, top, width, height } = u.bbox;
  const px = window.devicePixelRatio || 1;
  ctx.save();
  ctx.textAlign = "left";
  ctx.textBaseline = "alphabetic";
  ctx.beginPath();
  ctx.rect(left, top, width, height);
  ctx.clip();
  // the tolerance band: between the lower limit and the threshold
  if (marks.lower != null && marks.thresholds.length) {
    const y0 = u.valToPos(marks.lower, "y", true), y1 = u.valToPos(marks.thresholds[0], "y", true);
    ctx.fillStyle = "rgba(160, 90, 0, 0.10)";
    ctx.fillRect(left, Math.min(y0, y1), width, Math.abs(y1 - y0));
  }
  for (const [a, b] of marks.holds) {
    const x0 = u.valToPos(a, "x", true), x1 = u.valToPos(b, "x", true);
    ctx.fillStyle = "rgba(29, 122, 53, 0.12)";
    ctx.fillRect(x0, top, Math.max(2, x1 - x0), height);
    ctx.font = `${11 * px}px sans-serif`;
    label(ctx, `▭ ${T.hold}`, x0 + 4 * px, top + 14 * px, "#1d6b30", px);
  }
  ctx.setLineDash([8 * px, 4 * px]);
  ctx.lineWidth = 2 * px;
  ctx.font = `bold ${11 * px}px sans-serif`;
  const sign = marks.regime === "cold" ? "≤" : "≥";
  marks.thresholds.forEach((value, k) => {
    const y = u.valToPos(value, "y", true);
    ctx.strokeStyle = "#b3141c";
    ctx.beginPath(); ctx.moveTo(left, y); ctx.lineTo(left + width, y); ctx.stroke();
    // labels staggered along the line, so that close thresholds do not write over each other
    label(ctx, `${T.threshold} ${sign} ${value} °C`, left + width - (130 + 140 * k) * px, y - 4 * px, "#b3141c", px);
  });
  if (marks.lower != null) {
    const y = u.valToPos(marks.lower, "y", true);
    ctx.strokeStyle = "#8a4d00";
    ctx.lineWidth = 1.5 * px;
    ctx.setLineDash([2 * px, 4 * px]);
    ctx.beginPath(); ctx.moveTo(left, y); ctx.lineTo(left + width, y); ctx.stroke();
    ctx.font = `${11 * px}px sans-serif`;
    label(ctx, `${words.tolerance || ""} ${marks.lower} °C`, left + 6 * px, y + 14 * px, "#8a4d00", px);
  }
  // the other criteria's thresholds (air, humidity), thin, on their own scale
  ctx.lineWidth = 1 * px;
  ctx.setLineDash([6 * px, 6 * px]);
  ctx.font = `${11 * px}px sans-serif`;
  for (const other of marks.others) {
    const scale = other.role === "rh" ? "rh" : "y";
    if (!u.scales[scale] || u.scales[scale].min == null) continue;
    const unit = other.role === "rh" ? "%" : "°C";
    for (const value of other.thresholds) {
      const y = u.valToPos(value, scale, true);
      ctx.strokeStyle = "#6b3fa0";
      ctx.beginPath(); ctx.moveTo(left, y); ctx.lineTo(left + width, y); ctx.stroke();
      label(ctx, `${T[other.role] || other.role} ${sign} ${value} ${unit}`, left + 6 * px, y - 4 * px, "#6b3fa0", px);
    }
  }
  ctx.setLineDash([4 * px, 3 * px]);
  ctx.lineWidth = 1.5 * px;
  ctx.font = `${13 * px}px sans-serif`;
  for (const at of marks.interruptions) {
    const x = u.valToPos(at, "x", true);
    ctx.strokeStyle = "#8a4d00";
    ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, top + height); ctx.stroke();
    ctx.fillStyle = "#8a4d00";
    ctx.fillText("↯", x + 2 * px, top + 30 * px);
  }
  for (const [at] of marks.alarms) {
    const x = u.valToPos(at, "x", true);
    ctx.strokeStyle = "#c0005a";
    ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, top + height); ctx.stroke();
    ctx.fillStyle = "#c0005a";
    ctx.fillText("⚠", x + 2 * px, top + 46 * px);
  }
  ctx.setLineDash([]);
  for (const [at] of marks.stills) {
    const x = u.valToPos(at, "x", true);
    ctx.fillStyle = "#10263d";
    ctx.beginPath();
    ctx.moveTo(x, top + height - 12 * px);
    ctx.lineTo(x - 6 * px, top + height);
    ctx.lineTo(x + 6 * px, top + height);
    ctx.closePath();
    ctx.fill();
  }
  ctx.restore();
}

/** [lo, hi] padded, whole degrees (or per cent). */
function padded(values) {
  const finite = values.filter((v) => v != null && Number.isFinite(v));
  if (!finite.length) return [0, 1];
  const lo = Math.min(...finite), hi = Math.max(...finite);
  const pad = Math.max(0.5, (hi - lo) * 0.08);
  return [Math.floor(lo - pad), Math.ceil(hi + pad)];
}

/**
 * ``options.fixed``: the y-range of the whole first body, kept whatever is later shown (the
 * replay reveals the run without the axis jumping).
 */
export function makeChart(target, run, body, onZoom, options = {}) {
  const marks = markers(run);
  const { series, arrays } = seriesOf(body, run, marks);
  const bands = [];
  for (let k = 1; k < series.length; k += 2) bands.push({ series: [k, k + 1], fill: `${series[k].stroke}1f` });
  const humidity = series.some((s) => s.scale === "rh");
  const limits = [...marks.thresholds, ...(marks.lower != null ? [marks.lower] : [])];
  const othersOn = (role) => marks.others.filter((o) => (role === "rh") === (o.role === "rh")).flatMap((o) => o.thresholds);
  // the y-range of what is shown (uPlot gives min/max over the shown series), with the limits
  const fixed = options.fixed ? padded([...extentAll(arrays, series, "y"), ...limits]) : null;
  const fixedRh = options.fixed && humidity ? padded([...extentAll(arrays, series, "rh"), ...othersOn("rh")]) : null;
  const width = () => Math.max(320, target.clientWidth - 4);
  const scales = {
    x: { time: true },
    y: { range: (u, min, max) => fixed || padded([min, max, ...limits]) },
  };
  const axes = [
    {
      space: 72,
      values: (u, splits, axis, space, incr) => timeLabels(splits, incr),
    },
    { scale: "y", label: "°C", values: (u, splits) => splits.map((v) => String(+v.toFixed(1))) },
  ];
  if (humidity) {
    scales.rh = { range: (u, min, max) => fixedRh || padded([Math.min(min, 40), Math.max(max, 100), ...othersOn("rh")]) };
    axes.push({ scale: "rh", side: 1, label: "%", grid: { show: false },
      values: (u, splits) => splits.map((v) => String(+v.toFixed(0))) });
  }
  const opts = {
    width: width(),
    height: 400,
    series,
    bands,
    tzDate: (ts) => window.uPlot.tzDate(new Date(ts * 1000), ZONE),
    // a drag selects a window; the window's detail is fetched, then shown (no zoom of our own
    // on the coarse data first)
    cursor: { drag: { x: true, y: false, setScale: false } },
    scales,
    axes,
    legend: { live: true, markers: { dash: (u, i) => LEGEND_DASH[u.series[i].role || "product"] || "solid" } },
    hooks: {
      draw: [(u) => drawMarks(u, marks)],
      // a probe is shown or hidden with its maximum
      setSeries: [(u, i, opts) => {
        if (i == null || !opts || opts.show == null || i % 2 === 1) return;
        if (u.series[i - 1].show !== opts.show) u.setSeries(i - 1, { show: opts.show });
        target.dataset.shown = shownProbes(u).join(" ");
      }],
      setSelect: [(u) => {
        if (!onZoom || u.select.width < 5) return;
        const min = u.posToVal(u.select.left, "x");
        const max = u.posToVal(u.select.left + u.select.width, "x");
        u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
        onZoom(min, max);
      }],
      setCursor: [(u) => {
        const i = u.cursor.idx;
        const at = i != null ? u.data[0][i] : null;
        target.title = at ? new Date(at * 1000).toISOString().replace(".000Z", "Z") + " UTC" : "";
      }],
    },
  };
  const plot = new window.uPlot(opts, arrays, target);
  target.dataset.shown = shownProbes(plot).join(" ");
  keyboardLegend(plot);
  window.addEventListener("resize", () => plot.setSize({ width: width(), height: 400 }));
  return {
    plot,
    marks,
    replace(newBody, range) {
      plot.setData(seriesOf(newBody, run, null).arrays, !range);
      if (range) plot.setScale("x", { min: range[0], max: range[1] });
    },
  };
}

function extentAll(arrays, series, scale) {
  const values = [];
  series.forEach((s, k) => {
    if (k === 0 || s.scale !== scale || !s.show) return;
    for (const v of arrays[k]) if (v != null) values.push(v);
  });
  return values.length ? [Math.min(...values), Math.max(...values)] : [];
}

/** The probes drawn, as their legend names them (for the tests and the page's own use). */
export function shownProbes(plot) {
  return plot.series.filter((s, k) => k > 0 && k % 2 === 0 && s.show).map((s) => s.label.split(" ")[0]);
}

/** A probe's legend entry is a toggle button for the keyboard too (Tab to it, Enter or Space). */
function keyboardLegend(plot) {
  const rows = plot.root.querySelectorAll(".u-legend .u-series");
  rows.forEach((row, k) => {
    if (k === 0 || k % 2 === 1) return; // the time, and each probe's maximum (its partner)
    const sync = () => row.setAttribute("aria-pressed", String(plot.series[k].show));
    row.tabIndex = 0;
    row.setAttribute("role", "button");
    sync();
    row.addEventListener("keydown", (event) => {
      if (event.key !== "Enter" && event.key !== " ") return;
      event.preventDefault();
      row.querySelector("th").click();
    });
    plot.hooks.setSeries = [...(plot.hooks.setSeries || []), sync];
  });
}
