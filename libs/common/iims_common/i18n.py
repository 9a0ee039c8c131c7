"""Human-readable text in Chinese by default and English on `Accept-Language: en`.

One gettext catalogue for every service: `iims_common/locale/zh_CN/LC_MESSAGES/iims.po`
(msgids are the English text; read with Babel at first use, so there is no compile step and
a fresh clone works). Machine fields (`type`, `rule`, `field`, codes) never go through here.

How to add a message (any service, any layer):

1. Write it as ``_("The batch for {year} is full", year=batch.year)`` — `_` returns a lazy
   `Message` (msgid + parameters, ``str.format`` placeholders), translated when the
   response is rendered in the request's language. Pass it wherever text goes: a
   `ProblemError` detail, a `FieldError` message, a `ValueError` raised in a pydantic
   validator, or `str(message)` for the current request's language.
2. Run ``make i18n`` (extracts every ``_("...")`` of libs/ and services/ with Babel into the
   catalogue) and write the Chinese `msgstr`. `libs/common/tests/test_i18n.py` fails while a
   msgid used in code has no translation or a translation's placeholders differ.

Pydantic's own validation messages are translated by error `type` (see `pydantic_message`):
the catalogue holds pydantic-core's message templates as msgids.
"""

from __future__ import annotations

import contextvars
import functools
import re
import string
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po

DOMAIN = "iims"
LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT_LOCALE = "zh_CN"
ENGLISH = "en"
SUPPORTED = (DEFAULT_LOCALE, ENGLISH)
CONTENT_LANGUAGE = {DEFAULT_LOCALE: "zh-CN", ENGLISH: "en"}

locale_var: contextvars.ContextVar[str] = contextvars.ContextVar(
    "iims_locale", default=DEFAULT_LOCALE
)
_FORMATTER = string.Formatter()
_LANGUAGE_RANGE = re.compile(
    r"^\s*([A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*|\*)\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*$"
)


class Message:
    """Translatable text: an English msgid with ``{name}`` placeholders and its parameters.

    Rendered lazily (`render(locale)`, or `str()` in the current request's language), so it
    can be created at import time or deep in domain code that knows no request."""

    __slots__ = ("msgid", "params")

    def __init__(self, msgid: str, params: Mapping[str, Any] | None = None) -> None:
        self.msgid = msgid
        self.params = dict(params or {})

    def render(self, locale: str | None = None) -> str:
        locale = locale or locale_var.get()
        template = translation(self.msgid, locale)
        if not self.params:
            return template
        values = {k: translate(v, locale) for k, v in self.params.items()}
        try:
            return template.format_map(values)
        except (KeyError, IndexError, ValueError):
            # A catalogue entry whose placeholders drift must not turn an answer into a 500;
            # the catalogue test catches it before a release.
            return self.msgid.format_map(values)

    def __str__(self) -> str:
        return self.render()

    def __repr__(self) -> str:
        return f"_({self.msgid!r}, {self.params!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Message):
            return (self.msgid, self.params) == (other.msgid, other.params)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.msgid)


Text = str | Message


def _(msgid: str, /, **params: Any) -> Message:
    """Mark `msgid` (English, ``{name}`` placeholders) for translation; see the module doc."""
    return Message(msgid, params)


class _Joined(Message):
    """Several messages as one, each rendered in the answer's language (see `join`)."""

    __slots__ = ("parts",)

    def __init__(self, parts: Sequence[Text]) -> None:
        super().__init__("; ".join(p.msgid if isinstance(p, Message) else p for p in parts))
        self.parts = list(parts)

    def render(self, locale: str | None = None) -> str:
        locale = locale or locale_var.get()
        return translation("; ", locale).join(text(p, locale) for p in self.parts)


def join(parts: Sequence[Text]) -> Message:
    """A list of reasons as one `Message` ("a; b" in English, "a；b" in Chinese)."""
    return _Joined(parts)


def translate(value: Any, locale: str | None = None) -> Any:
    """A `Message` rendered in `locale` (default: the request's); other values unchanged."""
    if isinstance(value, Message):
        return value.render(locale)
    return value


def text(value: Text, locale: str | None = None) -> str:
    """Render a `Message` or look a plain string up as a msgid (unknown text stays as is)."""
    if isinstance(value, Message):
        return value.render(locale)
    return translation(value, locale or locale_var.get())


