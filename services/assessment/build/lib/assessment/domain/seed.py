"""The seeded GB/T 23020-style frameworks (离散型 and 流程型 manufacturing).

The six aspects are the standard's (基础建设, 单项应用, 综合集成, 协同与创新, 竞争力,
经济和社会效益); the indicators, weights, option scores and ratio targets are the platform's
own — the standard's weights are not public here — and can be replaced by publishing a new
framework version.
"""

from __future__ import annotations

from decimal import Decimal as D

from assessment.domain.framework import Dimension, Framework, Indicator, IndicatorKind, Option

ABCD = (
    Option("A", "全面实现 / 处于领先", D(100)),
    Option("B", "大部分实现", D(70)),
    Option("C", "部分实现", D(40)),
    Option("D", "尚未开展", D(10)),
)


def ordinal(code: str, name: str, weight: str) -> Indicator:
    return Indicator(code, name, D(weight), IndicatorKind.ordinal, options=ABCD)


def ratio(
    code: str, name: str, weight: str, target: str, unit: str = "%", valid_max: str = "100"
) -> Indicator:
    return Indicator(
        code,
        name,
        D(weight),
        IndicatorKind.ratio,
        floor=D(0),
        target=D(target),
        valid_min=D(0),
        valid_max=D(valid_max),
        unit=unit,
    )


def _framework(
    code: str, name: str, industry_type: str, equipment: Indicator, process: Indicator
) -> Framework:
    return Framework(
        code=code,
        version=1,
        name=name,
        industry_type=industry_type,
        dimensions=(
            Dimension(
                "infrastructure",
                "基础建设",
                D("0.20"),
                (
                    ratio(
                        "computers_per_100_staff",
                        "每百名员工拥有计算机数",
                        "0.4",
                        "60",
                        "台",
                        "1000",
                    ),
                    equipment,
                    ordinal("planning_and_organization", "两化融合规划与组织保障", "0.3"),
                ),
            ),
            Dimension(
                "single_applications",
                "单项应用",
                D("0.20"),
                (
                    process,
                    ordinal("planning_scheduling", "生产计划与调度信息化", "0.5"),
                ),
            ),
            Dimension(
                "integration",
                "综合集成",
                D("0.20"),
                (
                    ordinal(
                        "management_control_integration", "管控集成（经营管理与生产控制）", "0.5"
                    ),
                    ordinal("supply_production_sales_integration", "产供销集成", "0.5"),
                ),
            ),
            Dimension(
                "collaboration_innovation",
                "协同与创新",
                D("0.15"),
                (
                    ordinal("supply_chain_collaboration", "产业链协同", "0.5"),
                    ordinal("data_driven_innovation", "基于数据的业务创新", "0.5"),
                ),
            ),
            Dimension(
                "competitiveness",
                "竞争力",
                D("0.10"),
                (
                    ratio("new_product_output_share", "新产品产值率", "0.5", "40"),
                    ordinal("labour_productivity", "劳动生产率提升", "0.5"),
                ),
            ),
            Dimension(
                "benefits",
                "经济和社会效益",
                D("0.15"),
                (
                    ratio("energy_intensity_reduction", "单位产值综合能耗下降率", "0.5", "20"),
                    ordinal("operating_performance", "经营效益改善", "0.5"),
                ),
            ),
        ),
    )


DISCRETE = _framework(
    "gbt23020-discrete",
    "两化融合发展水平评估指标体系（离散型制造业）",
    "离散型",
    ratio("cnc_equipment_share", "数控化设备占生产设备比例", "0.3", "70"),
    ratio("rd_tool_coverage", "数字化研发设计工具普及率", "0.5", "85"),
)
PROCESS = _framework(
    "gbt23020-process",
    "两化融合发展水平评估指标体系（流程型制造业）",
    "流程型",
    ratio("process_control_coverage", "关键工序过程控制系统（DCS/PCS）覆盖率", "0.3", "90"),
    ratio("auto_data_collection", "生产过程数据自动采集率", "0.5", "80"),
)
SEEDED = (DISCRETE, PROCESS)
