// What every page script shares: its translated words, the reader's time zone, the CSRF token,
// and a live connection to the event stream that says when it is live.

export const T = JSON.parse(document.getElementById("i18n")?.textContent || "{}");
export const ZONE = document.querySelector('meta[name="time-zone"]')?.content || "Asia/Shanghai";
export const CSRF = document.querySelector('meta[name="csrf-token"]')?.content || "";

const stamp = new Intl.DateTimeFormat("sv-SE", {
  timeZone: ZONE, year: "numeric", month: "2-digit", day: "2-digit",
  hour: "2-digit", minute: "2-digit", hour12: false,
});
const clock = new Intl.DateTimeFormat("sv-SE", {
  timeZone: ZONE, hour: "2-digit", minute: "2-digit", hour12: false,
});

/** "2026-03-02 18:17" in the reader's zone (sv-SE writes ISO-like dates). */
export function local(date, short = false) {
  const d = date instanceof Date ? date : new Date(date);
  if (Number.isNaN(d.getTime())) return "–";
  return (short ? clock : stamp).format(d);
}

export function utcTitle(date) {
  const d = date instanceof Date ? date : new Date(date);
  return Number.isNaN(d.getTime()) ? "" : d.toISOString().replace(".000Z", "Z") + " UTC";
}

/** A span of seconds for people: 45 s, 18 min, 3 h 20 min, 6 d 4 h. */
export function span(seconds) {
  if (seconds == null) return "–";
  const s = Math.floor(seconds);
  if (s < 60) return `${s} ${T.s}`;
  if (s < 3600) return `${Math.floor(s / 60)} ${T.min}`;
  if (s < 86400) {
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    return m ? `${h} ${T.h} ${m} ${T.min}` : `${h} ${T.h}`;
  }
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600);
  return h ? `${d} ${T.d} ${h} ${T.h}` : `${d} ${T.d}`;
}

/** Progress "18 / 30 min", "6 / 14 d" in the unit of the whole. */
export function progress(elapsed, whole) {
  if (whole >= 2 * 86400) {
    const days = elapsed / 86400;
    const shown = days < 10 ? (Math.floor(days * 10) / 10).toFixed(1) : Math.floor(days);
    return `${shown} / ${Math.round(whole / 86400)} ${T.d}`;
  }
  if (whole >= 3 * 3600) return `${(elapsed / 3600).toFixed(1)} / ${(whole / 3600).toFixed(1)} ${T.h}`;
  return `${Math.floor(elapsed / 60)} / ${Math.round(whole / 60)} ${T.min}`;
}

/**
 * The event stream (the session cookie authenticates it). ``handlers``: event name -> fn(data).
 * ``status`` is told "live", "connecting" or "down"; EventSource reconnects by itself.
 */
export function listen(handlers, status, facility) {
  const url = "/api/v1/events" + (facility ? `?facility=${encodeURIComponent(facility)}` : "");
  const source = new EventSource(url);
  source.onopen = () => status && status("live");
  source.onerror = () => status && status(source.readyState === EventSource.CLOSED ? "down" : "connecting");
  for (const [name, fn] of Object.entries(handlers)) {
    source.addEventListener(name, (event) => {
      let data;
      try { data = JSON.parse(event.data); } catch { return; }
      fn(data);
    });
  }
  return source;
}

/** Show the stream's state in an element with data-state (word + colour dot). */
export function liveBadge(element) {
  return (state) => {
    if (!element) return;
    element.dataset.state = state;
    element.textContent = state === "live" ? T.live : T.reconnecting;
  };
}
