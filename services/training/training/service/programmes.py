"""培训计划 use cases: list, read, create a programme (existing programmes never change).

Every use case is `(session, caller[, key], command)` → the result: authorize through
`PROGRAMME`, load, the domain rule (`training.domain.rules`), write.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from iims_common.errors import Conflict, RuleViolation
from iims_common.i18n import _
from iims_common.identifiers import fold_identifier
from iims_common.identity import Caller
from training.db.tables import ProgrammeRow
from training.domain import rules
from training.domain.enums import QualificationKind
from training.domain.programmes import Module, Programme, from_record, to_record
from training.service.commands import ProgrammeCreate
from training.service.policies import PROGRAMME


async def programme_of(session: AsyncSession, code: str) -> Programme:
    """The programme `code` (as stored: folded lower case), else 404 naming the list."""
    row = await PROGRAMME.load(
        session,
        None,  # reference data: every caller reads every programme
        code,
        not_found=_("Programme {code} not found (see GET /api/v1/programmes)", code=repr(code)),
    )
    return from_record(row)


async def list_all(session: AsyncSession, caller: Caller) -> Sequence[Programme]:
    rows = await session.scalars(
        PROGRAMME.select(caller).order_by(ProgrammeRow.window_start, ProgrammeRow.code)
    )
    return [from_record(r) for r in rows]


async def get(session: AsyncSession, caller: Caller, code: str) -> Programme:
    """By code as typed (any width or case)."""
    return await programme_of(session, fold_identifier(code).lower())


async def create(session: AsyncSession, caller: Caller, command: ProgrammeCreate) -> Programme:
    """A new programme (e.g. the next year's plan); existing programmes are never changed, and
    审核组长 (lead_auditor) is granted on audit experience, never by a course."""
    PROGRAMME.authorize(caller, "create")
    if command.confers is QualificationKind.lead_auditor:
        raise RuleViolation(
            "programme.confers", _("lead_auditor is granted on audit experience, not by a course")
        )
    if await session.get(ProgrammeRow, command.code) is not None:
        raise Conflict(
            _(
                "Programme {code} exists; a changed plan is a new programme code",
                code=repr(command.code),
            )
        )
    programme = Programme(
        code=command.code,
        name=command.name,
        audience=command.audience,
        window_start=command.window_start,
        window_end=command.window_end,
        window_label=command.window_label,
        location=command.location,
        lecturers=command.lecturers,
        modules=tuple(Module(i, m.title, m.hours) for i, m in enumerate(command.modules, start=1)),
        pass_mark=command.pass_mark,
        session_days=command.session_days,
        confers=command.confers,
        source=command.source,
    )
    rules.check_programme(programme)
    session.add(ProgrammeRow(**to_record(programme)))
    await session.flush()
    return programme
