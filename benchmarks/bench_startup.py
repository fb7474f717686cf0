"""Benchmark: start-up costs, each a fresh Python process timed from spawn to exit.

Measured, interleaved round by round (every command once per round, in a rotating order):

* ``python -c pass``, ``import requests`` and ``import connector_sim`` (target: at most 1.2x
  ``import requests``);
* ``connector-sim --version`` (target: within 50 ms of ``python -c pass``);
* ``connector-sim run`` of one Basic-auth JSON POST against a local HTTPS API (a thread of the
  benchmark process, idle otherwise),
  and a requests one-liner script making the same call (target: at most 2x the one-liner);
* ``connector-sim demo`` (target: under 1 s beyond its deliberate timeout wait; ``--demo``);
* a pytest run of a one-test unrelated suite with and without the connector_sim plugin: wall
  time and peak RSS (target of another engineer: +20 ms, +2 MiB).

``connector-sim`` runs as its console script does (``console_main()``), so ``--tree DIR`` can
point every process at another copy of the code (``PYTHONPATH=DIR``) to compare two versions.
Prints the median and min-max of each, and the ratios of medians.
Run: python benchmarks/bench_startup.py [--rounds 15] [--tree DIR] [--demo] [--only 'pytest|import']
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = "import sys; sys.argv[0] = 'connector-sim'; from connector_sim.cli import console_main; console_main()"
POLICY = """<TrustFrameworkPolicy xmlns="http://schemas.microsoft.com/online/cpim/schemas/2013/06"
    PolicyId="B2C_1A_bench" TenantId="contoso.onmicrosoft.com" DeploymentMode="Development">
  <BuildingBlocks><ClaimsSchema>
    <ClaimType Id="email"><DataType>string</DataType></ClaimType>
    <ClaimType Id="loyaltyNumber"><DataType>string</DataType></ClaimType>
  </ClaimsSchema></BuildingBlocks>
  <ClaimsProviders><ClaimsProvider><DisplayName>REST</DisplayName><TechnicalProfiles>
    <TechnicalProfile Id="REST-GetProfile">
      <Protocol Name="Proprietary"
        Handler="Web.TPEngine.Providers.RestfulProvider, Web.TPEngine, Version=1.0.0.0, Culture=neutral,
                 PublicKeyToken=null" />
      <Metadata>
        <Item Key="ServiceUrl">{url}</Item>
        <Item Key="AuthenticationType">Basic</Item>
        <Item Key="SendClaimsIn">Body</Item>
      </Metadata>
      <CryptographicKeys>
        <Key Id="BasicAuthenticationUsername" StorageReferenceId="B2C_1A_RestApiUsername" />
        <Key Id="BasicAuthenticationPassword" StorageReferenceId="B2C_1A_RestApiPassword" />
      </CryptographicKeys>
      <InputClaims><InputClaim ClaimTypeReferenceId="email" /></InputClaims>
      <OutputClaims><OutputClaim ClaimTypeReferenceId="loyaltyNumber" /></OutputClaims>
    </TechnicalProfile>
  </TechnicalProfiles></ClaimsProvider></ClaimsProviders>
