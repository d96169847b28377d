// Progressive enhancement only: every page works without this file.

// Move focus to the error summary after a failed submit, so screen readers announce it.
const summary = document.querySelector("[data-focus-on-load]");
if (summary) {
  summary.focus();
}

// Links of an error summary: focus the field itself and keep its label in view. A group of
// checkboxes or radios has no element with the field's id (Django numbers its options
// id_x_0, id_x_1...): its first option gets the focus, its legend is scrolled into view.
for (const link of document.querySelectorAll("[data-error-summary] a[href^='#']")) {
  link.addEventListener("click", (event) => {
    const id = decodeURIComponent(link.hash.slice(1));
    const own = document.getElementById(id);
    const field = own?.matches("input, select, textarea")
      ? own
      : own?.querySelector("input:not([type=hidden]), select, textarea") ||
        document.getElementById(`${id}_0`);
    if (!field) {
      return; // let the browser follow the link
    }
    event.preventDefault();
    const inGroup = field.id !== id && (field.type === "checkbox" || field.type === "radio");
    const legend = inGroup ? field.closest("fieldset")?.querySelector("legend") : null;
    const label = field.labels?.[0];
    (legend || label || field).scrollIntoView({ block: "start" });
    field.focus({ preventScroll: true });
  });
}

// Repeatable rows (actors, référents): add a row in place instead of reloading the page.
for (const formset of document.querySelectorAll("[data-formset]")) {
  const prefix = formset.dataset.formset;
  const rows = formset.querySelector("[data-formset-rows]");
  const template = formset.querySelector("template[data-formset-template]");
  const addButton = formset.querySelector("[data-formset-add]");
  const total = formset.querySelector(`input[name="${prefix}-TOTAL_FORMS"]`);
  const max = formset.querySelector(`input[name="${prefix}-MAX_NUM_FORMS"]`);
  if (!rows || !template || !addButton || !total) {
    continue;
  }
  addButton.addEventListener("click", (event) => {
    const index = Number.parseInt(total.value, 10);
    if (max && index >= Number.parseInt(max.value, 10)) {
      return; // let the server explain the limit
    }
    event.preventDefault();
    const html = template.innerHTML
      .replaceAll("__prefix__", String(index))
      .replaceAll("__number__", String(index + 1));
    rows.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    const added = rows.lastElementChild;
    const firstInput = added && added.querySelector("input:not([type=hidden]), select, textarea");
    if (firstInput) {
      firstInput.focus();
    }
  });
}
