// Progress of a PDF batch: polls the JSON status and reloads the page once the zip is
// ready (the server then renders the download link). Without this file, the page's
// "refresh" link shows the same progress.
const POLL_MS = 1500;

const container = document.querySelector("[data-batch-status-url]");

async function poll() {
  const response = await fetch(container.dataset.batchStatusUrl, {
    headers: { Accept: "application/json" },
    credentials: "same-origin",
  });
  if (!response.ok) {
    return; // the refresh link still works
  }
  const status = await response.json();
  const progress = container.querySelector("progress");
  const text = container.querySelector("[data-batch-text]");
  if (progress) {
    progress.max = status.total;
    progress.value = status.done;
    progress.textContent = `${status.percent} %`;
  }
  if (status.finished) {
    window.location.reload();
    return;
  }
  if (text) {
    text.textContent = `${status.done} / ${status.total} — ${status.status_label}`;
  }
  window.setTimeout(poll, POLL_MS);
}

if (container && container.dataset.batchFinished !== "true") {
  window.setTimeout(poll, POLL_MS);
}
