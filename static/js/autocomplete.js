// Autocomplete of the territory fields: progressive enhancement of CommuneField
// (territories/forms.py) and of the territory builder's EPCI field (territories/builder.py).
//
// Each <input data-commune-autocomplete="URL" list="ID"> (or data-epci-autocomplete) gets
// its <datalist> filled with the labels the JSON endpoint returns ("Quimper (29) — 29000",
// "CA Fougères Agglomération"); the server resolves whatever ends up in the input, label or
// not, so the form works the same without this file. Events are delegated from the
// document: inputs added later (formset rows, the builder put back by answer-form.js) work too.
// base.html loads it on every page.

const DELAY_MS = 200;
const MIN_LENGTH = 2;
// The data attributes (as dataset keys) holding the endpoint's URL.
const URL_KEYS = ["communeAutocomplete", "epciAutocomplete"];
const SELECTOR = "input[data-commune-autocomplete], input[data-epci-autocomplete]";

// Per input: pending timer, request in flight, last query sent.
const states = new WeakMap();

function stateOf(input) {
  let state = states.get(input);
  if (!state) {
    state = { timer: 0, controller: null, query: "" };
    states.set(input, state);
  }
  return state;
}

function fillDatalist(datalist, results) {
  const options = results.map((result) => {
    const option = document.createElement("option");
    option.value = result.label;
    return option;
  });
  datalist.replaceChildren(...options);
}

async function update(input) {
  const datalist = input.list;
  if (!datalist) {
    return;
  }
  const state = stateOf(input);
  const query = input.value.trim();
  // A label just picked from the list: nothing new to look for.
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
  const endpoint = URL_KEYS.map((key) => input.dataset[key]).find(Boolean);
  const url = new URL(endpoint, document.baseURI);
  url.searchParams.set("q", query);
  const controller = new AbortController();
  state.controller = controller;
  try {
    const response = await fetch(url, {
      signal: controller.signal,
      headers: { Accept: "application/json" },
    });
    if (!response.ok) {
      return; // the server will resolve the text on submit anyway
    }
    const data = await response.json();
    if (state.controller === controller) {
      fillDatalist(datalist, data.results || []);
    }
  } catch (error) {
    if (error.name !== "AbortError") {
      state.query = ""; // network trouble: try again on the next keystroke
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
