// A little plain JavaScript: live batch progress, opening a cited page in the original's frame, playing a recording
// from a citation's moment to its end, and one helper that sends every request with the CSRF token (X-CSRF-Token
// from <meta name="csrf-token">). Pages work without it, except for the live refresh of a batch (reload the page
// instead); a cited page then opens by the link itself (its address differs from the frame's: see views.page_href).
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

function seekable() {  // a citation to a moment or span: play the recording from its start, pause at its end
  const player = document.getElementById("player");
  if (!player) return;
  let span = null;  // [from, until] of the citation last followed, until it has played or the person seeks away
  player.addEventListener("timeupdate", () => {
    if (span && player.currentTime >= span[1]) {
      span = null;
      player.pause();
    }
  });
  player.addEventListener("seeked", () => {
    if (span && (player.currentTime < span[0] - 0.5 || player.currentTime > span[1])) span = null;
  });
  document.querySelectorAll("a[data-seek]").forEach((a) => a.addEventListener("click", (event) => {
    event.preventDefault();
    const from = Number(a.dataset.seek);
    span = a.dataset.until ? [from, Number(a.dataset.until)] : null;
    player.currentTime = from;
    player.focus();
    player.play().catch(() => {});
  }));
}

function openInFrame() {  // a citation to a page: load the frame afresh at the page (a PDF viewer reads #page=N only
  // when it opens a document, and Chromium's ignores a change of the fragment alone); the element is replaced, so
  // even the same citation clicked again goes back to its page
  document.querySelectorAll('a.cite[target="original"]').forEach((a) => a.addEventListener("click", (event) => {
    const frame = document.getElementById("original-frame");
    if (!frame) return;
    event.preventDefault();
    const fresh = frame.cloneNode(false);
    fresh.src = a.href;
    fresh.dataset.opened = String(Number(frame.dataset.opened || "0") + 1);
    frame.replaceWith(fresh);
    fresh.scrollIntoView({block: "nearest"});
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
  openInFrame();
  jumpToText();
});
window.reviewService = {send};
