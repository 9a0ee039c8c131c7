"""A province's (or recommender's) recommendation list as a file: every row names an
enterprise (registered here if it is new — an existing one is used as it is, never
overwritten by a recommender's list) and recommends it in the batch. The same reader and
the same row validation as the enterprise import (`registry.service.enterprises`); the
recommendation itself is the single-recommendation use case, one savepoint per row, so a
refused row leaves nothing behind."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from iims_common.errors import Conflict, ProblemError
from iims_common.i18n import _
from iims_common.identity import Caller
from registry.db import repository
from registry.db.tables import Batch
from registry.service import dto, enterprises, programme


def _refuse(result: enterprises.ImportResult, line: int, uscc: str, field: str, msg: str) -> None:
    result.errors.append(
        dto.ImportRowError(line=line, uscc=uscc, errors=[{"field": field, "message": msg}])
    )


async def import_recommendations(
    session: AsyncSession,
    caller: Caller,
    batch: Batch,
    raw: bytes,
    content_type: str,
    max_rows: int,
    recommending_unit_id: uuid.UUID | None = None,
) -> enterprises.ImportResult:
    """Register new enterprises and recommend every good row in `batch`; `created` counts
    new enterprises, `recommended` the recommendations made."""
    rows, table = enterprises.parse_rows(
        raw, content_type, max_rows, enterprises.RECOMMENDATION_COLUMNS
    )
    result = enterprises.ImportResult(received=len(rows), table=table, recommended=0)
    reasons: dict[int, Any] = {
        line: row.pop("reason", None) if isinstance(row, dict) else None for line, row in rows
    }
    good = enterprises.validate_rows(caller, rows, result)
    recommended = 0
    for uscc, (line, row) in sorted(good.items(), key=lambda item: item[1][0]):
        try:
            async with session.begin_nested():
                enterprise = await repository.enterprise_by_uscc(session, uscc)
                if enterprise is None:
                    body = dto.EnterpriseCreate.model_validate(row)
                    enterprise = await enterprises.register(session, caller, body)
                    result.created += 1
                await programme.recommend(
                    session,
                    caller,
                    batch,
                    dto.RecommendationCreate(
                        enterprise_id=enterprise.id,
                        recommending_unit_id=recommending_unit_id,
                        reason=reasons.get(line),
                    ),
                )
        except Conflict:
            _refuse(
                result,
                line,
                uscc,
                "uscc",
                str(_("This enterprise is already recommended in this batch")),
            )
            continue
        except ProblemError as exc:
            _refuse(result, line, uscc, "row", str(exc.detail))
            continue
        recommended += 1
    result.recommended = recommended
    result.errors.sort(key=lambda e: e.line)
    return result
