// A run's chart with uPlot: every probe (minimum and maximum per bucket, coloured by its role),
// the schedule's threshold(s), the hold window shaded, interruptions, alarms and camera stills
// marked on the time axis.
import { T, local, utcTitle } from "./common.js";

const PALETTE = {
  product: ["#c2410c", "#9a3412", "#d97706", "#b91c1c", "#ea580c", "#78350f", "#e11d48", "#a16207"],
  air: ["#1d4ed8", "#2563eb", "#60a5fa"],
  water: ["#0e7490", "#0891b2"],
  rh: ["#6d28d9", "#8b5cf6"],
};

export function seriesOf(body) {
  const count = {};
  const series = [{ label: T.time }];
  const arrays = [body.t];
  for (const [probe, s] of Object.entries(body.probes)) {
    const colours = PALETTE[s.role] || PALETTE.product;
    const n = (count[s.role] = (count[s.role] || 0) + 1);
    const stroke = colours[(n - 1) % colours.length];
    series.push({ label: `${probe} ${T.max}`, stroke, width: 1, alpha: 0.5, dash: [3, 3], show: true,
      value: (u, v) => (v == null ? "–" : v.toFixed(2)) });
    series.push({ label: `${probe} (${T[s.role] || s.role})`, stroke, width: 2,
      value: (u, v) => (v == null ? "–" : v.toFixed(2)) });
    arrays.push(s.hi, s.lo);
  }
  return { series, arrays };
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
    holds,
    interruptions: (run.interruptions || []).map(isoSeconds),
    alarms: (run.alarms || []).map(([at, severity, kind]) => [isoSeconds(at), severity, kind]),
    stills: (run.stills || []).map((s) => [isoSeconds(s.at), s.id, s.camera]),
  };
}

function drawMarks(u, marks) {
  const { ctx } = u;
  const { left, top, width, height } = u.bbox;
  const px = window.devicePixelRatio || 1;
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top, width, height);
  ctx.clip();
  for (const [a, b] of marks.holds) {
    const x0 = u.valToPos(a, "x", true), x1 = u.valToPos(b, "x", true);
    ctx.fillStyle = "rgba(29, 122, 53, 0.13)";
    ctx.fillRect(x0, top, Math.max(2, x1 - x0), height);
    ctx.fillStyle = "#1d7a35";
    ctx.font = `${11 * px}px sans-serif`;
    ctx.fillText(`▭ ${T.hold}`, x0 + 4 * px, top + 14 * px);
  }
  ctx.setLineDash([8 * px, 4 * px]);
  ctx.lineWidth = 2 * px;
  for (const value of marks.thresholds) {
    const y = u.valToPos(value, "y", true);
    ctx.strokeStyle = "#b3141c";
    ctx.beginPath(); ctx.moveTo(left, y); ctx.lineTo(left + width, y); ctx.stroke();
    ctx.fillStyle = "#b3141c";
    ctx.font = `bold ${11 * px}px sans-serif`;
    ctx.fillText(`${T.threshold} ${value} °C`, left + width - 120 * px, y - 4 * px);
  }
  if (marks.lower != null) {
    const y = u.valToPos(marks.lower, "y", true);
    ctx.strokeStyle = "#a05a00";
    ctx.setLineDash([2 * px, 4 * px]);
    ctx.beginPath(); ctx.moveTo(left, y); ctx.lineTo(left + width, y); ctx.stroke();
  }
  ctx.setLineDash([4 * px, 3 * px]);
  ctx.lineWidth = 1.5 * px;
  ctx.font = `${13 * px}px sans-serif`;
  for (const at of marks.interruptions) {
    const x = u.valToPos(at, "x", true);
    ctx.strokeStyle = "#a05a00";
    ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, top + height); ctx.stroke();
    ctx.fillStyle = "#a05a00";
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

export function makeChart(target, run, body, onZoom) {
  const marks = markers(run);
  const { series, arrays } = seriesOf(body);
  const bands = [];
  for (let k = 1; k < series.length; k += 2) bands.push({ series: [k, k + 1], fill: "rgba(194,65,12,0.07)" });
  const width = () => Math.max(320, target.clientWidth - 4);
  const opts = {
    width: width(),
    height: 380,
    series,
    bands,
    // a drag selects a window; the window's detail is fetched, then shown (no zoom of our own
    // on the coarse data first)
    cursor: { drag: { x: true, y: false, setScale: false } },
    scales: {
      x: { time: true },
      y: {
        range: (u, min, max) => {
          const values = [min, max, ...marks.thresholds, ...(marks.lower != null ? [marks.lower] : [])]
            .filter((v) => v != null && Number.isFinite(v));
          const lo = Math.min(...values), hi = Math.max(...values);
          const pad = Math.max(1, (hi - lo) * 0.08);
          return [Math.floor(lo - pad), Math.ceil(hi + pad)];
        },
      },
    },
    axes: [
      { values: (u, splits) => splits.map((s) => local(s * 1000, (u.scales.x.max - u.scales.x.min) < 86400)) },
      { label: "°C", values: (u, splits) => splits.map((v) => v.toFixed(0)) },
    ],
    legend: { live: true },
    hooks: {
      draw: [(u) => drawMarks(u, marks)],
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
        target.title = at ? utcTitle(at * 1000) : "";
      }],
    },
  };
  const plot = new window.uPlot(opts, arrays, target);
  window.addEventListener("resize", () => plot.setSize({ width: width(), height: 380 }));
  return {
    plot,
    marks,
    replace(newBody, range) {
      plot.setData(seriesOf(newBody).arrays, !range);
      if (range) plot.setScale("x", { min: range[0], max: range[1] });
    },
  };
}
