"""Bulk import: CSV and JSON, Chinese names, bad rows reported with line and reason, good rows
imported, re-import updates and never duplicates; new enterprises get their event."""

from __future__ import annotations

import csv
import io

import httpx
import pytest
from factories import MINISTRY, uscc
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from iims_common.events.tables import outbox
from iims_common.identifiers import fold_text
from iims_common.identity import Role
from iims_common.testing import mint
from iims_contracts.registry import EnterpriseRegistered
from registry.db.tables import Enterprise

HEADER = ["uscc", "name", "province_code", "industry_code", "size", "contact_name", "notes"]


def to_csv(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


async def count(db: async_sessionmaker[AsyncSession], stmt: object) -> int:
    async with db() as s:
        return int((await s.execute(stmt)).scalar_one())  # type: ignore[call-overload]


async def test_csv_import_reports_bad_rows_and_imports_good_ones(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]
) -> None:
    good1, good2 = uscc("440000"), uscc("330000")
    bad_check = good1[:17] + ("0" if good1[17] != "0" else "1")
    rows = [
        [good1, "广东美华电器有限公司", "440000", "C38", "large", "张三", "x"],  # line 2
        [bad_check, "坏校验码公司", "440000", "C38", "large", "", ""],  # line 3
        [uscc("110000"), "未知省份公司", "990000", "C38", "large", "", ""],  # line 4
        [good2, "浙江恒远纺织股份有限公司", "330000", "C17", "medium", "", ""],  # line 5
        [good2, "重复行", "330000", "C17", "medium", "", ""],  # line 6
        [uscc("110000"), "", "110000", "Q", "tiny", "", ""],  # line 7
    ]
    r = await client.post(
        "/api/v1/enterprises/import",
        content=to_csv(rows),
        headers={**MINISTRY, "content-type": "text/csv"},
    )
    assert r.status_code == 200, r.text
    report = r.json()
    assert (report["received"], report["created"], report["updated"], report["rejected"]) == (
        6,
        2,
        0,
        4,
    )
    by_line = {e["line"]: e for e in report["errors"]}
    assert set(by_line) == {3, 4, 6, 7}
    assert (
        "计算应为" in by_line[3]["errors"][0]["message"]
        and by_line[3]["errors"][0]["field"] == "uscc"
    )
    assert by_line[4]["errors"][0]["field"] == "province_code"
    assert "duplicate of line 5" in by_line[6]["errors"][0]["message"]
    assert {e["field"] for e in by_line[7]["errors"]} == {"name", "size"}
    names = await count(db, select(func.count()).select_from(Enterprise))
    assert names == 2
    events = await count(
        db,
        select(func.count())
        .select_from(outbox)
        .where(outbox.c.topic == EnterpriseRegistered.topic),
    )
    assert events == 2

    # Re-import: same USCCs update in place, nothing duplicates, no new registration events.
    rows2 = [[good1, "广东美华电器集团有限公司", "440000", "C38", "large", "李四", ""]]
    r = await client.post(
        "/api/v1/enterprises/import",
        content=to_csv(rows2),
        headers={**MINISTRY, "content-type": "text/csv; charset=utf-8"},
    )
    assert r.json()["created"] == 0 and r.json()["updated"] == 1
    assert await count(db, select(func.count()).select_from(Enterprise)) == 2
    async with db() as s:
        e = (await s.scalars(select(Enterprise).where(Enterprise.uscc == good1))).one()
    assert e.name == "广东美华电器集团有限公司" and e.contact_name == "李四" and e.version == 2
    events = await count(
        db,
        select(func.count())
        .select_from(outbox)
        .where(outbox.c.topic == EnterpriseRegistered.topic),
    )
    assert events == 2


