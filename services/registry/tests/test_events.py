"""Registry on the real broker: what it publishes (catalogue fields) and what it consumes."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from factories import MINISTRY, create_consultancy, create_enterprise, pilot
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from iims_common.testing import cloud_event, dlq_of, eventually, publish, read_topic
from iims_contracts import AssessmentScored, CertificateIssued, EnterpriseRegistered, PilotEnrolled
from registry.db.tables import Pilot, PilotStatusChange
from registry.settings import RegistrySettings

WHEN = "2014-12-20T08:00:00Z"


def certificate(number: str, enterprise_id: str, issued_on: str) -> CertificateIssued:
    """A certificate-issued event as the audit service publishes it."""
    return CertificateIssued(
        certificate_no=number,
        enterprise_id=enterprise_id,
        application_id=uuid.uuid4(),
        certification_body_id=uuid.uuid4(),
        province_code="110000",
        scope="钢铁生产",
        issued_on=issued_on,
        effective_on=issued_on,
        valid_until="2017-12-19",
    )


async def test_recommend_select_publishes_pilot_enrolled(
    client: httpx.AsyncClient, settings: RegistrySettings
) -> None:
    consultancy = await create_consultancy(client)
    chain = await pilot(client, "440000", consultancy_id=consultancy["id"])
    p = chain["pilot"]
    found = await read_topic(
        settings.kafka_bootstrap_servers,
        PilotEnrolled,
        lambda v: v.get("data", {}).get("pilot_id") == p["id"],
    )
    assert found, f"{PilotEnrolled.topic} not seen on the broker"
    key, event, headers = found[0]
    assert key == chain["enterprise"]["id"].encode()
    assert event["type"] == PilotEnrolled.event_type() and event["source"] == "/iims/registry"
    assert event["specversion"] == "1.0" and event["subject"] == chain["enterprise"]["id"]
    assert event["data"] == {
        "pilot_id": p["id"],
        "batch_id": chain["batch"]["id"],
        "year": chain["batch"]["year"],
        "enterprise_id": chain["enterprise"]["id"],
        "province_code": "440000",
        "industry_code": chain["enterprise"]["industry_code"],
        "consultancy_id": consultancy["id"],
    }
    assert headers["traceparent"].startswith("00-")
    # CloudEvents Kafka binding, structured mode: the content type says so, no ce_ headers.
    assert headers["content-type"] == "application/cloudevents+json; charset=UTF-8"
    assert not [h for h in headers if h.lower().startswith("ce_")]


async def test_enterprise_registered_has_catalogue_fields(
    client: httpx.AsyncClient, settings: RegistrySettings
) -> None:
    e = await create_enterprise(
        client, "510000", name="四川长虹电子控股集团有限公司", industry_code="C39"
    )
    found = await read_topic(
        settings.kafka_bootstrap_servers,
        EnterpriseRegistered,
        lambda v: v.get("data", {}).get("enterprise_id") == e["id"],
    )
    assert found[0][1]["data"] == {
        "enterprise_id": e["id"],
        "uscc": e["uscc"],
        "name": "四川长虹电子控股集团有限公司",
        "province_code": "510000",
        "industry_code": "C39",
        "size": "large",
    }


async def test_certificate_issued_certifies_pilot_once(
    client: httpx.AsyncClient, settings: RegistrySettings, db: async_sessionmaker[AsyncSession]
) -> None:
    chain = await pilot(client)
    p, e = chain["pilot"], chain["enterprise"]
    event = cloud_event(certificate("IIMS-2014-7Q3K9", e["id"], "2014-12-20"), time=WHEN)
    # Delivered twice (a redelivery / replay): one effect.
    await publish(settings.kafka_bootstrap_servers, CertificateIssued, event, e["id"])
    await publish(settings.kafka_bootstrap_servers, CertificateIssued, event, e["id"])

    async def certified() -> bool:
        r = await client.get(f"/api/v1/pilots/{p['id']}", headers=MINISTRY)
        return r.json()["status"] == "certified"

    await eventually(certified)
    body = (await client.get(f"/api/v1/pilots/{p['id']}", headers=MINISTRY)).json()
    assert body["certificate_no"] == "IIMS-2014-7Q3K9" and body["certified_on"] == "2014-12-20"
    ent = (await client.get(f"/api/v1/enterprises/{e['id']}", headers=MINISTRY)).json()
    assert ent["status"] == "certified"
    # A later event on the same key proves the duplicate was consumed before it.
    marker = cloud_event(
        certificate("IIMS-OTHER", str(uuid.uuid4()), "2014-12-21"), subject=e["id"], time=WHEN
    )
    await publish(settings.kafka_bootstrap_servers, CertificateIssued, marker, e["id"])
    from iims_common.events.tables import processed_events

    async def marker_done() -> bool:
        async with db() as s:
            n = await s.execute(
                select(func.count())
                .select_from(processed_events)
                .where(processed_events.c.event_id == marker["id"])
            )
            return bool(n.scalar_one())

    await eventually(marker_done)
    async with db() as s:
        changes = (
            await s.execute(
                select(func.count())
                .select_from(PilotStatusChange)
                .where(
                    PilotStatusChange.pilot_id == uuid.UUID(p["id"]),
                    PilotStatusChange.to_status == "certified",
                )
            )
        ).scalar_one()
    assert changes == 1


async def test_assessment_scored_sets_latest_stage_and_ignores_older(
    client: httpx.AsyncClient, settings: RegistrySettings, db: async_sessionmaker[AsyncSession]
) -> None:
    chain = await pilot(client)
    p, e = chain["pilot"], chain["enterprise"]

    def scored(period: str, score: float, stage: str) -> dict[str, Any]:
        return cloud_event(
            AssessmentScored(
                assessment_id=uuid.uuid4(),
                enterprise_id=e["id"],
                period=period,
                total_score=score,
                stage=stage,
                maturity_level="主动",
            ),
            time=WHEN,
        )

    await publish(
        settings.kafka_bootstrap_servers,
        AssessmentScored,
        scored("2015", 61.5, "集成提升"),
        e["id"],
    )
    await publish(
        settings.kafka_bootstrap_servers,
        AssessmentScored,
        scored("2014", 40.0, "单项覆盖"),
        e["id"],
    )

    async def both_processed() -> bool:
        async with db() as s:
            from iims_common.events.tables import processed_events

            n = (
                await s.execute(
                    select(func.count())
                    .select_from(processed_events)
                    .where(processed_events.c.topic == AssessmentScored.topic)
                )
            ).scalar_one()
            return n >= 2

    await eventually(both_processed)
    async with db() as s:
        row = await s.get(Pilot, uuid.UUID(p["id"]))
    assert row is not None
    assert (row.latest_assessment_period, row.latest_score, row.latest_stage) == (
        "2015",
        61.5,
        "集成提升",
    )


async def test_malformed_consumed_event_goes_to_dlq_and_consumer_continues(
    client: httpx.AsyncClient, settings: RegistrySettings
) -> None:
    chain = await pilot(client)
    e = chain["enterprise"]
    # Malformed on purpose: the raw `data` a broken producer might send.
    bad = cloud_event(
        AssessmentScored,
        {"enterprise_id": e["id"], "total_score": "lots"},
        subject=e["id"],
        time=WHEN,
    )
    await publish(settings.kafka_bootstrap_servers, AssessmentScored, bad, e["id"])
    good_id = str(uuid.uuid4())
    good = cloud_event(
        AssessmentScored(
            assessment_id=good_id,
            enterprise_id=e["id"],
            period="2016",
            total_score=70,
            stage="集成提升",
        ),
        time=WHEN,
    )
    await publish(settings.kafka_bootstrap_servers, AssessmentScored, good, e["id"])
    dead = await read_topic(
        settings.kafka_bootstrap_servers,
        dlq_of(AssessmentScored),
        lambda v: v.get("id") == bad["id"],
    )
    assert dead and "ValidationError" in dead[0][2]["iims-dlq-error"]
    assert dead[0][2]["iims-dlq-original-topic"] == AssessmentScored.topic

    async def good_applied() -> bool:
        r = await client.get(f"/api/v1/pilots/{chain['pilot']['id']}", headers=MINISTRY)
        return r.json()["latest_assessment_id"] == good_id

    await eventually(good_applied)
