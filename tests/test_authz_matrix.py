"""The authorisation matrix, generated from the app's own route list: every route × {anonymous, juror assigned,
juror unassigned, juror in conflict, organizer, admin, disabled user, expired token} against its expected
outcome, on SQLite and PostgreSQL. A route with no row here fails the test. Every juror response is also checked
for the applicants' personal fields (blind review)."""
from __future__ import annotations

import json

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient

from review_service.batches.batch import ScreenOptions
from review_service.batches.job_runner import submit
from review_service.contest import assignments
from review_service.contest.permissions import entry_code
from review_service.server import create_app
from review_service.storage import open_database
from review_service.storage.edition_store import EditionStore
from tests import jury as J

WHO = ("anonymous", "juror_assigned", "juror_unassigned", "juror_conflict", "organizer", "admin", "disabled",
       "expired")
OK = "ok"  # 2xx, or 409 (allowed, but the object's state refuses: e.g. already submitted); pages: a 303 elsewhere
LOGIN = "login"  # pages: 303 to /login (a page never answers 401)


def _row(anonymous=401, ja=OK, ju=OK, jc=OK, organizer=OK, admin=OK) -> dict[str, object]:
    return {"anonymous": anonymous, "juror_assigned": ja, "juror_unassigned": ju, "juror_conflict": jc,
            "organizer": organizer, "admin": admin, "disabled": 401, "expired": 401}


PUBLIC = {w: OK for w in WHO}
EVERYONE = _row()
STAFF = _row(ja=403, ju=403, jc=403)
ADMIN = _row(ja=403, ju=403, jc=403, organizer=403)
JUROR = _row(organizer=403, admin=403)
ENTRY = _row(ju=404, jc=404)  # a juror sees only their published, conflict-free entries
ENTRY_JUROR = _row(ju=404, jc=404, organizer=403, admin=403)


def _page(ja=403, ju=403, jc=403, organizer=OK, admin=OK) -> dict[str, object]:
    """A page: signed out, disabled or expired → 303 to /login; a role that may not → a 403 page."""
    return {"anonymous": LOGIN, "juror_assigned": ja, "juror_unassigned": ju, "juror_conflict": jc,
            "organizer": organizer, "admin": admin, "disabled": LOGIN, "expired": LOGIN}


PAGE_STAFF = _page()
PAGE_EVERYONE = _page(ja=OK, ju=OK, jc=OK)
PAGE_JUROR = _page(ja=OK, ju=OK, jc=OK, organizer=403, admin=403)
PAGE_ENTRY_JUROR = _page(ja=OK, ju=404, jc=404, organizer=403, admin=403)
PAGE_ADMIN = _page(organizer=403)

