// EPCI autocomplete: progressive enhancement of the territory builder's EPCI field
// (territories/builder.py), the same pattern as commune-autocomplete.js.
//
// Each <input data-epci-autocomplete="URL" list="ID"> gets its <datalist> filled with the
// names the JSON endpoint returns; the server resolves whatever ends up in the input, so the
// form works the same without this file.

const DELAY_MS = 200;
const MIN_LENGTH = 2;
const SELECTOR = "input[data-epci-autocomplete]";

const states = new WeakMap();

function stateOf(input) {
  let state = states.get(input);
  if (!state) {
    state = { timer: 0, controller: null, query: "" };
    states.set(input, state);
  }
  return state;
}

async function update(input) {
  const datalist = input.list;
  if (!datalist) {
    return;
  }
  const state = stateOf(input);
  const query = input.value.trim();
  if (query === state.query || Array.from(datalist.options).some((o) => o.value === query)) {
    return;
  }
  state.query = query;
  if (state.controller) {
    state.controller.abort();
    state.controller = null;
  }
  if (query.length < MIN_LENGTH) {
    datalist.replaceChildren();
    return;
  }
  const url = new URL(input.dataset.epciAutocomplete, document.baseURI);
  url.searchParams.set("q", query);
  const controller = new AbortController();
  state.controller = controller;
  try {
    const response = await fetch(url, {
      signal: controller.signal,
      headers: { Accept: "application/json" },
    });
    if (!response.ok) {
      return;
    }
    const data = await response.json();
    if (state.controller === controller) {
      datalist.replaceChildren(
        ...(data.results || []).map((result) => {
          const option = document.createElement("option");
          option.value = result.label;
          return option;
        }),
      );
    }
  } catch (error) {
    if (error.name !== "AbortError") {
      state.query = "";
    }
  } finally {
    if (state.controller === controller) {
      state.controller = null;
    }
  }
}

document.addEventListener("input", (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || !input.matches(SELECTOR)) {
    return;
  }
  const state = stateOf(input);
  window.clearTimeout(state.timer);
  state.timer = window.setTimeout(() => update(input), DELAY_MS);
});
