"""Demo data for `make run`: the 2014 programme from the seed (会议材料之一/二/四).

What the seed states: 106 recommending units recommended 1,448 enterprises (会议材料之一);
the plan was 500 pilots and a certification target of 200; provinces submit their plans by
the end of May; the tasks of 之二/之四 and the meetings; 浙江省经济和信息化委员会 and the
部内司局 named in 会议材料之五. What happened later (DESIGN §2): 502 pilots were finally
enrolled — the batch is created with the planned 500 and raised to 502 with the reason kept.

What is NOT in the seed and is an assumption of this demo (said so here and in the README):
the split of the 106 units by kind (36 provincial authorities incl. the 5 separately-planned
cities, 9 部内司局, 41 central SOEs, 20 associations); the names of the other provincial
authorities (the seed only says "各地工信主管部门", so they are named generically
"<省>工业和信息化主管部门" rather than with guessed official names); the SOE and association
names (real 2014 names, none formed later); the enterprises (generated); dates the seed
leaves open (the quota change, when tasks were done, the call's days).
Everything is generated deterministically and written through the same services (and so the
same outbox events) as the API. `python -m registry.demo` loads it once into an empty database.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import sys

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from iims_common.db import create_engine, create_sessionmaker
from iims_common.identity import Caller, Role
from registry import work_demo
from registry.db.tables import Agency, Enterprise, ProvincePlan
from registry.domain.enums import (
    AgencyKind,
    AgencyStatus,
    EnterpriseSize,
    PilotStatus,
    RecommendingUnitKind,
)
from registry.domain.reference import INDUSTRY_SECTIONS, PROVINCES, SEPARATELY_PLANNED_CITIES
from registry.domain.uscc import ALPHABET, make_uscc
from registry.service import dto, enterprises, programme
from registry.settings import get_settings

MINISTRY = Caller(subject="demo-loader", role=Role.ministry)
RECOMMENDED = 1448
PILOTS = 502

PLANNED_QUOTA = 500  # 会议材料之一: "选择 500 家企业开展两化融合管理体系贯标试点"
# The 部内司局 of 会议材料之五 with an industry or enterprise remit (信息化推进司 and 科技司 run
# the programme; 财务司 and 人事教育司 recommend no enterprises) — the choice is ours.
MINISTRY_DEPARTMENTS = [
    "原材料工业司",
    "装备工业司",
    "消费品工业司",
    "电子信息司",
    "软件服务业司",
    "通信发展司",
    "节能与综合利用司",
    "中小企业司",
    "安全生产司",
]
# The one provincial authority the seed names (会议材料之五: 张金如 浙江省经济和信息化委员会主任).
SEED_AUTHORITY_NAMES = {"330000": "浙江省经济和信息化委员会"}
CENTRAL_SOES = [
    "中国石油天然气集团公司",
    "中国石油化工集团公司",
    "中国海洋石油总公司",
    "国家电网公司",
    "中国南方电网有限责任公司",
    "中国华能集团公司",
    "中国大唐集团公司",
    "中国华电集团公司",
    "中国国电集团公司",
    "中国电力投资集团公司",
    "中国航天科技集团公司",
    "中国航天科工集团公司",
    "中国航空工业集团公司",
    "中国船舶工业集团公司",
    "中国船舶重工集团公司",
    "中国兵器工业集团公司",
    "中国兵器装备集团公司",
    "中国电子科技集团公司",
    "中国第一汽车集团公司",
    "东风汽车公司",
    "中国第一重型机械集团公司",
    "中国机械工业集团有限公司",
    "哈尔滨电气集团公司",
    "中国东方电气集团有限公司",
    "鞍钢集团公司",
    "宝钢集团有限公司",
    "武汉钢铁(集团)公司",
    "中国铝业公司",
    "中国中化集团公司",
    "中国化工集团公司",
    "中国建筑材料集团有限公司",
    "中国五矿集团公司",
    "中国通用技术(集团)控股有限责任公司",
    "中国电子信息产业集团有限公司",
    "中国南车集团公司",
    "中国北车集团公司",
    "中国盐业总公司",
    "中国医药集团总公司",
    "中国中煤能源集团有限公司",
    "神华集团有限责任公司",
    "中国恒天集团有限公司",
]
ASSOCIATIONS = [
    "中国钢铁工业协会",
    "中国石油和化学工业联合会",
    "中国机械工业联合会",
    "中国轻工业联合会",
    "中国纺织工业联合会",
    "中国建筑材料联合会",
    "中国有色金属工业协会",
    "中国电子信息行业联合会",
    "中国汽车工业协会",
    "中国船舶工业行业协会",
    "中国医药企业管理协会",
    "中国食品工业协会",
    "中国电力企业联合会",
    "中国煤炭工业协会",
    "中国造纸协会",
    "中国工程机械工业协会",
    "中国通信企业协会",
    "中国软件行业协会",
    "中国中小企业国际合作协会",
    "中国企业联合会",
]
CONSULTANCIES = [
    ("中国电子技术标准化研究院", "110000"),
    ("中国信息化百人会咨询中心", "110000"),
    ("赛迪顾问股份有限公司", "110000"),
    ("上海两化融合咨询服务有限公司", "310000"),
    ("江苏省两化融合服务中心", "320000"),
    ("浙江省信息化发展咨询有限公司", "330000"),
    ("广东省工业信息化咨询有限公司", "440000"),
    ("山东省两化融合促进中心", "370000"),
]
CERTIFICATION_BODIES = [
    ("中国船级社质量认证公司", "110000"),
    ("北京赛迪认证中心有限公司", "110000"),
    ("中电科认证有限公司", "110000"),
]
NAME_WORDS = [
    "华",
    "宏",
    "兴",
    "永",
    "昌",
    "盛",
    "恒",
    "通",
    "达",
    "新",
    "远",
    "泰",
    "鑫",
    "金",
    "瑞",
    "丰",
    "安",
    "康",
    "明",
    "和",
    "德",
    "海",
    "天",
    "宇",
    "博",
    "创",
    "联",
    "信",
    "正",
    "东",
]
TRADES = {
    "C": [
        "钢铁",
        "机械制造",
        "汽车零部件",
        "石油化工",
        "纺织",
        "食品",
        "电子",
        "装备",
        "建材",
        "有色金属",
        "家电",
        "医药",
        "造纸",
        "船舶",
        "电气",
    ],
    "B": ["矿业", "煤业"],
    "D": ["电力", "燃气", "热力"],
    "G": ["物流", "运输"],
    "I": ["软件", "信息技术"],
    "E": ["建设工程"],
    "F": ["商贸"],
}
SIZES = [EnterpriseSize.large] * 5 + [EnterpriseSize.medium] * 3 + [EnterpriseSize.small] * 2


def _uscc(rng: random.Random, province: str) -> str:
    division = province[:2] + f"{rng.randint(1, 99):02d}" + f"{rng.randint(1, 30):02d}"
    org = "".join(rng.choice(ALPHABET) for _ in range(9))
    return make_uscc("91" + division + org)


def _industry(rng: random.Random) -> str:
    section = rng.choices(list(TRADES), weights=[70, 5, 8, 6, 5, 3, 3])[0]
    s = INDUSTRY_SECTIONS[section]
    return section + rng.choice(s.divisions)


def _name(rng: random.Random, province: str, section: str, used: set[str]) -> str:
    place = PROVINCES[province].removesuffix("省").removesuffix("市")[:2]
    while True:
        words = "".join(rng.sample(NAME_WORDS, 2))
        name = f"{place}{words}{rng.choice(TRADES[section])}有限公司"
        if rng.random() < 0.3:
            name = name.replace("有限公司", "股份有限公司")
        if name not in used:
            used.add(name)
            return name


async def load(session: AsyncSession, seed: int = 2014) -> dict[str, int]:
    rng = random.Random(seed)
    units = []
    for code, name in {**PROVINCES, **SEPARATELY_PLANNED_CITIES}.items():
        units.append(
            await programme.create_unit(
                session,
                dto.RecommendingUnitCreate(
                    name=SEED_AUTHORITY_NAMES.get(code, name + "工业和信息化主管部门"),
                    kind=RecommendingUnitKind.provincial_authority,
                    region_code=code,
                ),
            )
        )
    for kind, names in (
        (RecommendingUnitKind.ministry_department, MINISTRY_DEPARTMENTS),
        (RecommendingUnitKind.central_soe, CENTRAL_SOES),
        (RecommendingUnitKind.industry_association, ASSOCIATIONS),
    ):
        for n in names:
            units.append(
                await programme.create_unit(session, dto.RecommendingUnitCreate(name=n, kind=kind))
            )
    consultancies: list[Agency] = []
    bodies: list[Agency] = []
    for agency_kind, rows in (
        (AgencyKind.consultancy, CONSULTANCIES),
        (AgencyKind.certification_body, CERTIFICATION_BODIES),
    ):
        for name, province in rows:
            agency = await programme.create_agency(
                session,
                MINISTRY,
                dto.AgencyCreate(
                    uscc=make_uscc("12" + _uscc(rng, province)[2:17]),  # 12: 事业单位/机构
                    name=name,
                    kind=agency_kind,
                    # Certification bodies apply in the August call and are authorized only
                    # after the 认定管理组织 is formed (July) — see _certification_call().
                    status=AgencyStatus.authorized
                    if agency_kind is AgencyKind.consultancy
                    else AgencyStatus.applied,
                    province_code=province,
                ),
            )
            if agency_kind is AgencyKind.consultancy:
                consultancies.append(agency)
            else:
                bodies.append(agency)

    batch = await programme.create_batch(
        session,
        dto.BatchCreate(
            year=2014,
            name="2014年两化融合管理体系贯标试点",
            pilot_quota=PLANNED_QUOTA,  # the plan (会议材料之一); raised to 502 below
            certification_target=200,
            plan_deadline=dt.date(2014, 5, 31),
        ),
        changed_by=MINISTRY.client_key,
        on=dt.date(2014, 3, 24),
    )
    for year in (2015, 2016):
        await programme.create_batch(
            session,
            dto.BatchCreate(
                year=year,
                name=f"{year}年两化融合管理体系贯标试点",
                pilot_quota=600,
                certification_target=0,
                plan_deadline=dt.date(year, 5, 31),
            ),
        )

    province_codes = list(PROVINCES)
    weights = [
        3 if c in ("320000", "330000", "370000", "440000", "310000") else 1 for c in province_codes
    ]
    used: set[str] = set()
    recommendations = []
    for i in range(RECOMMENDED):
        unit = units[i % len(units)]
        if unit.kind == RecommendingUnitKind.provincial_authority and unit.region_code:
            province = unit.region_code[:2] + "0000"
        else:
            province = rng.choices(province_codes, weights=weights)[0]
        industry = _industry(rng)
        enterprise = await enterprises.register(
            session,
            MINISTRY,
            dto.EnterpriseCreate(
                uscc=_uscc(rng, province),
                name=_name(rng, province, industry[0], used),
                province_code=province,
                industry_code=industry,
                size=rng.choice(SIZES),
                contact_name="贯标联系人",
                contact_phone=f"010-{rng.randint(60000000, 89999999)}",
            ),
        )
        recommendations.append(
            await programme.recommend(
                session,
                MINISTRY,
                batch,
                dto.RecommendationCreate(enterprise_id=enterprise.id, recommending_unit_id=unit.id),
            )
        )
    for k, rec in enumerate(rng.sample(recommendations, PILOTS)):
        if k == PLANNED_QUOTA:
            # What happened, not the plan: 502 were finally enrolled (DESIGN §2). The seed
            # does not say when; the date is this demo's assumption.
            await programme.update_batch(
                session,
                batch,
                dto.BatchUpdate(
                    pilot_quota=PILOTS,
                    quota_change_reason="计划500家（会议材料之一），最终入选502家；变更日期为演示数据的假设",
                    quota_changed_on=dt.date(2014, 5, 15),
                ),
                changed_by=MINISTRY.client_key,
            )
        consultancy = rng.choice(consultancies) if rng.random() < 0.6 else None
        pilot = await programme.select_pilot(
            session,
            MINISTRY,
            batch.id,
            dto.PilotSelect(
                recommendation_id=rec.id, consultancy_id=consultancy.id if consultancy else None
            ),
        )
        # By the end of 2014 most pilots were implementing and ~200 basically compliant.
        roll = rng.random()
        if roll < 0.85:
            await programme.change_pilot_status(
                session, pilot, PilotStatus.implementing, changed_by="demo", reason="启动贯标"
            )
            await programme.submit_progress_report(
                session,
                MINISTRY,
                pilot,
                dto.ProgressReportCreate(
                    period="2014-09",
                    stage="管理体系策划",
                    percent=rng.randint(20, 60),
                    narrative="完成现状调研与诊断，确定可持续竞争优势及新型能力。",
                ),
            )
        if roll < 0.40:
            await programme.change_pilot_status(
                session,
                pilot,
                PilotStatus.basically_compliant,
                changed_by="demo",
                reason="基本达到标准要求",
            )
    # Province plans: most on time, a few late, some still missing.
    for i, code in enumerate(province_codes):
        if i % 7 == 6:
            continue
        late = i % 5 == 4
        await programme.submit_province_plan(
            session,
            Caller(subject=f"province-{code}", role=Role.province, province_code=code),
            batch,
            dto.ProvincePlanCreate(
                title=f"{PROVINCES[code]}两化融合管理体系贯标工作落实方案",
                summary="明确本区域贯标试点企业的指导、支持和管理措施。",
                policy_support="设立两化融合专项资金，支持试点企业贯标。",
                funding_wan_yuan=float(rng.randint(100, 2000)),
            ),
            submitted_at=dt.datetime(2014, 6 if late else 5, 15 if late else 20, tzinfo=dt.UTC),
        )
    await session.flush()
    await work_demo.load(session, rng, bodies)
    return {"recommending_units": len(units), "enterprises": RECOMMENDED, "pilots": PILOTS}


async def load_if_empty() -> str:
    settings = get_settings()
    engine = create_engine(settings)
    maker = create_sessionmaker(engine)
    try:
        async with maker() as session, session.begin():
            if (
                await session.execute(sa.select(sa.func.count()).select_from(Enterprise))
            ).scalar_one():
                return "demo data already present"
            counts = await load(session)
            plans = (
                await session.execute(sa.select(sa.func.count()).select_from(ProvincePlan))
            ).scalar_one()
        return f"demo data loaded: {counts} + {plans} province plans"
    finally:
        await engine.dispose()


if __name__ == "__main__":
    print(asyncio.run(load_if_empty()))
    sys.exit(0)
