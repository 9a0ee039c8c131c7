"""People (学员) registered from the files organizations keep, on PostgreSQL and SQLite:
GB18030 CSV with Chinese headers, UTF-16 with tabs, .xlsx; full-width ID numbers are the same
person; refused rows download as .xlsx with ID numbers masked; names searched folded."""

from __future__ import annotations

import csv
import io
import random
import uuid

import httpx
import pytest
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
from training.domain.id_number import check_character

HEADER = ["姓名", "身份证号", "联系电话"]


def id_number() -> str:
    r = random.Random(uuid.uuid4().int)
    first17 = f"330106{r.randint(1950, 2000)}{r.randint(1, 12):02d}{r.randint(1, 28):02d}"
    first17 += f"{r.randint(0, 999):03d}"
    return first17 + check_character(first17)


def wide(text: str) -> str:
    return "".join(chr(ord(c) - 0x21 + 0xFF01) if "!" <= c <= "~" else c for c in text)


def rows(tag: str) -> tuple[list[list[str]], list[str]]:
    numbers = [id_number(), id_number()]
    return [
        [f"张三（{tag}）", numbers[0], "138 0013 8000"],
        [f"李四{tag}", wide(numbers[1]).lower(), ""],
        [f"王五{tag}", wide(numbers[0]), ""],  # the same person as line 2, typed full-width
        [f"赵六{tag}", "3.30106E+17", ""],  # Excel turned it into a number
    ], numbers


def as_csv(data: list[list[str]], delimiter: str = ",") -> str:
    return table_csv(HEADER, data, delimiter)


def as_xlsx(data: list[list[str]]) -> bytes:
    return table_xlsx(HEADER, data)


SHAPES = {
    "gb18030": (lambda d: as_csv(d).encode("gb18030"), "text/csv"),
    "utf16-tabs": (lambda d: as_csv(d, "\t").encode("utf-16"), "text/plain"),
    "xlsx": (as_xlsx, XLSX_MEDIA_TYPE),
}


@pytest.mark.parametrize("shape", list(SHAPES))
async def test_people_import_reads_the_files_and_refuses_by_line(
    backend: httpx.AsyncClient, shape: str
) -> None:
    encode, content_type = SHAPES[shape]
    org = uuid.uuid4()
    headers = mint(Role.enterprise, org=org)
    data, numbers = rows(uuid.uuid4().hex[:6])
    r = await backend.post(
        "/api/v1/people/import",
        content=encode(data),
        headers={**headers, "content-type": content_type},
    )
    assert r.status_code == 200, r.text
    report = r.json()
    assert (report["received"], report["created"], report["rejected"]) == (4, 2, 2), report
    by_line = {e["line"]: e["errors"][0] for e in report["errors"]}
    assert "第 2 行" in by_line[4]["message"] and by_line[4]["field"] == "id_number"
    assert "科学计数法" in by_line[5]["message"]
    assert all(n not in r.text for n in numbers)
    people = (await backend.get("/api/v1/people", headers=headers)).json()["items"]
    assert sorted(p["id_number_masked"] for p in people) == sorted(
        n[:6] + "********" + n[-4:] for n in numbers
    )
    assert {p["phone_masked"] for p in people} == {"138****8000", None}

    download = await backend.get(report["refused_rows_url"], headers=headers)
    assert download.status_code == 200
    assert_no_formulas(download.content)
    assert_printable(download.content)
    ws = load_workbook(io.BytesIO(download.content)).active
    assert ws is not None
    table = [[c.value for c in row] for row in ws.iter_rows()]
    assert table[0] == ["原文件行号", *HEADER, "拒绝原因"]
    assert [row[0] for row in table[1:]] == [4, 5]
    assert table[1][2] == numbers[0][:6] + "********" + numbers[0][-4:]  # masked, not clear
    assert numbers[0].encode() not in download.content
    other = mint(Role.enterprise, org=uuid.uuid4())
    assert (await backend.get(report["refused_rows_url"], headers=other)).status_code == 404

    # The same file again: everyone is already registered.
    again = await backend.post(
        "/api/v1/people/import",
        content=encode(data),
        headers={**headers, "content-type": content_type},
    )
    assert (again.json()["created"], again.json()["rejected"]) == (0, 4)


async def test_people_are_found_by_name_in_any_width_or_case(backend: httpx.AsyncClient) -> None:
    org = uuid.uuid4()
    headers = mint(Role.enterprise, org=org)
    tag = uuid.uuid4().hex[:6]
    name = f"欧阳Ａｌｅｘ（{tag}）"
    r = await backend.post(
        "/api/v1/people",
        json={"name": name, "id_number": id_number(), "organization_kind": "enterprise"},
        headers=headers,
    )
    assert r.status_code == 201 and r.json()["name"] == name
    for query in (f"alex({tag})", f"ＡＬＥＸ（{tag}", "欧阳"):
        found = await backend.get("/api/v1/people", params={"name": query}, headers=headers)
        assert [p["name"] for p in found.json()["items"]] == [name], query


async def test_people_import_takes_province_names_as_the_enterprise_import_does(
    backend: httpx.AsyncClient,
) -> None:
    """所在省份 as people write it — 江苏省, 北京, 110000 — is the GB/T 2260 code
    (iims_common.regions, the words the enterprise import takes); an unknown name is refused
    on its line."""
    org = uuid.uuid4()
    headers = mint(Role.enterprise, org=org)
    numbers = [id_number() for _ in range(4)]
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(["姓名", "身份证号", "所在省份"])
    writer.writerows(
        [
            ["钱七", numbers[0], "江苏省"],
            ["孙八", numbers[1], "北京"],
            ["周九", numbers[2], "110000"],
            ["吴十", numbers[3], "火星省"],
        ]
    )
    r = await backend.post(
        "/api/v1/people/import",
        content=buf.getvalue().encode("gb18030"),
        headers={**headers, "content-type": "text/csv"},
    )
    assert r.status_code == 200, r.text
    report = r.json()
    assert (report["created"], report["rejected"]) == (3, 1), report
    assert [(e["line"], e["errors"][0]["field"]) for e in report["errors"]] == [
        (5, "province_code")
    ]
    people = (await backend.get("/api/v1/people", headers=headers)).json()["items"]
    assert sorted(p["province_code"] for p in people) == ["110000", "110000", "320000"]
