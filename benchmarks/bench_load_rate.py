"""Benchmark 4b: the rate of one Locust process: B2CUser on each transport against FastHttpUser and HttpUser.

Four user classes send the same request (a JSON POST with Basic auth, or with --mtls a client
certificate from the .pfx) to the same server, a throwaway nginx when installed (``apt-get install
nginx``), else ``connector_sim.testing.TlsServer`` in a separate process (``_nginx.py`` says which):

- ``B2CUser fast``: ``connector_sim.load`` with ``transport="fast"`` (geventhttpclient);
- ``B2CUser requests``: the default transport;
- ``FastHttpUser``: Locust's own, verifying the server with the same CA, parsing the JSON answer;
- ``HttpUser``: Locust's requests-based user, likewise.

One process, N users (default 20), T seconds per side, rounds with the order rotating; each run
with its own Locust ``Events``. Prints each side's rate and the ratios to FastHttpUser; the median
over rounds is the figure. Target: B2CUser fast / FastHttpUser at least 0.9.
Locust is imported first: gevent must patch ssl before connector_sim imports it.

Run: python benchmarks/bench_load_rate.py [--users 20] [--seconds 10] [--rounds 3] [--mtls]
"""

from __future__ import annotations

import argparse
import base64
import json
import resource
import ssl
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

import locust  # noqa: F401  (first: gevent must patch the standard library before connector_sim imports ssl)

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

from _nginx import api_server  # noqa: E402
from locust import FastHttpUser, HttpUser, constant, task  # noqa: E402

from connector_sim import Basic, ClientCertificate, InputClaim, OutputClaim, RestfulProfile  # noqa: E402
from connector_sim.load import ProfileTarget, run_load, user_class  # noqa: E402
from connector_sim.testing import make_certificates  # noqa: E402

PASSWORD = "bench-password"
BODY = json.dumps({"email": "ada@contoso.com"}, separators=(",", ":")).encode()


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _rate(cls: type, users: int, seconds: float) -> tuple[float, float]:
    """Requests per second, and client CPU microseconds per request."""
    cpu = _cpu()
    report = run_load(cls, users=users, spawn_rate=100, run_time=seconds)
    cpu = _cpu() - cpu
    if report.failure_count:
        raise SystemExit(f"{cls.__name__}: {report.failure_count} failures: {report.failures_by_reason}")
    return report.requests / report.duration_s, cpu / max(report.requests, 1) * 1e6


def _locust_users(api: dict[str, Any], mtls: bool) -> dict[str, type]:
    base = api["mtls_base"] if mtls else api["base"]
    headers = {"Content-Type": "application/json"}
    if not mtls:
        headers["Authorization"] = "Basic " + base64.b64encode(f"api-user:{PASSWORD}".encode()).decode()
    certificate = ClientCertificate(api["pfx"], api["password"]) if mtls else None
    ca = api["mtls_ca" if mtls else "ca"]

    def context(**_: Any) -> ssl.SSLContext:
        made = ssl.create_default_context(cafile=ca)
        if certificate is not None:
            return certificate.ssl_context  # the same decoded .pfx; the CA is loaded into it below
        return made

    if certificate is not None:
        certificate.ssl_context.load_verify_locations(cafile=ca)

    class PlainFastHttpUser(FastHttpUser):
        host = base
        wait_time = constant(0)
        insecure = False
        ssl_context_factory = staticmethod(context)

        @task
        def get_profile(self) -> None:
            with self.client.post("/api/GetProfile", name="REST-GetProfile", data=BODY, headers=headers,
                                  catch_response=True) as answer:
                if answer.status_code != 200 or "loyaltyNumber" not in answer.json():
                    answer.failure("unexpected answer")

    class PlainHttpUser(HttpUser):
        host = base
        wait_time = constant(0)

        def on_start(self) -> None:
            self.client.verify = ca
            self.client.trust_env = False
            self.client.headers.clear()
            if certificate is not None:
                from requests_pkcs12 import Pkcs12Adapter

                self.client.mount("https://", Pkcs12Adapter(pkcs12_filename=api["pfx"],
                                                            pkcs12_password=api["password"]))

        @task
        def get_profile(self) -> None:
            with self.client.post("/api/GetProfile", name="REST-GetProfile", data=BODY, headers=headers,
                                  catch_response=True) as answer:
                if answer.status_code != 200 or "loyaltyNumber" not in answer.json():
                    answer.failure("unexpected answer")

    return {"FastHttpUser": PlainFastHttpUser, "HttpUser": PlainHttpUser}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--mtls", action="store_true", help="ClientCertificate from the .pfx instead of Basic")
    parser.add_argument("--tls-server", action="store_true", help="use TlsServer even when nginx is installed")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-") as folder, make_certificates(folder) as certs, \
            api_server(certs, force_fallback=args.tls_server) as api:
        base = api["mtls_base"] if args.mtls else api["base"]

        def profile() -> RestfulProfile:
            auth = ClientCertificate(api["pfx"], api["password"]) if args.mtls else Basic("api-user", PASSWORD)
            return RestfulProfile(base + "/api/GetProfile", auth=auth, ca_bundle=api["mtls_ca" if args.mtls else "ca"],
                                  id="REST-GetProfile", input_claims=[InputClaim("email")],
                                  output_claims=[OutputClaim("loyaltyNumber")])

        claims = {"email": "ada@contoso.com"}
        sides: dict[str, type] = {
            "B2CUser fast": user_class(lambda: ProfileTarget(profile(), transport="fast"), claims=claims,
                                       name="B2CFast"),
            "B2CUser requests": user_class(lambda: ProfileTarget(profile()), claims=claims, name="B2CRequests"),
            **_locust_users(api, args.mtls),
        }
        print(f"server: {api['server']}; {args.users} users, {args.seconds:g} s per side, {args.rounds} rounds "
              f"(order rotating), one process, {'ClientCertificate' if args.mtls else 'Basic'} JSON POST", flush=True)
        rates: dict[str, list[float]] = {name: [] for name in sides}
        cpus: dict[str, list[float]] = {name: [] for name in sides}
        names = list(sides)
        for number in range(args.rounds):
            order = names[number % len(names):] + names[:number % len(names)]
            for name in order:
                rate, cpu = _rate(sides[name], args.users, args.seconds)
                rates[name].append(rate)
                cpus[name].append(cpu)
            line = "   ".join(f"{name} {rates[name][-1]:6.0f}/s {cpus[name][-1]:4.0f} us" for name in names)
            print(f"  round {number + 1}: {line}", flush=True)
    fast, fast_cpu = statistics.median(rates["FastHttpUser"]), statistics.median(cpus["FastHttpUser"])
    print("rate: median requests/s over rounds (min-max); ratio: of each round's rates, median (min-max); "
          "CPU: client CPU per request")
    for name in names:
        med, cpu = statistics.median(rates[name]), statistics.median(cpus[name])
        ratios = [a / b for a, b in zip(rates[name], rates["FastHttpUser"])]
        print(f"  {name:<18} {med:7.0f}/s ({min(rates[name]):.0f}-{max(rates[name]):.0f})   / FastHttpUser "
              f"{statistics.median(ratios):.3f} ({min(ratios):.3f}-{max(ratios):.3f})   CPU {cpu:5.0f} us/request, "
              f"{cpu / fast_cpu:.2f}x FastHttpUser's")
    print(f"target: B2CUser fast / FastHttpUser at least 0.9 (median of FastHttpUser's rounds: {fast:.0f}/s)")


if __name__ == "__main__":
    main()
