"""指标体系 use cases: list, read, create a draft version, publish it.

Every use case is `(session, caller[, framework_id], command)` → the row, in the same order:
authorize through `FRAMEWORK`, load in scope, apply the domain rule, write.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from assessment.db.tables import FrameworkRow
from assessment.domain.framework import framework_errors, from_document, to_document
from assessment.service.dto import FrameworkCreate
from iims_common.db import utcnow
from iims_common.errors import StateConflict, ValidationFailed
from iims_common.i18n import _
from iims_common.identity import Caller, Role
from iims_common.policy import Policy
from iims_common.scoping import Scope, everything

# Every role reads the frameworks (they are the published questionnaire); the ministry
# (信息化推进司) maintains them.
FRAMEWORK = Policy(
    FrameworkRow,
    Scope({role: everything for role in Role}),
    actions={"create": [Role.ministry], "publish": [Role.ministry]},
    what="Framework",
)


async def list_all(session: AsyncSession, caller: Caller) -> Sequence[FrameworkRow]:
    rows = await session.scalars(
        FRAMEWORK.select(caller).order_by(FrameworkRow.code, FrameworkRow.version)
    )
    return rows.all()


async def get(session: AsyncSession, caller: Caller, framework_id: uuid.UUID) -> FrameworkRow:
    return await FRAMEWORK.load(session, caller, framework_id)


async def create(session: AsyncSession, caller: Caller, command: FrameworkCreate) -> FrameworkRow:
    """A new draft version of `code` (version = last + 1); weights sum to 1, codes unique and
    100 reachable, every problem named in one 422 (`framework_errors`)."""
    FRAMEWORK.authorize(caller, "create")
    last = await session.scalar(
        sa.select(sa.func.max(FrameworkRow.version)).where(FrameworkRow.code == command.code)
    )
    version = (last or 0) + 1
    framework = from_document({**command.model_dump(mode="json"), "version": version})
    errors = framework_errors(framework)
    if errors:
        raise ValidationFailed(_("The framework is not valid"), errors=errors)
    row = FrameworkRow(
        code=command.code,
        version=version,
        name=command.name,
        industry_type=command.industry_type,
        document=to_document(framework),
        status="draft",
    )
    session.add(row)
    await session.flush()
    return row


async def publish(session: AsyncSession, caller: Caller, framework_id: uuid.UUID) -> FrameworkRow:
    """A draft becomes the published (immutable) version; publishing twice is a 409."""
    FRAMEWORK.authorize(caller, "publish")
    row = await FRAMEWORK.load(session, caller, framework_id, for_update=True)
    if row.status == "published":
        raise StateConflict(
            "framework.published", _("This version is already published (and immutable)")
        )
    row.status = "published"
    row.published_at = utcnow()
    await session.flush()
    return row
