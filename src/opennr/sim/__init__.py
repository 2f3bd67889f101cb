"""Monte-Carlo link simulation: sweeps, stop rules, statistics and the results store."""

from opennr.sim.engine import Link, PointResult, StopRule, batch_rng, run_sweep
from opennr.sim.stats import wilson_interval
from opennr.sim.store import ResultsStore

__all__ = ["Link", "PointResult", "ResultsStore", "StopRule", "batch_rng", "run_sweep",
           "wilson_interval"]
