"""Claims on the command line: ``NAME=VALUE`` and typed ``NAME:=JSON`` (as HTTPie reads them), and the claims
no step reads, with "did you mean"."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable
from typing import Any

from ..errors import ConfigurationError, ConnectorSimError

__all__ = ["claims_used_by", "typed_assignments", "unused_claims"]


def typed_assignments(values: Iterable[str], option: str) -> dict[str, Any]:
    """``NAME=VALUE`` (a string) and ``NAME:=JSON`` (typed: true, 42, [..]) strings as a dict, as HTTPie reads them."""
    result: dict[str, Any] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ConfigurationError(f"{option} expects NAME=VALUE or NAME:=JSON, got {item!r}")
        name = name.strip()
        if name.endswith(":"):
            name = name[:-1].strip()
            try:
                result[name] = json.loads(value)
            except ValueError:
                raise ConfigurationError(f"{option} {name}:= needs a JSON value (true, 42, \"text\", [...]), got "
                                         f"{value!r}") from None
            if not name:
                raise ConfigurationError(f"{option} expects NAME:=JSON, got {':=' + value!r}")
        else:
            result[name] = value
    return result


def claims_used_by(policy: Any, profile_ids: Iterable[str]) -> set[str]:
    """The claims these technical profiles read: input claims and the inputs of their input transformations."""
    used: set[str] = set()
    for profile_id in profile_ids:
        try:
            definition = policy.technical_profile(profile_id)
        except ConnectorSimError:
            continue
        used.update(ref.claim_type_reference_id for ref in getattr(definition, "input_claim_refs", ()))
        for transformation_id in getattr(definition, "input_claims_transformations", ()):
            part = getattr(policy, "transformations", {}).get(transformation_id)
            used.update(claim for claim, _kind in getattr(part, "input_claims", ()))
    return used


def unused_claims(given: Iterable[str], used: Iterable[str]) -> list[str]:
    """A warning for each given claim that nothing uses, with the closest used name ("did you mean")."""
    used = sorted(set(used))
    lines = []
    for name in sorted(set(given) - set(used)):
        close = difflib.get_close_matches(name, used, n=1, cutoff=0.6)
        hint = f"; did you mean --claim {close[0]}=...?" if close else ""
        lines.append(f"the claim {name!r} is not used by any step{hint}")
    return lines