EXPECTED: dict[tuple[str, str], dict[str, object]] = {
    ("GET", "/health"): PUBLIC,
    ("GET", "/docs"): PUBLIC,  # Swagger UI and ReDoc, from the installed package's files (server/api_docs.py)
    ("GET", "/redoc"): PUBLIC,
    ("GET", "/"): {**PUBLIC, "anonymous": LOGIN, "disabled": LOGIN, "expired": LOGIN},  # signed in: role's home
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,  # the form signs in (303 to next); wrong credentials: the form again (401)
    ("POST", "/logout"): {w: LOGIN for w in WHO},  # signs out whoever it was; back to the sign-in page
    ("GET", "/my"): PAGE_JUROR,
    ("GET", "/my/{key}"): PAGE_ENTRY_JUROR,
    ("POST", "/my/{key}/review"): PAGE_ENTRY_JUROR,
    ("POST", "/my/{key}/note/{sentence}"): PAGE_ENTRY_JUROR,
    ("POST", "/my/{key}/declaration"): PAGE_ENTRY_JUROR,  # the juror's own say (here: no conflict)
    # the original: the assigned juror's entry here is a text file, shown as text on the entry page, not served
    # to a juror in blind review (its properties may name the author); PDFs and recordings are (test_pages.py)
    ("GET", "/files/{key}"): _page(ja=404, ju=404, jc=404),
    # a DOCX/PPTX original's PDF rendition: this world's entries are text files, so there is none for anyone;
    # served renditions (blind: under the code, metadata removed) are tested in test_renditions_pages.py
    ("GET", "/files/{key}/pdf"): _page(ja=404, ju=404, jc=404, organizer=404, admin=404),
    ("GET", "/org"): PAGE_STAFF,
    ("GET", "/org/batches"): PAGE_STAFF,
    ("POST", "/org/batches"): PAGE_STAFF,
    ("GET", "/org/batches/{job_id}"): PAGE_STAFF,
    ("POST", "/org/batches/{job_id}/cancel"): PAGE_STAFF,
    ("POST", "/org/batches/{job_id}/resume"): PAGE_STAFF,
    ("GET", "/org/entries"): PAGE_STAFF,
    ("GET", "/org/entries/{entry_id}"): PAGE_STAFF,
    ("POST", "/org/entries/{entry_id}/checks/{check}"): PAGE_STAFF,
    ("GET", "/org/duplicates"): PAGE_STAFF,
    ("POST", "/org/duplicates"): PAGE_STAFF,
    ("GET", "/org/assignment"): PAGE_STAFF,
    ("POST", "/org/assignment/edit"): PAGE_STAFF,
    ("POST", "/org/assignment/resolve"): PAGE_STAFF,
    ("POST", "/org/assignment/publish"): PAGE_STAFF,
    ("POST", "/org/assignment/replace"): PAGE_STAFF,  # a declared juror's place given to another, in the draft
    ("GET", "/org/progress"): PAGE_STAFF,
    ("POST", "/org/progress/extensions"): PAGE_STAFF,
    ("POST", "/org/progress/reminders"): PAGE_STAFF,  # no mail server here: back to the board with the reason
    ("GET", "/org/progress/reminders.csv"): PAGE_STAFF,
    ("GET", "/org/results"): PAGE_STAFF,
    ("GET", "/org/decisions"): PAGE_STAFF,
    ("POST", "/org/decisions"): PAGE_STAFF,
    ("GET", "/org/audit"): PAGE_STAFF,
    ("GET", "/org/search"): PAGE_STAFF,
    ("GET", "/org/users"): PAGE_STAFF,  # organizers read the list; the forms are an admin's (users.manage)
    ("POST", "/org/users"): PAGE_ADMIN,
    ("POST", "/org/users/{login}/disable"): PAGE_ADMIN,
    ("POST", "/org/users/{login}/enable"): PAGE_ADMIN,
    ("POST", "/org/users/password"): PAGE_ADMIN,  # a temporary password for another account
    ("GET", "/account/password"): PAGE_EVERYONE,  # one's own password: every signed-in person
    ("POST", "/account/password"): PAGE_EVERYONE,
    ("POST", "/account/edition"): PAGE_EVERYONE,  # the header's edition switch (a juror: their editions only)
    ("POST", "/org/rubric"): PAGE_STAFF,
    ("POST", "/org/entries/{entry_id}/reviews/{juror_id}/reopen"): PAGE_STAFF,
    ("POST", "/org/entries/{entry_id}/decisions"): PAGE_STAFF,
    ("GET", "/org/rubric"): PAGE_EVERYONE,  # the rubric is public to every signed-in person (as GET /rubric)
    ("GET", "/org/themes"): PAGE_STAFF,
    ("GET", "/org/themes/map.png"): PAGE_STAFF,  # no map drawn in this world: 303 to the themes page saying why
    ("POST", "/auth/token"): PUBLIC,
    ("POST", "/auth/logout"): EVERYONE,
    ("GET", "/auth/me"): EVERYONE,
    ("GET", "/users"): STAFF,
    ("POST", "/users"): ADMIN,
    ("POST", "/users/{login}/disable"): ADMIN,
    ("POST", "/users/{login}/enable"): ADMIN,
    ("GET", "/entries"): EVERYONE,
    ("GET", "/entries/{entry_id}"): ENTRY,
    ("GET", "/entries/{entry_id}/note"): ENTRY,
    ("POST", "/entries/{entry_id}/note/feedback"): ENTRY,
    ("POST", "/entries/{entry_id}/checks/{check}/review"): STAFF,
    ("GET", "/entries/{entry_id}/reviews"): ENTRY,
    ("PUT", "/entries/{entry_id}/review"): ENTRY_JUROR,
    ("POST", "/entries/{entry_id}/review/submit"): ENTRY_JUROR,
    ("POST", "/entries/{entry_id}/reviews/{juror_id}/reopen"): STAFF,
    ("POST", "/entries/{entry_id}/decisions"): STAFF,
    ("GET", "/entries/{entry_id}/decisions"): STAFF,
    ("GET", "/rubric"): EVERYONE,
    ("POST", "/rubric"): STAFF,
    ("GET", "/assignments/draft"): STAFF,
    ("POST", "/assignments/draft/edits"): STAFF,
    ("POST", "/assignments/draft/resolve"): STAFF,
    ("POST", "/assignments/publish"): STAFF,
    ("GET", "/assignments/published"): STAFF,
    ("GET", "/assignments/mine"): JUROR,
    ("GET", "/results"): STAFF,
    ("GET", "/decisions"): STAFF,
    ("GET", "/flags/duplicates"): STAFF,
    ("POST", "/flags/duplicates/review"): STAFF,
    ("GET", "/drafts/{stage}"): STAFF,
    ("GET", "/audit"): STAFF,
    ("GET", "/audit/verify"): STAFF,
    ("GET", "/exports/results.csv"): STAFF,
    ("GET", "/exports/scores.csv"): STAFF,
    ("GET", "/exports/results.xlsx"): STAFF,
    ("GET", "/exports/decisions.csv"): STAFF,
    ("GET", "/exports/audit.csv"): STAFF,
    ("GET", "/exports/my-scores.csv"): JUROR,
    ("GET", "/exports/reminders.csv"): STAFF,
    ("POST", "/entries/{entry_id}/declaration"): ENTRY_JUROR,  # the juror's own say (here: no conflict)
    ("GET", "/declarations"): STAFF,
    ("GET", "/progress"): STAFF,
    ("POST", "/progress/extensions"): STAFF,
    ("POST", "/reminders"): STAFF,  # 409 smtp_not_configured here: allowed, the state refuses
    ("POST", "/batches"): STAFF,
    ("GET", "/batches/{job_id}"): STAFF,
    ("POST", "/batches/{job_id}/cancel"): STAFF,
    ("POST", "/batches/{job_id}/resume"): STAFF,
    ("GET", "/search"): STAFF,
    ("GET", "/search/like/{doc_id}"): STAFF,
    ("GET", "/editions"): EVERYONE,  # a juror: the editions whose jury they are on
    ("POST", "/editions"): STAFF,
    ("POST", "/editions/{name}/close"): STAFF,  # a spare edition: closed by the first, then 409 (closed)
}
ORDER = {"GET": 0, "PUT": 1, "POST": 2}


