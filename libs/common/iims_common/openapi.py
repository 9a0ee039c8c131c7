"""The HTTP contract every service shares, applied once by `iims_common.app`:

- readable, stable operationIds (`listEnterprises`) from the route function's name;
- unknown query parameters refused (422 naming them) on every documented route;
- errors declared per operation (the problem+json answers that operation can give),
  `If-Match` marked required where a missing one is a 428;
- the text a JSON request body may hold: every string in it has a `pattern` that excludes
  the control characters `iims_common.control_characters` refuses.

operationIds are the camelCase of the route function's name and are global: two routes of
the platform (any service, the gateway included) must not share a function name, and a name
says the verb and its object (`download_document_content`, not `download`). The merged
document's test (`assert_unique_operation_ids`) fails the build when they do.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel

from iims_common.control_characters import CONTROL_CLASS
from iims_common.errors import FieldError, ValidationFailed
from iims_common.i18n import _
from iims_common.industries import INDUSTRY_PATTERN

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
PROBLEM_MEDIA_TYPE = "application/problem+json"
ERROR_DESCRIPTIONS: dict[int, str] = {
    400: "Malformed request (the body is not JSON)",
    401: "Authentication required",
    403: "Not allowed for this role",
    404: "Not found (or outside the caller's scope)",
    409: "Conflict: the object's state does not allow this, a duplicate, or a concurrent write",
    412: "ETag mismatch (the object changed since it was read)",
    413: "Payload too large",
    415: "Unsupported media type",
    422: "Invalid input: a field, an unknown query parameter, a cursor, or a business rule",
    428: "If-Match required",
    429: "Rate limited (per key or account, or per client address): retry after `Retry-After` s",
    503: "A dependency (database, broker) is unavailable",
}
UNSAFE = frozenset({"post", "put", "patch", "delete"})
IF_MATCH_DESCRIPTION = (
    "The ETag of the last read. Strong comparison (RFC 9110 §13.1.1: `W/` ETags never "
    "match); 412 when stale, 428 when missing."
)


def operation_id(route: APIRoute) -> str:
    """`list_enterprises` → `listEnterprises` (FastAPI's `generate_unique_id_function`)."""
    head, *rest = route.name.strip("_").split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest if part)


def declared_query_names(dependant: Dependant) -> frozenset[str]:
    """Every query parameter name a route (and its dependencies) declares, by alias."""
    names: set[str] = set()
    stack = [dependant]
    while stack:
        current = stack.pop()
        for field in current.query_params:
            annotation = field.field_info.annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                for name, info in annotation.model_fields.items():
                    names.add(info.alias or name)
            else:
                names.add(field.alias)
        stack.extend(current.dependencies)
    return frozenset(names)


_declared: dict[int, frozenset[str]] = {}


async def refuse_unknown_query(request: Request) -> None:
    """Dependency on every documented route: a query parameter the route does not declare is
    a 422 naming it (a misspelt or unsupported filter must not silently list everything)."""
    if not request.scope.get("query_string"):
        return  # most requests: no query to parse (parsing an empty one was ~5% of a GET by id)
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or not route.include_in_schema or not request.query_params:
        return
    allowed = _declared.get(id(route))
    if allowed is None:
        allowed = _declared.setdefault(id(route), declared_query_names(route.dependant))
    unknown = sorted({k for k in request.query_params if k not in allowed})
    if unknown:
        raise ValidationFailed(
            _("Unknown query parameter: {names}", names=", ".join(unknown)),
            errors=[
                FieldError(
                    name,
                    _(
                        "not a parameter of this operation; allowed: {allowed}",
                        allowed=", ".join(sorted(allowed)) or "—",
                    ),
                )
                for name in unknown
            ],
        )


def _problem(code: int) -> dict[str, Any]:
    return {
        "description": ERROR_DESCRIPTIONS.get(code, "Error (problem+json)"),
        "content": {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_REF}},
    }