@functools.cache
def catalogue(locale: str) -> dict[str, str]:
    """msgid → translation of one locale, read from the .po file with Babel (cached)."""
    path = LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.exists():
        return {}
    with path.open("rb") as f:
        cat = read_po(f, locale=locale)
    return {
        str(m.id): str(m.string)
        for m in cat
        if m.id and isinstance(m.id, str) and m.string and not m.fuzzy
    }


def translation(msgid: str, locale: str) -> str:
    """The msgid's translation in `locale`; the msgid itself (English) when there is none."""
    if locale == ENGLISH:
        return msgid
    return catalogue(locale).get(msgid, msgid)


def placeholders(template: str) -> set[str]:
    """The ``{name}`` placeholders of a template (for the catalogue consistency test)."""
    return {name for _lit, name, _spec, _conv in _FORMATTER.parse(template) if name}


def negotiate(accept_language: str | None) -> str:
    """The locale for an `Accept-Language` header (RFC 9110 §12.5.4): the supported language
    with the highest q (ties: the first listed); Chinese when nothing supported is asked."""
    if not accept_language:
        return DEFAULT_LOCALE
    best: tuple[float, int, str] | None = None
    for index, part in enumerate(accept_language.split(",")[:20]):
        m = _LANGUAGE_RANGE.match(part)
        if not m:
            continue
        tag = m.group(1).lower()
        try:
            q = float(m.group(2)) if m.group(2) is not None else 1.0
        except ValueError:
            continue
        if q <= 0:
            continue
        primary = tag.split("-")[0]
        if primary == "zh":
            locale = DEFAULT_LOCALE
        elif primary == "en":
            locale = ENGLISH
        else:
            continue
        if best is None or (q, -index) > (best[0], best[1]):
            best = (q, -index, locale)
    return best[2] if best else DEFAULT_LOCALE


# pydantic-core's message templates by error type (msgids of the catalogue).
@functools.cache
def _pydantic_templates() -> dict[str, str]:
    from pydantic_core._pydantic_core import list_all_errors

    return {e["type"]: e["message_template_python"] for e in list_all_errors()}


def pydantic_message(error: Mapping[str, Any], locale: str | None = None) -> str:
    """A pydantic validation error (`type`, `msg`, `ctx`) in `locale`.

    A `ValueError`/`AssertionError` raised in a validator carries its own text: a `Message`
    is translated, a plain string looked up as a msgid. Every other type is rendered from
    pydantic-core's template for that type, translated, with the error's `ctx`."""
    locale = locale or locale_var.get()
    kind = str(error.get("type", ""))
    ctx = dict(error.get("ctx") or {})
    if kind in ("value_error", "assertion_error"):
        cause = ctx.get("error")
        arg = cause.args[0] if isinstance(cause, Exception) and cause.args else cause
        if isinstance(arg, Message):
            return arg.render(locale)
        if isinstance(arg, str):
            return translation(arg, locale)
        raw = str(error.get("msg", ""))
        return translation(
            raw.removeprefix("Value error, ").removeprefix("Assertion failed, "), locale
        )
    msg = str(error.get("msg", ""))
    template = _pydantic_templates().get(kind)
    if locale == ENGLISH or template is None:
        return msg or translation("Invalid value", locale)
    values = {k: _ctx_value(v, locale, kind) for k, v in ctx.items()}
    values.setdefault("expected_plural", "")
    try:
        return translation(template, locale).format_map(values)
    except (KeyError, IndexError, ValueError):
        return msg


# The `error` pydantic-core (or the json module, for `json_invalid`) puts in a message's
# context is English text of its own; these are the ones the catalogue translates
# (msgids below), any other is replaced by `_MALFORMED` outside English rather than leak.
_MALFORMED = "the value is malformed"
_CTX_ERRORS = (
    _("Expecting value"),
    _("Expecting property name enclosed in double quotes"),
    _("Expecting ',' delimiter"),
    _("Expecting ':' delimiter"),
    _("Unterminated string starting at"),
    _("Invalid control character at"),
    _("Invalid \\escape"),
    _("Invalid \\uXXXX escape"),
    _("Extra data"),
    _("the value is malformed"),
)


def _ctx_value(value: Any, locale: str, kind: str) -> str:
    if isinstance(value, Message):
        return value.render(locale)
    if isinstance(value, str) and locale != ENGLISH and kind.endswith(("_parsing", "json_invalid")):
        translated = translation(value, locale)
        return translated if translated != value else translation(_MALFORMED, locale)
    if kind in ("enum", "literal_error"):
        # pydantic joins the choices with " or ": say it in the answer's language.
        return str(value).replace(" or ", translation(" or ", locale))
    return str(value)
