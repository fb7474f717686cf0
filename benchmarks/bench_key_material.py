"""Benchmark: the cost of building ClientCertificate key material, first and after the first.

In one process it builds, from the same .pfx file and password: ``ClientCertificate`` (the
strategy a ClientCertificate profile holds), ``load_pfx`` alone, and ``load_pfx`` plus a TLS
client context from ``new_client_context`` (what ClientCertificate costs once its context is
built from the decoded key), interleaved, counting PKCS #12 decodes. Prints the first build,
the median (min-max) of the later ones, and decodes per build. Target: after the first, under
5 ms per ClientCertificate profile; one decode per distinct (.pfx, password) per process.
Run: python benchmarks/bench_key_material.py [--builds 30] [--tree DIR]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1e3:7.2f} ms ({min(values) * 1e3:.2f}-{max(values) * 1e3:.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--builds", type=int, default=30)
    parser.add_argument("--tree", default=str(ROOT), help="the directory that holds the connector_sim to measure")
    args = parser.parse_args()
    sys.path.insert(0, args.tree)
    from cryptography.hazmat.primitives.serialization import pkcs12

    import connector_sim
    from connector_sim.auth import _certificates
    from connector_sim.testing import make_certificates
    from connector_sim.transport import tls_context

    decodes = [0]
    real = pkcs12.load_key_and_certificates

    def counting(*a: Any, **k: Any) -> Any:
        decodes[0] += 1
        return real(*a, **k)

    pkcs12.load_key_and_certificates = counting  # type: ignore[assignment]
    sides: dict[str, Callable[[Path, str], Any]] = {
        "ClientCertificate(pfx, password)": lambda pfx, pw: connector_sim.ClientCertificate(pfx, pw),
        "load_pfx(pfx, password)": lambda pfx, pw: _certificates.load_pfx(pfx, pw),
    }
    if hasattr(_certificates, "new_client_context"):
        sides["load_pfx + new_client_context"] = lambda pfx, pw: tls_context(
            _certificates.new_client_context(_certificates.load_pfx(pfx, pw)))
    with tempfile.TemporaryDirectory(prefix="bench-keys-") as folder, make_certificates(folder) as certs:
        first: dict[str, float] = {}
        first_decodes: dict[str, int] = {}
        later: dict[str, list[float]] = {name: [] for name in sides}
        later_decodes: dict[str, int] = dict.fromkeys(sides, 0)
        for name, build in sides.items():  # each side's first build from a cold cache, where there is one
            getattr(_certificates, "clear_pfx_cache", lambda: None)()
            before = decodes[0]
            started = time.perf_counter()
            build(certs.client_pfx, certs.password)
            first[name] = time.perf_counter() - started
            first_decodes[name] = decodes[0] - before
        for _ in range(args.builds):
            for name, build in sides.items():
                before = decodes[0]
                started = time.perf_counter()
                build(certs.client_pfx, certs.password)
                later[name].append(time.perf_counter() - started)
                later_decodes[name] += decodes[0] - before
    print(f"connector_sim from {Path(connector_sim.__file__).parent}; {args.builds} later builds per side, "
          "interleaved; median (min-max)")
    for name in sides:
        print(f"  {name:34s} first {first[name] * 1e3:7.2f} ms ({first_decodes[name]} decodes)   "
              f"later {_ms(later[name])}"
              f"   {later_decodes[name] / args.builds:.1f} decodes per build")


if __name__ == "__main__":
    main()
