"""No control characters in JSON text: a string escaped as `\\u0000` … `\\u001f` (tab, line
feed and carriage return aside) is valid JSON, and pydantic takes it as any other text, so a
NUL byte reached the databases — PostgreSQL refuses it (a 400 naming no field), SQLite
stores it. Every service (and the gateway) refuses such a body once, here, field by field.

Raw C0 control characters are already invalid JSON (the parser's strict mode), so their
escapes (and a raw DEL, which JSON allows as it is) are all there is to look for: one regex
pass over the body's bytes; the body is parsed a second time only when one is found, to
name the fields. iims_common.openapi states the rule in the OpenAPI documents (a `pattern`
on every request-body string)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from iims_common.errors import ControlCharacters, FieldError, field_path, problem_response
from iims_common.i18n import _, negotiate

# The refused characters — the C0 controls but tab, line feed and carriage return, and DEL —
# as the body of a regex character class that Python `re` and ECMA-262 read alike:
# iims_common.openapi states it as the `pattern` of every request-body string.
CONTROL_CLASS = r"\x00-\x08\x0B\x0C\x0E-\x1F\x7F"
# `\u00XX` for one of them, preceded by an even number of backslashes (so `\\u0000`, the
# text "\u0000", is not one); or a raw DEL byte, which unlike the C0 controls is valid JSON
# as it is (and in UTF-8 a 0x7F byte is nothing but DEL).
_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\u00(?:0[0-8BbCcEeFf]|1[0-9A-Fa-f]|7[Ff])|\x7f")
_CONTROL = re.compile(f"[{CONTROL_CLASS}]")
_WRITES = frozenset({"POST", "PUT", "PATCH"})


def control_character_fields(
    value: Any, loc: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """(location, character) of every string in a parsed JSON value (keys included) that
    holds a control character."""
    if isinstance(value, str):
        if m := _CONTROL.search(value):
            yield loc, m.group()
    elif isinstance(value, dict):
        for key, item in value.items():
            if m := _CONTROL.search(key):
                yield (*loc, key), m.group()
            yield from control_character_fields(item, (*loc, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from control_character_fields(item, (*loc, index))


def refusal(body: bytes) -> ControlCharacters | None:
    """The 422 for a JSON body with a control character in a string, else None."""
    if not _ESCAPE.search(body):
        return None
    try:
        parsed = json.loads(body)
    except ValueError:
        return None  # FastAPI answers the syntax error itself
    errors = [
        FieldError(
            field_path(("body", *loc)),
            _(
                "Contains the control character U+{code}; remove it",
                code=f"{ord(char):04X}",
            ),
        )
        for loc, char in control_character_fields(parsed)
    ]
    if not errors:
        return None
    return ControlCharacters(_("Some fields are invalid"), errors=errors)


class ControlCharacterMiddleware:
    """Refuses a JSON request body holding a control character in a string (422, the
    fields named) before any route sees it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _WRITES or not _is_json(scope):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            try:
                message = await receive()
            except Exception as exc:
                # Raised again where the route reads the body, as without this middleware,
                # so the app's error handlers answer it.
                await self.app(scope, _raising(exc), send)
                return
            if message["type"] != "http.request":  # the client went away
                await self.app(scope, _replay([message], receive), send)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if (err := refusal(body)) is not None:
            locale = negotiate(_header(scope, b"accept-language"))
            response = problem_response(err.to_problem(scope["path"], locale), None, locale)
            await response(scope, receive, send)
            return
        await self.app(scope, _replay([{"type": "http.request", "body": body}], receive), send)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _is_json(scope: Scope) -> bool:
    ctype = (_header(scope, b"content-type") or "").split(";")[0].strip().lower()
    return ctype == "application/json" or ctype.endswith("+json")


def _replay(messages: list[Message], receive: Receive) -> Receive:
    async def replayed() -> Message:
        if messages:
            return messages.pop(0)
        return await receive()

    return replayed


def _raising(exc: Exception) -> Receive:
    async def receive() -> Message:
        raise exc

    return receive