def _error_codes(path: str, method: str, op: Mapping[str, Any]) -> set[int]:
    """The problem+json answers an operation can give, from its shape."""
    params = op.get("parameters", [])
    names = {str(p.get("name", "")).lower() for p in params}
    kinds = {p.get("in") for p in params}
    codes: set[int] = set()
    if path.startswith("/api/v1/"):
        codes |= {401, 403, 404, 422, 503}
        if not path.startswith("/api/v1/auth/"):
            # The gateway counts every call of every method against the caller's key or
            # account (gateway.api.security.authenticate), and every /public/ call against
            # the client address (gateway.api.proxy.forward, the services' verification
            # limits). /auth/ routes that count declare it themselves (login, refresh).
            codes.add(429)
    if "path" in kinds:
        codes |= {404, 422}
    if "query" in kinds:
        codes.add(422)
    if "requestBody" in op:
        codes |= {400, 413, 415, 422}
    if method in UNSAFE and path.startswith("/api/v1/"):
        codes.add(409)
    if "idempotency-key" in names:
        codes |= {409, 422}
    if "if-match" in names:
        codes |= {412, 428}
    return codes


# The platform's identifiers have one shape wherever a field of this name appears (request or
# response), in canonical form. The server folds what it reads first (NFKC, upper case: see
# iims_common.identifiers), so it is more lenient than the pattern, never stricter; the
# domain check behind it (USCC check character, ID-number checksum, known province) is what
# a JSON Schema cannot state.
FIELD_PATTERNS: dict[str, tuple[str, str]] = {
    "province_code": (r"^[0-9]{6}$", "GB/T 2260 division code (province level: `330000`)"),
    "region_code": (r"^[0-9]{6}$", "GB/T 2260 division code (six digits)"),
    "industry_code": (
        INDUSTRY_PATTERN,
        "GB/T 4754-2017 门类 letter, optionally one of that 门类's 大类 (`C`, `C26`; not `C44`)",
    ),
    "uscc": (
        r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$",
        "统一社会信用代码 (GB 32100-2015), 18 characters; the 18th is a check character",
    ),
    # A month (progress reports, 报送) — an assessment's period may also be a year.
    "period": (r"^[0-9]{4}(-(0[1-9]|1[0-2]))?$", "`YYYY-MM` (a month) or `YYYY`"),
    "id_number": (r"^[0-9]{17}[0-9X]$", "居民身份证号码 (GB 11643-1999), 18 characters"),
}


def _add_pattern(name: str, schema: dict[str, Any]) -> None:
    """Add the field's canonical pattern to a string schema (or a nullable string's string
    branch) that states none."""
    rule = FIELD_PATTERNS.get(name)
    if rule is None:
        return
    branches = schema.get("anyOf", [schema])
    for branch in branches:
        if not isinstance(branch, dict) or branch.get("type") != "string":
            continue
        if "pattern" in branch or "enum" in branch or "format" in branch:
            continue
        branch["pattern"] = rule[0]
        target = branch if branch is schema else schema
        target.setdefault("description", rule[1])


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            yield ref.rsplit("/", 1)[1]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def request_schemas(spec: Mapping[str, Any]) -> set[str]:
    """Names of the component schemas a request body uses (directly or nested)."""
    components = spec.get("components", {}).get("schemas", {})
    todo = [
        name
        for item in spec.get("paths", {}).values()
        for op in item.values()
        if isinstance(op, dict)
        for name in _refs(op.get("requestBody", {}))
    ]
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen or name not in components:
            continue
        seen.add(name)
        todo.extend(_refs(components[name]))
    return seen


def add_field_patterns(spec: dict[str, Any]) -> None:
    """`FIELD_PATTERNS` on every request-body property and query/path parameter of those
    names. Response schemas state what their model states (a stored value is not re-checked
    against an input pattern: e.g. a non-periodic task's submission has `period: ""`)."""
    components = spec.get("components", {}).get("schemas", {})
    for cname in request_schemas(spec):
        for name, prop in (components[cname].get("properties") or {}).items():
            if isinstance(prop, dict):
                _add_pattern(name, prop)
    for item in spec.get("paths", {}).values():
        for op in item.values():
            if not isinstance(op, dict):
                continue
            for param in op.get("parameters", []):
                if isinstance(param.get("schema"), dict):
                    _add_pattern(str(param.get("name")), param["schema"])


