"""The shared HTTP helpers on a real app (create_service_app) and a real PostgreSQL database:
the Idempotency-Key fingerprint covers method, full path and body; ETags compare strongly;
answers are Chinese by default and English on `Accept-Language: en`, pydantic's own messages
included; the unknown-query and cursor refusals come from the one shared mechanism."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncIterator
from typing import Annotated

import httpx
import pytest_asyncio
from fastapi import APIRouter, FastAPI, Query
from fastapi.responses import JSONResponse
from pydantic import Field

from iims_common.app import create_service_app
from iims_common.errors import FieldError, ValidationFailed
from iims_common.http import IdempotencyKey, IfMatch, Session, check_if_match, json_response
from iims_common.i18n import _
from iims_common.idempotency import REPLAY_HEADER, idempotent
from iims_common.identity import CurrentCaller, Role
from iims_common.openapi import (
    NO_CONTROL_CHARACTERS,
    excludes_control_characters,
    no_control_pattern,
)
from iims_common.pagination import Page, Pagination
from iims_common.schemas import Input
from iims_common.settings import ServiceSettings
from iims_common.testing import mint, truncate

router = APIRouter(prefix="/api/v1")


class DecisionIn(Input):
    outcome: str = Field(min_length=2, max_length=10)
    score: int = Field(ge=0, le=100)


@router.post("/things/{thing_id}/decision", status_code=201)
async def decide_thing(
    thing_id: uuid.UUID,
    body: DecisionIn,
    caller: CurrentCaller,
    session: Session,
    key: IdempotencyKey = None,
) -> JSONResponse:
    async def create() -> JSONResponse:
        return json_response({"thing": str(thing_id), "decision": uuid.uuid4().hex}, 201)

    return await idempotent(session, caller, key, body, create)


@router.put("/things/{thing_id}")
async def update_thing(
    thing_id: uuid.UUID, caller: CurrentCaller, if_match: IfMatch = None
) -> JSONResponse:
    check_if_match(if_match, 2)
    return json_response({"thing": str(thing_id)}, version=3)


@router.get("/things")
async def list_things(
    caller: CurrentCaller,
    page: Pagination,
    size: Annotated[str | None, Query(max_length=10)] = None,
) -> Page[str]:
    if size == "huge":
        raise ValidationFailed(
            _("Invalid cursor"), errors=[FieldError("size", _("Field required"))]
        )
    return Page[str](items=[])


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def app(bus_settings: ServiceSettings) -> AsyncIterator[FastAPI]:
    settings = bus_settings.model_copy(update={"background_workers": False})
    application = create_service_app(
        settings=settings, title="t", description="t", version="1", routers=[router]
    )
    async with application.router.lifespan_context(application):
        await truncate(application.state.sessionmaker, "idempotency_keys")
        yield application


@pytest_asyncio.fixture(loop_scope="session")
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        yield c


async def test_same_key_and_body_on_another_object_does_not_replay(
    client: httpx.AsyncClient,
) -> None:
    me = mint(Role.ministry)
    key = {"Idempotency-Key": f"k-{uuid.uuid4()}"}
    body = {"outcome": "grant", "score": 90}
    a, b = uuid.uuid4(), uuid.uuid4()
    first = await client.post(f"/api/v1/things/{a}/decision", json=body, headers={**me, **key})
    assert first.status_code == 201 and first.json()["thing"] == str(a)
    again = await client.post(f"/api/v1/things/{a}/decision", json=body, headers={**me, **key})
    assert again.status_code == 201 and again.headers[REPLAY_HEADER] == "true"
    assert again.json() == first.json()
    other = await client.post(f"/api/v1/things/{b}/decision", json=body, headers={**me, **key})
    assert other.status_code == 422, other.text
    assert other.json()["errors"][0]["field"] == "Idempotency-Key"
    assert REPLAY_HEADER not in other.headers
    # The query string is part of the target, too.
    query = await client.post(f"/api/v1/things/{a}/decision?x=1", json=body, headers={**me, **key})
    assert query.status_code in (422,), query.text


async def test_if_match_is_compared_strongly(client: httpx.AsyncClient) -> None:
    me = mint(Role.ministry)
    url = f"/api/v1/things/{uuid.uuid4()}"
    assert (await client.put(url, headers={**me, "If-Match": '"2"'})).status_code == 200
    assert (await client.put(url, headers={**me, "If-Match": '"1", "2"'})).status_code == 200
    assert (await client.put(url, headers={**me, "If-Match": "*"})).status_code == 200
    weak = await client.put(url, headers={**me, "If-Match": 'W/"2"'})
    assert weak.status_code == 412, weak.text
    assert weak.json()["current_etag"] == '"2"'
    assert (await client.put(url, headers=me)).status_code == 428


async def test_messages_chinese_by_default_english_on_request(client: httpx.AsyncClient) -> None:
    me = mint(Role.ministry)
    url = f"/api/v1/things/{uuid.uuid4()}/decision"
    bad = {"outcome": "x", "score": 101, "extra": 1}
    zh = await client.post(url, json=bad, headers=me)
    en = await client.post(url, json=bad, headers={**me, "Accept-Language": "en-US,en;q=0.9"})
    assert zh.status_code == en.status_code == 422
    assert zh.headers["content-language"] == "zh-CN" and en.headers["content-language"] == "en"
    zh_body, en_body = zh.json(), en.json()
    assert zh_body["type"] == en_body["type"]
    assert zh_body["title"] == "校验未通过" and en_body["title"] == "Validation failed"
    zh_msgs = {e["field"]: e["message"] for e in zh_body["errors"]}
    en_msgs = {e["field"]: e["message"] for e in en_body["errors"]}
    assert set(zh_msgs) == set(en_msgs) == {"outcome", "score", "extra"}
    assert zh_msgs["outcome"] == "长度至少为 2 个字符"
    assert en_msgs["outcome"] == "String should have at least 2 characters"
    assert zh_msgs["score"] == "应小于或等于 100"
    assert zh_msgs["extra"] == "不允许的额外字段"
    # A preference for another language falls back to Chinese; q-values are honoured.
    fr = await client.post(url, json=bad, headers={**me, "Accept-Language": "fr, en;q=0.1"})
    assert fr.json()["title"] == "Validation failed"
    ja = await client.post(url, json=bad, headers={**me, "Accept-Language": "ja"})
    assert ja.json()["title"] == "校验未通过"
    pref = await client.post(url, json=bad, headers={**me, "Accept-Language": "en;q=0.5, zh"})
    assert pref.json()["title"] == "校验未通过"


async def test_http_errors_and_query_refusals_are_translated(client: httpx.AsyncClient) -> None:
    me = mint(Role.ministry)
    missing = await client.get("/api/v1/nothing-here", headers=me)
    assert missing.status_code == 404 and missing.json()["title"] == "未找到"
    unknown = await client.get("/api/v1/things?sizes=1", headers={**me, "Accept-Language": "en"})
    assert unknown.status_code == 422
    assert unknown.json()["detail"] == "Unknown query parameter: sizes"
    assert unknown.json()["errors"][0]["field"] == "sizes"
    cursor = await client.get("/api/v1/things?cursor=" + "A" * 44, headers=me)
    assert cursor.status_code == 422
    assert cursor.json()["errors"] == [
        {"field": "cursor", "message": "不是本列表签发的游标；请不带游标从第一页开始"}
    ]
    assert (await client.get("/api/v1/things?limit=5&size=big", headers=me)).status_code == 200


async def test_unreadable_bodies_are_explained_field_by_field(client: httpx.AsyncClient) -> None:
    """A body that is not UTF-8, JSON nested too deep to read, a JSON syntax error and a bad
    UUID are refused as problems on the field concerned, with no English leaking into the
    Chinese answer (the json module's and pydantic-core's own texts are translated)."""
    me = {**mint(Role.ministry), "Content-Type": "application/json"}
    url = f"/api/v1/things/{uuid.uuid4()}/decision"

    def field_messages(r: httpx.Response) -> dict[str, str]:
        assert r.headers["content-type"] == "application/problem+json", r.text
        return {e["field"]: e["message"] for e in r.json()["errors"]}

    latin = await client.post(url, content=b'{"outcome": "\xe9t\xe9", "score": 1}', headers=me)
    assert latin.status_code == 400
    assert latin.json()["detail"] == "请求体不是有效的 JSON"
    assert field_messages(latin) == {
        "body": "第 13 个字节不是 UTF-8 编码；请以 UTF-8 编码发送 JSON"
    }
    latin_en = await client.post(
        url, content=b'{"outcome": "\xe9"}', headers={**me, "Accept-Language": "en"}
    )
    assert field_messages(latin_en)["body"].startswith("Byte 13 is not UTF-8")

    deep = await client.post(url, content=b"[" * 100_000 + b"]" * 100_000, headers=me)
    assert deep.status_code == 400
    assert field_messages(deep) == {"body": "JSON 嵌套层级过深"}

    syntax = await client.post(url, content=b'{"outcome": }', headers=me)
    assert syntax.status_code == 400
    assert field_messages(syntax) == {"body": "无效的 JSON：缺少值"}

    bad_id = await client.post(
        "/api/v1/things/not-a-uuid/decision", json={"outcome": "ok", "score": 1}, headers=me
    )
    assert bad_id.status_code == 422
    assert field_messages(bad_id) == {"thing_id": "应为有效的 UUID（格式不正确）"}


async def test_control_characters_in_json_text_are_refused_field_by_field(
    client: httpx.AsyncClient,
) -> None:
    """`\\u0000` and the other C0 controls (tab, LF, CR aside) are valid JSON escapes that
    pydantic would take as text: one middleware refuses them, naming each field (nested
    too), before a route or a database sees them; the text "\\u0000" (an escaped
    backslash) and tab/newline pass."""
    me = {**mint(Role.ministry), "Content-Type": "application/json"}
    url = f"/api/v1/things/{uuid.uuid4()}/decision"
    bad = b'{"outcome": "o\\u0000k", "score": 1, "notes": [{"x": "\\u001b[31m"}]}'
    r = await client.post(url, content=bad, headers=me)
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["type"].endswith("/problems/control-characters")
    assert r.json()["errors"] == [
        {"field": "outcome", "message": "含有控制字符 U+0000，请删除"},
        {"field": "notes[0].x", "message": "含有控制字符 U+001B，请删除"},
    ]
    en = await client.post(url, content=bad, headers={**me, "Accept-Language": "en"})
    assert en.json()["errors"][0]["message"] == "Contains the control character U+0000; remove it"
    fine = b'{"outcome": "a\\\\u0000\\tb\\n", "score": 1}'
    assert (await client.post(url, content=fine, headers=me)).status_code == 201
    # DEL is valid JSON unescaped (the C0 controls are not): refused raw as well as escaped.
    for raw_del in ('{"outcome": "o\x7fk", "score": 1}', '{"outcome": "o\\u007Fk", "score": 1}'):
        r = await client.post(url, content=raw_del.encode(), headers=me)
        assert r.status_code == 422, raw_del
        assert r.json()["errors"] == [
            {"field": "outcome", "message": "含有控制字符 U+007F，请删除"}
        ]


async def test_openapi_declares_errors_per_operation(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    put = spec["paths"]["/api/v1/things/{thing_id}"]["put"]
    assert put["operationId"] == "updateThing"
    if_match = next(p for p in put["parameters"] if p["name"] == "If-Match")
    assert if_match["required"] is True
    assert {"404", "412", "428", "409"} <= set(put["responses"])
    get = spec["paths"]["/api/v1/things"]["get"]
    assert get["operationId"] == "listThings"
    assert "412" not in get["responses"] and "428" not in get["responses"]
    assert get["responses"]["422"]["content"]["application/problem+json"]["schema"] == {
        "$ref": "#/components/schemas/Problem"
    }
    post = spec["paths"]["/api/v1/things/{thing_id}/decision"]["post"]
    assert {"400", "409", "413", "415", "422"} <= set(post["responses"])
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    assert spec["paths"]["/healthz"]["get"]["operationId"] == "getHealth"
    # The control characters refused in JSON text are stated on the body's strings only.
    decision = spec["components"]["schemas"]["DecisionIn"]["properties"]
    assert decision["outcome"]["pattern"] == NO_CONTROL_CHARACTERS
    assert "pattern" not in decision["score"]
    size = next(p for p in get["parameters"] if p["name"] == "size")
    assert "pattern" not in json.dumps(size)


# (pattern, whether it excludes the refused control characters by itself, strings it matches,
# strings it does not): each pattern's combination with the rule must keep exactly its own
# matches less those holding a control character.
PATTERNS = [
    (r"^[0-9]{6}$", True, ["330000"], ["33000", "33000\x00", "x330000"]),
    (r"^[A-Za-z0-9_.@-]+$", True, ["a.b@c-d"], ["a b", "a\x1f"]),
    (r"^(ordinal|ratio)$", True, ["ratio"], ["ratios"]),
    (r"^[一-龥]+$", True, ["两化融合"], ["两化\x7f"]),
    (r"^[0-9]{4}(-(0[1-9]|1[0-2]))?$", True, ["2014", "2014-06"], ["2014-13"]),
    (r"^[^@\s]+@[^@\s]+\.[^@\s]+$", False, ["a@b.cn"], ["a\x00@b.cn", "a@b.c\x0bn", "ab.cn"]),
    (r"^.+$", False, ["x", "两化"], ["", "x\x00", "\x7f"]),
    (r"^\S+$", False, ["x"], ["x\x08"]),
    (r"^[\s\w]+$", False, ["a b\tc"], ["a\x0cb"]),
    ("^[ -\u0080]+$", False, ["a", "~\u0080"], ["a\x7f"]),  # a range across DEL
    (r"^a|b$", False, ["ab", "xb", "a\n"], ["x", "a\x00", "\x00b"]),
    (r"[0-9]{6}", False, ["x330000y"], ["x33000", "\x01330000"]),
    (r"^(?=a)ab$", False, ["ab"], ["ab\x00"]),
    (r"^[a-z]$\\$", False, [], ["a"]),
]


def test_a_pattern_keeps_its_sense_and_excludes_control_characters() -> None:
    """`excludes_control_characters` answers True only when it is sure (it decides whether a
    string's own pattern stands alone); the combined pattern accepts what the own one
    accepts, less text holding a control character."""
    for own, alone, matches, others in PATTERNS:
        assert excludes_control_characters(own) is alone, own
        combined = no_control_pattern(own)
        assert (combined == own) is alone, (own, combined)
        assert re.search(combined, "") is None or re.search(own, "") is not None, own
        for text in matches:
            assert re.search(own, text) and re.search(combined, text), (own, text)
            for char in ("\x00", "\x1b", "\x7f"):
                assert not re.search(combined, text + char), (own, text)
                assert not re.search(combined, char + text), (own, text)
        for text in others:
            assert not re.search(combined, text), (combined, text)
    assert re.fullmatch(NO_CONTROL_CHARACTERS, "两化\t融合\r\n")
    assert not re.search(NO_CONTROL_CHARACTERS, "两化\x0b")
    assert no_control_pattern(no_control_pattern(r"^.+$")) == no_control_pattern(r"^.+$")
