"""Request and response bodies of the assessment API: the use cases' commands and results
(`assessment.service.dto`), named here for the routes."""

from assessment.service.dto import (
    PERIOD,
    AssessmentAnswers,
    AssessmentCreate,
    AssessmentOut,
    BenchmarkOut,
    ClauseAssessment,
    DimensionIn,
    FrameworkCreate,
    FrameworkOut,
    FrameworkSummary,
    IndicatorIn,
    OptionIn,
    Period,
)

__all__ = [
    "PERIOD",
    "AssessmentAnswers",
    "AssessmentCreate",
    "AssessmentOut",
    "BenchmarkOut",
    "ClauseAssessment",
    "DimensionIn",
    "FrameworkCreate",
    "FrameworkOut",
    "FrameworkSummary",
    "IndicatorIn",
    "OptionIn",
    "Period",
]
