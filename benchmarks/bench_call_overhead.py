"""Benchmark 1: per-call overhead of RestfulProfile.call against bare clients sending the same bytes.

Four sides per case, each over one keep-alive connection to the same server: connector_sim
(``profile.call``, JSON answer mapped to an output claim), a bare ``requests.Session``
(``headers.clear()``, ``trust_env=False``, the request connector_sim builds, prepared once, answer
parsed), ``urllib3`` and ``http.client`` (the floor under requests). Before timing, every side
sends its request once to a recording server (``tests/helpers/raw_tls.py``) and the four raw
requests must be byte-identical, or the benchmark stops. The server is a throwaway nginx when
installed (``apt-get install nginx``), else ``connector_sim.testing.TlsServer`` in a separate
process (``_nginx.py``; the output says which). Blocks interleaved A B C D, order rotating;
medians of the blocks with min-max. Target: connector_sim / requests at most 1.05.

Run: python benchmarks/bench_call_overhead.py [--calls 4000] [--blocks 20] [--profile N]
"""

from __future__ import annotations

import argparse
import cProfile
import http.client
import json
import pstats
import ssl
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Tuple
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

import requests  # noqa: E402
import urllib3  # noqa: E402
from _nginx import api_server  # noqa: E402
from requests_pkcs12 import Pkcs12Adapter  # noqa: E402

from connector_sim import (  # noqa: E402
    ApiKeyHeader,
    Basic,
    Bearer,
    ClientCertificate,
    ClientCredentials,
    InputClaim,
    OutputClaim,
    RestfulProfile,
)
from connector_sim.testing import FakeTokenEndpoint, make_certificates  # noqa: E402
from tests.helpers.raw_tls import RawTlsServer  # noqa: E402

CLAIMS = {"email": "alice@contoso.com", "givenName": "Alice"}
Call = Callable[[], Any]


def _floor_context(ca: str, pfx: str | None, password: str) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=ca)
    return _pfx_context(context, pfx, password) if pfx is not None else context


def _pfx_context(context: ssl.SSLContext, pfx: str, password: str) -> ssl.SSLContext:
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, pkcs12

    key, cert, chain = pkcs12.load_key_and_certificates(Path(pfx).read_bytes(), password.encode())
    assert key is not None and cert is not None
    folder = tempfile.mkdtemp(prefix="bench-pfx-")
    pem = Path(folder) / "client.pem"
    pem.write_bytes(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
                    + cert.public_bytes(Encoding.PEM) + b"".join(c.public_bytes(Encoding.PEM) for c in chain or ()))
    context.load_cert_chain(str(pem))
    pem.unlink()
    return context


class Sides:
    """The four clients of one case, each built for one base URL."""

    def __init__(self, profile: RestfulProfile, ca: str, pfx: str | None, password: str) -> None:
        self.template = profile
        self.ca, self.pfx, self.password = ca, pfx, password

    def build(self, base: str) -> Dict[str, Call]:
        path = urlsplit(self.template.service_url).path
        profile = self.template.with_changes(service_url=base + path)
        wire = profile.caller().prepare(CLAIMS).wire_request  # the exact bytes, credentials and all
        method, url, body = wire.method, wire.url, wire.body
        headers = dict(wire.headers)
        parts = urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        session = requests.Session()
        session.headers.clear()
        session.trust_env = False
        if self.pfx is not None:
            session.mount("https://", Pkcs12Adapter(pkcs12_filename=self.pfx, pkcs12_password=self.password))
        context = _floor_context(self.ca, self.pfx, self.password)
        # urllib3 puts its own Content-Length before User-Agent; requests puts it after the request's
        # headers, so the floor clients are given it there, to send the same bytes.
        framed = {**headers, **({"Content-Length": str(len(body))} if body else {})}
        if not body and method not in ("GET", "HEAD"):
            framed["Content-Length"] = "0"
        pool = urllib3.HTTPSConnectionPool(parts.hostname, parts.port, ssl_context=context, maxsize=1,
                                           retries=False)
        conn = http.client.HTTPSConnection(parts.hostname or "", parts.port, context=context)

        def sim() -> Any:
            return profile.call(CLAIMS).claims["loyaltyNumber"]

        def bare() -> Any:
            answer = session.request(method, url, headers=headers, data=body, verify=self.ca, timeout=10,
                                     allow_redirects=False)
            return answer.json()["loyaltyNumber"]

        def floor3() -> Any:
            answer = pool.urlopen(method, target, body=body, headers=framed, redirect=False)
            return json.loads(answer.data)["loyaltyNumber"]

        def floor_http() -> Any:
            conn.putrequest(method, target)
            conn.putheader("User-Agent", f"python-urllib3/{urllib3.__version__}")
            for name, value in framed.items():
                conn.putheader(name, value)
            conn.endheaders(body)
            return json.loads(conn.getresponse().read())["loyaltyNumber"]

        return {"connector_sim": sim, "requests": bare, "urllib3": floor3, "http.client": floor_http}


