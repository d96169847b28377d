// Progressive enhancement only: every page works without this file.

// Move focus to the error summary after a failed submit, so screen readers announce it.
const summary = document.querySelector("[data-focus-on-load]");
if (summary) {
  summary.focus();
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
