"""The rules for logins and passwords, in one place: the API (``POST /users``), the pages and the CLI
(``users add``, ``users import``, ``users reset-password``) all call :func:`normalise_login` and
:func:`check_password` (through :mod:`review_service.contest.accounts`).

A login is NFC-normalised and must match :data:`LOGIN_PATTERN` (Latin letters, digits and ``. _ @ -``): a
Cyrillic look-alike ``а``, a zero-width space or a right-to-left override is refused rather than stored as a
second account that looks like the first.

A password needs :data:`MIN_PASSWORD` characters and must not be: one of the common passwords shipped in
``resources/common-passwords.txt`` (also when typed on the other keyboard layout, as ``gfhjkm`` for
``пароль``, or with digits and symbols added at its ends, as ``Password123!``); one character repeated, a short
pattern repeated or a run along the alphabet or a keyboard row (``aaaaaaaa``, ``abcabcabc``, ``12345678``,
``йцукенгш``); the login or the person's name, reversed or with only digits and symbols around it
(``serik2024!``). Each refusal is a :class:`CredentialError` with its own ``code``; pages show it translated.
"""
from __future__ import annotations

import re
import unicodedata
from functools import cache
from importlib import resources

from review_service.core.errors import InputError

LOGIN_PATTERN = r"^[A-Za-z0-9._@-]+$"
MAX_LOGIN = 64
MIN_PASSWORD = 8
MAX_PASSWORD = 1000
_LOGIN = re.compile(LOGIN_PATTERN)
_EDGES = re.compile(r"^[\W\d_]+|[\W\d_]+$")  # digits, punctuation, spaces at either end
SEQUENCES = ("0123456789", "abcdefghijklmnopqrstuvwxyz", "qwertyuiop", "asdfghjkl", "zxcvbnm", "1qaz2wsx3edc",
             "абвгдеёжзийклмнопрстуфхцчшщъыьэюя", "йцукенгшщзхъ", "фывапролджэ", "ячсмитьбю",
             "әіңғүұқөһ")
_RU_KEYS, _EN_KEYS = "йцукенгшщзхъфывапролджэячсмитьбю", "qwertyuiop[]asdfghjkl;'zxcvbnm,."
_LAYOUT = str.maketrans(_RU_KEYS + _EN_KEYS, _EN_KEYS + _RU_KEYS)


class CredentialError(InputError):
    """A login or password that breaks a rule; ``code`` names the rule (pages translate it), ``params`` its
    values."""

    def __init__(self, code: str, message: str, *, hint: str = "", **params: object) -> None:
        super().__init__(message, hint=hint)
        self.code = code
        self.params = params


def normalise_login(login: str) -> str:
    """``login`` NFC-normalised and stripped; :class:`CredentialError` (``login_invalid``) unless it is 1–64 of
    Latin letters, digits and ``. _ @ -``."""
    value = unicodedata.normalize("NFC", login).strip()
    if not value or len(value) > MAX_LOGIN or not _LOGIN.match(value):
        shown = value.encode("ascii", "backslashreplace").decode("ascii")[:80]
        raise CredentialError("login_invalid", f"login {shown!r} is not allowed: use 1-{MAX_LOGIN} Latin letters, "
                              "digits and . _ @ - only (no look-alike letters, spaces or invisible characters)",
                              hint="for example: serik.akhmetov")
    return value


def attempted_login(login: str) -> str:
    """What a sign-in attempt names, as stored and compared (NFC, stripped, at most 200 characters): a login
    that breaks the rule is simply unknown, never an error of its own (no hint for a guesser)."""
    return unicodedata.normalize("NFC", login).strip()[:200]


@cache
def common_passwords() -> frozenset[str]:
    text = (resources.files("review_service") / "resources" / "common-passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().casefold() for line in text.splitlines() if line.strip() and line[0] != "#")


def _core(text: str) -> str:
    return _EDGES.sub("", text.casefold())


def _simple(word: str) -> bool:
    """One character repeated, a short pattern repeated, or a run along the alphabet or a keyboard row."""
    if len(set(word)) <= 2:
        return True
    if any(word == word[:n] * (len(word) // n) + word[:len(word) % n] for n in range(1, 4)):
        return True
    return any(word in seq * 3 or word in seq[::-1] * 3 for seq in SEQUENCES)


def _personal(password: str, words: list[str]) -> bool:
    core, folded = _core(password), password.casefold()
    for word in words:
        if len(word) >= 3 and (core in (word, word[::-1]) or folded in (word, word[::-1])):
            return True
    return False


def check_password(password: str, *, login: str = "", name: str = "") -> None:
    """:class:`CredentialError` when ``password`` breaks a rule (see the module's description)."""
    if len(password) < MIN_PASSWORD:
        raise CredentialError("password_too_short", f"a password needs at least {MIN_PASSWORD} characters",
                              n=MIN_PASSWORD)
    if len(password) > MAX_PASSWORD:
        raise CredentialError("password_too_long", f"a password may have at most {MAX_PASSWORD} characters",
                              n=MAX_PASSWORD)
    folded = unicodedata.normalize("NFC", password).casefold()
    if _simple(folded) or _simple(_core(folded) or folded):
        raise CredentialError("password_simple", "this password is too simple (one character or a short pattern "
                              "repeated, or a run along the alphabet or the keyboard)",
                              hint="a few unrelated words make a good password")
    common = common_passwords()
    variants = {folded, _core(folded), folded.translate(_LAYOUT), _core(folded.translate(_LAYOUT))}
    if variants & common:
        raise CredentialError("password_common", "this password is one of the most common ones (guessed first)",
                              hint="a few unrelated words make a good password")
    words = [w.casefold() for w in (login, name, *re.split(r"[\s._@-]+", f"{login} {name}")) if w]
    if _personal(folded, words):
        raise CredentialError("password_personal", "the password is the login or the name (perhaps with digits "
                              "or symbols added)", hint="a few unrelated words make a good password")