# The text iims_common.control_characters lets through (ECMA-262, as JSON Schema reads it).
NO_CONTROL_CHARACTERS = f"^[^{CONTROL_CLASS}]*$"
# Prefixed to a string's own pattern that does not exclude them already.
NO_CONTROL_AHEAD = rf"^(?![\s\S]*[{CONTROL_CLASS}])"
# Formats whose grammar has no control character (RFC 3339, RFC 4122, RFC 5321, RFC 3986):
# a string of one needs no pattern. Any other format (`password`, …) gets one.
FORMATS_WITHOUT_CONTROLS = frozenset(
    {"date", "date-time", "time", "duration", "uuid", "email", "idn-email", "uri", "iri"}
    | {"uri-reference", "iri-reference", "hostname", "idn-hostname", "ipv4", "ipv6"}
)
# Escapes that stand for no control character: `\d` and `\w` (ASCII in ECMA-262) and
# escaped punctuation (a literal). `\s` is not one: it matches vertical tab and form feed.
_SAFE_ESCAPES = frozenset("dw" + ".-+()[]{}?*|^$/\\")
_WRITE_METHODS = frozenset({"post", "put", "patch"})


def _is_control(char: str) -> bool:
    return (char < " " and char not in "\t\n\r") or char == "\x7f"


def excludes_control_characters(pattern: str) -> bool:
    r"""Whether every string an (ECMA-262) `pattern` matches is free of the refused control
    characters — conservatively: True only for a pattern anchored at both ends (no
    top-level `|`) whose atoms are printable literals, `\d`, `\w`, escaped punctuation or
    positive classes of those and of ranges that hold no control character (`[0-9A-Z_]`,
    `[一-龥]`). Negated classes, `.`, `\s`, other escapes and group syntax (`(?…`) answer
    False: the pattern is combined with a lookahead instead (`no_control_pattern`)."""
    if len(pattern) < 2 or pattern[0] != "^" or pattern[-1] != "$" or pattern[-2] == "\\":
        return False
    body, i, depth = pattern[1:-1], 0, 0
    while i < len(body):
        char = body[i]
        if char == "\\":
            if body[i + 1 : i + 2] not in _SAFE_ESCAPES:
                return False
            i += 2
        elif char == "[":
            end = _positive_class_end(body, i + 1)
            if end is None:
                return False
            i = end + 1
        elif char == "(":
            if body[i + 1 : i + 2] == "?" and body[i + 2 : i + 3] != ":":
                return False
            depth += 1
            i += 1
        elif char == ")":
            depth -= 1
            i += 1
        elif char == "." or (char == "|" and depth == 0) or _is_control(char):
            return False
        else:
            i += 1
    return depth == 0


def _positive_class_end(body: str, i: int) -> int | None:
    r"""The index of the `]` closing a class whose members (from `body[i]`) hold no control
    character, or None (a negated or empty class, `\s`, an unknown escape, a range across
    a control character)."""
    if body[i : i + 1] in ("^", "]", ""):
        return None
    while i < len(body) and body[i] != "]":
        if body[i] == "\\":
            escaped = body[i + 1 : i + 2]
            if escaped in ("d", "w"):
                i += 2
                continue
            if escaped not in _SAFE_ESCAPES or not escaped:
                return None
            low, i = escaped, i + 2
        else:
            low, i = body[i], i + 1
        if _is_control(low):
            return None
        if body[i : i + 1] == "-" and body[i + 1 : i + 2] not in ("]", ""):
            high = body[i + 1]
            if high == "\\":
                high = body[i + 2 : i + 3]
                if high not in _SAFE_ESCAPES or high in ("d", "w"):
                    return None
                i += 1
            # No control character from `low` to `high`: all of it between space and `~`,
            # or all of it past DEL.
            if not (" " <= low <= high < "\x7f" or "\x7f" < low <= high):
                return None
            i += 2
    return i if i < len(body) else None


