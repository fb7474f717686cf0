"""Benchmark: a 100-step journey against one host, against one kept-alive requests Session.

Each step is its own RestfulProfile (as a policy's profiles are), run by ``run_profiles`` over
one claims bag; the bare side is one ``requests.Session`` making the same 100 calls with the same
bytes. Two trust stores: a local CA only, and the size of the default one (certifi's bundle with
the local CA appended, so loading it costs what loading the default costs). Interleaved A B A B;
medians with min-max.

    python benchmarks/bench_journey_pool.py [--rounds 7] [--steps 100]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Dict, List

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import requests  # noqa: E402
from _local import local_api  # noqa: E402
from requests.utils import DEFAULT_CA_BUNDLE_PATH  # noqa: E402

from connector_sim import Basic, InputClaim, OutputClaim, RestfulProfile, run_profiles  # noqa: E402

BODY = b'{"email":"ada@contoso.com"}'


def _journey(url: str, ca: str, steps: int) -> Callable[[], None]:
    def run() -> None:
        profiles = [RestfulProfile(url, auth=Basic("b2c", "bench-password"), id=f"REST-Step{n}",
                                   input_claims=[InputClaim("email")], output_claims=[OutputClaim("loyaltyNumber")],
                                   ca_bundle=ca) for n in range(steps)]
        result = run_profiles(profiles, {"email": "ada@contoso.com"})
        assert result.ok, result
        for profile in profiles:
            profile.close()
    return run


def _bare(url: str, ca: str, steps: int) -> Callable[[], None]:
    import base64

    header = "Basic " + base64.b64encode(b"b2c:bench-password").decode()

    def run() -> None:
        with requests.Session() as session:
            session.trust_env = False
            session.headers.clear()
            for _ in range(steps):
                answer = session.post(url, data=BODY, verify=ca,
                                      headers={"Content-Type": "application/json", "Authorization": header})
                assert answer.status_code == 200
    return run


def _timed(run: Callable[[], None]) -> float:
    started = time.perf_counter()
    run()
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--steps", type=int, default=100)
    args = parser.parse_args()
    with local_api() as api, tempfile.TemporaryDirectory() as folder:
        big = Path(folder) / "default-size-bundle.pem"
        big.write_bytes(Path(DEFAULT_CA_BUNDLE_PATH).read_bytes() + Path(api["ca"]).read_bytes())
        print(f"{args.steps}-step journey against TlsServer in its own process, {args.rounds} interleaved rounds")
        for label, ca in (("local CA", api["ca"]), ("default-size trust store", str(big))):
            cases = {"connector_sim journey": _journey(api["url"], ca, args.steps),
                     "one requests.Session": _bare(api["url"], ca, args.steps)}
            for run in cases.values():
                run()  # warm up
            times: Dict[str, List[float]] = {name: [] for name in cases}
            for _ in range(args.rounds):
                for name, run in cases.items():
                    times[name].append(_timed(run))
            medians = {name: statistics.median(values) for name, values in times.items()}
            for name, values in times.items():
                print(f"  {label:25} {name:22} median {medians[name]:7.1f} ms  (min {min(values):.1f}, "
                      f"max {max(values):.1f})")
            ratio = medians["connector_sim journey"] / medians["one requests.Session"]
            print(f"  {label:25} ratio {ratio:.2f}x (target: at most 1.3x)")


if __name__ == "__main__":
    main()
