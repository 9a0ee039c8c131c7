"""One error hierarchy, rendered once as RFC 9457 application/problem+json."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import BaseRoute, Match

from iims_common.db import is_database_busy
from iims_common.i18n import (
    CONTENT_LANGUAGE,
    Message,
    _,
    locale_var,
    negotiate,
    pydantic_message,
)
from iims_common.i18n import text as render_text

log = logging.getLogger("iims.errors")
PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE = "https://iims.miit.gov.cn/problems/"


@dataclass(frozen=True)
class FieldError:
    """One refused field: `field` is a stable path (`contacts[0].phone`), `message` text for
    people (a `Message` from `iims_common.i18n._`, rendered in the request's language)."""

    field: str
    message: Message

    def as_dict(self, locale: str | None = None) -> dict[str, str]:
        return {"field": self.field, "message": render_text(self.message, locale)}


class ProblemError(Exception):
    """Base of every error a client may see. Subclasses fix status, type (`slug`) and title.

    `detail`, `title` and field messages are `Message`s (`iims_common.i18n._`) rendered in
    the request's language by `to_problem`; `type`, `rule` and `field` never change with it.
    """

    status = 500
    slug = "internal-error"
    title: Message = _("Internal error")

    def __init__(
        self,
        detail: Message | None = None,
        *,
        errors: Sequence[FieldError] = (),
        **extra: Any,
    ) -> None:
        self.detail: Message = detail or self.title
        super().__init__(render_text(self.detail, "en"))
        self.errors = list(errors)
        self.extra = extra
        self.headers: dict[str, str] = {}

    def to_problem(self, instance: str | None = None, locale: str | None = None) -> dict[str, Any]:
        """The RFC 9457 body in `locale` (default: the current request's language)."""
        locale = locale or locale_var.get()
        body: dict[str, Any] = {
            "type": PROBLEM_BASE + self.slug,
            "title": render_text(self.title, locale),
            "status": self.status,
            "detail": render_text(self.detail, locale),
        }
        if instance:
            body["instance"] = instance
        if self.errors:
            body["errors"] = [e.as_dict(locale) for e in self.errors]
        body.update(
            {k: v.render(locale) if isinstance(v, Message) else v for k, v in self.extra.items()}
        )
        return body


class BadRequest(ProblemError):
    status, slug, title = 400, "bad-request", _("Bad request")


class Unauthorized(ProblemError):
    """401 with the `WWW-Authenticate` challenge RFC 9110 §11.6.1 requires: a bearer token
    (RFC 6750) or the platform's API key in the `X-API-Key` header."""

    status, slug, title = 401, "unauthorized", _("Authentication required")
    challenge = 'Bearer realm="iims", ApiKey realm="iims", header="X-API-Key"'

    def __init__(self, detail: Message | None = None, **kwargs: Any) -> None:
        super().__init__(detail, **kwargs)
        self.headers["WWW-Authenticate"] = self.challenge


class Forbidden(ProblemError):
    status, slug, title = 403, "forbidden", _("Not allowed for this role")


class NotFound(ProblemError):
    status, slug, title = 404, "not-found", _("Not found")


class MethodNotAllowed(ProblemError):
    status, slug, title = 405, "method-not-allowed", _("Method not allowed")


class Conflict(ProblemError):
    status, slug, title = 409, "conflict", _("Conflict")


class StateConflict(Conflict):
    """The object is not in a state that allows the request (409, DESIGN.md §3: 409 for state
    conflicts, 422 for invalid input); `rule` names the state rule, like `RuleViolation`."""

    slug, title = "state-conflict", _("The resource is not in a state that allows this request")

    def __init__(self, rule: str, detail: Message, **extra: Any) -> None:
        super().__init__(detail, rule=rule, **extra)
        self.rule = rule


class PreconditionFailed(ProblemError):
    status, slug, title = 412, "precondition-failed", _("The resource changed (ETag mismatch)")


class PayloadTooLarge(ProblemError):
    status, slug, title = 413, "payload-too-large", _("Payload too large")


class UnsupportedMediaType(ProblemError):
    status, slug, title = 415, "unsupported-media-type", _("Unsupported media type")


class ValidationFailed(ProblemError):
    status, slug, title = 422, "validation-failed", _("Validation failed")


class ControlCharacters(ValidationFailed):
    """A JSON string holds a C0 control character (iims_common.control_characters): a 422
    naming each field, with its own `type` so clients and the contract test can tell it from
    a schema violation."""

    slug = "control-characters"


class RuleViolation(ProblemError):
    """A domain rule refused the request; `rule` names which one (clients branch on it)."""

    status, slug, title = 422, "rule-violation", _("A business rule was violated")

    def __init__(self, rule: str, detail: Message, **extra: Any) -> None:
        super().__init__(detail, rule=rule, **extra)
        self.rule = rule


class PreconditionRequired(ProblemError):
    status, slug, title = 428, "precondition-required", _("If-Match header required")


class BadGateway(ProblemError):
    """The gateway reached a service but got no usable HTTP answer (e.g. the connection was
    closed mid-response)."""

    status, slug, title = 502, "bad-gateway", _("An upstream service gave no valid answer")


class ServiceUnavailable(ProblemError):
    status, slug, title = 503, "service-unavailable", _("Service unavailable")


class GatewayTimeout(ProblemError):
    status, slug, title = 504, "gateway-timeout", _("An upstream service did not answer in time")


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
    problem: dict[str, Any], headers: dict[str, str] | None = None, locale: str | None = None
) -> JSONResponse:
    """A problem body as `application/problem+json` with its `Content-Language`."""
    language = CONTENT_LANGUAGE[locale or locale_var.get()]
    return JSONResponse(
        problem,
        status_code=problem["status"],
        media_type=PROBLEM_MEDIA_TYPE,
        headers={**(headers or {}), "Content-Language": language, "Vary": "Accept-Language"},
    )


