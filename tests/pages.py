"""Helpers for page tests: sign in through the form (TestClient or a real browser), axe-core with no serious or
critical violation, screenshots under var/test-artifacts/screenshots/, the page routes of the app."""
from __future__ import annotations

import re
from pathlib import Path

from fastapi.routing import APIRoute, iter_route_contexts

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "var" / "test-artifacts" / "screenshots"
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def page_routes(app) -> list[tuple[str, str]]:
    """(method, path) of every page route (the routes hidden from the OpenAPI document, outside /docs)."""
    found = {(m, r.path) for r in iter_route_contexts(app.routes) if isinstance(r.original_route, APIRoute)
             and not r.original_route.include_in_schema for m in r.methods}
    return sorted(found)


def client_sign_in(client, login: str, password: str | None = None) -> str:
    """Sign in through ``POST /login`` like a browser; the CSRF token of the session."""
    token = CSRF_FIELD.search(client.get("/login").text)[1]
    r = client.post("/login", data={"username": login, "password": password or f"pw-{login}-123",
                                    "csrf_token": token, "next": "/"}, follow_redirects=False)
    assert r.status_code == 303, r.text[:500]
    return token


def browser_sign_in(page, base: str, login: str, password: str, lang: str = "en") -> None:
    from review_service.core import i18n

    page.goto(f"{base}/login?lang={lang}")
    page.get_by_label(i18n.gettext(lang, "Login")).fill(login)
    page.get_by_label(i18n.gettext(lang, "Password")).fill(password)
    page.get_by_role("button", name=i18n.gettext(lang, "Sign in")).click()
    page.wait_for_load_state()
    assert "/login" not in page.url, f"{login} could not sign in"


def serious_violations(page) -> list[str]:
    """axe-core (axe-playwright-python) on the page: the ids of serious and critical violations."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{v['id']}: {v['nodes'][0]['target'] if v['nodes'] else ''}" for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")]


def shot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path



VIEWER = "chrome-extension://mhjfbmdgcfjbbpaeojofohoefgiehjai/"
"""Chromium's built-in PDF viewer: an extension page in a frame inside the frame that shows the PDF."""
_VIEWER_PAGE = """() => {
  const viewer = document.querySelector("pdf-viewer");
  const field = viewer && viewer.shadowRoot && viewer.shadowRoot.querySelector("viewer-toolbar");
  const selector = field && field.shadowRoot && field.shadowRoot.querySelector("viewer-page-selector");
  const input = selector && selector.shadowRoot && selector.shadowRoot.querySelector("input");
  return input && input.value ? Number(input.value) : 0;
}"""


def viewer_page(page, expected: int, timeout_ms: int = 15_000) -> int:
    """The page Chromium's own PDF viewer shows, read from its toolbar's page field (in the viewer's extension
    frame under the page's original frame); waits up to ``timeout_ms`` for it to become ``expected`` and returns
    what it shows then (0: no viewer)."""
    import time

    deadline = time.monotonic() + timeout_ms / 1000
    shown = 0
    while True:
        viewers = [f for f in page.frames if f.url.startswith(VIEWER) and not f.is_detached()]
        try:
            shown = viewers[-1].evaluate(_VIEWER_PAGE) if viewers else 0
        except Exception:  # noqa: BLE001 - the frame was replaced while being read: read again
            shown = 0
        if shown == expected or time.monotonic() > deadline:
            return shown
        page.wait_for_timeout(100)
