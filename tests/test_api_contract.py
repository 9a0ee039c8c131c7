"""The HTTP contract every service shares (DESIGN.md §3), checked on every operation of every
service, enumerated from their OpenAPI documents:

- every list endpoint refuses, with 422 problem+json naming `cursor`, any cursor it did not
  issue: arbitrary text, base64 of anything, JSON, the right length with the wrong bytes, a
  genuine cursor of another list (property test with hypothesis);
- every operation refuses an unknown query parameter with 422 naming it;
- operationIds are camelCase and unique across the services and the gateway, also in the
  gateway's merged document;
- messages are Chinese by default and English on `Accept-Language: en`.

The services run in-process on SQLite databases migrated with their real Alembic history,
without background workers (no broker is needed: nothing here publishes).
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessment.main import create_app as assessment_app
from assessment.settings import AssessmentSettings
from audit.main import create_app as audit_app
from audit.settings import AuditSettings
from gateway.domain.openapi import merge
from gateway.main import create_app as gateway_app
from gateway.settings import GatewaySettings
from iims_common.identity import Role
from iims_common.industries import INDUSTRY_PATTERN
from iims_common.openapi import (
    FORMATS_WITHOUT_CONTROLS,
    NO_CONTROL_AHEAD,
    NO_CONTROL_CHARACTERS,
    assert_unique_operation_ids,
    excludes_control_characters,
    json_request_schemas,
    request_schemas,
)
from iims_common.pagination import CURSOR_LENGTH, cursor_signing_key, encode_cursor
from iims_common.regions import PROVINCES
from iims_common.testing import SECRET, create_migrated_sqlite, mint
from iims_contracts import CertificateIssued
from registry.main import create_app as registry_app
from registry.settings import RegistrySettings
from training.main import create_app as training_app
from training.settings import TrainingSettings

ROOT = Path(__file__).resolve().parents[1]
FACTORIES: dict[str, tuple[Any, Any]] = {
    "registry": (registry_app, RegistrySettings),
    "training": (training_app, TrainingSettings),
    "assessment": (assessment_app, AssessmentSettings),
    "audit": (audit_app, AuditSettings),
    "gateway": (gateway_app, GatewaySettings),
}
# Values for required query parameters, so a list answers at all (by parameter name).
REQUIRED_QUERY = {"period": "2014-06", "industry_section": "C", "year": "2014"}


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def apps(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[dict[str, FastAPI]]:
    directory = tmp_path_factory.mktemp("contract")
    built: dict[str, FastAPI] = {}
    for name, (factory, settings_cls) in FACTORIES.items():
        extra: dict[str, Any] = {}
        if name == "gateway":
            extra = {
                "admin_password": "admin-password-for-contract-tests",
                "jwt_secret": "jwt-secret-for-the-contract-tests-32+",
            }
        app_settings = settings_cls(
            environment="test",
            database_url=create_migrated_sqlite(directory, name),
            internal_token_secret=SECRET,
            background_workers=False,
            log_json=False,
            **extra,
        )
        built[name] = factory(app_settings)
    async with AsyncExitStack() as stack:
        for app in built.values():
            await stack.enter_async_context(app.router.lifespan_context(app))
        yield built


def _client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://svc")


def _headers(service: str) -> dict[str, str]:
    if service == "gateway":
        return {}
    return mint(Role.ministry)


def _concrete(path: str) -> str:
    while "{" in path:
        start, end = path.index("{"), path.index("}")
        path = path[:start] + str(uuid.uuid4()) + path[end + 1 :]
    return path


def _list_operations(app: FastAPI) -> list[tuple[str, dict[str, str]]]:
    """(path template, required query) of every GET operation that takes a `cursor`."""
    out = []
    for path, item in app.openapi()["paths"].items():
        op = item.get("get")
        if not op:
            continue
        names = {p["name"]: p for p in op.get("parameters", []) if p["in"] == "query"}
        if "cursor" in names:
            required = {n: REQUIRED_QUERY[n] for n, p in names.items() if p.get("required")}
            out.append((path, required))
    return out


async def _gateway_admin_headers(client: httpx.AsyncClient) -> dict[str, str]:
    r = await client.post(
        "/api/v1/auth/login",
        json={"username": "admin", "password": "admin-password-for-contract-tests"},
    )
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def list_endpoints(
    apps: dict[str, FastAPI],
) -> list[tuple[str, str, dict[str, str], dict[str, str]]]:
    """(service, concrete path, query, headers) of every list endpoint of the platform."""
    out = []
    for service, app in apps.items():
        headers = _headers(service)
        if service == "gateway":
            async with _client(app) as c:
                headers = await _gateway_admin_headers(c)
        for template, query in _list_operations(app):
            out.append((service, _concrete(template), query, headers))
    return out


def test_every_service_has_list_endpoints(
    list_endpoints: list[tuple[str, str, dict[str, str], dict[str, str]]],
) -> None:
    services = {s for s, *_ in list_endpoints}
    assert services == set(FACTORIES), services
    assert len(list_endpoints) >= 20


def _b64(raw: bytes, pad: bool) -> str:
    text = base64.urlsafe_b64encode(raw).decode()
    return text if pad else text.rstrip("=")


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
CURSORS = st.one_of(
    st.text(max_size=300),
    st.binary(max_size=120).flatmap(lambda b: st.sampled_from([_b64(b, True), _b64(b, False)])),
    JSON.map(lambda v: _b64(json.dumps(v).encode(), False)),
    JSON.map(json.dumps),
    st.builds(lambda v: _b64(json.dumps({"after": v}).encode(), False), JSON),
    st.builds(lambda u: _b64(json.dumps({"after": str(u)}).encode(), False), st.uuids()),
    # The right length and alphabet, wrong bytes (a forged or corrupted cursor).
    st.binary(min_size=33, max_size=33).map(lambda b: _b64(b, False)),
    st.text(alphabet="ABCabc0189-_", min_size=CURSOR_LENGTH, max_size=CURSOR_LENGTH),
).filter(lambda c: c != "")


async def _refused(
    app: FastAPI, path: str, query: dict[str, str], headers: dict[str, str], cursor: str
) -> None:
    async with _client(app) as c:
        r = await c.get(path, params={**query, "cursor": cursor}, headers=headers)
    assert r.status_code == 422, (path, cursor, r.status_code, r.text[:300])
    assert r.headers["content-type"] == "application/problem+json"
    # One answer for every bad cursor: it says the list did not issue it, and nothing about
    # how a cursor is made (no length, alphabet or encoding to probe against).
    assert r.json()["errors"] == [
        {"field": "cursor", "message": "不是本列表签发的游标；请不带游标从第一页开始"}
    ], r.text


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(cursor=CURSORS)
async def test_no_list_accepts_a_cursor_it_did_not_issue(
    apps: dict[str, FastAPI],
    list_endpoints: list[tuple[str, str, dict[str, str], dict[str, str]]],
    cursor: str,
) -> None:
    for service, path, query, headers in list_endpoints:
        await _refused(apps[service], path, query, headers, cursor)


async def test_a_cursor_is_valid_only_on_the_list_that_issued_it(
    apps: dict[str, FastAPI],
    list_endpoints: list[tuple[str, str, dict[str, str], dict[str, str]]],
) -> None:
    key = cursor_signing_key(SECRET)
    for service, path, query, headers in list_endpoints:
        app = apps[service]
        template = next(t for t, _ in _list_operations(app) if _matches(t, path))
        own = encode_cursor(uuid.uuid4(), f"{service} GET {template}", key)
        async with _client(app) as c:
            r = await c.get(path, params={**query, "cursor": own}, headers=headers)
        # Accepted (a list under a random parent id is then simply not found).
        assert r.status_code == (404 if "{" in template else 200), (path, r.text[:300])
        # The same position, signed for another list / another service / another secret.
        for list_key, signing in (
            (f"{service} GET /api/v1/other", key),
            (f"other GET {template}", key),
            (f"{service} GET {template}", cursor_signing_key(SECRET + "-rotated")),
        ):
            foreign = encode_cursor(uuid.uuid4(), list_key, signing)
            await _refused(app, path, query, headers, foreign)


def _matches(template: str, path: str) -> bool:
    t, p = template.split("/"), path.split("/")
    return len(t) == len(p) and all(a == b or a.startswith("{") for a, b in zip(t, p, strict=True))


async def test_every_operation_refuses_unknown_query_parameters(apps: dict[str, FastAPI]) -> None:
    sent = 0
    for service, app in apps.items():
        headers = _headers(service)
        async with _client(app) as c:
            if service == "gateway":
                headers = await _gateway_admin_headers(c)
            for template, item in app.openapi()["paths"].items():
                for method in item:
                    r = await c.request(
                        method,
                        _concrete(template),
                        params={"enterprise_idx": "1", "limit": "5"}
                        if method == "get"
                        else {"enterprise_idx": "1"},
                        headers={**headers, "Accept-Language": "en"},
                    )
                    sent += 1
                    assert r.status_code == 422, (method, template, r.status_code, r.text[:200])
                    body = r.json()
                    fields = [e["field"] for e in body["errors"]]
                    assert "enterprise_idx" in fields, (method, template, body)
                    assert "limit" not in fields or "limit" not in _declared(item[method])
                    assert "enterprise_idx" in body["detail"]
    assert sent > 100


def _declared(op: dict[str, Any]) -> set[str]:
    return {p["name"] for p in op.get("parameters", []) if p["in"] == "query"}


async def test_unknown_filter_in_chinese_by_default(apps: dict[str, FastAPI]) -> None:
    async with _client(apps["training"]) as c:
        r = await c.get(
            "/api/v1/invitations",
            params={"enterprise_id": str(uuid.uuid4())},
            headers=mint(Role.ministry),
        )
    assert r.status_code == 422
    body = r.json()
    assert body["title"] == "校验未通过"
    assert body["detail"].startswith("未知的查询参数")
    assert body["errors"][0]["field"] == "enterprise_id"
    assert r.headers["content-language"] == "zh-CN"


async def test_operation_ids_are_readable_and_unique_across_the_platform(
    apps: dict[str, FastAPI],
) -> None:
    services = {name: app.openapi() for name, app in apps.items() if name != "gateway"}
    gateway = apps["gateway"].openapi()
    merged = merge(gateway, services)
    assert_unique_operation_ids([merged])
    ids = {op["operationId"] for item in merged["paths"].values() for op in item.values()}
    assert {
        "listEnterprises",
        "getEnterprise",
        "listPilots",
        "downloadDocumentContent",
        "uploadDocumentContent",
        "listLabels",
        "registerForMeeting",
        "getPublicAgencyList",
    } <= ids, sorted(ids)
    # Every /api/v1 operation of a service is in the merged document (none lost to a clash).
    for spec in services.values():
        for path in spec["paths"]:
            if path.startswith("/api/v1/"):
                assert path in merged["paths"], path


async def test_enum_filters_accept_codes_and_chinese_labels(apps: dict[str, FastAPI]) -> None:
    me = mint(Role.ministry)
    async with _client(apps["registry"]) as c:
        for value in ("large", "大型", " 大型 "):
            r = await c.get("/api/v1/enterprises", params={"size": value}, headers=me)
            assert r.status_code == 200, (value, r.text)
        r = await c.get("/api/v1/enterprises", params={"size": "巨型"}, headers=me)
        assert r.status_code == 422
        assert r.json()["errors"][0]["field"] == "size"
        assert r.json()["errors"][0]["message"].startswith("应为 'large'")
    async with _client(apps["audit"]) as c:
        r = await c.get("/api/v1/certificates", params={"status": "暂停"}, headers=me)
        assert r.status_code == 200, r.text
    spec = apps["registry"].openapi()
    size = spec["components"]["schemas"]["EnterpriseSize"]
    assert size["enum"] == ["large", "medium", "small", "micro"]
    assert size["x-enum-labels"]["large"] == "大型"


async def test_schema_states_every_constraint_it_can(apps: dict[str, FastAPI]) -> None:
    """Identifier patterns wherever those fields appear, enums for finding clauses and
    webhook event types, oneOf for exactly-one-of, If-Match required, probes without a key."""
    services = {name: app.openapi() for name, app in apps.items() if name != "gateway"}
    merged = merge(apps["gateway"].openapi(), services)
    checked: dict[str, int] = {}

    def string_branches(schema: dict[str, Any]) -> list[dict[str, Any]]:
        return [b for b in schema.get("anyOf", [schema]) if b.get("type") == "string"]

    def visit(name: str, schema: dict[str, Any], where: str) -> None:
        if name in ("province_code", "industry_code", "uscc", "period", "id_number"):
            for branch in string_branches(schema):
                # A province the service checks against GB/T 2260 is stated as the enum of the
                # 31 codes; elsewhere (filters, gateway paths) the six-digit pattern.
                stated = "pattern" in branch or (
                    name == "province_code" and set(branch.get("enum", [])) >= set(PROVINCES)
                )
                assert stated, (where, name, schema)
                checked[name] = checked.get(name, 0) + 1
        if name == "clause":
            for branch in string_branches(schema):
                assert "4.1" in branch.get("enum", []), (where, schema)
                checked[name] = checked.get(name, 0) + 1

    for cname in request_schemas(merged):
        component = merged["components"]["schemas"][cname]
        for name, prop in (component.get("properties") or {}).items():
            visit(name, prop, cname)
    for path, item in merged["paths"].items():
        for method, op in item.items():
            for param in op.get("parameters", []):
                visit(param["name"], param.get("schema", {}), f"{method} {path}")
                if param["name"] == "If-Match":
                    assert param["required"] is True, (method, path)
                    assert {"412", "428"} <= set(op["responses"]), (method, path)
    assert set(checked) == {
        "province_code",
        "industry_code",
        "uscc",
        "period",
        "id_number",
        "clause",
    }
    webhook = merged["components"]["schemas"]["SubscriptionIn"]["properties"]["event_types"]
    assert CertificateIssued.topic in webhook["items"]["enum"]
    one_of = merged["components"]["schemas"]["AuditCreate"]["oneOf"]
    assert [branch["required"] for branch in one_of] == [["application_id"], ["certificate_id"]]
    for probe in ("/healthz", "/readyz"):
        assert "security" not in merged["paths"][probe]["get"], probe
    assert merged["paths"]["/api/v1/enterprises"]["get"]["security"]


async def test_every_rate_limited_operation_declares_429(apps: dict[str, FastAPI]) -> None:
    """The gateway counts every call of every method that needs credentials against the key
    or account, and /public/ calls and sign-in against the client address: each of those
    operations declares 429 (problem+json); logout, counted by neither, does not. The
    industry codes are the GB/T 4754 table's, stated as one pattern wherever they appear."""
    services = {name: app.openapi() for name, app in apps.items() if name != "gateway"}
    merged = merge(apps["gateway"].openapi(), services)
    missing, methods = [], set()
    for path, item in merged["paths"].items():
        for method, op in item.items():
            if not path.startswith("/api/v1/") or path == "/api/v1/auth/logout":
                continue
            methods.add(method)
            answer = op["responses"].get("429", {})
            if "application/problem+json" not in answer.get("content", {}):
                missing.append(f"{method.upper()} {path}")
    assert not missing, missing
    assert methods == {"get", "post", "put", "patch", "delete"}
    assert "429" not in merged["paths"]["/api/v1/auth/logout"]["post"]["responses"]
    assert "429" in merged["paths"]["/api/v1/auth/login"]["post"]["responses"]
    params = merged["paths"]["/api/v1/enterprises"]["get"]["parameters"]
    industry = next(p for p in params if p["name"] == "industry_code")["schema"]
    assert INDUSTRY_PATTERN in [b.get("pattern") for b in industry.get("anyOf", [industry])]
    competences = merged["components"]["schemas"]["CompetencesIn"]["properties"]["industries"]
    assert competences["items"]["pattern"] == INDUSTRY_PATTERN


