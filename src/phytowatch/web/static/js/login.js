// The login form posts to /api/v1/auth/login; without scripts it works as a plain form. Here a
// refusal is said on the page, in the reader's language, instead of a JSON answer.
const form = document.getElementById("login-form");
const error = document.getElementById("login-error");
const words = JSON.parse(document.getElementById("login-messages").textContent);

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const login = form.login.value.trim();
  const password = form.password.value;
  const say = (text) => { error.textContent = text; error.hidden = false; };
  if (!login || !password) { say(words.missing); return; }
  let answer;
  try {
    answer = await fetch(form.action, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ login, password }),
      credentials: "same-origin",
    });
  } catch (e) { say(`${words.other} ${e}`); return; }
  if (answer.ok) { window.location.assign(form.next.value || "/"); return; }
  if (answer.status === 401) say(words.wrong);
  else if (answer.status === 429) say(words.locked);
  else {
    let message = String(answer.status);
    try { message = (await answer.json()).error || message; } catch { /* not JSON */ }
    say(`${words.other} ${message}`);
  }
  form.password.select();
});