async def test_json_import_and_province_scope(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]
) -> None:
    items = [
        {
            "uscc": uscc("320000"),
            "name": "江苏博创软件有限公司",
            "province_code": "320000",
            "industry_code": "I65",
            "size": "small",
        },
        {
            "uscc": uscc("110000"),
            "name": "北京公司",
            "province_code": "110000",
            "industry_code": "C",
            "size": "small",
        },
        "not an object",
    ]
    r = await client.post(
        "/api/v1/enterprises/import", json=items, headers=mint(Role.province, province="320000")
    )
    assert r.status_code == 200
    report = r.json()
    assert report["created"] == 1 and report["rejected"] == 2
    assert [e["line"] for e in report["errors"]] == [2, 3]


async def test_import_rejects_unusable_bodies(client: httpx.AsyncClient) -> None:
    cases = [
        (b"a,b\n1,2\n", "text/csv", 422, "header"),
        (b"\xff\xfe\x00", "text/csv", 422, "body"),
        (b"{oops", "application/json", 422, "body"),
        (b'{"a": 1}', "application/json", 422, "body"),
        (b"x", "application/xml", 415, "Content-Type"),
    ]
    for raw, media, status, field in cases:
        r = await client.post(
            "/api/v1/enterprises/import", content=raw, headers={**MINISTRY, "content-type": media}
        )
        assert r.status_code == status, (raw, r.text)
        assert r.json()["errors"][0]["field"] == field
    r = await client.post(
        "/api/v1/enterprises/import",
        content=b"",
        headers=mint(Role.enterprise, org=__import__("uuid").uuid4()),
    )
    assert r.status_code == 403


@pytest.fixture(params=["postgresql", "sqlite"])
def backend_app(request: pytest.FixtureRequest) -> tuple[httpx.AsyncClient, FastAPI]:
    """(client, app) on each backend: PostgreSQL writes through a staging table and one
    set-based statement, SQLite through chunked multi-row upserts."""
    if request.param == "postgresql":
        return request.getfixturevalue("client"), request.getfixturevalue("app")
    return request.getfixturevalue("sqlite_client"), request.getfixturevalue("sqlite_app")


async def test_import_events_and_province_refusals_on_both_backends(
    backend_app: tuple[httpx.AsyncClient, FastAPI],
) -> None:
    """A created enterprise's event is its contract with the stored id; an update records
    none; a province's row for an enterprise registered in another province is refused with
    its line, whatever the backend."""
    client, app = backend_app
    elsewhere, mine, fresh = uscc("320000"), uscc("320000"), uscc("320000")
    r = await client.post(
        "/api/v1/enterprises/import",
        json=[
            {
                "uscc": elsewhere,
                "name": "先在浙江",
                "province_code": "330000",
                "industry_code": "C",
                "size": "small",
            },
            {
                "uscc": mine,
                "name": "江苏甲公司",
                "province_code": "320000",
                "industry_code": "C",
                "size": "small",
            },
        ],
        headers=MINISTRY,
    )
    assert r.status_code == 200 and r.json()["created"] == 2, r.text
    r = await client.post(
        "/api/v1/enterprises/import",
        content=to_csv(
            [
                [fresh, "江苏新公司", "320000", "C34", "medium", "", ""],  # line 2
                [elsewhere, "改到江苏", "320000", "C34", "medium", "", ""],  # line 3
                [mine, "江苏甲公司（更名）", "320000", "C34", "large", "李四", ""],  # line 4
            ]
        ),
        headers={**mint(Role.province, province="320000"), "content-type": "text/csv"},
    )
    assert r.status_code == 200, r.text
    report = r.json()
    assert (report["created"], report["updated"], report["rejected"]) == (1, 1, 1)
    assert report["errors"] == [
        {
            "line": 3,
            "uscc": elsewhere,
            "errors": [{"field": "uscc", "message": "registered in another province"}],
        }
    ]
    sessions = app.state.sessionmaker
    async with sessions() as s:
        stored = {
            e.uscc: e
            for e in (
                await s.execute(
                    select(Enterprise).where(Enterprise.uscc.in_([elsewhere, mine, fresh]))
                )
            ).scalars()
        }
        rows = (
            await s.execute(
                select(outbox.c.key, outbox.c.payload, outbox.c.headers)
                .where(outbox.c.topic == EnterpriseRegistered.topic)
                .order_by(outbox.c.seq)
            )
        ).all()
    assert stored[elsewhere].province_code == "330000" and stored[elsewhere].name == "先在浙江"
    assert (stored[mine].name, stored[mine].size, stored[mine].version) == (
        "江苏甲公司（更名）",
        "large",
        2,
    )
    assert stored[mine].name_folded == fold_text("江苏甲公司（更名）")
    events = {row.payload["data"]["uscc"]: row for row in rows}
    assert set(events) == {elsewhere, mine, fresh}  # the update recorded none
    new = events[fresh]
    assert new.key == str(stored[fresh].id) == new.payload["subject"]
    assert new.payload["type"] == EnterpriseRegistered.event_type()
    assert new.payload["source"] == EnterpriseRegistered.ce_source()
    assert EnterpriseRegistered.parse(new.payload["data"]).payload() == {
        "enterprise_id": str(stored[fresh].id),
        "uscc": fresh,
        "name": "江苏新公司",
        "province_code": "320000",
        "industry_code": "C34",
        "size": "medium",
    }
    assert new.headers["traceparent"]