def no_control_pattern(own: str | None) -> str:
    """The pattern of a request-body string: `NO_CONTROL_CHARACTERS`, or its own pattern
    when that excludes control characters already, else its own behind a lookahead that
    does (JSON Schema `pattern` searches, so an unanchored one may match anywhere)."""
    if own is None:
        return NO_CONTROL_CHARACTERS
    if excludes_control_characters(own) or own.startswith(NO_CONTROL_AHEAD):
        return own
    if own.startswith("^") and not _top_level_alternation(own):
        return NO_CONTROL_AHEAD + own[1:]
    return rf"{NO_CONTROL_AHEAD}[\s\S]*?(?:{own})"


def _top_level_alternation(pattern: str) -> bool:
    """Whether a `|` outside any group or class splits `pattern` (so a prefix binds only the
    first alternative)."""
    depth, in_class, escaped = 0, False, False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            return True
    return False


def _refuse_control_characters(schema: Any) -> None:
    """Every string of a request-body schema (its properties, items, map values and
    branches, recursively; not `if` nor `not`, whose sense is inverted) gets the pattern
    that excludes control characters — but an enum, a const and a format without them;
    every map (an object with `additionalProperties`) gets it as `propertyNames`: the
    middleware refuses a control character in a key too."""
    if isinstance(schema, list):
        for item in schema:
            _refuse_control_characters(item)
        return
    if not isinstance(schema, dict):
        return
    types = schema.get("type")
    if (types == "string" or (isinstance(types, list) and "string" in types)) and not (
        "enum" in schema or "const" in schema or schema.get("format") in FORMATS_WITHOUT_CONTROLS
    ):
        schema["pattern"] = no_control_pattern(schema.get("pattern"))
    extra = schema.get("additionalProperties")
    if extra is not None and extra is not False:
        names = schema.setdefault("propertyNames", {})
        if isinstance(names, dict) and "enum" not in names and "const" not in names:
            names["pattern"] = no_control_pattern(names.get("pattern"))
    if isinstance(extra, dict):
        _refuse_control_characters(extra)
    for key in ("properties", "patternProperties"):
        if isinstance(schema.get(key), dict):
            _refuse_control_characters(list(schema[key].values()))
    for key in ("items", "prefixItems", "anyOf", "oneOf", "allOf", "then", "else"):
        _refuse_control_characters(schema.get(key))


def json_request_schemas(spec: Mapping[str, Any]) -> tuple[list[dict[str, Any]], set[str]]:
    """The inline schemas and the names of the component schemas (directly or nested) of
    the JSON request bodies the control-character middleware reads: POST, PUT and PATCH,
    `application/json` or `…+json`."""
    inline: list[dict[str, Any]] = []
    todo: list[str] = []
    for item in spec.get("paths", {}).values():
        for method, op in item.items():
            if method not in _WRITE_METHODS or not isinstance(op, dict):
                continue
            for content_type, media in op.get("requestBody", {}).get("content", {}).items():
                ctype = content_type.split(";")[0].strip().lower()
                if not (ctype == "application/json" or ctype.endswith("+json")):
                    continue
                if isinstance(media.get("schema"), dict):
                    inline.append(media["schema"])
                    todo.extend(_refs(media["schema"]))
    components = spec.get("components", {}).get("schemas", {})
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen or name not in components:
            continue
        seen.add(name)
        todo.extend(_refs(components[name]))
    return inline, seen


def add_control_character_patterns(spec: dict[str, Any]) -> None:
    """State iims_common.control_characters in the schemas of the JSON request bodies: a
    `pattern` on each of their strings (`_refuse_control_characters`). Query and path
    parameters are not read by it, so they get none; a component shared with a response
    (FastAPI shares one whose input and output schemas are alike: today only enums) would
    state it for the response too. Response-only schemas state none: stored text from
    before the rule, or from an import, may hold control characters."""
    inline, names = json_request_schemas(spec)
    components = spec.get("components", {}).get("schemas", {})
    _refuse_control_characters(inline)
    _refuse_control_characters([components[name] for name in sorted(names)])