async def test_json_request_text_states_the_control_characters_refused(
    apps: dict[str, FastAPI],
) -> None:
    """Every string of every JSON request body (nested, in arrays, maps and branches) has a
    `pattern` excluding what iims_common.control_characters refuses — its own when that
    excludes them already — and every map's keys too; enums and formats such as `uuid` and
    `date` need none. Parameters and response-only schemas state nothing of it (the rule is
    the JSON body's)."""
    services = {name: app.openapi() for name, app in apps.items() if name != "gateway"}
    merged = merge(apps["gateway"].openapi(), services)
    components = merged["components"]["schemas"]
    inline, names = json_request_schemas(merged)
    seen = {"rule": 0, "own": 0, "maps": 0}
    missing: list[str] = []

    def excluded(pattern: Any) -> str | None:
        if pattern == NO_CONTROL_CHARACTERS:
            return "rule"
        if isinstance(pattern, str) and (
            pattern.startswith(NO_CONTROL_AHEAD) or excludes_control_characters(pattern)
        ):
            return "own"
        return None

    def visit(node: Any, where: str) -> None:
        if isinstance(node, list):
            for index, item in enumerate(node):
                visit(item, f"{where}[{index}]")
            return
        if not isinstance(node, dict):
            return
        if node.get("type") == "string" and not (
            {"enum", "const"} & set(node) or node.get("format") in FORMATS_WITHOUT_CONTROLS
        ):
            kind = excluded(node.get("pattern"))
            if kind is None:
                missing.append(f"{where}: {node}")
            else:
                seen[kind] += 1
        if node.get("additionalProperties") not in (None, False):
            if excluded(node.get("propertyNames", {}).get("pattern")) is None:
                missing.append(f"{where}: keys of {node}")
            seen["maps"] += 1
        for key, value in node.items():
            if key not in ("if", "not"):  # their sense is inverted
                visit(value, f"{where}.{key}")

    visit(inline, "inline")
    for name in sorted(names):
        visit(components[name], name)
    assert not missing, "\n".join(missing)
    assert seen["rule"] > 80 and seen["own"] > 10 and seen["maps"] == 2, seen
    email = components["EnterpriseCreate"]["properties"]["contact_email"]["anyOf"][0]["pattern"]
    assert email.startswith(NO_CONTROL_AHEAD), email  # its own `[^@\s]` allowed them
    text = json.dumps(
        [
            [
                p
                for item in merged["paths"].values()
                for op in item.values()
                for p in op.get("parameters", [])
            ],
            {name: schema for name, schema in components.items() if name not in names},
        ]
    )
    assert json.dumps(NO_CONTROL_CHARACTERS)[1:-1] not in text
    assert json.dumps(NO_CONTROL_AHEAD)[1:-1] not in text


def test_a_one_word_or_shared_operation_id_is_refused() -> None:
    spec = {
        "paths": {
            "/a": {"get": {"operationId": "download"}},
            "/b": {"get": {"operationId": "getThing"}, "put": {"operationId": "getThing"}},
        }
    }
    with pytest.raises(AssertionError) as info:
        assert_unique_operation_ids([spec])
    assert "'download' is one word" in str(info.value) and "getThing used by" in str(info.value)
