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

