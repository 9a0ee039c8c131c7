"""Assessment rules as plain code: seeded data, framework validation, scoring (hand-computed
cases and properties), conformity levels and diagnosis."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from assessment.domain.conformity import CLAUSES, Rating, diagnose, management_level
from assessment.domain.framework import Framework, IndicatorKind, framework_errors
from assessment.domain.scoring import Answer, answer_errors, score, stage_for
from assessment.domain.seed import DISCRETE, PROCESS, SEEDED
from iims_common.i18n import text


def best(fw: Framework) -> dict[str, Answer]:
    return {
        c: ("A" if i.kind is IndicatorKind.ordinal else i.target)
        for c, i in fw.indicators().items()
    }


def worst(fw: Framework) -> dict[str, Answer]:
    return {c: ("D" if i.kind is IndicatorKind.ordinal else 0) for c, i in fw.indicators().items()}


def test_seeded_frameworks_are_valid_and_cover_the_six_aspects() -> None:
    for fw in SEEDED:
        assert framework_errors(fw) == []
        assert [d.name for d in fw.dimensions] == [
            "基础建设",
            "单项应用",
            "综合集成",
            "协同与创新",
            "竞争力",
            "经济和社会效益",
        ]
    assert DISCRETE.industry_type == "离散型" and PROCESS.industry_type == "流程型"
    assert set(DISCRETE.indicators()) != set(PROCESS.indicators())


def test_conformity_checklist_is_the_clause_list_of_design() -> None:
    titles = {c.code: c.title for c in CLAUSES}
    assert len(CLAUSES) == 27
    assert [titles["4.1"], titles["4.2"]] == ["总要求", "文件要求"]
    assert titles["5.7"] == "职责与协调沟通" and titles["6.5"] == "信息安全"
    assert titles["7.2"] == "业务流程与组织结构优化" and titles["7.7"] == "动态调整"
    assert titles["8.1"] == "评估与诊断" and titles["8.6"] == "改进"


def test_hand_computed_scores() -> None:
    top = score(DISCRETE, best(DISCRETE))
    assert top.total == Decimal("100.00") and top.stage == "创新突破"
    # All D (10) and every ratio 0: infrastructure .3*10=3, single .5*10=5, integration 10,
    # collaboration 10, competitiveness 5, benefits 5 → .2*3+.2*5+.2*10+.15*10+.1*5+.15*5 = 6.35
    low = score(DISCRETE, worst(DISCRETE))
    assert low.total == Decimal("6.35") and low.stage == "起步建设"
    assert low.dimensions["infrastructure"] == Decimal("3.00")
    # Half-way ratios (50) and all B (70): infrastructure .4*50+.3*50+.3*70 = 56,
    # single .5*50+.5*70 = 60, integration/collaboration 70, competitiveness 60, benefits 60
    # → .2*56+.2*60+.2*70+.15*70+.1*60+.15*60 = 62.70
    mid = {
        c: ("B" if i.kind is IndicatorKind.ordinal else i.target / 2)
        for c, i in DISCRETE.indicators().items()
    }
    result = score(DISCRETE, mid)
    assert result.total == Decimal("62.70") and result.stage == "集成提升"
    # Ratios beyond the target are capped at 100.
    over = {**best(DISCRETE), "computers_per_100_staff": 900}
    assert score(DISCRETE, over).indicators["computers_per_100_staff"] == Decimal("100.00")


def test_stage_cut_offs() -> None:
    assert [stage_for(Decimal(x)) for x in ("0", "39.99", "40", "59.99", "60", "80", "100")] == [
        "起步建设",
        "起步建设",
        "单项覆盖",
        "单项覆盖",
        "集成提升",
        "创新突破",
        "创新突破",
    ]


def test_answer_errors_name_every_gap_at_once() -> None:
    answers = best(DISCRETE)
    del answers["planning_scheduling"]
    answers["cnc_equipment_share"] = 140
    answers["labour_productivity"] = "E"
    answers["unknown"] = "A"
    answers["computers_per_100_staff"] = "many"
    fields = {e.field for e in answer_errors(DISCRETE, answers)}
    assert fields == {
        "answers.planning_scheduling",
        "answers.cnc_equipment_share",
        "answers.labour_productivity",
        "answers.unknown",
        "answers.computers_per_100_staff",
    }


def test_framework_validation_errors() -> None:
    d0, d1 = DISCRETE.dimensions[0], DISCRETE.dimensions[1]
    heavy = dataclasses.replace(
        DISCRETE,
        dimensions=(dataclasses.replace(d0, weight=Decimal("0.5")), *DISCRETE.dimensions[1:]),
    )
    assert any("sum to" in text(e.message, "en") for e in framework_errors(heavy))
    dup = dataclasses.replace(
        DISCRETE, dimensions=(d0, dataclasses.replace(d1, code=d0.code), *DISCRETE.dimensions[2:])
    )
    assert any("duplicate" in text(e.message, "en") for e in framework_errors(dup))
    ind = d0.indicators[2]
    capped = dataclasses.replace(
        ind,
        options=tuple(dataclasses.replace(o, score=min(o.score, Decimal(90))) for o in ind.options),
    )
    unreachable = dataclasses.replace(
        DISCRETE,
        dimensions=(
            dataclasses.replace(d0, indicators=(d0.indicators[0], d0.indicators[1], capped)),
            *DISCRETE.dimensions[1:],
        ),
    )
    assert any("unreachable" in text(e.message, "en") for e in framework_errors(unreachable))
    reversed_ratio = dataclasses.replace(d0.indicators[0], floor=Decimal(70), target=Decimal(10))
    bad = dataclasses.replace(
        DISCRETE,
        dimensions=(
            dataclasses.replace(d0, indicators=(reversed_ratio, *d0.indicators[1:])),
            *DISCRETE.dimensions[1:],
        ),
    )
    assert any("unreachable" in text(e.message, "en") for e in framework_errors(bad))


ORDINAL = st.sampled_from(["A", "B", "C", "D"])


@st.composite
def answer_sets(draw: st.DrawFn, fw: Framework = DISCRETE) -> dict[str, Answer]:
    return {
        c: draw(ORDINAL)
        if i.kind is IndicatorKind.ordinal
        else draw(st.decimals(i.valid_min, i.valid_max, places=1))
        for c, i in fw.indicators().items()
    }


@given(answer_sets(), st.data())
def test_a_better_answer_never_lowers_the_score(
    answers: dict[str, Answer], data: st.DataObject
) -> None:
    indicators = DISCRETE.indicators()
    code = data.draw(st.sampled_from(sorted(indicators)))
    ind = indicators[code]
    better = dict(answers)
    if ind.kind is IndicatorKind.ordinal:
        current = next(o.score for o in ind.options if o.code == answers[code])
        better[code] = data.draw(
            st.sampled_from([o.code for o in ind.options if o.score >= current])
        )
    else:
        better[code] = data.draw(st.decimals(Decimal(str(answers[code])), ind.valid_max, places=1))
    assert score(DISCRETE, better).total >= score(DISCRETE, answers).total


@given(answer_sets())
def test_scores_are_bounded_and_deterministic(answers: dict[str, Answer]) -> None:
    first, second = score(DISCRETE, answers), score(DISCRETE, answers)
    assert first == second and Decimal(0) <= first.total <= Decimal(100)


def test_management_level_and_diagnosis() -> None:
    all_ok = {c.code: Rating.conforming for c in CLAUSES}
    assert management_level(all_ok) == "卓越"
    one_bad = {**all_ok, "8.3": Rating.nonconforming}
    assert management_level(one_bad) == "融合和创新"  # 26/27 ≥ 0.9 but a nonconformity
    half = {
        c.code: (Rating.partial if i % 2 else Rating.nonconforming) for i, c in enumerate(CLAUSES)
    }
    assert management_level(half) == "被动"
    mostly = {
        c.code: (Rating.conforming if i % 2 else Rating.partial) for i, c in enumerate(CLAUSES)
    }
    assert management_level(mostly) == "融合和创新"
    result = score(DISCRETE, worst(DISCRETE))
    d = diagnose(result.dimensions, {**all_ok, "7.6": Rating.nonconforming})
    assert d.weakest_dimensions == ("infrastructure", "benefits")
    assert d.weak_clauses == ("7.6",)
    assert set(d.elements) == {"数据", "技术", "组织结构"}


def test_benchmarks_from_the_histogram() -> None:
    from assessment.domain.benchmarks import add, percentile, summarize

    hist: list[int] = []
    scores = [Decimal(s) for s in ("10", "20.5", "30", "40", "50", "60", "70", "80", "90", "100")]
    for s in scores:
        hist = add(hist, s)
    b = summarize(hist, len(scores), sum(scores, Decimal(0)))
    assert (b.count, b.average, b.median, b.top_decile) == (
        10,
        Decimal("55.05"),
        Decimal(50),
        Decimal(90),
    )
    assert percentile(hist, 10, Decimal("100")) == Decimal("95.0")
    assert percentile(hist, 10, Decimal("10")) == Decimal("5.0")
    assert summarize([], 0, Decimal(0)).average is None
