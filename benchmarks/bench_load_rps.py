"""Benchmark 4: calls per second one connector_sim Locust process sustains, against a plain Locust HttpUser.

Both run in this one process, one after the other for the same time and number of users, against
the same local HTTPS server (in its own process), sending the same request: a JSON POST with Basic
auth, answered with a small JSON body that is parsed. Prints each side's rate and the client CPU
time per call, and their ratios (connector_sim over HttpUser), round by round with the order
alternating, so that what else the machine does hits both alike. Target: rate ratio at least 0.9.
Locust must be imported before connector_sim (gevent patches ssl), hence the first import below.

Run: python benchmarks/bench_load_rps.py [--users 10] [--seconds 8] [--rounds 4]
"""

from __future__ import annotations

import locust  # noqa: F401  (first: gevent must patch the standard library before connector_sim imports ssl)

import argparse
import base64
import json
import resource
import statistics
import sys
from pathlib import Path
from typing import Dict, List, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent))

from locust import HttpUser, constant, task  # noqa: E402

from _local import local_api  # noqa: E402
from connector_sim import Basic, InputClaim, OutputClaim, RestfulProfile  # noqa: E402
from connector_sim.load import ProfileTarget, run_load, user_class  # noqa: E402

PASSWORD = "bench-password"


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _measure(cls: type, users: int, seconds: float) -> Tuple[float, float, int]:
    cpu = _cpu()
    report = run_load(cls, users=users, spawn_rate=100, run_time=seconds)
    cpu = _cpu() - cpu
    if report.failure_count:
        raise SystemExit(f"{cls.__name__}: {report.failure_count} failures: {report.failures_by_reason}")
    return report.requests / report.duration_s, cpu / max(report.requests, 1) * 1e6, report.requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=4, help="measure both sides this many times, order alternating")
    args = parser.parse_args()
    with local_api() as api:
        profile = RestfulProfile(api["url"], auth=Basic("api-user", PASSWORD), ca_bundle=api["ca"],
                                 id="REST-GetProfile", input_claims=[InputClaim("email")],
                                 output_claims=[OutputClaim("loyaltyNumber")])
        ours = user_class(ProfileTarget(profile), claims={"email": "ada@contoso.com"}, name="ConnectorSimUser")
        header = "Basic " + base64.b64encode(f"api-user:{PASSWORD}".encode()).decode()

        class PlainHttpUser(HttpUser):
            host = api["base"]
            wait_time = constant(0)

            def on_start(self) -> None:
                self.client.verify = api["ca"]
                self.client.trust_env = False

            @task
            def get_profile(self) -> None:
                with self.client.post("/api/GetProfile", name="REST-GetProfile", catch_response=True,
                                      data=json.dumps({"email": "ada@contoso.com"}).encode(),
                                      headers={"Content-Type": "application/json", "Authorization": header}) as answer:
                    if answer.status_code != 200 or "loyaltyNumber" not in answer.json():
                        answer.failure("unexpected answer")

        sides = {"connector_sim": ours, "HttpUser": PlainHttpUser}
        ratios: List[Tuple[float, float]] = []
        print(f"{args.users} users, {args.seconds:g} s per side, {args.rounds} rounds (order alternating), local "
              f"HTTPS server in its own process, Basic auth, JSON POST", flush=True)
        for round_number in range(1, args.rounds + 1):
            order = list(sides) if round_number % 2 else list(sides)[::-1]
            measured: Dict[str, Tuple[float, float, int]] = {}
            for name in order:
                measured[name] = _measure(sides[name], args.users, args.seconds)
            (rps_ours, cpu_ours, _), (rps_theirs, cpu_theirs, _) = (
                measured["connector_sim"], measured["HttpUser"])
            ratios.append((rps_ours / rps_theirs, cpu_ours / cpu_theirs))
            print(f"  round {round_number}: connector_sim {rps_ours:7.1f} calls/s {cpu_ours:6.1f} us CPU/call | "
                  f"HttpUser {rps_theirs:7.1f} calls/s {cpu_theirs:6.1f} us CPU/call | rate ratio "
                  f"{ratios[-1][0]:.3f}, CPU ratio {ratios[-1][1]:.3f}", flush=True)
    rate = statistics.median(r for r, _ in ratios)
    cpu = statistics.median(c for _, c in ratios)
    print(f"rate ratio (connector_sim / HttpUser), median of rounds: {rate:.3f}   (target >= 0.9)")
    print(f"client CPU per call ratio (connector_sim / HttpUser), median of rounds: {cpu:.3f}")


if __name__ == "__main__":
    main()
