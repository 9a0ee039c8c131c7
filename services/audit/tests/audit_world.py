"""A small certification world for tests: a body with a lead auditor and a member, a
consultancy, a pilot enterprise, and helpers that drive an application through the flow."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from audit.db.tables import Application
from iims_common.identity import Role
from iims_common.testing import Topic, all_processed, cloud_event, eventually, mint, publish_many
from iims_contracts import (
    AgencyUpdated,
    EnterpriseRegistered,
    EventContract,
    PilotEnrolled,
    QualificationGranted,
    QualificationRevoked,
)

TODAY = dt.datetime.now(dt.UTC).date()


def uscc() -> str:
    """A code in the USCC's alphabet and shape (the event contract's check; the registry
    verifies the check character itself)."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    return "91320000" + "".join(random.choice(alphabet) for _ in range(10))


def day(offset: int) -> str:
    return (TODAY + dt.timedelta(days=offset)).isoformat()


@dataclass
class Facts:
    """Publishes other services' events and waits until the audit service consumed them."""

    bootstrap: str
    sessionmaker: async_sessionmaker[AsyncSession]
    pending: list[tuple[Topic, dict[str, Any], str]] = field(default_factory=list)

    def _add(self, event: EventContract) -> None:
        self.pending.append((type(event), cloud_event(event), event.kafka_key()))

    def body(self, name: str = "认定服务机构", status: str = "authorized") -> uuid.UUID:
        agency_id = uuid.uuid4()
        self.agency(agency_id, name, "certification_body", status)
        return agency_id

    def agency(self, agency_id: uuid.UUID, name: str, kind: str, status: str) -> None:
        self._add(
            AgencyUpdated(
                agency_id=agency_id,
                uscc=uscc(),
                name=name,
                kind=kind,
                status=status,
                province_code="110000",
            )
        )

    def consultancy(self) -> uuid.UUID:
        agency_id = uuid.uuid4()
        self.agency(agency_id, "贯标服务机构", "consultancy", "authorized")
        return agency_id

    def enterprise(
        self,
        *,
        industry: str = "C26",
        size: str = "medium",
        province: str = "320000",
        consultancy_id: uuid.UUID | None = None,
    ) -> uuid.UUID:
        enterprise_id = uuid.uuid4()
        self._add(
            EnterpriseRegistered(
                enterprise_id=enterprise_id,
                uscc=uscc(),
                name=f"试点企业-{enterprise_id.hex[:6]}",
                province_code=province,
                industry_code=industry,
                size=size,
            )
        )
        self._add(
            PilotEnrolled(
                pilot_id=uuid.uuid4(),
                batch_id=uuid.uuid4(),
                year=2014,
                enterprise_id=enterprise_id,
                province_code=province,
                industry_code=industry,
                consultancy_id=consultancy_id,
            )
        )
        return enterprise_id

    def qualification(
        self,
        person_id: uuid.UUID,
        kind: str,
        organization_id: uuid.UUID,
        *,
        granted_on: str = "2014-01-01",
        valid_until: str | None = None,
        number: str | None = None,
    ) -> str:
        number = number or f"IIMS-T-{uuid.uuid4().hex[:10].upper()}"
        self._add(
            QualificationGranted(
                qualification_no=number,
                person_id=person_id,
                person_name=f"审核员{person_id.hex[:4]}",
                kind=kind,
                organization_id=organization_id,
                granted_on=granted_on,
                valid_until=valid_until or day(3 * 365),
            )
        )
        return number

    def revoke(self, person_id: uuid.UUID, number: str) -> None:
        self._add(
            QualificationRevoked(qualification_no=number, person_id=person_id, reason="考核不合格")
        )

    def auditor(self, body_id: uuid.UUID, *, lead: bool = False, **kw: Any) -> uuid.UUID:
        person_id = uuid.uuid4()
        self.qualification(person_id, "auditor", body_id, **kw)
        if lead:
            self.qualification(person_id, "lead_auditor", body_id, **kw)
        return person_id

    async def settle(self) -> None:
        batch, self.pending = self.pending, []
        if not batch:
            return
        await publish_many(self.bootstrap, batch)
        ids = [e["id"] for _, e, _ in batch]
        await eventually(lambda: all_processed(self.sessionmaker, ids, "audit"), timeout=30)


def body_headers(body_id: uuid.UUID) -> dict[str, str]:
    return mint(Role.certification_body, org=body_id)


def enterprise_headers(enterprise_id: uuid.UUID) -> dict[str, str]:
    return mint(Role.enterprise, org=enterprise_id)


def management() -> dict[str, str]:
    return mint(Role.management_org)


