"""One error hierarchy, rendered once as RFC 9457 application/problem+json."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from iims_common.db import is_database_busy

log = logging.getLogger("iims.errors")
PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE = "https://iims.miit.gov.cn/problems/"


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


class ProblemError(Exception):
    """Base of every error a client may see. Subclasses fix status, type and title."""

    status = 500
    slug = "internal-error"
    title = "Internal error"

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: Sequence[FieldError] = (),
        **extra: Any,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.errors = list(errors)
        self.extra = extra
        self.headers: dict[str, str] = {}

    def to_problem(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": PROBLEM_BASE + self.slug,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if instance:
            body["instance"] = instance
        if self.errors:
            body["errors"] = [e.as_dict() for e in self.errors]
        body.update(self.extra)
        return body


class BadRequest(ProblemError):
    status, slug, title = 400, "bad-request", "Bad request"


class Unauthorized(ProblemError):
    """401 with the `WWW-Authenticate` challenge RFC 9110 §11.6.1 requires: a bearer token
    (RFC 6750) or the platform's API key in the `X-API-Key` header."""

    status, slug, title = 401, "unauthorized", "Authentication required"
    challenge = 'Bearer realm="iims", ApiKey realm="iims", header="X-API-Key"'

    def __init__(self, detail: str | None = None, **kwargs: Any) -> None:
        super().__init__(detail, **kwargs)
        self.headers["WWW-Authenticate"] = self.challenge


class Forbidden(ProblemError):
    status, slug, title = 403, "forbidden", "Not allowed for this role"


class NotFound(ProblemError):
    status, slug, title = 404, "not-found", "Not found"


class Conflict(ProblemError):
    status, slug, title = 409, "conflict", "Conflict"


class PreconditionFailed(ProblemError):
    status, slug, title = 412, "precondition-failed", "The resource changed (ETag mismatch)"


class PayloadTooLarge(ProblemError):
    status, slug, title = 413, "payload-too-large", "Payload too large"


class UnsupportedMediaType(ProblemError):
    status, slug, title = 415, "unsupported-media-type", "Unsupported media type"


class ValidationFailed(ProblemError):
    status, slug, title = 422, "validation-failed", "Validation failed"


class RuleViolation(ProblemError):
    """A domain rule refused the request; `rule` names which one (clients branch on it)."""

    status, slug, title = 422, "rule-violation", "A business rule was violated"

    def __init__(self, rule: str, detail: str, **extra: Any) -> None:
        super().__init__(detail, rule=rule, **extra)
        self.rule = rule


class PreconditionRequired(ProblemError):
    status, slug, title = 428, "precondition-required", "If-Match header required"


class BadGateway(ProblemError):
    """The gateway reached a service but got no usable HTTP answer (e.g. the connection was
    closed mid-response)."""

    status, slug, title = 502, "bad-gateway", "An upstream service gave no valid answer"


class ServiceUnavailable(ProblemError):
    status, slug, title = 503, "service-unavailable", "Service unavailable"


class GatewayTimeout(ProblemError):
    status, slug, title = 504, "gateway-timeout", "An upstream service did not answer in time"


def field_path(loc: Sequence[str | int]) -> str:
    """('body', 'contacts', 0, 'phone') -> 'contacts[0].phone'."""
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]
    out = ""
    for p in parts:
        if isinstance(p, int):
            out += f"[{p}]"
        else:
            out += ("." if out else "") + str(p)
    return out or "body"


def problem_response(
    problem: dict[str, Any], headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        problem, status_code=problem["status"], media_type=PROBLEM_MEDIA_TYPE, headers=headers
    )


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ProblemError)
    async def _problem(request: Request, exc: ProblemError) -> JSONResponse:
        return problem_response(exc.to_problem(request.url.path), exc.headers or None)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        raw = exc.errors()
        if any(e.get("type") == "json_invalid" for e in raw):
            err: ProblemError = BadRequest(
                "The request body is not valid JSON",
                errors=[FieldError("body", str(e.get("msg"))) for e in raw],
            )
        else:
            err = ValidationFailed(
                "Some fields are invalid",
                errors=[FieldError(field_path(e.get("loc", ())), _message(e)) for e in raw],
            )
        return problem_response(err.to_problem(request.url.path))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(_allowed_methods(request))
        body = {
            "type": PROBLEM_BASE + f"http-{exc.status_code}",
            "title": str(exc.detail),
            "status": exc.status_code,
            "detail": str(exc.detail),
            "instance": request.url.path,
        }
        return problem_response(body, headers=headers or None)

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> JSONResponse:
        # A race the service's own checks could not see (two creates of one unique key):
        # the database constraint decides, and the loser gets a clear 409, not a 500.
        constraint = getattr(getattr(exc.orig, "__cause__", None), "constraint_name", None)
        err = Conflict(
            "The request conflicts with a record written concurrently; re-read and retry",
            constraint=constraint,
        )
        return problem_response(err.to_problem(request.url.path))

    @app.exception_handler(DBAPIError)
    async def _database(request: Request, exc: DBAPIError) -> JSONResponse:
        code = _sqlstate(exc)
        if code in ("40001", "40P01"):  # serialization failure, deadlock: the client may retry
            err: ProblemError = Conflict("A concurrent request won; retry", retryable=True)
        elif code is not None and code.startswith("22"):
            # Data exception (e.g. a NUL byte in text, a number out of range): the input is bad.
            err = BadRequest("The request contains a value the database cannot store")
        elif is_database_busy(exc):
            # SQLite: another writer held the lock past the busy timeout (iims_common.db).
            err = ServiceUnavailable("The database is busy; retry shortly", retryable=True)
            err.headers["Retry-After"] = "1"
        elif exc.connection_invalidated or isinstance(exc, (OperationalError, InterfaceError)):
            err = ServiceUnavailable("The database is unavailable; retry later")
            err.headers["Retry-After"] = "5"
        else:
            log.exception("database error", extra={"path": request.url.path})
            err = ProblemError()
        return problem_response(err.to_problem(request.url.path), err.headers or None)

    @app.exception_handler(StaleDataError)
    async def _stale(request: Request, exc: StaleDataError) -> JSONResponse:
        err = PreconditionFailed("The resource changed while this request ran; re-read it")
        return problem_response(err.to_problem(request.url.path))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", extra={"path": request.url.path})
        return problem_response(ProblemError().to_problem(request.url.path))


def _sqlstate(exc: DBAPIError) -> str | None:
    for candidate in (exc.orig, getattr(exc.orig, "__cause__", None)):
        code = getattr(candidate, "sqlstate", None) or getattr(candidate, "pgcode", None)
        if code:
            return str(code)
    return None


def _allowed_methods(request: Request) -> list[str]:
    """Allow must list every method of the path (FastAPI keeps one route per method)."""
    return [
        method
        for method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
        if any(
            route.matches({**request.scope, "method": method})[0] == Match.FULL
            for route in request.app.routes
        )
    ]


def _message(e: dict[str, Any]) -> str:
    msg = str(e.get("msg", "invalid"))
    # pydantic prefixes messages of ValueError raised in validators.
    return msg.removeprefix("Value error, ")


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {
        "description": title,
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    for code, title in [
        (400, "Malformed request"),
        (401, "Authentication required"),
        (403, "Not allowed for this role"),
        (404, "Not found (or outside the caller's scope)"),
        (409, "Conflict"),
        (412, "ETag mismatch"),
        (413, "Payload too large"),
        (415, "Unsupported media type"),
        (422, "Validation failed or a business rule was violated"),
        (428, "If-Match required"),
        (429, "Rate limited"),
    ]
}
