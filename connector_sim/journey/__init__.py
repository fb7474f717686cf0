"""Journeys: several technical profiles sharing one claims bag, as orchestration steps or validation profiles."""

from __future__ import annotations

from .preconditions import precondition_skips
from .result import JourneyResult, StepResult, error_object
from .runner import run_journey, run_profiles

__all__ = ["JourneyResult", "StepResult", "error_object", "precondition_skips", "run_journey", "run_profiles"]