@pytest.fixture
def settings(backend_settings):
    return backend_settings.model_copy(update={"scoring_deadline": J.FUTURE})


def api_routes(app) -> list[tuple[str, str]]:
    """(method, path) of every API route the app serves (routers included), from FastAPI's own route list."""
    found = {(m, r.path) for r in iter_route_contexts(app.routes) if isinstance(r.original_route, APIRoute)
             for m in r.methods}
    return sorted(found,
                  key=lambda x: (x[1] == "/auth/logout", ORDER[x[0]], x[1]))


def _request(method: str, path: str, who: str, world: dict, db, n: int) -> dict:
    """The request a client would send: path parameters, body or form."""
    entry = entry_code(world["E"]) if who.startswith("juror") else world["E"]
    record = db.submission(world["E"])
    url = (path.replace("{entry_id}", entry).replace("{key}", entry).replace("{sentence}", "1").replace("{stage}", "duplicates").replace("{login}", "victim")
           .replace("{juror_id}", "ja").replace("{doc_id}", "p1").replace("{job_id}", str(world["job"])).replace("{check}", record["checks"][0]["name"])
           .replace("{name}", "spare"))
    version = assignments.current_draft(db)["version"]
    bodies = {
        "/auth/token": {"data": {"username": "organizer", "password": "pw-organizer-123"}},
        "/users": {"json": {"login": f"new{n}", "role": "organizer", "password": "long-enough-1"}},
        "/entries/{entry_id}/note/feedback": {"json": {"sentence": 1, "verdict": "helpful"}},
        "/entries/{entry_id}/checks/{check}/review": {"json": {"verdict": "uphold", "comment": "checked"}},
        "/entries/{entry_id}/review": {"json": {"scores": {"innovation": {"value": 7},
                                                           "feasibility": {"value": 3.5, "comment": "fine"}}}},
        "/entries/{entry_id}/reviews/{juror_id}/reopen": {"json": {"reason": "asked by the juror"}},
        "/entries/{entry_id}/decisions": {"json": {"kind": "finalist", "value": "yes"}},
        "/rubric": {"json": {"criteria": J.RUBRIC}},
        "/assignments/draft/edits": {"json": {"expect_version": version, "edits": [
            {"op": "pin", "juror": "ja", "entry": world["E"]}, {"op": "forbid", "juror": "ju", "entry": world["E"]}]}},
        "/assignments/draft/resolve": {"json": {"expect_version": version}},
        "/assignments/publish": {"json": {"expect_version": version}},
        "/entries/{entry_id}/declaration": {"json": {"kind": "none"}},
        "/progress/extensions": {"json": {"scope": "juror", "target": "ja", "until": "2100-06-01T00:00:00+00:00"}},
        "/flags/duplicates/review": {"json": {"a": world["E"], "b": world["F"], "kind": "paraphrase",
                                              "verdict": "dismiss", "comment": "different projects"}},
        "/search": {"params": {"q": "chat bot"}},
        "/editions": {"json": {"name": f"m{n}", "year": 2027}},
        "/batches": {"files": [("files", ("ЖИ байқауы_Жаңа.txt", "Кітапханадағы чат-бот.".encode(), "text/plain"))],
                     "data": {"skip": ["duplicates"]}},
    }
    if path in PAGES:
        return _page_request(method, path, url, who, world, db, version)
    kwargs = dict(bodies.get(path, {})) if method != "GET" or path == "/search" else {}
    if method == "GET" and path == "/search":
        kwargs = bodies["/search"]
    token = world["tokens"].get(who)
    if path == "/auth/logout" and who in ("juror_assigned", "juror_unassigned", "juror_conflict", "organizer",
                                          "admin"):
        token = J.token(db, {"juror_assigned": "ja", "juror_unassigned": "ju", "juror_conflict": "jc"}.get(who, who))
    kwargs["headers"] = J.bearer(token) if token else {}
    return {"method": method, "url": url, **kwargs}


