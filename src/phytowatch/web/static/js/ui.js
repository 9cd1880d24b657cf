// Small behaviours every page shares, kept out of the markup so that the Content-Security-Policy
// can forbid inline scripts: the time-zone menu applies itself, print buttons print, and an htmx
// request the server refuses is said instead of silently ignored.
const zone = document.querySelector("form.tz select");
if (zone) zone.addEventListener("change", () => zone.form.submit());
for (const button of document.querySelectorAll("[data-print]")) {
  button.addEventListener("click", () => window.print());
}
document.body.addEventListener("htmx:responseError", (event) => {
  const status = event.detail.xhr.status;
  const target = event.detail.elt.closest("td") || event.detail.elt;
  const note = document.createElement("p");
  note.className = "error";
  note.setAttribute("role", "alert");
  note.textContent = `${status} ${event.detail.xhr.statusText || ""}`.trim();
  target.append(note);
});
