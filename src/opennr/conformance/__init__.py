"""Conformance: the 3GPP performance requirements (TS 38.104 §8.2 PUSCH) as runnable test cases,
their verdicts and reports."""

from opennr.conformance.cases import (
    ConformanceCase,
    Frc,
    best_estimator,
    case_status,
    load_cases,
    load_frcs,
    select_cases,
)
from opennr.conformance.report import report_rows, write_report
from opennr.conformance.runner import (
    CaseResult,
    ConformanceOptions,
    ThroughputStop,
    clopper_pearson,
    run_case,
    run_cases,
)

__all__ = ["CaseResult", "ConformanceCase", "ConformanceOptions", "Frc", "ThroughputStop",
           "best_estimator", "case_status", "clopper_pearson", "load_cases", "load_frcs",
           "report_rows", "run_case", "run_cases", "select_cases", "write_report"]