def check_bytes(name: str, sides: Sides, certs: Any, mtls: bool) -> int:
    """Send each side's request once to the recording server; stop unless all are byte-identical."""
    with RawTlsServer(certs, require_client_cert=mtls) as recorder:
        raws: Dict[str, bytes] = {}
        for side, call in sides.build(recorder.base_url).items():
            recorder.clear()
            call()
            raws[side] = recorder.raw[-1]
    first = raws["connector_sim"]
    for side, raw in raws.items():
        if raw != first:
            raise SystemExit(f"{name}: {side} sent different bytes:\n{first!r}\n{raw!r}")
    return len(first)


def _block(call: Call, n: int) -> Tuple[float, float]:
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        call()
    return (time.perf_counter() - started) / n, (time.process_time() - cpu) / n


def measure(name: str, calls: Dict[str, Call], total: int, blocks: int) -> Dict[str, List[Tuple[float, float]]]:
    """Interleaved blocks, the order rotating, after one warm-up call per side: (wall, CPU) per call."""
    for call in calls.values():
        call()
    times: Dict[str, List[Tuple[float, float]]] = {side: [] for side in calls}
    order = list(calls)
    for number in range(blocks):
        for side in order[number % len(order):] + order[:number % len(order)]:
            times[side].append(_block(calls[side], total // blocks))
    return times


def _show(name: str, size: int, times: Dict[str, List[Tuple[float, float]]]) -> Tuple[float, ...]:
    wall = {side: [w for w, _ in t] for side, t in times.items()}
    cpu = {side: [c for _, c in t] for side, t in times.items()}
    med = {side: statistics.median(t) for side, t in wall.items()}
    mcpu = {side: statistics.median(t) for side, t in cpu.items()}
    print(f"{name}  ({size} bytes on the wire, identical on all four sides)")
    for side, t in wall.items():
        print(f"  {side:<14} {med[side] * 1e3:7.3f} ms/call  (min {min(t) * 1e3:6.3f}, max {max(t) * 1e3:6.3f})   "
              f"client CPU {mcpu[side] * 1e3:6.3f} ms/call")
    ratios = (med["connector_sim"] / med["requests"], med["connector_sim"] / med["urllib3"],
              med["connector_sim"] / med["http.client"], mcpu["connector_sim"] / mcpu["requests"])
    per_block = [a / b for a, b in zip(wall["connector_sim"], wall["requests"])]
    print(f"  connector_sim / requests {ratios[0]:.3f} (blocks: median {statistics.median(per_block):.3f}, "
          f"{min(per_block):.3f}-{max(per_block):.3f}; CPU {ratios[3]:.3f}; target <= 1.05)   "
          f"/ urllib3 {ratios[1]:.2f}   / http.client {ratios[2]:.2f}   "
          f"requests / urllib3 {med['requests'] / med['urllib3']:.2f}")
    return ratios


def profile_calls(profile: RestfulProfile, n: int) -> None:
    """cProfile n connector_sim calls; print the costliest functions of connector_sim's own code."""
    caller = profile.caller()
    caller.call(CLAIMS)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(n):
        caller.call(CLAIMS)
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = stats.total_tt  # type: ignore[attr-defined]
    rows = []
    for (path, line, func), (_, calls, tottime, cumtime, _) in stats.stats.items():  # type: ignore[attr-defined]
        if "connector_sim" in path:
            rows.append((tottime, cumtime, calls, f"{Path(path).relative_to(HERE.parent)}:{line} {func}"))
    print(f"\ncProfile of {n} calls of {profile.id}: {total / n * 1e6:.1f} us per call in all "
          "(profiler overhead included); connector_sim's own functions by own time:")
    for tottime, cumtime, calls, where in sorted(rows, reverse=True)[:18]:
        print(f"  own {tottime / n * 1e6:6.2f} us  cum {cumtime / n * 1e6:7.2f} us  {calls // n:>3}x  {where}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=4000, help="calls per side and case (default 4000)")
    parser.add_argument("--blocks", type=int, default=20, help="interleaved blocks (default 20)")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="then cProfile N calls of each case")
    parser.add_argument("--tls-server", action="store_true", help="use TlsServer even when nginx is installed")
    parser.add_argument("--only", help="run only the cases whose name contains this")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-") as folder, make_certificates(folder) as certs, \
            api_server(certs, force_fallback=args.tls_server) as api, \
            FakeTokenEndpoint(clients={"bench": "bench-secret"}, certificates=certs) as entra:
        ca = str(certs.ca_pem)
        credentials = ClientCredentials(authority=entra.authority, client_id="bench", client_secret="bench-secret",
                                        scope="api://bench/.default", ca_bundle=ca)

        def profile(auth: Any, send: str = "Body", mtls: bool = False) -> RestfulProfile:
            base = api["mtls_base"] if mtls else api["base"]
            return RestfulProfile(base + "/api/GetProfile", auth=auth, ca_bundle=api["mtls_ca" if mtls else "ca"],
                                  send_claims_in=send, id=f"REST-{send}",
                                  input_claims=[InputClaim("email"), InputClaim("givenName")],
                                  output_claims=[OutputClaim("loyaltyNumber")])

        pfx, password = api["pfx"], api["password"]
        cases = [
            ("Basic/Body", profile(Basic("api-user", "s3cret")), None, False),
            ("Basic/Form", profile(Basic("api-user", "s3cret"), "Form"), None, False),
            ("ClientCertificate/Body", profile(ClientCertificate(pfx, password), mtls=True), pfx, True),
            ("Bearer (cached client credentials)/Body", profile(Bearer(credentials=credentials)), None, False),
            ("ApiKeyHeader/QueryString", profile(ApiKeyHeader("x-functions-key", "k3y-value"), "QueryString"),
             None, False),
        ]
        cases = [c for c in cases if not args.only or args.only in c[0]]
        print(f"server: {api['server']}; {args.calls} calls per side and case in {args.blocks} interleaved blocks, "
              f"keep-alive; Python {sys.version.split()[0]}, requests {requests.__version__}, "
              f"urllib3 {urllib3.__version__}", flush=True)
        summary = []
        for name, prof, cert, mtls in cases:
            # The recording server uses this run's certificates; the fallback servers have their own CA.
            checked = prof.with_changes(ca_bundle=ca)
            if mtls:  # the fallback servers have their own CA and client certificate
                checked = checked.with_changes(auth=ClientCertificate(certs.client_pfx, certs.password))
            sides = Sides(checked, ca, str(certs.client_pfx) if cert else None, certs.password)
            size = check_bytes(name, sides, certs, mtls)
            timed = Sides(prof, api["mtls_ca" if mtls else "ca"], cert, password)
            summary.append((name, _show(name, size, measure(name, timed.build(api["mtls_base" if mtls else "base"]),
                                                            args.calls, args.blocks))))
            sys.stdout.flush()
        print(f"token endpoint requests: {len(entra.token_requests)}")
        print("summary, connector_sim over:  requests (CPU)      urllib3   http.client")
        for name, (r, u, h, c) in summary:
            print(f"  {name:<40} {r:7.3f} ({c:5.3f})   {u:7.2f}   {h:7.2f}")
        if args.profile:
            for _, prof, _, _ in cases:
                profile_calls(prof, args.profile)


if __name__ == "__main__":
    main()
