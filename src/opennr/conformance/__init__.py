"""Conformance: the 3GPP performance requirements (TS 38.104 §8.2 PUSCH, §8.3 PUCCH; TS 38.101-4
§5.2 PDSCH) as runnable test cases, their verdicts and reports."""

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
    BatchOutcomeLink,
    CaseResult,
    ConformanceOptions,
    ThroughputStop,
    clopper_pearson,
    run_case,
    run_cases,
    throughput_verdict,
)
from opennr.conformance.stats import throughput_bounds, throughput_wealth

__all__ = ["BatchOutcomeLink", "CaseResult", "ConformanceCase", "ConformanceOptions", "Frc",
           "ThroughputStop", "best_estimator", "case_status", "clopper_pearson", "load_cases",
           "load_frcs", "report_rows", "run_case", "run_cases", "select_cases",
           "throughput_bounds", "throughput_verdict", "throughput_wealth", "write_report"]
