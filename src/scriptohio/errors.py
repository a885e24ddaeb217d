"""The one exception tree of Script Ohio.

::

    ScriptOhioError
    ├── CallerError            bad input from a caller -> HTTP 4xx, CLI exit 2
    │   ├── ValidationError        malformed value / file (422 or 400)
    │   │   └── DataFormatError        a data file that does not match its schema
    │   ├── NotFoundError           unknown team, game, lesson, job (404)
    │   │   └── UnknownTeamError        carries fuzzy suggestions
    │   ├── AmbiguousError          several candidates match (409 / clarification)
    │   ├── ConflictError           the request contradicts the current state (409)
    │   ├── OutOfRangeError         season/week outside the data (422, names the range)
    │   ├── AuthError               missing or bad credentials (401/403)
    │   └── RateLimitedError        per-user limit reached (429, retry_after)
    └── ServiceError           the service cannot answer now -> HTTP 5xx / 503
        ├── OverloadedError         admission control shed the request (503, retry_after)
        ├── CircuitOpenError        a dependency's breaker is open (503, retry_after)
        ├── DeadlineExceededError   the request's deadline passed (504)
        ├── NotReadyError           data or models still loading (503)
        └── UpstreamError           an outside source (CollegeFootballData.com) failed (502)

Third-party errors are converted at the boundary with ``raise ... from exc``.
"""

from __future__ import annotations

from collections.abc import Sequence


class ScriptOhioError(Exception):
    """Base of every error this package raises on purpose."""

    status: int = 500
    title: str = "Internal error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class CallerError(ScriptOhioError):
    """The caller asked for something invalid; retrying the same request will not help."""

    status = 400
    title = "Bad request"


class ValidationError(CallerError):
    status = 422
    title = "Invalid input"


class DataFormatError(ValidationError):
    """A data file does not match its schema; names the file, line, column and value."""

    title = "Malformed data file"

    def __init__(
        self,
        detail: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: str | None = None,
        value: object = None,
    ) -> None:
        where = ", ".join(
            part
            for part in (
                f"file {file}" if file is not None else "",
                f"line {line}" if line is not None else "",
                f"column {column!r}" if column is not None else "",
                f"value {value!r}" if value is not None else "",
            )
            if part
        )
        super().__init__(f"{where}: {detail}" if where else detail)
        self.reason = detail
        self.file = file
        self.line = line
        self.column = column
        self.value = value


class NotFoundError(CallerError):
    status = 404
    title = "Not found"


class NoSuchWeekError(NotFoundError):
    """A week the schema allows (within the data's bounds) that this season does not have:
    404, as for any other resource that does not exist, with the season's weeks."""

    title = "No such week"

    def __init__(self, detail: str, *, valid_range: tuple[int, int] | None = None) -> None:
        super().__init__(detail)
        self.valid_range = valid_range


class UnknownTeamError(NotFoundError):
    title = "Unknown team"

    def __init__(self, name: str, suggestions: Sequence[str] = ()) -> None:
        hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"unknown team {name!r}{hint}")
        self.name = name
        self.suggestions = list(suggestions)


class AmbiguousError(CallerError):
    status = 409
    title = "Ambiguous input"

    def __init__(self, detail: str, candidates: Sequence[str] = ()) -> None:
        super().__init__(detail)
        self.candidates = list(candidates)


class ConflictError(CallerError):
    """The request is valid but the current state forbids it (a canary already running)."""

    status = 409
    title = "Conflict"


class OutOfRangeError(ValidationError):
    title = "Out of range"

    def __init__(self, detail: str, *, valid_range: tuple[int, int] | None = None) -> None:
        super().__init__(detail)
        self.valid_range = valid_range


class AuthError(CallerError):
    status = 401
    title = "Unauthorized"


class ForbiddenError(AuthError):
    status = 403
    title = "Forbidden"


class RateLimitedError(CallerError):
    status = 429
    title = "Too many requests"

    def __init__(self, detail: str, *, retry_after: float = 1.0) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class ServiceError(ScriptOhioError):
    """The service cannot answer now; the same request may succeed later."""

    status = 503
    title = "Service unavailable"

    def __init__(self, detail: str, *, retry_after: float = 1.0) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class OverloadedError(ServiceError):
    title = "Overloaded"


class CircuitOpenError(ServiceError):
    title = "Dependency unavailable"


class DeadlineExceededError(ServiceError):
    status = 504
    title = "Deadline exceeded"


class NotReadyError(ServiceError):
    title = "Not ready"


class UpstreamError(ServiceError):
    """An outside data source failed or answered something unusable; nothing was written."""

    status = 502
    title = "Upstream source failed"