def refine_openapi(spec: dict[str, Any]) -> dict[str, Any]:
    """Declare each operation's errors, mark `If-Match` required and state the identifier
    patterns and the control characters refused in JSON text (in place; returned)."""
    add_field_patterns(spec)
    add_control_character_patterns(spec)
    for path, item in spec.get("paths", {}).items():
        for method, op in item.items():
            if not isinstance(op, dict) or method not in (
                "get",
                "put",
                "post",
                "patch",
                "delete",
                "head",
                "options",
            ):
                continue
            for param in op.get("parameters", []):
                if str(param.get("name", "")).lower() == "if-match":
                    param["required"] = True
                    param["description"] = IF_MATCH_DESCRIPTION
            responses = op.setdefault("responses", {})
            # A route may declare an error its shape does not imply (409 on a GET whose object
            # is not in the right state): `responses={409: {"description": ...}}`.
            declared = {int(c) for c in responses if str(c).isdigit() and int(c) >= 400}
            for code in sorted(_error_codes(path, method, op) | declared):
                existing = responses.get(str(code))
                if existing is None or "content" not in existing:
                    responses[str(code)] = {
                        **_problem(code),
                        **({"description": existing["description"]} if existing else {}),
                    }
                else:
                    # FastAPI's own 422 schema (HTTPValidationError) is not what we send.
                    existing["content"] = {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_REF}}
                    existing.setdefault("description", ERROR_DESCRIPTIONS.get(code, "Error"))
    spec.get("components", {}).get("schemas", {}).pop("HTTPValidationError", None)
    spec.get("components", {}).get("schemas", {}).pop("ValidationError", None)
    return spec


def operation_ids(spec: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(operationId, method, path) of every operation in an OpenAPI document."""
    return [
        (op["operationId"], method, path)
        for path, item in spec.get("paths", {}).items()
        for method, op in item.items()
        if isinstance(op, dict) and "operationId" in op
    ]


_CAMEL = re.compile(r"^[a-z][A-Za-z0-9]*$")
# Verb + object (`downloadDocumentContent`, `logIn`): a lone word (`download`, `labels`) says
# neither what is done nor to what, once the operations of five services sit side by side.
_VERB_OBJECT = re.compile(r"^[a-z]+[A-Z][A-Za-z0-9]*$")


def assert_unique_operation_ids(specs: Iterable[Mapping[str, Any]]) -> None:
    """Fail (AssertionError listing them) when an operationId is missing, not camelCase, a
    single word (not verb + object), or shared by two operations across the given documents (e.g. every service's and the
    gateway's, or the merged one)."""
    seen: Counter[str] = Counter()
    where: dict[str, list[str]] = {}
    problems: list[str] = []
    for spec in specs:
        for path, item in spec.get("paths", {}).items():
            for method, op in item.items():
                if not isinstance(op, dict) or method not in (
                    "get",
                    "put",
                    "post",
                    "patch",
                    "delete",
                    "head",
                    "options",
                ):
                    continue
                op_id = op.get("operationId")
                if not op_id:
                    problems.append(f"{method.upper()} {path}: no operationId")
                    continue
                if not _CAMEL.match(op_id):
                    problems.append(f"{method.upper()} {path}: operationId {op_id!r} not camelCase")
                elif not _VERB_OBJECT.match(op_id):
                    problems.append(
                        f"{method.upper()} {path}: operationId {op_id!r} is one word; "
                        "name the verb and its object (rename the route function)"
                    )
                seen[op_id] += 1
                where.setdefault(op_id, []).append(f"{method.upper()} {path}")
    problems += [f"{k} used by {where[k]}" for k, n in seen.items() if n > 1]
    assert not problems, "operationId problems:\n" + "\n".join(problems)
