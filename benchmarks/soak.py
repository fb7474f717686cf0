"""Soak: five minutes of B2C users at the highest rate this machine sustains, against a local API.

One Locust process of connector_sim users (no pacing: each user calls again as soon as it has an
answer) against the local HTTPS API in its own process, which answers every call with a 200. Every
10 s it records the rate, the failures, this process's RSS and its open file descriptors. It holds
when there is no failure (the server causes none), and neither RSS nor descriptors grow after the
first minute. Exit 1 otherwise.
Run: python benchmarks/soak.py [--seconds 300] [--users 10] [--interval 10]
"""

from __future__ import annotations

import locust  # noqa: F401  (first: gevent must patch the standard library before connector_sim imports ssl)

import argparse
import sys
from pathlib import Path
from typing import List, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _local import local_api  # noqa: E402
from bench_memory import open_fds, rss_kb  # noqa: E402
from connector_sim import Basic, InputClaim, OutputClaim, RestfulProfile  # noqa: E402
from connector_sim.load import ClaimRows, ProfileTarget, run_load, user_class  # noqa: E402
from connector_sim.load.headless import Progress  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=300.0)
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--interval", type=float, default=10.0)
    args = parser.parse_args()
    samples: List[Tuple[float, int, int, float, int, int]] = []

    def sample(p: Progress) -> None:
        samples.append((p.elapsed_s, p.requests, p.failures, p.current_rps, rss_kb(), open_fds()))
        print(f"  {p.elapsed_s:5.0f} s  {p.requests:>9,} calls  {p.failures} failures  {p.current_rps:7.1f} calls/s  "
              f"RSS {samples[-1][4] / 1024:6.2f} MiB  fds {samples[-1][5]}", flush=True)

    with local_api() as api:
        profile = RestfulProfile(api["url"], auth=Basic("api-user", "soak-password"), ca_bundle=api["ca"],
                                 id="REST-GetProfile", input_claims=[InputClaim("email")],
                                 output_claims=[OutputClaim("loyaltyNumber")])
        rows = ClaimRows([{"email": f"user{i}@contoso.com"} for i in range(1000)])
        cls = user_class(ProfileTarget(profile), rows, name="SoakUser", row_per="call")
        print(f"soak: {args.users} users, {args.seconds:g} s, no pacing, local HTTPS API in its own process",
              flush=True)
        report = run_load(cls, users=args.users, spawn_rate=args.users, run_time=args.seconds,
                          on_progress=sample, progress_interval=args.interval)
    print(report.table())
    warm = [s for s in samples if s[0] >= min(60.0, args.seconds / 5)] or samples
    first, last = warm[0], warm[-1]
    calls = max(last[1] - first[1], 1)
    rss_growth = (last[4] - first[4]) * 1024 / calls
    print(f"after warm-up ({first[0]:.0f} s -> {last[0]:.0f} s, {calls:,} calls): RSS {first[4] / 1024:.2f} -> "
          f"{last[4] / 1024:.2f} MiB ({rss_growth:+.3f} bytes per call), max {max(s[4] for s in warm) / 1024:.2f} MiB; "
          f"fds {first[5]} -> {last[5]} (max {max(s[5] for s in warm)})")
    middle = warm[len(warm) // 2]
    print(f"second half ({middle[0]:.0f} s -> {last[0]:.0f} s): RSS {(last[4] - middle[4]) / 1024:+.2f} MiB, "
          f"fds {middle[5]} -> {last[5]}")
    # Locust itself keeps a few counters per second of run (num_reqs_per_sec...), so a flat client
    # still shows some KiB over minutes; a per-call leak would show as 100+ bytes per call.
    held = report.failure_count == 0 and last[5] <= first[5] and rss_growth < 1.0
    print("soak held" if held else "soak did NOT hold")
    return 0 if held else 1


if __name__ == "__main__":
    sys.exit(main())
