"""Benchmark 1: per-call overhead of RestfulProfile.call against a bare requests.Session.

Both send the identical request to the same local HTTPS server over a keep-alive connection,
interleaved in blocks so that machine drift hits both alike. Prints the ratio per strategy.
Target: at most 1.10. Run: python benchmarks/bench_call_overhead.py [--calls N]
"""

from __future__ import annotations

import argparse
import tempfile
import statistics
import time
from typing import Any, Callable

import requests
from requests_pkcs12 import Pkcs12Adapter

from connector_sim import (
    Basic, Bearer, ClientCertificate, ClientCredentials, InputClaim, OutputClaim, RestfulProfile,
)
from connector_sim.encoding import encode_request
from connector_sim.testing import FakeTokenEndpoint, Reply, TlsServer, make_certificates

ANSWER = Reply(200, json={"loyaltyNumber": "L-1234"})


def _time(fn: Callable[[], Any], n: int) -> float:
    started = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - started) / n


def _bare(session: requests.Session, profile: RestfulProfile, claims: dict[str, Any], ca: str) -> Callable[[], Any]:
    # The same bytes connector_sim sends, prepared once: the bare client does the least possible work.
    request = profile.auth.apply(encode_request(profile, claims), claims)
    headers, body, url = dict(request.headers), request.body, request.url

    def call() -> Any:
        response = session.post(url, headers=headers, data=body, verify=ca, timeout=10)
        return response.json()["loyaltyNumber"]

    return call


def measure(name: str, profile: RestfulProfile, session: requests.Session, ca: str, calls: int, blocks: int) -> float:
    claims = {"email": "alice@contoso.com", "bearerToken": "unused"}
    sim = lambda: profile.call(claims).claims["loyaltyNumber"]  # noqa: E731
    bare = _bare(session, profile, claims, ca)
    sim(), bare()  # warm both connections (and the token cache)
    ours, theirs = [], []
    for _ in range(blocks):
        ours.append(_time(sim, calls // blocks))
        theirs.append(_time(bare, calls // blocks))
    ratio = statistics.median(ours) / statistics.median(theirs)
    print(f"{name:<32} connector_sim {statistics.median(ours) * 1e3:7.3f} ms/call   "
          f"bare requests {statistics.median(theirs) * 1e3:7.3f} ms/call   ratio {ratio:5.3f}")
    return ratio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    # Many small blocks: the median block shrugs off what other processes on a shared machine do.
    parser.add_argument("--calls", type=int, default=8000)
    parser.add_argument("--blocks", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-") as folder, make_certificates(folder) as certs, \
            TlsServer(lambda r: ANSWER, certificates=certs) as api, \
            TlsServer(lambda r: ANSWER, certificates=certs, require_client_cert=True) as mtls, \
            FakeTokenEndpoint(clients={"bench": "bench-secret"}, certificates=certs) as entra:
        ca = str(certs.ca_pem)

        def profile(server: TlsServer, auth: Any) -> RestfulProfile:
            return RestfulProfile(server.url("/api/GetProfile"), auth=auth, ca_bundle=ca,
                                  input_claims=[InputClaim("email")], output_claims=[OutputClaim("loyaltyNumber")])

        plain = requests.Session()
        plain.trust_env = False
        cert_session = requests.Session()
        cert_session.trust_env = False
        cert_session.mount("https://", Pkcs12Adapter(pkcs12_filename=str(certs.client_pfx),
                                                      pkcs12_password=certs.password))
        credentials = ClientCredentials(authority=entra.authority, client_id="bench", client_secret="bench-secret",
                                        scope="api://bench/.default", ca_bundle=ca)
        print(f"{args.calls} calls per side, {args.blocks} interleaved blocks, keep-alive, local HTTPS server")
        measure("Basic", profile(api, Basic("api-user", "s3cret")), plain, ca, args.calls, args.blocks)
        measure("ClientCertificate", profile(mtls, ClientCertificate(certs.client_pfx, certs.password)),
                cert_session, ca, args.calls, args.blocks)
        measure("Bearer (client credentials)", profile(api, Bearer(credentials=credentials)), plain, ca,
                args.calls, args.blocks)
        print(f"token endpoint requests: {len(entra.token_requests)}")


if __name__ == "__main__":
    main()