def request_locale(request: Request) -> str:
    """The language of the answer to `request` (`Accept-Language`; Chinese by default)."""
    return negotiate(request.headers.get("accept-language"))


HTTP_TITLES: dict[int, Message] = {
    400: _("Bad request"),
    401: _("Authentication required"),
    403: _("Not allowed for this role"),
    404: _("Not found"),
    405: _("Method not allowed"),
    406: _("Not acceptable"),
    409: _("Conflict"),
    413: _("Payload too large"),
    415: _("Unsupported media type"),
    422: _("Validation failed"),
    429: _("Too many requests"),
    500: _("Internal error"),
    503: _("Service unavailable"),
}


def render(request: Request, err: ProblemError) -> JSONResponse:
    """`err` as the answer to `request`, in the request's language."""
    locale = request_locale(request)
    return problem_response(
        err.to_problem(request.url.path, locale), err.headers or None, locale=locale
    )


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ProblemError)
    async def _problem(request: Request, exc: ProblemError) -> JSONResponse:
        return render(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        if isinstance(exc.body, bytes) and exc.body:
            # FastAPI hands the raw bytes to validation only when the Content-Type is not
            # JSON (or missing): the body is of a kind this operation does not take.
            ctype = request.headers.get("content-type") or "-"
            media = UnsupportedMediaType(
                _("Send the body as application/json"),
                errors=[FieldError("Content-Type", _("{ctype} is not supported", ctype=ctype))],
            )
            return render(request, media)
        return render(request, validation_problem(exc.errors()))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        locale = request_locale(request)
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 405:
            return method_not_allowed(request, allowed_methods(request))
        if exc.status_code == 413:  # a chunked body passed its limit (app.py)
            limit = request.app.state.settings.body_limit(request.method, request.url.path)
            too_large = PayloadTooLarge(
                _("The request body is larger than {limit} bytes", limit=limit),
                max_body_bytes=limit,
            )
            too_large.headers.update(headers)
            return render(request, too_large)
        if exc.status_code == 400 and isinstance(exc.__cause__, Exception):
            # FastAPI could not read the body as JSON for a reason other than its syntax
            # (which is json_invalid above): say which, on the field `body`.
            return render(request, unreadable_body(exc.__cause__))
        title = HTTP_TITLES.get(exc.status_code)
        text = render_text(title, locale) if title else str(exc.detail)
        body = {
            "type": PROBLEM_BASE + f"http-{exc.status_code}",
            "title": text,
            "status": exc.status_code,
            "detail": text,
            "instance": request.url.path,
        }
        return problem_response(body, headers=headers or None, locale=locale)

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> JSONResponse:
        # A race the service's own checks could not see (two creates of one unique key):
        # the database constraint decides, and the loser gets a clear 409, not a 500.
        constraint = getattr(getattr(exc.orig, "__cause__", None), "constraint_name", None)
        err = Conflict(
            _("The request conflicts with a record written concurrently; re-read and retry"),
            constraint=constraint,
        )
        return render(request, err)

    @app.exception_handler(DBAPIError)
    async def _database(request: Request, exc: DBAPIError) -> JSONResponse:
        code = _sqlstate(exc)
        if code in ("40001", "40P01"):  # serialization failure, deadlock: the client may retry
            err: ProblemError = Conflict(_("A concurrent request won; retry"), retryable=True)
        elif code is not None and code.startswith("22"):
            # Data exception (e.g. a NUL byte in text, a number out of range): the input is bad.
            err = BadRequest(_("The request contains a value the database cannot store"))
        elif is_database_busy(exc):
            # SQLite: another writer held the lock past the busy timeout (iims_common.db).
            err = ServiceUnavailable(_("The database is busy; retry shortly"), retryable=True)
            err.headers["Retry-After"] = "1"
        elif (
            exc.connection_invalidated
            or isinstance(exc, (OperationalError, InterfaceError))
            # connection exception, insufficient resources (too many clients), shutting down
            or (code is not None and code.startswith(("08", "53", "57P")))
        ):
            err = ServiceUnavailable(_("The database is unavailable; retry later"))
            err.headers["Retry-After"] = "5"
        else:
            log.exception("database error", extra={"path": request.url.path})
            err = ProblemError()
        return render(request, err)

    @app.exception_handler(StaleDataError)
    async def _stale(request: Request, exc: StaleDataError) -> JSONResponse:
        err = PreconditionFailed(_("The resource changed while this request ran; re-read it"))
        return render(request, err)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", extra={"path": request.url.path})
        return render(request, ProblemError())


def unreadable_body(cause: Exception) -> BadRequest:
    """The 400 for a body FastAPI could not decode: bytes that are not UTF-8 (RFC 8259 §8.1:
    JSON exchanged between systems is UTF-8), or JSON nested too deep to read."""
    if isinstance(cause, UnicodeDecodeError):
        reason = _(
            "Byte {position} is not UTF-8; send the JSON encoded as UTF-8",
            position=cause.start,
        )
    elif isinstance(cause, RecursionError):
        reason = _("The JSON is nested too deeply")
    else:
        reason = _("The request body could not be read")
    return BadRequest(_("The request body is not valid JSON"), errors=[FieldError("body", reason)])


def validation_problem(raw: Sequence[Any]) -> ProblemError:
    """pydantic/FastAPI validation errors as one problem: 400 for a body that is not JSON,
    422 otherwise, one `FieldError` per error with pydantic's message translated by type."""
    if any(e.get("type") == "json_invalid" for e in raw):
        return BadRequest(
            _("The request body is not valid JSON"),
            errors=[FieldError("body", _PydanticText(e)) for e in raw],
        )
    return ValidationFailed(
        _("Some fields are invalid"),
        errors=[FieldError(field_path(e.get("loc", ())), _PydanticText(e)) for e in raw],
    )


class _PydanticText(Message):
    """A pydantic error rendered lazily in the response's language (by its `type`)."""

    __slots__ = ("error",)

    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(str(error.get("msg", "")))
        self.error = error

    def render(self, locale: str | None = None) -> str:
        return pydantic_message(self.error, locale)


def _sqlstate(exc: DBAPIError) -> str | None:
    for candidate in (exc.orig, getattr(exc.orig, "__cause__", None)):
        code = getattr(candidate, "sqlstate", None) or getattr(candidate, "pgcode", None)
        if code:
            return str(code)
    return None


FALLBACK_MARK = "iims_fallback"


def mark_fallback(*routers: object) -> None:
    """Routers whose path pattern matches anything (the gateway's forward to the services,
    the web console's history fallback): they decide per request, so they say nothing about
    which methods a path has and `allowed_methods` leaves them out."""
    for router in routers:
        setattr(router, FALLBACK_MARK, True)


def _is_fallback(route: BaseRoute) -> bool:
    owner = getattr(route, "original_router", None)  # FastAPI keeps an included router whole
    return bool(getattr(owner, FALLBACK_MARK, False) or getattr(route, FALLBACK_MARK, False))


def allowed_methods(request: Request) -> list[str]:
    """Every method the request's path answers (fallback routers aside), plus OPTIONS when
    there is any: `Allow` must list them all, and FastAPI keeps one route per decorator, so
    Starlette's own 405 names only the first route's methods."""
    routes = [r for r in request.app.routes if not _is_fallback(r)]
    found = [
        method
        for method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
        if any(
            route.matches({**request.scope, "method": method})[0] == Match.FULL for route in routes
        )
    ]
    return [*found, "OPTIONS"] if found else []


def method_not_allowed(request: Request, allowed: Sequence[str]) -> Response:
    """RFC 9110 §9.3.7 / §15.5.6: OPTIONS answers 204 with `Allow`; any other method the path
    does not have is a 405 problem with the same `Allow`; a path with no method at all is a
    404."""
    if not allowed:
        return render(request, NotFound(_("No resource at {path}", path=request.url.path)))
    headers = {"Allow": ", ".join(allowed)}
    if request.method == "OPTIONS":
        return Response(status_code=204, headers=headers)
    err = MethodNotAllowed(
        _(
            "{method} is not allowed here; use {allowed}",
            method=request.method,
            allowed=", ".join(allowed),
        ),
        allowed=list(allowed),
    )
    err.headers.update(headers)
    return render(request, err)
