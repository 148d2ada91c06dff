// The assignment page without a jump to the top: a pin / forbid / remove, a re-solve or a publication is sent
// with fetch, and the draft (#assignment-live) is swapped for the one the server answers with, at the same scroll
// position, with the focus back in the edited row. Without this script the forms post as usual and the server
// sends the page back to the row (#row-…) or to the draft's actions.
"use strict";
(() => {
  const live = () => document.getElementById("assignment-live");

  async function submitInPlace(event) {
    const form = event.target;
    if (!form.matches("form.inplace")) return;
    event.preventDefault();
    const entry = form.dataset.entry || "";
    const button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    let html;
    try {
      const response = await window.reviewService.send(form.action, {
        method: "POST", body: new FormData(form), headers: {"Accept": "text/html"}});
      if (!response.ok || !response.headers.get("content-type").startsWith("text/html")) throw new Error("refused");
      html = await response.text();
    } catch (e) {
      form.submit();  // the plain way: the server brings the page back to the row
      return;
    }
    const fresh = new DOMParser().parseFromString(html, "text/html").getElementById("assignment-live");
    if (!fresh) { form.submit(); return; }
    const x = window.scrollX, y = window.scrollY;
    live().replaceWith(document.importNode(fresh, true));
    window.scrollTo(x, y);
    const row = entry ? document.getElementById(`row-${entry}`) : null;
    const target = row ? (row.querySelector(".error[role=alert]") ? row.querySelector("details.change select")
                                                                  : row.querySelector("details.change summary"))
                       : document.querySelector("#draft-actions button");
    if (target) target.focus({preventScroll: true});
  }

  document.addEventListener("submit", submitInPlace);
})();
