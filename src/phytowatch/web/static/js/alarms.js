// The alarms inbox: when the stream says an alarm changed, htmx reloads the table, unless the
// reader is typing a comment (then a notice offers the refresh instead of losing the text).
import { T, listen, liveBadge } from "./common.js";

const table = document.getElementById("alarm-table");
const notice = document.getElementById("alarm-notice");
let pending = false;

function busy() {
  const active = document.activeElement;
  if (active && table.contains(active) && ["INPUT", "TEXTAREA"].includes(active.tagName)) return true;
  return [...table.querySelectorAll('[name="comment"]')].some((i) => i.value.trim());
}

function refresh() {
  pending = false;
  notice.hidden = true;
  window.htmx.trigger(table, "pw-refresh");
}

function changed() {
  if (busy()) {
    pending = true;
    notice.innerHTML = "";
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = "⟳";
    button.addEventListener("click", refresh);
    notice.append(T.alarm_changed.replace(/[:：].*$/, "") + " ", button);
    notice.hidden = false;
    return;
  }
  refresh();
}

listen({ alarm: changed }, liveBadge(document.getElementById("alarm-live")));
table.addEventListener("focusout", () => { if (pending && !busy()) refresh(); });
