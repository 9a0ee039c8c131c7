"""What provinces really send, on PostgreSQL and SQLite: a recommendation list with Chinese
headers and Chinese values, saved by Excel as GB18030 CSV (with and without a declared
charset), as UTF-16 "Unicode text" with tabs, with semicolons, and as .xlsx with a title
row; refused rows keep the file's line numbers and download as .xlsx with a reason column.
Names are searched on their folded form."""

from __future__ import annotations

import codecs
import csv
import io
import random
import uuid

import httpx
import pytest
from factories import MINISTRY, create_batch, create_unit, uscc
from openpyxl import load_workbook

from iims_common.identity import Role
from iims_common.tabular import XLSX_MEDIA_TYPE
from iims_common.testing import (
    assert_no_formulas,
    assert_printable,
    mint,
    table_csv,
    table_xlsx,
)

ZHEJIANG = mint(Role.province, province="330000")
TITLE = "2014年浙江省两化融合管理体系贯标试点推荐企业汇总表"
HEADER = ["统一社会信用代码", "企业名称", "所在省份代码", "行业门类", "企业规模", "联系电话"]


def province_list(tag: str) -> tuple[list[list[str]], list[str]]:
    """Three good rows written the ways people write them, and one bad row."""
    rng = random.Random(uuid.uuid4().int)
    good = [uscc("330000", rng) for _ in range(3)]
    rows = [
        [good[0], f"测试（杭州）智能装备有限公司{tag}", "330000", "C", "中型", "0571-88880000"],
        [good[1].lower(), f'浙江"恒远",纺织; 股份有限公司{tag}', "浙江省", "制造业", "大型", ""],
        [
            f" {good[2]} ",
            f"宁波海天精工{tag}",
            "浙江",
            "C34",
            "小型企业",
            "１３８ ００１３ ８０００",
        ],
        ["9.13302E+17", f"被Excel转换的企业{tag}", "浙江", "C", "巨型", ""],
    ]
    return rows, good


def as_csv(rows: list[list[str]], delimiter: str = ",") -> str:
    return table_csv(HEADER, rows, delimiter)


def as_xlsx(rows: list[list[str]]) -> bytes:
    return table_xlsx(HEADER, rows, title=TITLE)


SHAPES = {
    "gb18030": (lambda r: as_csv(r).encode("gb18030"), "text/csv", 5, "gb18030"),
    "gb18030-declared": (
        lambda r: as_csv(r).encode("gb18030"),
        "text/csv; charset=gb18030",
        5,
        "gb18030",
    ),
    "utf8-bom": (lambda r: codecs.BOM_UTF8 + as_csv(r).encode(), "text/csv", 5, "utf-8-sig"),
    "utf16-tabs": (lambda r: as_csv(r, "\t").encode("utf-16"), "text/plain", 5, "utf-16"),
    "semicolons": (lambda r: as_csv(r, ";").encode(), "text/csv", 5, "utf-8"),
    "xlsx": (as_xlsx, XLSX_MEDIA_TYPE, 6, None),
}


@pytest.mark.parametrize("shape", list(SHAPES))
async def test_a_province_list_in_every_shape_imports_the_same(
    backend: httpx.AsyncClient, shape: str
) -> None:
    encode, content_type, bad_line, encoding = SHAPES[shape]
    rows, good = province_list(shape)
    r = await backend.post(
        "/api/v1/enterprises/import",
        content=encode(rows),
        headers={**ZHEJIANG, "content-type": content_type},
    )
    assert r.status_code == 200, r.text
    report = r.json()
    assert (report["received"], report["created"], report["rejected"]) == (4, 3, 1), report
    assert report["encoding"] == encoding
    [refused] = report["errors"]
    assert refused["line"] == bad_line
    fields = {e["field"]: e["message"] for e in refused["errors"]}
    assert "科学计数法" in fields["uscc"] and "大型、中型、小型、微型" in fields["size"]

    found = {}
    for code in good:
        listed = await backend.get(
            "/api/v1/enterprises",
            params={"province_code": "330000", "limit": 500},
            headers=ZHEJIANG,
        )
        found = {e["uscc"]: e for e in listed.json()["items"]}
        assert code in found
    assert [found[c]["size"] for c in good] == ["medium", "large", "small"]
    assert {found[c]["province_code"] for c in good} == {"330000"}
    assert [found[c]["industry_code"] for c in good] == ["C", "C", "C34"]
    assert found[good[2]]["contact_phone"] == "13800138000"
    assert found[good[1]]["name"] == f'浙江"恒远",纺织; 股份有限公司{shape}'

    # The refused rows download as .xlsx: the file's line, its own columns, the reason.
    download = await backend.get(report["refused_rows_url"], headers=ZHEJIANG)
    assert download.status_code == 200
    assert download.headers["content-type"] == XLSX_MEDIA_TYPE
    assert_no_formulas(download.content)
    assert_printable(download.content)
    ws = load_workbook(io.BytesIO(download.content)).active
    assert ws is not None
    table = [[c.value for c in row] for row in ws.iter_rows()]
    assert table[0] == ["原文件行号", *HEADER, "拒绝原因"]
    assert table[1][0] == bad_line and table[1][1] == "9.13302E+17"
    assert "统一社会信用代码：" in table[1][-1] and "企业规模：" in table[1][-1]
    # Only the importer (or the ministry) can read it.
    other = mint(Role.province, province="320000")
    assert (await backend.get(report["refused_rows_url"], headers=other)).status_code == 404
    assert (await backend.get(report["refused_rows_url"], headers=MINISTRY)).status_code == 200


