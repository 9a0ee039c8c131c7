"""Views composed from the services: the enterprise overview (one call for the web frontend)
and the provinces' progress report export (贯标进展情况报送) as an Excel file."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from gateway.service.upstream import UpstreamAnswer, Upstreams
from iims_common.errors import NotFound, ProblemError
from iims_common.exports import Sheet, xlsx
from iims_common.i18n import _
from iims_common.identity import Caller


async def _get(up: Upstreams, service: str, path: str, caller: Caller, **params: Any) -> Any:
    """The JSON a service answers, None for its 404; any other refusal is the client's answer
    unchanged (`UpstreamAnswer`)."""
    r = await up.request(
        service, "GET", path, caller=caller, params=[(k, str(v)) for k, v in params.items()]
    )
    if r.status_code == 404:
        return None
    if r.status_code >= 400:
        raise UpstreamAnswer(service, r)
    return r.json()


async def overview(up: Upstreams, caller: Caller, enterprise_id: str) -> dict[str, Any]:
    """Profile, pilot status, latest assessment, people trained and their qualifications,
    applications, audits and certificates — each part read with the caller's own identity,
    so every service applies its scope; the enterprise itself must be visible first."""
    profile = await _get(up, "registry", f"/api/v1/enterprises/{enterprise_id}", caller)
    if profile is None:
        raise NotFound(_("Enterprise {enterprise_id} not found", enterprise_id=enterprise_id))
    parts = await asyncio.gather(
        _get(up, "registry", "/api/v1/pilots", caller, enterprise_id=enterprise_id),
        _get(up, "assessment", "/api/v1/assessments", caller, enterprise_id=enterprise_id),
        _get(up, "training", "/api/v1/people", caller, organization_id=enterprise_id),
        _get(up, "training", "/api/v1/qualifications", caller, organization_id=enterprise_id),
        _get(up, "audit", "/api/v1/applications", caller, enterprise_id=enterprise_id),
        _get(up, "audit", "/api/v1/certificates", caller, enterprise_id=enterprise_id),
        return_exceptions=True,
    )
    names = ("pilots", "assessments", "people", "qualifications", "applications", "certificates")
    result: dict[str, Any] = {"enterprise": profile, "unavailable": []}
    for name, part in zip(names, parts, strict=True):
        if isinstance(part, ProblemError):  # one service down: the rest still shows
            result[name] = None
            result["unavailable"].append(name)
        elif isinstance(part, BaseException):
            raise part
        else:
            result[name] = (part or {}).get("items", [])
    scored = [a for a in result["assessments"] or [] if a.get("status") == "scored"]
    result["latest_assessment"] = max(scored, key=lambda a: a.get("period", "")) if scored else None
    pilots = result["pilots"] or []
    result["pilot"] = pilots[-1] if pilots else None
    audits: list[Any] = []
    for application in result["applications"] or []:
        found = await _get(up, "audit", "/api/v1/audits", caller, application_id=application["id"])
        audits.extend((found or {}).get("items", []))
    result["audits"] = audits
    return result


async def _pages(
    up: Upstreams, service: str, path: str, caller: Caller, **params: Any
) -> AsyncIterator[dict[str, Any]]:
    cursor = None
    while True:
        query = {**params, "limit": 500, **({"cursor": cursor} if cursor else {})}
        page = await _get(up, service, path, caller, **query)
        for item in (page or {}).get("items", []):
            yield item
        cursor = (page or {}).get("next_cursor")
        if not cursor:
            return


HEADERS = (
    "企业名称",
    "统一社会信用代码",
    "行业代码",
    "试点批次",
    "试点状态",
    "最新评估期",
    "两化融合发展水平得分",
    "所处阶段",
    "认定证书编号",
    "认定日期",
)


async def progress_workbook(up: Upstreams, caller: Caller, province_code: str) -> bytes:
    """贯标进展情况报送: the province's pilots and their status, one row each, written by
    `iims_common.exports` (user text never a formula; landscape, one page wide, frozen and
    repeated header row)."""
    enterprises = {
        e["id"]: e
        async for e in _pages(
            up, "registry", "/api/v1/enterprises", caller, province_code=province_code
        )
    }
    batches = {b["id"]: b async for b in _pages(up, "registry", "/api/v1/batches", caller)}
    rows = []
    async for p in _pages(up, "registry", "/api/v1/pilots", caller, province_code=province_code):
        e = enterprises.get(p["enterprise_id"], {})
        batch = batches.get(p["batch_id"], {})
        rows.append(
            [
                e.get("name"),
                e.get("uscc"),
                p.get("industry_code"),
                batch.get("year"),
                p.get("status_label") or p.get("status"),
                p.get("latest_assessment_period"),
                p.get("latest_score"),
                p.get("latest_stage"),
                p.get("certificate_no"),
                p.get("certified_on"),
            ]
        )
    return xlsx(
        Sheet(
            "贯标进展情况",
            HEADERS,
            rows,
            widths=(36, 22, 10, 10, 12, 12, 18, 14, 26, 12),
        )
    )