PAGES = {path for (_, path) in EXPECTED if path in ("/", "/login", "/logout") or path.startswith(("/my", "/org",
                                                                                                   "/files", "/account"))}
LOGINS = {"juror_assigned": "ja", "juror_unassigned": "ju", "juror_conflict": "jc", "organizer": "organizer",
          "admin": "admin", "disabled": "jd", "expired": "ja"}
CSRF = "matrix-csrf-token"


def _page_request(method: str, path: str, url: str, who: str, world: dict, db, version: int) -> dict:
    """A page request as a browser sends it: the session cookie, and on a POST the CSRF cookie and field."""
    forms = {
        "/login": {"username": "organizer", "password": "pw-organizer-123", "next": "/"},
        "/my/{key}/review": {"action": "save", "score-innovation": "7", "score-feasibility": "3.5",
                             "comment-feasibility": "fine"},
        "/my/{key}/note/{sentence}": {"verdict": "helpful"},
        "/my/{key}/declaration": {"kind": "none"},
        "/org/assignment/replace": {"juror": "ja", "entry": world["E"], "with_juror": "ju", "expect_version": version},
        "/org/progress/extensions": {"scope": "entry", "target": world["E"], "until": "2100-06-01T00:00"},
        "/org/entries/{entry_id}/checks/{check}": {"verdict": "uphold", "comment": "checked"},
        "/org/duplicates": {"a": world["E"], "b": world["F"], "kind": "paraphrase", "verdict": "dismiss",
                            "comment": "different projects"},
        "/org/assignment/edit": {"op": "pin", "juror": "ja", "entry": world["E"], "expect_version": version},
        "/org/assignment/resolve": {"expect_version": version},
        "/org/assignment/publish": {"expect_version": version},
        "/org/decisions": {"entry": world["E"], "kind": "finalist", "value": "yes"},
        "/org/users": {"login": "pagenew", "role": "organizer", "password": "long-enough-1"},
        "/org/rubric": {"action": "publish", "rows": str(len(J.RUBRIC)), **{
            f"c{i}-{k}": v for i, c in enumerate(J.RUBRIC) for k, v in (
                ("id", c["id"]), ("weight", str(c["weight"])), ("min", str(c["min"])), ("max", str(c["max"])),
                ("step", str(c["step"])), ("comment", "1" if c.get("comment_required") else ""),
                *((f"name-{lang}", c["name"][lang]) for lang in c["name"]))}},
        "/org/entries/{entry_id}/reviews/{juror_id}/reopen": {"reason": "asked by the juror"},
        "/org/entries/{entry_id}/decisions": {"kind": "award", "value": "1"},
        "/org/users/password": {"login": "victim", "password": "long-enough-1"},
        "/account/edition": {"edition": "default", "next": "/org"},
        # the same password again (allowed): later rows still sign in with it; the caller's other sessions end
        "/account/password": {"current": f"pw-{LOGINS.get(who)}-123", "new": f"pw-{LOGINS.get(who)}-123",
                              "confirm": f"pw-{LOGINS.get(who)}-123"},
    }
    token = world["tokens"].get(who)
    if path == "/logout" and token and who not in ("disabled", "expired"):
        token = J.token(db, {"juror_assigned": "ja", "juror_unassigned": "ju", "juror_conflict": "jc"}.get(who, who))
    cookies = {"csrf": CSRF, **({"review_session": token} if token else {})}
    kwargs: dict = {"method": method, "url": url, "cookies": cookies, "follow_redirects": False}
    if method == "POST":
        kwargs["data"] = {**forms.get(path, {}), "csrf_token": CSRF}
        if path == "/org/batches":
            kwargs["files"] = [("files", ("ЖИ байқауы_Жаңа.txt", "Кітапханадағы чат-бот.".encode(), "text/plain"))]
    return kwargs


