// Dashboard: select every row at once, count the ticked rows, show a column as soon as it
// is chosen (and save the choice in the background). Progressive enhancement only: without
// this file the rows are ticked one by one and the columns form has its own button.

const form = document.querySelector("[data-selection]");
const rows = form ? [...form.querySelectorAll("[data-select-row]")] : [];
const count = form?.querySelector("[data-selection-count]");

function updateCount(selectAll) {
  const ticked = rows.filter((box) => box.checked).length;
  if (count) {
    count.textContent = ticked
      ? `(${ticked} ${ticked > 1 ? "cochées" : "cochée"})`
      : "";
  }
  if (selectAll) {
    selectAll.checked = ticked > 0 && ticked === rows.length;
    selectAll.indeterminate = ticked > 0 && ticked < rows.length;
  }
}

const cell = form?.querySelector("[data-select-all-cell]");
if (cell && rows.length) {
  cell.innerHTML = "";
  const group = document.createElement("div");
  group.className = "fr-checkbox-group fr-checkbox-group--sm";
  const box = document.createElement("input");
  box.type = "checkbox";
  box.id = "selection-toutes";
  const label = document.createElement("label");
  label.className = "fr-label";
  label.htmlFor = box.id;
  const text = document.createElement("span");
  text.className = "fr-sr-only";
  text.textContent = "Sélectionner toutes les réponses de la page";
  label.append(text);
  group.append(box, label);
  cell.append(group);
  box.addEventListener("change", () => {
    for (const row of rows) {
      row.checked = box.checked;
    }
    updateCount(box);
  });
  for (const row of rows) {
    row.addEventListener("change", () => updateCount(box));
  }
  updateCount(box);
}

// Columns: show or hide at once, then remember the choice on the server.
const columnsForm = document.querySelector("[data-columns-form]");
const table = document.querySelector("[data-dashboard-table]");
if (columnsForm && table) {
  const submit = columnsForm.querySelector("button[type=submit]");
  const status = document.createElement("p");
  status.className = "fr-text--sm fr-mb-0";
  status.setAttribute("role", "status");
  columnsForm.append(status);
  if (submit) {
    submit.hidden = true; // each change is saved
  }
  columnsForm.addEventListener("change", async (event) => {
    const choice = event.target;
    if (!(choice instanceof HTMLInputElement) || choice.type !== "checkbox") {
      return;
    }
    for (const element of table.querySelectorAll(`[data-column="${choice.value}"]`)) {
      element.hidden = !choice.checked;
    }
    const response = await fetch(columnsForm.action, {
      method: "POST",
      body: new FormData(columnsForm),
      headers: { "X-Requested-With": "fetch" },
      credentials: "same-origin",
    });
    status.textContent = response.ok
      ? "Colonnes enregistrées."
      : "Les colonnes n’ont pas pu être enregistrées.";
    if (!response.ok && submit) {
      submit.hidden = false;
    }
  });
}
