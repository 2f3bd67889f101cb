"""Monte-Carlo link simulation: scenarios, sweeps, stop rules, statistics, the results store,
local and Dask execution, reports and plots."""

from opennr.sim.engine import (
                               InlineExecutor,
                               Link,
                               PointResult,
                               StopRule,
                               SweepPoint,
                               batch_rng,
                               run_points,
                               run_sweep,
)
from opennr.sim.scenario import Scenario, ScenarioError, load_scenario, parse_scenario
from opennr.sim.stats import crossing_snr, point_metrics, relative_width, wilson_interval
from opennr.sim.store import ResultsStore, StoreError

__all__ = ["InlineExecutor", "Link", "PointResult", "ResultsStore", "Scenario", "ScenarioError",
           "StopRule", "StoreError", "SweepPoint", "batch_rng", "crossing_snr", "load_scenario",
           "parse_scenario", "point_metrics", "relative_width", "run_points", "run_sweep",
           "wilson_interval"]
