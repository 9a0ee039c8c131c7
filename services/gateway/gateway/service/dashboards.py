"""统计看板 and composed views, as use cases: the national dashboard (the national roles), a
province's (the national roles and that province; anyone else finds nothing), the public
figures, the enterprise overview and the province's progress report. The numbers come from
the gateway's read model (`gateway.service.dashboard`) or the services (`reports`)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from gateway.domain.credentials import Principal
from gateway.service import dashboard, reports
from gateway.service.policies import DASHBOARD, check_province_view
from gateway.service.upstream import Upstreams
from iims_common.db import utcnow
from iims_common.i18n import _
from iims_common.identifiers import fold_identifier


async def national(session: AsyncSession, principal: Principal) -> dict[str, Any]:
    DASHBOARD.authorize(principal.caller, "national")
    return await dashboard.national(session, utcnow().date())


async def provincial(
    session: AsyncSession, principal: Principal, province_code: str
) -> dict[str, Any]:
    """The same numbers for one province (a province sees only its own)."""
    code = await _province(principal, province_code, "dashboard")
    return await dashboard.provincial(session, code, utcnow().date())


async def public_figures(session: AsyncSession) -> dict[str, Any]:
    """The national totals only (the public home page; no login)."""
    return await dashboard.national(session, utcnow().date())


async def enterprise_overview(
    session: AsyncSession, principal: Principal, upstreams: Upstreams, enterprise_id: uuid.UUID
) -> dict[str, Any]:
    """企业全景 from the services, each part within the caller's scope, with the 贯标试点支持
    it received (`funds`, from the gateway's read model)."""
    view = await reports.overview(upstreams, principal.caller, str(enterprise_id))
    view["funds"] = await dashboard.enterprise_funds(session, enterprise_id)
    return view


async def progress_report(
    principal: Principal, upstreams: Upstreams, province_code: str
) -> tuple[str, bytes]:
    """贯标进展情况报送 of a province as an Excel workbook: (file name, content)."""
    code = await _province(principal, province_code, "report")
    content = await reports.progress_workbook(upstreams, principal.caller, code)
    return f"progress-{code}-{utcnow().date().isoformat()}.xlsx", content


async def _province(principal: Principal, province_code: str, what: str) -> str:
    """The province a view is about (folded, one of the 31), if the caller may see it."""
    code = fold_identifier(province_code)
    await dashboard.require_known_province(code)
    not_found = (
        _("No dashboard for province {province_code}", province_code=code)
        if what == "dashboard"
        else _("No report for province {province_code}", province_code=code)
    )
    check_province_view(principal.caller, code, not_found)
    return code
