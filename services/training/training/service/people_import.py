"""Bulk registration of people (学员) from a spreadsheet, through the shared reader
(`iims_common.tabular`): each row is the same `PersonCreate` a single registration takes,
registered by the same use case; a bad row is refused with its line and reason.

Personal data: the refused-rows file shows ID numbers and phones masked (it is stored for
download and the platform stores personal data only protected); the importer finds the row
in their own file by its line number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from iims_common.errors import Conflict, ProblemError, field_path
from iims_common.i18n import _
from iims_common.identifiers import fold_identifier
from iims_common.identity import Caller, Role
from iims_common.personal_data import PersonalDataVault, mask_id_number, mask_phone
from iims_common.regions import province_words
from iims_common.tabular import Choices, Column, Table, read_table, refused_rows_xlsx
from training.domain.enums import OrganizationKind
from training.service import commands
from training.service.people import register_person

PEOPLE_COLUMNS = [
    Column("name", ("姓名", "学员姓名", "name"), True),
    Column(
        "id_number", ("身份证号", "身份证号码", "居民身份证号码", "证件号码", "id_number"), True
    ),
    Column("phone", ("联系电话", "手机", "手机号", "电话", "phone")),
    Column("organization_kind", ("单位类别", "单位类型", "organization_kind")),
    Column("organization_id", ("单位ID", "单位编号", "organization_id")),
    Column(
        "province_code", ("所在省份代码", "省份代码", "所在省份", "省份", "省", "province_code")
    ),
]
# 北京市, 北京 or 110000 (as the enterprise import takes them; iims_common.regions).
PROVINCE_NAMES = Choices(province_words())
LABELS = {c.key: c.label for c in PEOPLE_COLUMNS}
KINDS = Choices(
    {
        OrganizationKind.enterprise.value: ["企业", "试点企业"],
        OrganizationKind.agency.value: ["服务机构", "贯标服务机构", "认定服务机构", "机构"],
        OrganizationKind.authority.value: ["主管部门", "工信主管部门", "政府部门"],
    }
)
_DEFAULT_KIND = {
    Role.enterprise: OrganizationKind.enterprise,
    Role.consultancy: OrganizationKind.agency,
    Role.certification_body: OrganizationKind.agency,
}


@dataclass
class PeopleImport:
    """The outcome of one import (see `report` and `refused_rows`)."""

    table: Table
    received: int = 0
    created: int = 0
    errors: list[commands.PeopleImportRowError] = field(default_factory=list)

    def report(self, refused_rows_url: str | None) -> commands.PeopleImportReport:
        return commands.PeopleImportReport(
            received=self.received,
            created=self.created,
            updated=0,
            rejected=len(self.errors),
            errors=self.errors,
            format=self.table.format,
            encoding=self.table.encoding,
            delimiter=self.table.delimiter,
            ignored_columns=self.table.ignored,
            refused_rows_url=refused_rows_url,
        )

    def refused_rows(self) -> bytes | None:
        """The refused rows as .xlsx with ID numbers and phones masked, or None."""
        if not self.errors:
            return None
        masked = dict(self.table.raw)
        for line in masked:
            cells = list(masked[line])
            for key, mask in (("id_number", mask_id_number), ("phone", mask_phone)):
                at = self.table.positions.get(key)
                if at is not None and at < len(cells) and cells[at]:
                    cells[at] = mask(fold_identifier(str(cells[at])))
            masked[line] = cells
        reasons = {
            e.line: "；".join(
                f"{LABELS.get(x['field'], x['field'])}：{x['message']}" for x in e.errors
            )
            for e in self.errors
        }
        view = Table(**{**self.table.__dict__, "raw": masked})
        return refused_rows_xlsx(view, reasons, "未导入的学员")


def _refuse(result: PeopleImport, line: int, field_name: str, message: str) -> None:
    result.errors.append(
        commands.PeopleImportRowError(line=line, errors=[{"field": field_name, "message": message}])
    )


async def import_people(
    session: AsyncSession,
    caller: Caller,
    vault: PersonalDataVault,
    raw: bytes,
    content_type: str,
    max_rows: int,
) -> PeopleImport:
    """Register every good row (one savepoint each, so a refused row leaves nothing)."""
    table = read_table(raw, content_type, PEOPLE_COLUMNS, max_rows=max_rows)
    result = PeopleImport(table=table, received=len(table.records))
    seen: dict[str, int] = {}
    for line, record in table.records:
        row: dict[str, Any] = {k: v for k, v in record.items() if v is not None}
        if "province_code" in row:
            row["province_code"] = PROVINCE_NAMES.coerce(row["province_code"])
        kind = KINDS.coerce(row.get("organization_kind")) or _DEFAULT_KIND.get(caller.role)
        if kind is not None:
            row["organization_kind"] = kind
        try:
            body = commands.PersonCreate.model_validate(row)
        except ValidationError as exc:
            result.errors.append(
                commands.PeopleImportRowError(
                    line=line,
                    errors=[
                        {
                            "field": field_path(e["loc"]),
                            "message": str(e["msg"]).removeprefix("Value error, "),
                        }
                        for e in exc.errors(include_input=False)
                    ],
                )
            )
            continue
        index = vault.blind_index(body.id_number)
        if index in seen:
            _refuse(
                result,
                line,
                "id_number",
                str(_("The same ID number as line {line}", line=seen[index])),
            )
            continue
        seen[index] = line
        try:
            async with session.begin_nested():
                await register_person(session, caller, vault, body)
        except Conflict:
            _refuse(result, line, "id_number", str(_("This ID number is registered already")))
            continue
        except ProblemError as exc:
            _refuse(result, line, "row", str(exc.detail))
            continue
        result.created += 1
    return result
