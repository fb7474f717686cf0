"""Benchmark 5: memory of 10,000 sequential calls stays flat.

One RestfulProfile (Basic auth, JSON in and out, keep-alive) calls a local HTTPS API that runs in
its own process, so this process's memory is the client's alone. RSS is read after 1,000, 5,000 and
10,000 calls (and peak RSS at the end); growth per call is measured from the 1,000th call on, after
warm-up. Open file descriptors are counted alongside. Target: no growth per call (well under 1 byte
per call; a leak of one small object per call would show as 100+ bytes per call).
Run: python benchmarks/bench_memory.py [--calls 10000]
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _local import local_api  # noqa: E402
from connector_sim import Basic, InputClaim, OutputClaim, RestfulProfile  # noqa: E402


def _status(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def rss_kb() -> int:
    """Resident set size now, in KiB (Linux /proc/self/status VmRSS)."""
    return _status("VmRSS")


def peak_rss_kb() -> int:
    """The highest resident set size so far, in KiB (VmHWM)."""
    return _status("VmHWM")


def open_fds() -> int:
    """Open file descriptors now."""
    return len(os.listdir("/proc/self/fd"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=10_000)
    args = parser.parse_args()
    marks = sorted({1000, args.calls // 2, args.calls})
    with local_api() as api:
        profile = RestfulProfile(api["url"], auth=Basic("api-user", "bench-password"), ca_bundle=api["ca"],
                                 input_claims=[InputClaim("email")], output_claims=[OutputClaim("loyaltyNumber")])
        readings = []
        started = time.perf_counter()
        for number in range(1, args.calls + 1):
            result = profile.call({"email": f"user{number % 100}@contoso.com"})
            assert result.claims["loyaltyNumber"] == "L-1234"
            if number in marks:
                gc.collect()
                readings.append((number, rss_kb(), open_fds()))
        elapsed = time.perf_counter() - started
        profile.close()
    peak = peak_rss_kb()
    print(f"{args.calls:,} sequential calls in {elapsed:.1f} s ({elapsed / args.calls * 1e3:.2f} ms/call), "
          f"local HTTPS API in its own process")
    for number, rss, fds in readings:
        print(f"  after {number:>6,} calls: RSS {rss / 1024:7.2f} MiB   open fds {fds}")
    (first, rss1, _), (last, rss2, _) = readings[0], readings[-1]
    growth = (rss2 - rss1) * 1024 / (last - first)
    print(f"peak RSS {peak / 1024:.2f} MiB; growth from call {first:,} to {last:,}: {rss2 - rss1:+d} KiB = "
          f"{growth:+.2f} bytes per call; fds {readings[0][2]} -> {readings[-1][2]}")


if __name__ == "__main__":
    main()
