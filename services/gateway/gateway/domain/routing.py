"""Which service owns which path: the route table of the one public API.

`/api/v1/<collection>/...` goes to the service that owns `<collection>`; `/api/v1/public/<x>`
to the owner of the public `<x>`. A test compares this table with every service's OpenAPI,
so a new collection cannot be left unrouted (or routed twice).
"""

from __future__ import annotations

from dataclasses import dataclass

ROUTES: dict[str, str] = {
    # registry — enterprises and the pilot programme (企业与试点)
    "provinces": "registry",
    "separately-planned-cities": "registry",
    "industries": "registry",
    "enterprises": "registry",
    "recommending-units": "registry",
    "agencies": "registry",
    "batches": "registry",
    "recommendations": "registry",
    "pilots": "registry",
    "progress-reports": "registry",
    "province-plans": "registry",
    # registry — the programme's own work (工作任务、会议、通知、资料、经费、机构名单)
    "programme-tasks": "registry",
    "meetings": "registry",
    "notices": "registry",
    "documents": "registry",
    "public/documents": "registry",
    "fund-budgets": "registry",
    "fund-allocations": "registry",
    "fund-eligibility": "registry",
    "agency-lists": "registry",
    "public/agency-lists": "registry",
    "certification-calls": "registry",
    "call-candidates": "registry",
    # training — 贯标培训与资质
    "programmes": "training",
    "sessions": "training",
    "people": "training",
    "enrollments": "training",
    "invitations": "training",
    "qualifications": "training",
    "public/qualifications": "training",
    # assessment — 评估与诊断
    "frameworks": "assessment",
    "assessments": "assessment",
    "benchmarks": "assessment",
    # audit — 认定审核
    "applications": "audit",
    "audits": "audit",
    "findings": "audit",
    "auditors": "audit",
    "certification-bodies": "audit",
    "schedule-proposals": "audit",
    "certificates": "audit",
    "public/certificates": "audit",
    "public/notices": "audit",
    "public/certified-enterprises": "audit",
}
PREFIX = "/api/v1/"


@dataclass(frozen=True)
class Target:
    service: str
    key: str  # the ROUTES entry that matched

    @property
    def public(self) -> bool:
        return self.key.startswith("public/")

    @property
    def verification(self) -> bool:
        return self.key in ("public/certificates", "public/qualifications")


def route(path: str) -> Target | None:
    """The owner of an `/api/v1/...` path, or None when no service has it."""
    if not path.startswith(PREFIX):
        return None
    parts = path[len(PREFIX) :].split("/")
    key = "/".join(parts[:2]) if parts[0] == "public" else parts[0]
    service = ROUTES.get(key)
    return Target(service, key) if service else None
