"""Benchmark 3: loading a starter-pack-sized policy set against a bare ElementTree parse of the same files.

The set is synthesized by tests/policies/synth.py: a TrustFrameworkBase of about 150 KB, its
extensions and a relying party. connector_sim's side reads the files with defusedxml, merges the
BasePolicy chain, resolves claim types and builds one RESTful profile with its key; the bare side
only parses the three files with xml.etree. Prints the best of N runs of each and their ratio.
Target: under 100 ms for connector_sim.
Run: python benchmarks/bench_policy_load.py [--runs 20] [--base-kb 150]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, List
from xml.etree import ElementTree

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from connector_sim import load_policy  # noqa: E402
from tests.policies.synth import write_policy_set  # noqa: E402


def _runs(runs: int, fn: Callable[[], Any]) -> List[float]:
    fn()  # the first run pays for imports and caches
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--base-kb", type=int, default=150)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-policy-") as folder:
        paths = list(write_policy_set(Path(folder), args.base_kb).values())
        size = sum(p.stat().st_size for p in paths) / 1024
        ours = _runs(args.runs, lambda: load_policy(*paths).profile("TP-0", {"RestApiKey": "k"}))
        bare = _runs(args.runs, lambda: [ElementTree.parse(p) for p in paths])
        policy = load_policy(*paths)
    print(f"{len(paths)} files, {size:.0f} KB, {len(policy.technical_profiles)} technical profiles, "
          f"{len(policy.claim_types)} claim types; best and median of {args.runs} runs")
    print(f"  connector_sim load_policy + profile  best {min(ours) * 1e3:6.1f} ms   median "
          f"{statistics.median(ours) * 1e3:6.1f} ms   (target < 100 ms)")
    print(f"  bare ElementTree.parse               best {min(bare) * 1e3:6.1f} ms   median "
          f"{statistics.median(bare) * 1e3:6.1f} ms")
    print(f"ratio connector_sim / bare parse: {min(ours) / min(bare):.2f} (best), "
          f"{statistics.median(ours) / statistics.median(bare):.2f} (median)")


if __name__ == "__main__":
    main()
