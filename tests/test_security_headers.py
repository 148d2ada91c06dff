"""Security headers on every response (issue 20, item 6): every route in the app's route list — API, pages,
originals, static files, the API documents — called anonymously and as a signed-in organizer with dummy path
parameters, and whatever comes back (2xx, 3xx, 4xx, a 500) carries the CSP, the frame guards, nosniff and the
referrer policy; sign-in answers are not stored. Swagger UI and ReDoc load only this service's files, and in
Chromium the pages' own script and style and the API documents pass the policy with no violation.
``REVIEW_COOKIE_SECURE`` puts ``Secure`` on every cookie, or on none."""
from __future__ import annotations

import re

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from starlette.routing import Mount

from review_service.core.config import Settings
from review_service.server import create_app
from review_service.server.security_headers import PAGES_POLICY
from review_service.storage import open_database
from tests import jury as J
from tests.pages import browser_sign_in, client_sign_in
from tests.web import running

ASSETS = re.compile(r'(?:src|href)="([^"]+)"')
STATIC_FILE = {"/static": "app.css", "/static/apidocs": "swagger-ui.css"}


@pytest.fixture
def world(settings, tmp_path):
    db = open_database(settings)
    world = J.build_world(db, settings.model_copy(update={"scoring_deadline": J.FUTURE}), tmp_path)
    yield {**world, "db": db, "entries": tmp_path / "entries"}
    db.close()


def directives(policy: str) -> dict[str, str]:
    return {d.strip().split(" ", 1)[0]: (d.strip().split(" ", 1) + [""])[1] for d in policy.split(";") if d.strip()}


def check(r, path: str) -> list[str]:
    """What is missing or wrong in the security headers of response ``r`` to ``path``."""
    h = r.headers
    where = f"{r.request.method} {path} ({r.status_code})"
    problems = [f"{where}: {name} is {h.get(name)!r}" for name, want in (
        ("x-content-type-options", "nosniff"), ("referrer-policy", "no-referrer"),
        ("x-frame-options", "SAMEORIGIN" if path.startswith("/files/") else "DENY")) if h.get(name) != want]
    policy = directives(h.get("content-security-policy", ""))
    if path.startswith("/files/"):
        if "sandbox" not in policy or policy.get("frame-ancestors") != "'self'":
            problems.append(f"{where}: not sandboxed: {h.get('content-security-policy')}")
    elif policy.get("frame-ancestors") != "'none'" or "default-src" not in policy:
        problems.append(f"{where}: CSP {h.get('content-security-policy')!r}")
    if "'unsafe-inline'" in policy.get("script-src", "") or "unsafe-eval" in policy.get("script-src", ""):
        problems.append(f"{where}: script-src allows inline script")
    return problems


def calls(app) -> list[tuple[str, str]]:
    """(method, URL) for every route of the app's route list, path parameters filled with a dummy value."""
    out = []
    for route in iter_route_contexts(app.routes):
        if isinstance(route.original_route, Mount):
            out += [("GET", f"{route.path}/{STATIC_FILE[route.path]}"), ("GET", f"{route.path}/no-such-file.js")]
            continue
        url = re.sub(r"\{[^}]+\}", "1", route.path)
        out += [(m, url) for m in sorted(route.methods) if m != "HEAD"]
    return out


def test_every_route_answers_with_the_security_headers(settings, world):
    app = create_app(settings, search_engine=J.FakeSearch())

    @app.get("/test-crash", include_in_schema=False)
    def crash() -> None:
        raise RuntimeError("a bug")

    routes = calls(app)
    assert len(routes) > 90 and ("GET", "/docs") in routes and ("GET", "/static/app.css") in routes
    problems, statuses = [], set()
    with TestClient(app, raise_server_exceptions=False) as client:
        for who in ("anonymous", "organizer"):
            for method, url in [*routes, ("GET", "/no-such-route"), ("DELETE", "/health"), ("GET", "/test-crash")]:
                client.cookies.clear()
                headers = {}
                if who == "organizer":  # a fresh session each call: a sign-out route ends only its own
                    token = J.token(world["db"], "organizer")
                    client.cookies.set("review_session", token)
                    headers = J.bearer(token)
                r = client.request(method, url, headers=headers, follow_redirects=False)
                statuses.add(r.status_code)
                problems += check(r, url)
                signs = url in ("/auth/token", "/login", "/logout", "/auth/logout") and method == "POST"
                if signs and r.headers.get("cache-control") != "no-store":
                    problems.append(f"{method} {url}: Cache-Control {r.headers.get('cache-control')!r}")
    assert problems == []
    assert {200, 303, 401, 403, 404, 405, 422, 500} <= statuses  # every kind of answer was looked at