async def test_refused_rows_file_can_be_fixed_and_imported_again(
    backend: httpx.AsyncClient,
) -> None:
    rows, _ = province_list("again")
    tag = uuid.uuid4().hex[:8]
    # Values the export neutralizes (`'-…`, `'+86…`) come back as they were sent.
    rows[3][1], rows[3][5] = f"-负号企业{tag}", "+86 138 0013 8000"
    r = await backend.post(
        "/api/v1/enterprises/import",
        content=as_csv(rows).encode("gb18030"),
        headers={**ZHEJIANG, "content-type": "text/csv"},
    )
    download = await backend.get(r.json()["refused_rows_url"], headers=ZHEJIANG)
    wb = load_workbook(io.BytesIO(download.content))
    ws = wb.active
    assert ws is not None
    assert (ws["C2"].value, ws["G2"].value) == (f"'-负号企业{tag}", "'+86 138 0013 8000")
    code = uscc("330000")
    ws["B2"] = code  # the person types the code back in and fixes the size
    ws["F2"] = "微型"
    out = io.BytesIO()
    wb.save(out)
    again = await backend.post(
        "/api/v1/enterprises/import",
        content=out.getvalue(),
        headers={**ZHEJIANG, "content-type": XLSX_MEDIA_TYPE},
    )
    assert again.status_code == 200, again.text
    assert (again.json()["created"], again.json()["rejected"]) == (1, 0)
    assert set(again.json()["ignored_columns"]) == {"原文件行号", "拒绝原因"}
    listed = await backend.get(
        "/api/v1/enterprises", params={"name": f"负号企业{tag}"}, headers=ZHEJIANG
    )
    [stored] = listed.json()["items"]
    assert stored["uscc"] == code and stored["name"] == f"-负号企业{tag}"
    assert stored["contact_phone"] == "+8613800138000"


async def test_files_that_cannot_be_read_get_a_chinese_422(backend: httpx.AsyncClient) -> None:
    r = await backend.post(
        "/api/v1/enterprises/import",
        content=bytes(range(128, 256)) * 50,
        headers={**ZHEJIANG, "content-type": "text/csv"},
    )
    assert r.status_code == 422
    assert "GB18030" in r.json()["detail"] and "另存为" in r.json()["detail"]
    r = await backend.post(
        "/api/v1/enterprises/import",
        content=b"uscc|name\r\n1|2\r\n",
        headers={**ZHEJIANG, "content-type": "text/csv"},
    )
    assert r.status_code == 422 and "必填列" in r.json()["detail"]
    r = await backend.post(
        "/api/v1/enterprises/import",
        content=b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512),
        headers={**ZHEJIANG, "content-type": "application/vnd.ms-excel"},
    )
    assert r.status_code == 415 and ".xlsx" in r.json()["detail"]
    assert r.json()["errors"][0]["message"].startswith("这是 .xls")
    r = await backend.post(
        "/api/v1/enterprises/import",
        files={"file": ("list.csv", b"uscc,name\r\n", "text/csv")},
        headers=ZHEJIANG,
    )
    assert r.status_code == 415 and r.json()["errors"][0]["message"].startswith("不支持 multipart")


