"""Rendering pages: one Jinja2 environment per interface language, the language and CSRF cookies (the token
itself: :mod:`review_service.server.csrf`)."""
from __future__ import annotations

from functools import cache
from importlib import resources

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from review_service.core import i18n
from review_service.server.csrf import CSRF_COOKIE, csrf_token
from review_service.server.deps import get_app_settings

LANG_COOKIE = "lang"
ONE_YEAR = 365 * 24 * 3600


def static_dir() -> str:
    return str(resources.files("review_service") / "static")


@cache
def environment(lang: str, timezone: str = i18n.DEFAULT_TIMEZONE) -> Environment:
    env = Environment(loader=PackageLoader("review_service", "templates"), autoescape=select_autoescape(["html"]),
                      extensions=["jinja2.ext.i18n"])
    i18n.install(env, lang, timezone)
    env.filters["marks"] = marks
    return env


def _editions(request: Request) -> list[dict]:
    """The editions the signed-in person may switch to (the header's switch); none when signed out."""
    who = getattr(request.state, "user", None)
    if who is None:
        return []
    from review_service.contest.editions import visible

    return visible(request.app.state.db, who)


def marks(text: str) -> Markup:
    """A passage whose matching words come marked ``**like this**`` (search highlights, duplicate evidence), with
    those words in ``<mark>`` and everything else escaped."""
    parts = str(text or "").split("**")
    if len(parts) % 2 == 0:  # an unpaired marker: show the text as it is
        return Markup(escape(text))
    return Markup("".join(f"<mark>{escape(p)}</mark>" if i % 2 else str(escape(p)) for i, p in enumerate(parts)))


def language(request: Request) -> str:
    return i18n.choose_language(request.query_params.get("lang"), request.cookies.get(LANG_COOKIE),
                                request.headers.get("accept-language"))


def page(request: Request, template: str, *, status_code: int = 200, **context) -> HTMLResponse:
    """Render ``template`` in the request's language; remember a language chosen by ``?lang=``."""
    lang = language(request)
    settings = get_app_settings(request)
    token = csrf_token(request)
    html = environment(lang, settings.timezone).get_template(template).render(
        request=request, url_for=request.url_for, lang=lang, languages=list(i18n.LANGUAGE_NAMES.items()),
        contest=settings.contest_name, csrf_token=token, user=getattr(request.state, "user", None),
        blind=settings.blind_review, edition=getattr(request.state, "edition", None),
        editions=_editions(request), **context)
    response = HTMLResponse(html, status_code=status_code)
    secure = bool(settings.cookie_secure)
    if request.query_params.get("lang") in i18n.LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, max_age=ONE_YEAR, samesite="lax", httponly=True, secure=secure)
    if request.cookies.get(CSRF_COOKIE) != token:
        response.set_cookie(CSRF_COOKIE, token, samesite="strict", httponly=True, secure=secure)
    response.headers["Cache-Control"] = "no-store"
    return response


def marked(message: str) -> str:
    """Marks an interface message for extraction (``_`` in Python page modules); the template translates it."""
    return message