@dataclass
class World:
    body: uuid.UUID
    lead: uuid.UUID
    member: uuid.UUID
    consultancy: uuid.UUID
    enterprise: uuid.UUID

    @property
    def as_body(self) -> dict[str, str]:
        return body_headers(self.body)

    @property
    def as_enterprise(self) -> dict[str, str]:
        return enterprise_headers(self.enterprise)

    def team(
        self, lead: uuid.UUID | None = None, member: uuid.UUID | None = None
    ) -> list[dict[str, str]]:
        return [
            {"person_id": str(lead or self.lead), "role": "lead"},
            {"person_id": str(member or self.member), "role": "member"},
        ]


async def make_world(
    client: httpx.AsyncClient, facts: Facts, *, industry: str = "C26", size: str = "medium"
) -> World:
    consultancy = facts.consultancy()
    body = facts.body()
    lead = facts.auditor(body, lead=True)
    member = facts.auditor(body)
    enterprise = facts.enterprise(industry=industry, size=size, consultancy_id=consultancy)
    await facts.settle()
    for person in (lead, member):
        r = await client.put(
            f"/api/v1/auditors/{person}/competences",
            json={"industries": [industry[0]]},
            headers=body_headers(body),
        )
        assert r.status_code == 200, r.text
    return World(body, lead, member, consultancy, enterprise)


def application_body(w: World, **overrides: Any) -> dict[str, Any]:
    return {
        "enterprise_id": str(w.enterprise),
        "certification_body_id": str(w.body),
        "scope": "钢铁产品的研发、生产与销售相关的两化融合管理活动",
        "site": "江苏省南京市",
        "system_running_since": day(-200),
        "internal_audit_done": True,
        "management_review_done": True,
        **overrides,
    }


async def apply(client: httpx.AsyncClient, w: World) -> dict[str, Any]:
    r = await client.post("/api/v1/applications", json=application_body(w), headers=w.as_enterprise)
    assert r.status_code == 201, r.text
    return dict(r.json())


async def plan(
    client: httpx.AsyncClient,
    w: World,
    application_id: str,
    kind: str,
    start: int,
    end: int,
    team: list[dict[str, str]] | None = None,
    **extra: Any,
) -> httpx.Response:
    return await client.post(
        "/api/v1/audits",
        json={
            "application_id": application_id,
            "kind": kind,
            "starts_on": day(start),
            "ends_on": day(end),
            "team": team or w.team(),
            **extra,
        },
        headers=w.as_body,
    )


async def audited(
    client: httpx.AsyncClient,
    w: World,
    *,
    stage1: tuple[int, int] = (-40, -40),
    stage2: tuple[int, int] = (-30, -28),
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Application with stage 1 and stage 2 completed; returns (application, stage-2 audit)."""
    application = await apply(client, w)
    a1 = await plan(client, w, application["id"], "stage1", *stage1)
    assert a1.status_code == 201, a1.text
    done = await client.post(
        f"/api/v1/audits/{a1.json()['id']}/completion", json={}, headers=w.as_body
    )
    assert done.status_code == 200, done.text
    a2 = await plan(client, w, application["id"], "stage2", *stage2)
    assert a2.status_code == 201, a2.text
    done = await client.post(
        f"/api/v1/audits/{a2.json()['id']}/completion", json={}, headers=w.as_body
    )
    assert done.status_code == 200, done.text
    return application, dict(a2.json())


async def end_notice(sessionmaker: async_sessionmaker[AsyncSession], application_id: str) -> None:
    """Time passes: the public notice ended yesterday."""
    async with sessionmaker() as s, s.begin():
        await s.execute(
            sa.update(Application)
            .where(Application.id == uuid.UUID(application_id))
            .values(notice_ends_on=sa.func.current_date() - 1)
        )


async def certify(
    client: httpx.AsyncClient, w: World, sessionmaker: async_sessionmaker[AsyncSession]
) -> dict[str, Any]:
    """The whole flow without findings; returns the certificate."""
    application, _ = await audited(client, w)
    r = await client.post(f"/api/v1/applications/{application['id']}/conclusion", headers=w.as_body)
    assert r.status_code == 200 and r.json()["outcome"] == "passed", r.text

    async def in_review() -> bool:
        got = await client.get(f"/api/v1/applications/{application['id']}", headers=management())
        return bool(got.json()["status"] == "under_review")

    await eventually(in_review)
    r = await client.post(
        f"/api/v1/applications/{application['id']}/review",
        json={"approved": True},
        headers=management(),
    )
    assert r.status_code == 200, r.text
    await end_notice(sessionmaker, application["id"])
    r = await client.post(
        f"/api/v1/applications/{application['id']}/decision", json={}, headers=management()
    )
    assert r.status_code == 201, r.text
    return dict(r.json())