async def test_unknown_codes_are_refused_in_chinese_by_default(backend: httpx.AsyncClient) -> None:
    """The reference-code checks (province, region, industry) speak the request's language."""
    r = await backend.get(
        "/api/v1/enterprises", params={"province_code": "000000"}, headers=MINISTRY
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["message"].startswith("未知的省份代码“000000”"), r.text
    r = await backend.get(
        "/api/v1/enterprises",
        params={"province_code": "000000"},
        headers={**MINISTRY, "Accept-Language": "en"},
    )
    assert r.json()["errors"][0]["message"].startswith("unknown province code “000000”"), r.text
    body = {
        "uscc": uscc("330000"),
        "name": "测试行业代码有限公司",
        "province_code": "330000",
        "industry_code": "C99",
        "size": "small",
    }
    r = await backend.post("/api/v1/enterprises", json=body, headers=MINISTRY)
    assert r.status_code == 422
    assert [e["message"] for e in r.json()["errors"]] == ["大类 99 不属于门类 C（制造业，13–43）"]


async def test_names_are_searched_folded_and_stored_as_given(
    backend: httpx.AsyncClient,
) -> None:
    tag = uuid.uuid4().hex[:8]
    name = f"测试（杭州）智能装备有限公司ABC{tag}"
    body = {
        "uscc": uscc("330000"),
        "name": name,
        "province_code": "330000",
        "industry_code": "C",
        "size": "small",
    }
    r = await backend.post("/api/v1/enterprises", json=body, headers=MINISTRY)
    assert r.status_code == 201 and r.json()["name"] == name
    for query in ("(杭州)智能", f"（杭州）智能装备有限公司abc{tag}", f"ａｂｃ{tag}"):
        found = await backend.get(
            "/api/v1/enterprises", params={"name": query, "limit": 500}, headers=MINISTRY
        )
        assert found.status_code == 200
        assert name in [e["name"] for e in found.json()["items"]], query
    # Renamed: the folded form follows.
    current = (await backend.get(f"/api/v1/enterprises/{r.json()['id']}", headers=MINISTRY)).json()
    renamed = await backend.patch(
        f"/api/v1/enterprises/{current['id']}",
        json={"name": f"温州ＸＹＺ{tag}"},
        headers={**MINISTRY, "If-Match": f'"{current["version"]}"'},
    )
    assert renamed.status_code == 200, renamed.text
    found = await backend.get("/api/v1/enterprises", params={"name": f"xyz{tag}"}, headers=MINISTRY)
    assert [e["id"] for e in found.json()["items"]] == [current["id"]]


async def test_a_recommendation_list_registers_and_recommends(backend: httpx.AsyncClient) -> None:
    """The issue's first case: a province's recommendation list saved by Excel (GB18030,
    Chinese headers and words) — new enterprises registered, every good row recommended in
    the batch as the province's unit; a second upload refuses the rows already recommended."""
    batch = await create_batch(backend)
    unit = await create_unit(backend, "provincial_authority", "330000")
    province = mint(Role.province, province="330000", org=uuid.UUID(unit["id"]))
    rows, _good = province_list("rec")
    header = [*HEADER, "推荐理由"]
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([[*row, "两化融合基础较好"] for row in rows])
    raw = buf.getvalue().encode("gb18030")
    path = f"/api/v1/batches/{batch['id']}/recommendations/import"
    r = await backend.post(path, content=raw, headers={**province, "content-type": "text/csv"})
    assert r.status_code == 200, r.text
    report = r.json()
    assert (report["created"], report["recommended"], report["rejected"]) == (3, 3, 1), report
    recs = await backend.get(
        "/api/v1/recommendations", params={"batch_id": batch["id"]}, headers=province
    )
    assert len(recs.json()["items"]) == 3
    assert {x["reason"] for x in recs.json()["items"]} == {"两化融合基础较好"}
    again = await backend.post(path, content=raw, headers={**province, "content-type": "text/csv"})
    report = again.json()
    assert (report["created"], report["recommended"], report["rejected"]) == (0, 0, 4), report
    assert {e["errors"][0]["message"] for e in report["errors"][:3]} == {"该企业已在本批次被推荐"}
    download = await backend.get(report["refused_rows_url"], headers=province)
    assert download.status_code == 200
    assert_no_formulas(download.content)


async def test_imports_may_be_larger_than_other_bodies_up_to_import_max_bytes(
    client: httpx.AsyncClient,
) -> None:
    """MAX_BODY_BYTES (20 MiB) bounds every body but a bulk import's, which may be as large as
    IMPORT_MAX_BYTES (64 MiB): one rule in iims_common (ServiceSettings.body_limit)."""
    from registry.settings import get_settings

    settings = get_settings()
    assert settings.import_max_bytes > settings.max_body_bytes
    between = b"x" * (settings.max_body_bytes + 1024 * 1024)
    # Past the general limit, on an import route: read, and judged by the import (not a 413).
    r = await client.post(
        "/api/v1/enterprises/import",
        content=between,
        headers={**ZHEJIANG, "content-type": "text/csv"},
    )
    assert r.status_code == 422, r.text[:300]
    # The same body anywhere else: 413, before it is read.
    r = await client.post(
        "/api/v1/enterprises", content=between, headers={**ZHEJIANG, "content-type": "text/csv"}
    )
    assert r.status_code == 413 and r.json()["max_body_bytes"] == settings.max_body_bytes
    # Past the import limit: 413 naming it.
    r = await client.post(
        "/api/v1/enterprises/import",
        content=b"x" * (settings.import_max_bytes + 1),
        headers={**ZHEJIANG, "content-type": "text/csv"},
    )
    assert r.status_code == 413 and r.json()["max_body_bytes"] == settings.import_max_bytes
