"""参考数据: provinces (GB/T 2260), industries (GB/T 4754-2017). Read-only. (The enum labels are
served at the internal `GET /labels`, merged by the gateway into `GET /api/v1/labels`.)"""

from fastapi import APIRouter

from iims_common.identity import CurrentCaller
from registry.api.schemas import IndustryOut, ProvinceOut
from registry.domain.reference import INDUSTRY_SECTIONS, PROVINCES, SEPARATELY_PLANNED_CITIES

router = APIRouter(prefix="/api/v1", tags=["reference data 参考数据"])


@router.get("/provinces", response_model=list[ProvinceOut], summary="省级行政区划 (31)")
async def list_provinces(caller: CurrentCaller) -> list[ProvinceOut]:
    return [ProvinceOut(code=c, name=n) for c, n in PROVINCES.items()]


@router.get(
    "/separately-planned-cities",
    response_model=list[ProvinceOut],
    summary="计划单列市 (act as recommending authorities)",
)
async def list_separately_planned_cities(caller: CurrentCaller) -> list[ProvinceOut]:
    return [ProvinceOut(code=c, name=n) for c, n in SEPARATELY_PLANNED_CITIES.items()]


@router.get("/industries", response_model=list[IndustryOut], summary="国民经济行业分类 门类")
async def list_industries(caller: CurrentCaller) -> list[IndustryOut]:
    return [
        IndustryOut(code=s.code, name=s.name, divisions=s.divisions)
        for s in INDUSTRY_SECTIONS.values()
    ]
