// A little plain JavaScript: live batch progress, seeking a recording from a citation, and one helper that sends
// every request with the CSRF token (X-CSRF-Token from <meta name="csrf-token">). Pages work without it, except
// for the live refresh of a batch (reload the page instead).
"use strict";
const csrf = () => document.querySelector('meta[name="csrf-token"]').content;

function send(url, options = {}) {
  const headers = Object.assign({"X-CSRF-Token": csrf(), "Accept": "application/json"}, options.headers || {});
  return fetch(url, Object.assign({credentials: "same-origin"}, options, {headers}));
}

function watchJob(box) {
  const id = box.dataset.job;
  const label = (kind, code) => {
    const t = box.querySelector(`template[data-${kind}="${code}"]`);
    return t ? t.content.textContent : code;
  };
  const tick = async () => {
    let job;
    try {
      const r = await send(`/batches/${id}`);
      if (!r.ok) return setTimeout(tick, 3000);
      job = await r.json();
    } catch (e) { return setTimeout(tick, 3000); }
    const bar = document.getElementById("job-progress");
    bar.max = job.total || 1;
    bar.value = job.done;
    document.getElementById("job-state").textContent = label("state", job.state);
    document.getElementById("job-stage").textContent = label("stage", job.stage);
    document.getElementById("job-count").textContent = `${job.done} / ${job.total}`;
    box.dataset.state = job.state;
    showFileErrors(job.errors || [], label);
    if (job.state === "done") {
      document.getElementById("job-done").hidden = false;
      const stop = document.getElementById("job-stop");  // nothing left to stop
      if (stop) stop.remove();
    }
    if (job.state === "cancelled" || job.state === "failed" || job.stale !== (box.dataset.stale === "1")) {
      return window.location.reload();  // the note and the stop / resume button follow the new state
    }
    if (job.state === "queued" || job.state === "running") setTimeout(tick, 1000);
  };
  if (box.dataset.state === "queued" || box.dataset.state === "running") setTimeout(tick, 500);
}

function showFileErrors(errors, label) {  // the files that could not be read, each named, with its reason
  const holder = document.getElementById("job-errors");
  if (!holder || !errors.length) return;
  const list = holder.querySelector("ul");
  const noName = holder.querySelector("template[data-problem-noname]").content.textContent;
  list.replaceChildren(...errors.map((e) => {
    const code = e.code || "failed";
    const li = document.createElement("li");
    const name = document.createElement("strong");
    name.textContent = e.file_name || e.file || e.stage || noName;
    li.dataset.code = code;
    li.append(name, `: ${label("problem", code === "failed" || holder.querySelector(`template[data-problem="${code}"]`) ? code : "failed")}`);
    return li;
  }));
  holder.hidden = false;
}

function seekable() {
  const player = document.getElementById("player");
  if (!player) return;
  document.querySelectorAll("a[data-seek]").forEach((a) => a.addEventListener("click", (event) => {
    event.preventDefault();
    player.currentTime = Number(a.dataset.seek);
    player.focus();
    player.play().catch(() => {});
  }));
}

function jumpToText() {  // a citation to a place in the text: focus it so keyboard and screen readers follow
  document.querySelectorAll('a.cite[href^="#at-"]').forEach((a) => a.addEventListener("click", () => {
    const target = document.getElementById(a.getAttribute("href").slice(1));
    if (target) setTimeout(() => target.focus(), 0);
  }));
}

document.addEventListener("DOMContentLoaded", () => {
  const job = document.getElementById("job");
  if (job) watchJob(job);
  seekable();
  jumpToText();
});
window.reviewService = {send};