</TrustFrameworkPolicy>
"""
ONE_LINER = ("import requests; r = requests.post({url!r}, json={{'email': 'someone@contoso.example'}}, "
             "auth=('api-user', 'bench-password'), verify={ca!r}, timeout=10); r.raise_for_status(); "
             "print(r.json()['loyaltyNumber'])")


def _run_with_rss(argv: list[str], env: dict[str, str], cwd: str) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one process, which must exit 0."""
    # A tiny wrapper process runs it and reads its children's peak RSS (only that one child).
    wrapper = ("import os, resource, subprocess, sys, time; t = time.perf_counter(); "
               "p = subprocess.run(sys.argv[1:], capture_output=True); e = time.perf_counter() - t; "
               "u = resource.getrusage(resource.RUSAGE_CHILDREN); "
               "sys.exit(p.returncode) if p.returncode else print(e, u.ru_maxrss / 1024)")
    result = subprocess.run([sys.executable, "-c", wrapper, *argv], env=env, cwd=cwd, capture_output=True, text=True,
                            check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{argv} exited {result.returncode}")
    elapsed, rss = result.stdout.split()
    return float(elapsed), float(rss)


@contextlib.contextmanager
def _api(tree: str, folder: str) -> Iterator[dict[str, str]]:
    """A local HTTPS API in this (otherwise idle) process: it answers while a measured process waits."""
    sys.path.insert(0, tree)
    from connector_sim.testing import Reply, TlsServer, make_certificates

    body = Reply(200, json={"loyaltyNumber": "L-1234"})
    with make_certificates(Path(folder) / "certs") as certs, \
            TlsServer(lambda request: body, certificates=certs) as server:
        forget = threading.Event()

        def clear() -> None:  # forget recorded requests, so the server's memory stays flat
            while not forget.wait(1.0):
                server.clear()

        threading.Thread(target=clear, daemon=True).start()
        try:
            yield {"url": server.url("/api/GetProfile"), "ca": str(certs.ca_pem)}
        finally:
            forget.set()


def _fmt(values: list[float], unit: str = "ms", scale: float = 1e3) -> str:
    return f"{statistics.median(values) * scale:8.1f} {unit} ({min(values) * scale:.1f}-{max(values) * scale:.1f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--tree", default=str(ROOT), help="the directory that holds the connector_sim to measure")
    parser.add_argument("--demo", action="store_true", help="also time `connector-sim demo` (several seconds a run)")
    parser.add_argument("--only", default="", help="time only the commands whose names contain one of these "
                        "|-separated words")
    args = parser.parse_args()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [args.tree, os.environ.get("PYTHONPATH")])))
    env.pop("PYTEST_ADDOPTS", None)
    py = sys.executable
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as folder, _api(args.tree, folder) as api:
        work = Path(folder)
        (work / "policy.xml").write_text(POLICY.format(url=api["url"]), encoding="utf-8")
        (work / "keys.json").write_text(json.dumps({"B2C_1A_RestApiUsername": "api-user",
                                                    "B2C_1A_RestApiPassword": "bench-password"}), encoding="utf-8")
        suite = work / "suite"
        suite.mkdir()
        (suite / "test_unrelated.py").write_text("def test_nothing():\n    assert 1 + 1 == 2\n", encoding="utf-8")
        pytest_argv = [py, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-c", os.devnull, str(suite)]
        commands: dict[str, list[str]] = {
            "python -c pass": [py, "-c", "pass"],
            "import requests": [py, "-c", "import requests"],
            "import connector_sim": [py, "-c", "import connector_sim"],
            "connector-sim --version": [py, "-c", CLI, "--version"],
            "requests one-liner call": [py, "-c", ONE_LINER.format(url=api["url"], ca=api["ca"])],
            "connector-sim run (1 call)": [py, "-c", CLI, "run", "REST-GetProfile", "--policy", "policy.xml",
                                           "--keys", "keys.json", "--claim", "email=someone@contoso.example",
                                           "--ca-bundle", api["ca"]],
            "pytest, plugin off": [*pytest_argv, "-p", "no:connector_sim.pytest_plugin"],
            "pytest, plugin on": pytest_argv,
        }
        if args.demo:
            commands["connector-sim demo"] = [py, "-c", CLI, "demo"]
        if args.only:
            wanted = args.only.split("|")
            commands = {k: v for k, v in commands.items() if any(w in k for w in wanted)}
        times: dict[str, list[float]] = {name: [] for name in commands}
        rss: dict[str, list[float]] = {name: [] for name in commands}
        names = list(commands)
        for name in names:  # one warm-up run each: the page cache and .pyc files, not what is measured
            _run_with_rss(commands[name], env, folder)
        probe = ("import connector_sim, sys; print(connector_sim.__file__); print(sorted(m for m in ('requests', "
                 "'cryptography', 'msal', 'defusedxml', 'urllib3') if m in sys.modules))")
        import_probe = subprocess.run([py, "-c", probe], env=env, cwd=folder, capture_output=True,
                                          text=True, check=False)
        for round_ in range(args.rounds):
            shift = round_ % len(names)
            for name in names[shift:] + names[:shift]:
                elapsed, peak = _run_with_rss(commands[name], env, folder)
                times[name].append(elapsed)
                rss[name].append(peak)
    print(f"{args.rounds} interleaved rounds, each command a fresh process; median (min-max); peak RSS median")
    print(f"connector_sim: {import_probe.stdout.strip().splitlines()[0] if import_probe.stdout else '?'}; "
          f"heavy modules after `import connector_sim`: "
          f"{import_probe.stdout.strip().splitlines()[-1] if import_probe.stdout else '?'}")
    for name in names:
        print(f"  {name:28s} {_fmt(times[name])}   RSS {statistics.median(rss[name]):6.1f} MiB")
    med = {name: statistics.median(values) for name, values in times.items()}

    def ratio(a: str, b: str, label: str) -> None:
        if a in med and b in med:
            print(f"{label:58s} {med[a] / med[b]:.2f}")

    ratio("import connector_sim", "import requests", "import connector_sim / import requests (target <= 1.2)")
    if "connector-sim --version" in med and "python -c pass" in med:
        print(f"{'connector-sim --version minus python -c pass (target <= 50 ms)':58s} "
              f"{(med['connector-sim --version'] - med['python -c pass']) * 1e3:.1f} ms")
    ratio("connector-sim run (1 call)", "requests one-liner call",
          "connector-sim run / requests one-liner (target <= 2)")
    if "pytest, plugin on" in med and "pytest, plugin off" in med:
        print(f"{'pytest plugin: added wall time, added peak RSS':58s} "
              f"{(med['pytest, plugin on'] - med['pytest, plugin off']) * 1e3:+.1f} ms, "
              f"{statistics.median(rss['pytest, plugin on']) - statistics.median(rss['pytest, plugin off']):+.1f} MiB")


if __name__ == "__main__":
    main()
