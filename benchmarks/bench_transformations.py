"""Benchmark: claims transformations around calls (a chain of 100 per call; a policy with 1,000).

The policy is synthesized here: 1,000 ClaimsTransformations in ten chains of 100 (each step reads
the previous step's claim: FormatStringClaim, ChangeCase, StringReplace, CopyClaim, in turn), ten
claims transformation technical profiles that run one chain each, and a RESTful profile whose
InputClaimsTransformations are a chain of 100 feeding its request body.

It prints medians (min-max over the repeats) of: load, lint, one chain of 100 run through
``policy.transform`` (a claims transformation profile), the per-transformation median (each of
the 1,000 run alone through ``policy.transform``), and the RESTful profile's whole step (100 input
transformations plus the HTTPS call to a local server) next to the same call without them.
Run: python benchmarks/bench_transformations.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from functools import partial
from pathlib import Path
from typing import Any, Callable, List

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from connector_sim.policy import load_policy_text  # noqa: E402
from connector_sim.testing import Reply, TlsServer, make_certificates  # noqa: E402

CHAINS = 10
LENGTH = 100
NS = 'xmlns="http://schemas.microsoft.com/online/cpim/schemas/2013/06"'
CT_HANDLER = ("Web.TPEngine.Providers.ClaimsTransformationProtocolProvider, Web.TPEngine, Version=1.0.0.0, "
              "Culture=neutral, PublicKeyToken=null")
REST_HANDLER = ("Web.TPEngine.Providers.RestfulProvider, Web.TPEngine, Version=1.0.0.0, Culture=neutral, "
                "PublicKeyToken=null")


def _transformation(chain: int, step: int) -> str:
    source, target = f"c{chain}_{step - 1}", f"c{chain}_{step}"
    kind = step % 4
    if kind == 0:
        method, params = "FormatStringClaim", '<InputParameter Id="stringFormat" DataType="string" Value="{0}x" />'
        tct_in, tct_out = "inputClaim", "outputClaim"
    elif kind == 1:
        method, params = "ChangeCase", '<InputParameter Id="toCase" DataType="string" Value="LOWER" />'
        tct_in, tct_out = "inputClaim1", "outputClaim"
    elif kind == 2:
        method = "StringReplace"
        params = ('<InputParameter Id="oldValue" DataType="string" Value="xx" />'
                  '<InputParameter Id="newValue" DataType="string" Value="y" />')
        tct_in, tct_out = "inputClaim", "outputClaim"
    else:
        method, params, tct_in, tct_out = "CopyClaim", "", "inputClaim", "outputClaim"
    return (f'<ClaimsTransformation Id="T{chain}_{step}" TransformationMethod="{method}">'
            f'<InputClaims><InputClaim ClaimTypeReferenceId="{source}" TransformationClaimType="{tct_in}" />'
            f'</InputClaims>' + (f"<InputParameters>{params}</InputParameters>" if params else "")
            + f'<OutputClaims><OutputClaim ClaimTypeReferenceId="{target}" TransformationClaimType="{tct_out}" />'
            f'</OutputClaims></ClaimsTransformation>')


def policy_text() -> str:
    """A policy with CHAINS x LENGTH transformations, a profile per chain, and a RESTful profile."""
    claims = "".join(f'<ClaimType Id="c{c}_{s}"><DisplayName>c</DisplayName><DataType>string</DataType></ClaimType>'
                     for c in range(CHAINS) for s in range(LENGTH + 1))
    transformations = "\n".join(_transformation(c, s) for c in range(CHAINS) for s in range(1, LENGTH + 1))
    profiles = "".join(
        f'<TechnicalProfile Id="CT-Chain{c}"><DisplayName>d</DisplayName><Protocol Name="Proprietary" '
        f'Handler="{CT_HANDLER}" /><OutputClaims><OutputClaim ClaimTypeReferenceId="c{c}_{LENGTH}" />'
        f'</OutputClaims><OutputClaimsTransformations>'
        + "".join(f'<OutputClaimsTransformation ReferenceId="T{c}_{s}" />' for s in range(1, LENGTH + 1))
        + "</OutputClaimsTransformations></TechnicalProfile>" for c in range(CHAINS))
    rest = (f'<TechnicalProfile Id="REST-Chain"><DisplayName>d</DisplayName><Protocol Name="Proprietary" '
            f'Handler="{REST_HANDLER}" /><Metadata><Item Key="ServiceUrl">https://api.example.com/api</Item>'
            f'<Item Key="AuthenticationType">None</Item><Item Key="AllowInsecureAuthInProduction">true</Item>'
            f'</Metadata><InputClaimsTransformations>'
            + "".join(f'<InputClaimsTransformation ReferenceId="T0_{s}" />' for s in range(1, LENGTH + 1))
            + f'</InputClaimsTransformations><InputClaims><InputClaim ClaimTypeReferenceId="c0_{LENGTH}" />'
            f'</InputClaims></TechnicalProfile>'
            f'<TechnicalProfile Id="REST-Plain"><DisplayName>d</DisplayName><Protocol Name="Proprietary" '
            f'Handler="{REST_HANDLER}" /><Metadata><Item Key="ServiceUrl">https://api.example.com/api</Item>'
            f'<Item Key="AuthenticationType">None</Item><Item Key="AllowInsecureAuthInProduction">true</Item>'
            f'</Metadata><InputClaims><InputClaim ClaimTypeReferenceId="c0_{LENGTH}" /></InputClaims>'
            f'</TechnicalProfile>')
    return (f'<TrustFrameworkPolicy {NS} PolicySchemaVersion="0.3.0.0" TenantId="contoso.onmicrosoft.com" '
            f'PolicyId="B2C_1A_Bench" PublicPolicyUri="http://contoso.onmicrosoft.com/B2C_1A_Bench">'
            f"<BuildingBlocks><ClaimsSchema>{claims}</ClaimsSchema><ClaimsTransformations>{transformations}"
            f"</ClaimsTransformations></BuildingBlocks><ClaimsProviders><ClaimsProvider><DisplayName>x</DisplayName>"
            f"<TechnicalProfiles>{profiles}{rest}</TechnicalProfiles></ClaimsProvider></ClaimsProviders>"
            f"</TrustFrameworkPolicy>")


def timed(fn: Callable[[], Any]) -> float:
    gc.collect()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def line(name: str, values: List[float], unit: str = "ms", scale: float = 1000.0) -> str:
    shown = [v * scale for v in values]
    return f"{name:<58} {statistics.median(shown):10.3f} {unit}  ({min(shown):.3f}-{max(shown):.3f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    text = policy_text()
    print(f"policy: {len(text) // 1024} KB, {CHAINS * LENGTH} transformations, Python {sys.version.split()[0]}")
    loads, lints, chains, steps, plains = [], [], [], [], []
    policy = load_policy_text(text, name="bench.xml")
    seed = {"c0_0": "Hello World xx", **{f"c{c}_0": "Hello World xx" for c in range(CHAINS)}}
    with make_certificates() as certs, TlsServer(lambda request: Reply(200, json={}), certificates=certs) as api:
        urls = {"REST-Chain": api.base_url, "REST-Plain": api.base_url}
        ca = str(certs.ca_pem)

        def chain_step() -> None:
            policy.run("REST-Chain", claims=seed, service_urls=urls, ca_bundle=ca).raise_for_error()

        def plain_step() -> None:
            policy.run("REST-Plain", claims={"c0_100": "x"}, service_urls=urls, ca_bundle=ca).raise_for_error()

        for _ in range(args.repeats):
            loads.append(timed(lambda: load_policy_text(text, name="bench.xml")))
            fresh = load_policy_text(text, name="bench.xml")  # lint caches its schema check per policy
            lints.append(timed(fresh.lint))
            chains.append(timed(lambda: policy.transform("CT-Chain3", seed)))
            # Each run builds the profile and its connection: like with like, one call each.
            steps.append(timed(chain_step))
            plains.append(timed(plain_step))
    singles: List[float] = []
    for c in range(CHAINS):
        for s in range(1, LENGTH + 1):
            singles.append(timed(partial(policy.transform, f"T{c}_{s}", {f"c{c}_{s - 1}": "Hello World xx"})))
    print(line("load (parse, merge, upload checks of 1,000 transformations)", loads))
    print(line("lint (schema included)", lints))
    print(line("one chain of 100 (claims transformation profile)", chains))
    print(line("one transformation alone (policy.transform), median of 1,000", singles, "us", 1e6))
    print(line("RESTful step: 100 input transformations + HTTPS call", steps))
    print(line("RESTful step: the same call without transformations", plains))
    per = statistics.median(chains) / LENGTH
    print(f"per transformation inside a chain: {per * 1e6:.1f} us; chain of 100 / plain HTTPS step: "
          f"{statistics.median(chains) / statistics.median(plains):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
