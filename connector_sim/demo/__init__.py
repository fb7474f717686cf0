"""The embedded demo: a sample REST API on 127.0.0.1 and the scenarios ``connector-sim demo`` runs.

Needs no extra: its throwaway certificates are built with ``cryptography`` (``connector_sim.testing``).
"""

from __future__ import annotations

from .runner import DemoReport, run_demo
from .sample_api import DemoCredentials
from .scenarios import SCENARIOS, Scenario, ScenarioResult
from .servers import SampleApi

__all__ = ["DemoCredentials", "DemoReport", "SCENARIOS", "SampleApi", "Scenario", "ScenarioResult", "run_demo"]
