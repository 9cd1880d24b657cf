// An open run's progress and ETA as every page says them, from the `progress` and `eta` the
// server gives each run (the `runs` event, GET /api/v1/wall): the criterion furthest from done
// (domain/judgement/progress.py), never a hold of the page's own choosing.
import { T, progress } from "./common.js";

/**
 * `{ fraction, text, eta }` of a run summary: `text` like "18 / 30 min", or "air 42 / 210 min"
 * for a schedule of several hold criteria; `fraction` and `text` null while nothing holds (the
 * ETA is then the prediction from the trend, or null).
 */
export function runProgress(run) {
  const p = run?.progress;
  const eta = run?.eta || null;
  if (!p || !p.holding || !p.duration_s) return { fraction: null, text: null, eta };
  const fraction = Math.min(1, p.elapsed_s / p.duration_s);
  const named = p.criteria > 1 ? `${T[p.role] || p.role} ` : "";
  return { fraction, text: named + progress(p.elapsed_s, p.duration_s), eta };
}
