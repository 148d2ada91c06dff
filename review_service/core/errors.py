"""One error hierarchy. Each error has a stable ``code`` and a message a person can act on.

The CLI maps errors to exit codes and the API to ``application/problem+json`` in one place each.
"""
from __future__ import annotations


class ReviewError(Exception):
    code = "error"
    http_status = 500
    exit_code = 1

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class ConfigError(ReviewError):
    code = "config"
    exit_code = 2


class AuditKeyError(ConfigError):
    """The audit key is missing, readable by others, malformed, or not the one that signed the log."""

    code = "audit_key"


class InputError(ReviewError):
    """Bad arguments or an exchange file that does not follow its format."""

    code = "bad_input"
    http_status = 422
    exit_code = 2

    def __init__(self, message: str, *, hint: str = "", code: str | None = None) -> None:
        super().__init__(message, hint=hint)
        if code is not None:
            self.code = code


class UnknownJuror(InputError):
    """A juror id that is not in the jury's roster (the jurors file names the jury)."""

    code = "unknown_juror"


class FormsError(InputError):
    """An application-form CSV that cannot be read: ``forms_encoding`` (not UTF-8: the message names the
    encoding) or ``forms_invalid`` (NUL bytes, broken quoting, a cell far too long, no ``file_name`` column)."""

    def __init__(self, code: str, message: str, *, hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.code = code


class NotFound(ReviewError):
    code = "not_found"
    http_status = 404


class ModelNotInstalled(ReviewError):
    code = "model_not_installed"
    http_status = 503
    exit_code = 3


class ModelIntegrityError(ReviewError):
    code = "model_integrity"
    http_status = 503
    exit_code = 3


class InfeasibleAssignment(ReviewError):
    code = "infeasible"
    http_status = 409
    exit_code = 4


class JobBusy(ReviewError):
    """The job is running in another process (``screen`` run twice on the same inputs at once)."""

    code = "job_running"
    http_status = 409
    exit_code = 2


class GeneratorError(ReviewError):
    code = "generator"
    http_status = 502


class IntakeError(ReviewError):
    """A file could not be taken in. ``code`` is one of the documented intake reason codes."""

    http_status = 422

    def __init__(self, code: str, message: str, *, hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.code = code


class PermissionDenied(ReviewError):
    """An action reserved for a person (score, decision, final assignment) was attempted without one."""

    code = "permission_denied"
    http_status = 403
    exit_code = 2


class Unauthorized(ReviewError):
    """No credentials, or credentials that are wrong, expired, revoked or belong to a disabled account."""

    code = "unauthorized"
    http_status = 401
    exit_code = 2


class StateConflict(ReviewError):
    """The action does not fit the object's state: a submitted review, a passed deadline, a stale draft."""

    code = "conflict"
    http_status = 409
    exit_code = 2

    def __init__(self, message: str, *, hint: str = "", code: str = "conflict") -> None:
        super().__init__(message, hint=hint)
        self.code = code


class EditionClosed(StateConflict):
    """A write in an edition that is closed (read-only: its entries are in the archive)."""

    def __init__(self, edition: str) -> None:
        super().__init__(f"edition {edition} is closed: it is read-only", code="edition_closed",
                         hint="work in an open edition (GET /editions; ?edition=NAME)")
        self.edition = edition
        self.problem_extra = {"edition": edition}


class TooManyAttempts(ReviewError):
    """Sign-in (or a current-password check) refused for a while after repeated wrong passwords on the account or
    from the client (``review_service.contest.signin_throttle``); ``retry_after`` is the wait in whole seconds (``Retry-After``)."""

    code = "too_many_attempts"
    http_status = 429
    exit_code = 2

    def __init__(self, message: str, *, retry_after: int, hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.retry_after = retry_after
