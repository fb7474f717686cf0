"""Benchmark 2: token endpoint requests per 1,000 calls of a journey "get a token, then call the API".

Three ways, side by side in one run, against a fake Entra token endpoint and a local HTTPS API:

* B2C's own pattern (REST-AcquireAccessToken then REST-GetProfile with UseClaimAsBearerToken): B2C
  keeps no token between journeys, so every journey asks the token endpoint; 1,000 per 1,000.
* ``Bearer(credentials=ClientCredentials(...))`` with its token cache: 1 per 1,000 (the target).
* The same without a cache (a new ``ClientCredentials`` for every call, which also costs msal's
  OpenID discovery request and a new connection): 1,000 per 1,000.

Prints the token requests per 1,000 calls and the time per call of each, and the time ratios.
Run: python benchmarks/bench_token_cache.py [--calls 1000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, List, Tuple

from connector_sim import Bearer, ClientCredentials, InputClaim, OutputClaim, RestfulProfile
from connector_sim.load import PolicyTarget, Sample
from connector_sim.testing import FakeTokenEndpoint, Reply, TlsServer, make_certificates

ROOT = Path(__file__).resolve().parents[1]
POLICY = ROOT / "tests" / "policies" / "journeys" / "JourneysPolicy.xml"
CLIENT, SECRET, SCOPE = "b2c-client", "bench-client-secret", "api://contoso-api/.default"


def _timed(calls: int, one: Callable[[], Any]) -> float:
    started = time.perf_counter()
    for _ in range(calls):
        one()
    return (time.perf_counter() - started) / calls


def b2c_pattern(entra: FakeTokenEndpoint, api: TlsServer, ca: str, calls: int) -> Tuple[int, float]:
    """The journey B2C runs: REST-AcquireAccessToken, then REST-GetProfile with the token claim."""
    keys = {"B2C_1A_SecureRESTClientId": CLIENT, "B2C_1A_SecureRESTClientSecret": SECRET}
    urls = {"REST-AcquireAccessToken": entra.token_url, "REST-GetProfile": api.url("/api/profile")}
    # Planned once and run per journey, exactly as a load run's simulated user does.
    session = PolicyTarget(POLICY, "TokenThenProfile", keys=keys, service_urls=urls, ca_bundle=ca).open()
    samples: List[Sample] = []

    def journey() -> None:
        samples.clear()
        session.run({"email": "ada@contoso.com"}, samples.append)
        assert [s.ok for s in samples] == [True, True], samples

    before = len(entra.token_requests)
    seconds = _timed(calls, journey)
    session.close()
    return len(entra.token_requests) - before, seconds


def client_credentials(entra: FakeTokenEndpoint, api: TlsServer, ca: str, calls: int, cache: bool) -> Tuple[int, float]:
    """REST-GetProfile with Bearer(credentials=...): one shared ClientCredentials, or a new one per call."""

    def profile() -> RestfulProfile:
        credentials = ClientCredentials(authority=entra.authority, client_id=CLIENT, client_secret=SECRET,
                                        scope=SCOPE, ca_bundle=ca)
        return RestfulProfile(api.url("/api/profile"), auth=Bearer(credentials=credentials), ca_bundle=ca,
                              id="REST-GetProfile", input_claims=[InputClaim("email")],
                              output_claims=[OutputClaim("loyaltyNumber")])

    shared = profile()

    def call() -> None:
        used = shared if cache else profile()
        assert used.call({"email": "ada@contoso.com"}).claims["loyaltyNumber"] == "L-1"
        if not cache:
            used.close()

    before = len(entra.token_requests)
    seconds = _timed(calls, call)
    shared.close()
    return len(entra.token_requests) - before, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-") as folder, make_certificates(folder) as certs, \
            FakeTokenEndpoint(clients={CLIENT: SECRET}, certificates=certs) as entra, \
            TlsServer(lambda r: Reply(200, json={"loyaltyNumber": "L-1", "displayName": "Ada"}),
                      certificates=certs) as api:
        ca = str(certs.ca_pem)

        def forget_recordings() -> None:
            api.clear()

        rows = []
        for name, run in (
            ("B2C pattern: REST-AcquireAccessToken every journey", lambda: b2c_pattern(entra, api, ca, args.calls)),
            ("Bearer(credentials=ClientCredentials), cache on",
             lambda: client_credentials(entra, api, ca, args.calls, True)),
            ("ClientCredentials, cache off (new one per call)",
             lambda: client_credentials(entra, api, ca, args.calls, False)),
        ):
            tokens, seconds = run()
            forget_recordings()
            rows.append((name, tokens, seconds))
        print(f"{args.calls} calls each (token + API call), fake Entra token endpoint and API on local HTTPS")
        for name, tokens, seconds in rows:
            print(f"  {name:<52} token requests {tokens:5d}  = {tokens * 1000 / args.calls:7.1f} per 1,000 calls   "
                  f"{seconds * 1e3:6.2f} ms/call")
        b2c, cached, uncached = (r[2] for r in rows)
        print(f"time per call, cache on / B2C pattern: {cached / b2c:.3f}; "
              f"cache on / cache off: {cached / uncached:.3f}")


if __name__ == "__main__":
    main()