def test_sign_in_answers_are_not_stored(settings, world):
    with TestClient(create_app(settings)) as client:
        r = client.post("/auth/token", data={"username": "organizer", "password": "pw-organizer-123"})
        assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
        client.cookies.clear()
        client_sign_in(client, "organizer")  # POST /login: 303 with the session cookie
        r = client.post("/login", data={"username": "organizer", "password": "wrong", "csrf_token": "x"})
        assert r.headers["cache-control"] == "no-store"


def test_the_api_documents_load_only_this_services_files(settings):
    with TestClient(create_app(settings)) as client:
        for page, kind in (("/docs", "swagger-ui"), ("/redoc", "redoc")):
            r = client.get(page)
            assert r.status_code == 200
            assets = ASSETS.findall(r.text)
            assert any(kind in a for a in assets), assets
            assert [a for a in assets if not a.startswith("/") or a.startswith("//")] == []  # no CDN, no other host
            assert "http" not in r.text.replace("https://swagger.io", "")  # no absolute URL at all
            for asset in assets:
                served = client.get(asset)
                assert served.status_code == 200 and len(served.content) > 1000, asset
            assert check(r, page) == []
        assert client.get("/openapi.json").status_code == 200


@pytest.mark.slow  # over 10 s: in the slow suite, to keep the default one under 8 min
def test_in_chromium_the_pages_and_the_api_documents_pass_their_policy(settings, world, browser):
    from review_service.batches.batch import ScreenOptions
    from review_service.batches.job_runner import submit

    job = submit(world["db"], world["entries"], ScreenOptions(progress=False))
    app = create_app(settings.model_copy(update={"scoring_deadline": J.FUTURE}), search_engine=J.FakeSearch())
    with running(app) as base:
        context = browser.new_context()
        page = context.new_page()
        violations, outside = [], []
        page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
        context.on("request", lambda r: outside.append(r) if not r.url.startswith(
            (base, "data:", "blob:", "chrome")) else None)
        page.goto(f"{base}/docs")
        page.locator(".swagger-ui .info .title").wait_for(timeout=20_000)
        assert "review-service" in page.locator(".swagger-ui .info .title").inner_text()
        spec = page.request.get(f"{base}/openapi.json").json()
        operations = sum(len(item) for item in spec["paths"].values())
        assert page.locator(".opblock").count() == operations  # every operation rendered from /openapi.json
        page.goto(f"{base}/redoc")
        page.locator("redoc h1, [role=main] h1").first.wait_for(timeout=30_000)
        browser_sign_in(page, base, "organizer", "pw-organizer-123")
        for path in ("/org", f"/org/batches/{job['id']}", f"/org/entries/{world['E']}", "/org/results"):
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
        assert page.evaluate("() => typeof window.reviewService.send") == "function"  # app.js ran
        assert page.evaluate("() => getComputedStyle(document.body).margin") == "0px"  # app.css applied
        context.close()
    # ReDoc's bundle shows Redocly's logo from their CDN: the policy blocks it (ReDoc then hides it); nothing else
    assert [v for v in violations if "https://cdn.redoc.ly/redoc/logo-mini.svg" not in v] == []
    # no request left this origin: each one that tried was blocked by the policy (this machine has no network)
    assert [(r.url, r.failure) for r in outside if r.failure != "csp"] == []
    assert PAGES_POLICY.endswith("frame-ancestors 'none'")


@pytest.mark.parametrize("secure", [True, False])
def test_review_cookie_secure_sets_secure_on_every_cookie_or_none(settings, world, secure):
    settings = settings.model_copy(update={"cookie_secure": secure})
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        cookies = client.post("/auth/token", data={"username": "organizer", "password": "pw-organizer-123"}
                              ).headers.get_list("set-cookie")
        client.cookies.clear()
        cookies += client.get("/login?lang=kk").headers.get_list("set-cookie")  # CSRF and language cookies
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)[1]
        cookies += client.post("/login", data={"username": "organizer", "password": "pw-organizer-123",
                                               "csrf_token": token, "next": "/"},
                               follow_redirects=False).headers.get_list("set-cookie")
    names = {c.split("=", 1)[0] for c in cookies}
    assert {"review_session", "csrf", "lang"} <= names
    assert [c.split("=", 1)[0] for c in cookies if ("; secure" in c.lower()) != secure] == []


def test_cookie_secure_is_on_by_default_outside_development(monkeypatch):
    monkeypatch.delenv("REVIEW_COOKIE_SECURE", raising=False)
    assert Settings(environment="production").cookie_secure is True
    assert Settings(environment="development").cookie_secure is False
    assert Settings(environment="test").cookie_secure is False
    monkeypatch.setenv("REVIEW_COOKIE_SECURE", "false")
    assert Settings(environment="production").cookie_secure is False
    monkeypatch.setenv("REVIEW_COOKIE_SECURE", "true")
    assert Settings(environment="test").cookie_secure is True
