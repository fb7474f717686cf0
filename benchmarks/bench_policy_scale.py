"""Benchmark: policy load and lint as the policy grows (10 / 100 / 1,000 / 5,000 RESTful profiles).

The policy is synthesized here: a ClaimsSchema, RESTful profiles of four kinds (a token profile
that outputs ``bearerToken``, two Bearer profiles with ``UseClaimAsBearerToken``, one
ApiKeyHeader), a self-asserted profile with two validation profiles for every eight, and user
journeys of eight steps that call every profile once. The profiles are spread over a BasePolicy
chain of files under B2C's 1024 KB limit each. A second variant writes ``{Settings:ApiHost}``
into every ServiceUrl and loads it with settings that fill it.

For each size it times, interleaved within each repeat: load, load of the placeholder variant,
and lint; it prints medians with min-max, the ratios (lint / load: target at most 1;
placeholder load / load: target at most 1.2) and the growth exponent of each (the slope of
log time over log size, from 1,000 to 5,000 profiles and fitted over 100..5,000). Each timing
starts after a ``gc.collect()``.
Run: python benchmarks/bench_policy_scale.py [--sizes 10,100,1000,5000] [--repeats 5]
     [--tree DIR]  (import connector_sim from DIR instead, to compare two versions of the code)
"""

from __future__ import annotations

import argparse
import gc
import math
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

NS = ('xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
      'xmlns="http://schemas.microsoft.com/online/cpim/schemas/2013/06"')
REST = ("Web.TPEngine.Providers.RestfulProvider, Web.TPEngine, Version=1.0.0.0, Culture=neutral, "
        "PublicKeyToken=null")
SELF = ("Web.TPEngine.Providers.SelfAssertedAttributeProvider, Web.TPEngine, Version=1.0.0.0, Culture=neutral, "
        "PublicKeyToken=null")
CLAIMS = 40
PROFILES_PER_FILE = 640  # with their 80 journeys about 780 KB of XML: under B2C's 1024 KB per file


def _header(policy_id: str, base: str = "") -> str:
    base_xml = (f"  <BasePolicy>\n    <TenantId>yourtenant.onmicrosoft.com</TenantId>\n"
                f"    <PolicyId>{base}</PolicyId>\n  </BasePolicy>\n") if base else ""
    return (f'<?xml version="1.0" encoding="utf-8" ?>\n<TrustFrameworkPolicy {NS} PolicySchemaVersion="0.3.0.0" '
            f'TenantId="yourtenant.onmicrosoft.com" PolicyId="{policy_id}" '
            f'PublicPolicyUri="http://yourtenant.onmicrosoft.com/{policy_id}">\n{base_xml}')


def _restful(i: int, host: str) -> str:
    kind = i % 4
    url = f'<Item Key="ServiceUrl">https://{host}/api/p{i}</Item>'
    if kind == 0:  # the token profile, like REST-AcquireAccessToken
        auth = ('<Item Key="AuthenticationType">Basic</Item>', ('<Key Id="BasicAuthenticationUsername" '
                'StorageReferenceId="B2C_1A_User" />\n            <Key Id="BasicAuthenticationPassword" '
                'StorageReferenceId="B2C_1A_Password" />'))
        ins, outs = [f"claim{i % CLAIMS}"], ["bearerToken"]
    elif kind in (1, 2):
        auth = (('<Item Key="AuthenticationType">Bearer</Item>\n            '
                 '<Item Key="UseClaimAsBearerToken">bearerToken</Item>'), "")
        ins, outs = ["bearerToken", f"claim{i % CLAIMS}", f"claim{(i + 1) % CLAIMS}"], [f"claim{(i + 2) % CLAIMS}"]
    else:
        auth = ('<Item Key="AuthenticationType">ApiKeyHeader</Item>',
                '<Key Id="x-functions-key" StorageReferenceId="B2C_1A_RestApiKey" />')
        ins, outs = [f"claim{i % CLAIMS}"], [f"claim{(i + 3) % CLAIMS}", f"claim{(i + 4) % CLAIMS}"]
    keys = f"          <CryptographicKeys>\n            {auth[1]}\n          </CryptographicKeys>\n" if auth[1] else ""
    return (f'        <TechnicalProfile Id="REST-{i}">\n          <DisplayName>REST {i}</DisplayName>\n'
            f'          <Protocol Name="Proprietary" Handler="{REST}" />\n          <Metadata>\n            {url}\n'
            f'            {auth[0]}\n            <Item Key="SendClaimsIn">Body</Item>\n          </Metadata>\n{keys}'
            '          <InputClaims>\n'
            + "".join(f'            <InputClaim ClaimTypeReferenceId="{c}" />\n' for c in ins)
            + '          </InputClaims>\n          <OutputClaims>\n'
            + "".join(f'            <OutputClaim ClaimTypeReferenceId="{c}" />\n' for c in outs)
            + '          </OutputClaims>\n        </TechnicalProfile>\n')


def _self_asserted(j: int) -> str:
    return (f'        <TechnicalProfile Id="SelfAsserted-{j}">\n          <Protocol Name="Proprietary" '
            f'Handler="{SELF}" />\n          <OutputClaims>\n'
            f'            <OutputClaim ClaimTypeReferenceId="claim{j % CLAIMS}" '
            '/>\n          </OutputClaims>\n          <ValidationTechnicalProfiles>\n'
            f'            <ValidationTechnicalProfile ReferenceId="REST-{8 * j}" />\n'
            f'            <ValidationTechnicalProfile ReferenceId="REST-{8 * j + 1}" />\n'
            '          </ValidationTechnicalProfiles>\n        </TechnicalProfile>\n')


