// The answer form of the AMI (ami/templates/ami/answer.html, edit.html): progressive
// enhancement only, every part works without this file.
//
// 1. Autosave. A form with data-autosave="URL" posts its fields there a few seconds after
//    a change (once every few seconds at most, even while typing on), and once more when
//    the page is left (sendBeacon); the answer says
//    « Brouillon enregistré à 14 h 32 », shown in the polite live region [data-draft-status].
//    Without JavaScript the « Enregistrer le brouillon » button does the same.
// 2. The territory builder. Its « Mettre à jour le territoire » button (name=territory_step)
//    posts the form with the header X-Portal-Fragment: territory; the server answers with the
//    builder alone, put in place of the old one, which gets the focus (its summary is read).
//    On any failure the button submits the whole page, as it does without JavaScript.

const AUTOSAVE_DELAY_MS = 4000;
const FRAGMENT_HEADER = "X-Portal-Fragment";

function setupAutosave(form) {
  const url = form.dataset.autosave;
  const status = form.querySelector("[data-draft-status]");
  let dirty = false;
  let timer = 0;
  let inFlight = false;
  let sending = false;

  function changed() {
    if (sending) {
      return;
    }
    dirty = true;
    // At most one save every few seconds, even while typing on and on.
    if (!timer) {
      timer = window.setTimeout(save, AUTOSAVE_DELAY_MS);
    }
  }

  async function save() {
    timer = 0;
    if (!dirty || sending) {
      return;
    }
    if (inFlight) {
      timer = window.setTimeout(save, AUTOSAVE_DELAY_MS);
      return;
    }
    dirty = false;
    inFlight = true;
    try {
      const response = await fetch(url, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      const answer = await response.json().catch(() => ({}));
      if (status && answer.message !== undefined && status.textContent !== answer.message) {
        status.textContent = answer.message;
      }
      if (!response.ok && response.status >= 500) {
        dirty = true; // try again with the next change
      }
    } catch {
      dirty = true; // offline for a moment: the next change tries again
    } finally {
      inFlight = false;
    }
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("portal:changed", changed);
  // Sending the answer (or saving the draft by its button) leaves the page on purpose: no
  // autosave after it, which would bring back a draft of an answer already sent.
  form.addEventListener("submit", () => {
    sending = true;
    window.clearTimeout(timer);
  });
  const leave = () => {
    if (dirty && !sending && navigator.sendBeacon) {
      dirty = false;
      window.clearTimeout(timer);
      navigator.sendBeacon(url, new FormData(form));
    }
  };
  window.addEventListener("pagehide", leave);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") {
      leave();
    }
  });
}

function setupTerritoryStep(form) {
  form.addEventListener("click", async (event) => {
    const button = event.target.closest("button[name='territory_step']");
    if (!button || !form.contains(button) || button.dataset.fullPage) {
      return;
    }
    const builder = button.closest("fieldset[id$='-builder']");
    if (!builder) {
      return;
    }
    event.preventDefault();
    const body = new FormData(form);
    body.append(button.name, button.value);
    builder.setAttribute("aria-busy", "true");
    button.disabled = true;
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { [FRAGMENT_HEADER]: "territory" },
      });
      if (!response.ok) {
        throw new Error(`HTTP ${response.status}`);
      }
      const template = document.createElement("template");
      template.innerHTML = (await response.text()).trim();
      const fresh = template.content.querySelector("fieldset[id$='-builder']");
      if (!fresh || fresh.id !== builder.id) {
        throw new Error("no builder in the answer");
      }
      builder.replaceWith(fresh);
      fresh.focus();
      form.dispatchEvent(new CustomEvent("portal:changed"));
    } catch {
      // Whatever went wrong, the page without JavaScript still works: take it.
      builder.removeAttribute("aria-busy");
      button.disabled = false;
      button.dataset.fullPage = "1";
      form.requestSubmit(button);
    }
  });
}

for (const form of document.querySelectorAll("form[data-autosave]")) {
  setupAutosave(form);
}
for (const form of document.querySelectorAll("form:has(button[name='territory_step'])")) {
  setupTerritoryStep(form);
}