def _outcome(r) -> object:
    if r.status_code == 303:
        return LOGIN if r.headers["location"].startswith("/login") else OK
    return OK if (200 <= r.status_code < 300 or r.status_code == 409) else r.status_code


def test_authorisation_matrix(settings, tmp_path):
    db = open_database(settings)
    world = J.build_world(db, settings, tmp_path)
    world["job"] = submit(db, tmp_path / "entries", ScreenOptions(progress=False))["id"]
    EditionStore(db).create("spare", 2027, {}, "test")  # newer than the world's: not the current edition
    personal = J.personal_strings()
    app = create_app(settings, search_engine=J.FakeSearch())
    routes = api_routes(app)
    assert set(routes) == set(EXPECTED), "every route needs a row in the matrix (and every row a route)"
    violations, leaks, cells = [], [], 0
    with TestClient(app) as client:
        for n, (who, (method, path)) in enumerate((w, r) for w in WHO for r in routes):
            client.cookies.clear()
            r = client.request(**_request(method, path, who, world, db, n))
            cells += 1
            want = EXPECTED[(method, path)][who]
            got = _outcome(r)
            if got != want or r.status_code >= 500:
                violations.append(f"{who:16} {method} {path}: {r.status_code} (expected {want}) {r.text[:160]}")
            if r.status_code >= 400 and path not in PAGES and r.headers["content-type"] != "application/problem+json":
                violations.append(f"{who} {method} {path}: error not problem+json")
            if who.startswith("juror"):
                text = r.content.decode("utf-8", "replace")
                leaks += [f"{who} {method} {path}: {p!r}" for p in personal if p in text]
    db.close()
    print(f"\nauthorisation matrix: {len(routes)} routes x {len(WHO)} callers = {cells} cells, "
          f"{len(violations)} violations, {len(leaks)} personal-field leaks to jurors")
    assert violations == []
    assert leaks == []
    assert cells == len(EXPECTED) * len(WHO)


def test_docs_and_schema_are_public(settings):
    with TestClient(create_app(settings)) as client:
        for path in ("/openapi.json", "/docs", "/redoc", "/health"):
            assert client.get(path).status_code == 200, path
        spec = client.get("/openapi.json").json()
    assert "OAuth2PasswordBearer" in json.dumps(spec["components"]["securitySchemes"])