def _journey(j: int, profiles: int) -> str:
    steps = "".join(
        f'        <OrchestrationStep Order="{k + 1}" Type="ClaimsExchange">\n          <ClaimsExchanges>\n'
        f'            <ClaimsExchange Id="Ex{k}" TechnicalProfileReferenceId="REST-{j * 8 + k}" />\n'
        '          </ClaimsExchanges>\n        </OrchestrationStep>\n' for k in range(8) if j * 8 + k < profiles)
    return (f'    <UserJourney Id="Journey{j}">\n      <OrchestrationSteps>\n{steps}      </OrchestrationSteps>\n'
            '    </UserJourney>\n')


def synthesize(profiles: int, placeholder: bool) -> list[tuple[str, str]]:
    """(name, XML) of a BasePolicy chain holding ``profiles`` RESTful profiles."""
    host = "{Settings:ApiHost}" if placeholder else "api.contoso.example"
    schema = "".join(f'      <ClaimType Id="{c}">\n        <DataType>string</DataType>\n      </ClaimType>\n'
                     for c in ["bearerToken"] + [f"claim{i}" for i in range(CLAIMS)])
    files: list[tuple[str, str]] = []
    previous = ""
    for start in range(0, profiles, PROFILES_PER_FILE):
        policy_id = f"B2C_1A_Part{len(files)}"
        body = "".join(_restful(i, host) for i in range(start, min(profiles, start + PROFILES_PER_FILE)))
        body += "".join(_self_asserted(j) for j in range(start // 8, min(profiles, start + PROFILES_PER_FILE) // 8))
        blocks = f"  <BuildingBlocks>\n    <ClaimsSchema>\n{schema}    </ClaimsSchema>\n  </BuildingBlocks>\n" \
            if not files else ""
        end = min(profiles, start + PROFILES_PER_FILE)
        journeys = "".join(_journey(j, profiles) for j in range(start // 8, (end + 7) // 8))
        files.append((f"Part{len(files)}.xml", _header(policy_id, previous) + blocks + "  <ClaimsProviders>\n"
                      "    <ClaimsProvider>\n      <DisplayName>APIs</DisplayName>\n      <TechnicalProfiles>\n"
                      f"{body}      </TechnicalProfiles>\n    </ClaimsProvider>\n  </ClaimsProviders>\n"
                      f"  <UserJourneys>\n{journeys}  </UserJourneys>\n</TrustFrameworkPolicy>\n"))
        previous = policy_id
    files.append(("RelyingParty.xml", _header("B2C_1A_signup", previous) + "  <RelyingParty>\n"
                  "    <DefaultUserJourney ReferenceId=\"Journey0\" />\n  </RelyingParty>\n</TrustFrameworkPolicy>\n"))
    return files


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()  # each timing starts from a clean heap: a collection the previous one left due is not billed here
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def _fmt(times: Sequence[float]) -> str:
    return f"{statistics.median(times) * 1e3:9.1f} ms ({min(times) * 1e3:.1f}-{max(times) * 1e3:.1f})"


def _slope(points: Sequence[tuple[int, float]]) -> float:
    xs = [math.log(n) for n, _ in points]
    ys = [math.log(t) for _, t in points]
    mx, my = statistics.mean(xs), statistics.mean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10,100,1000,5000")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--tree", default=str(ROOT), help="the directory that holds the connector_sim to measure")
    args = parser.parse_args()
    sys.path.insert(0, args.tree)
    import connector_sim
    from connector_sim.policy import Settings, load_policy_sources
    settings = Settings(values={"ApiHost": "api.contoso.example"}, environment="bench")
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"connector_sim from {Path(connector_sim.__file__).parent}; median (min-max) of {args.repeats} repeats, "
          "load / placeholder load / lint interleaved")
    medians: dict[str, list[tuple[int, float]]] = {"load": [], "placeholders": [], "lint": []}
    for n in sizes:
        plain, filled = synthesize(n, False), synthesize(n, True)
        size_kb = sum(len(text) for _, text in plain) / 1024
        load_policy_sources(plain)  # warm-up
        times: dict[str, list[float]] = {"load": [], "placeholders": [], "lint": []}
        findings = 0
        for _ in range(args.repeats):
            elapsed, policy = _timed(partial(load_policy_sources, plain))
            times["load"].append(elapsed)
            times["placeholders"].append(_timed(partial(load_policy_sources, filled, settings))[0])
            elapsed, found = _timed(policy.lint)
            times["lint"].append(elapsed)
            findings = len(found)
        for name, points in medians.items():
            points.append((n, statistics.median(times[name])))
        load, lint = statistics.median(times["load"]), statistics.median(times["lint"])
        print(f"{n:5d} profiles {len(plain)} files {size_kb:6.0f} KB  load {_fmt(times['load'])}  "
              f"placeholders {_fmt(times['placeholders'])} x{statistics.median(times['placeholders']) / load:.2f}  "
              f"lint {_fmt(times['lint'])} x{lint / load:.2f} ({findings} findings)")
    for name, points in medians.items():
        fitted = [p for p in points if p[0] >= 100]
        last = points[-2:]
        pairwise = (math.log(last[1][1] / last[0][1]) / math.log(last[1][0] / last[0][0])) if len(last) == 2 else 0
        fit = _slope(fitted) if len(fitted) >= 2 else float("nan")
        print(f"growth exponent {name:12s} {last[0][0] if len(last) == 2 else ''}->{points[-1][0]}: {pairwise:.2f}   "
              f"fitted over {fitted[0][0] if fitted else '-'}..{points[-1][0]}: {fit:.2f}")


if __name__ == "__main__":
    main()