async def test_an_import_in_parts_reports_and_orders_as_one(
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """PostgreSQL writes a file in parts while the next part is validated: with parts of two
    rows, lines, errors (a duplicate of a row two parts back, another province's
    enterprise), counts and the order of the events are those of one part."""
    from registry.service import enterprises as service

    monkeypatch.setattr(service, "PART", 2)
    monkeypatch.setattr(service, "VALIDATE_SLICE", 1)
    zhejiang = uscc("330000")
    r = await client.post(
        "/api/v1/enterprises/import",
        json=[
            {
                "uscc": zhejiang,
                "name": "先在浙江",
                "province_code": "330000",
                "industry_code": "C",
                "size": "small",
            }
        ],
        headers=MINISTRY,
    )
    assert r.status_code == 200 and r.json()["created"] == 1, r.text
    new = [uscc("320000") for _ in range(4)]
    rows = [
        [new[0], "江苏一", "320000", "C34", "medium", "", ""],  # line 2
        [new[1][:17] + ("0" if new[1][17] != "0" else "1"), "坏", "320000", "C34", "small", "", ""],
        [new[1], "江苏二", "320000", "C34", "medium", "", ""],  # line 4
        [new[2], "江苏三", "320000", "C34", "medium", "", ""],  # line 5
        [new[0], "重复", "320000", "C34", "medium", "", ""],  # line 6
        [zhejiang, "改到江苏", "320000", "C34", "medium", "", ""],  # line 7
        [new[3], "江苏四", "320000", "C34", "medium", "", ""],  # line 8
    ]
    before = await count(db, select(func.max(outbox.c.seq)))
    r = await client.post(
        "/api/v1/enterprises/import",
        content=to_csv(rows),
        headers={**mint(Role.province, province="320000"), "content-type": "text/csv"},
    )
    assert r.status_code == 200, r.text
    report = r.json()
    assert (report["received"], report["created"], report["updated"], report["rejected"]) == (
        7,
        4,
        0,
        3,
    )
    assert [e["line"] for e in report["errors"]] == [3, 6, 7]
    assert "duplicate of line 2" in report["errors"][1]["errors"][0]["message"]
    assert report["errors"][2]["errors"] == [
        {"field": "uscc", "message": "registered in another province"}
    ]
    async with db() as s:
        payloads = (
            await s.execute(
                select(outbox.c.payload).where(outbox.c.seq > before).order_by(outbox.c.seq)
            )
        ).scalars()
        assert [p["data"]["uscc"] for p in payloads] == new
