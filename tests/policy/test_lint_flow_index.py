"""Lint walks the data flow of a policy once: every profile's outputs and every journey once per lint.

Walks are counted (never timed): a policy with many bearer-from-claim profiles used to walk every
journey again for each of them. The flow answers themselves are checked on small policies with
validation cycles, sub journeys that invoke each other, and a profile listed twice in one step.
"""

from __future__ import annotations

from typing import Any

import pytest

from connector_sim.policy import _lint_flow, load_policy_text
from connector_sim.policy._lint_flow import FlowIndex

NS = 'xmlns="http://schemas.microsoft.com/online/cpim/schemas/2013/06"'
REST = "Web.TPEngine.Providers.RestfulProvider, Web.TPEngine, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null"
SELF = ("Web.TPEngine.Providers.SelfAssertedAttributeProvider, Web.TPEngine, Version=1.0.0.0, Culture=neutral, "
        "PublicKeyToken=null")


def _profile(pid: str, *, outputs: tuple[str, ...] = (), inputs: tuple[str, ...] = (), bearer: bool = False,
             validations: tuple[str, ...] = (), handler: str = REST) -> str:
    metadata = ""
    if handler == REST:
        auth = ("<Item Key=\"AuthenticationType\">Bearer</Item><Item Key=\"UseClaimAsBearerToken\">token</Item>"
                if bearer else "<Item Key=\"AuthenticationType\">None</Item>")
        metadata = f"<Metadata><Item Key=\"ServiceUrl\">https://api.example/{pid}</Item>{auth}</Metadata>"
    ins = "".join(f'<InputClaim ClaimTypeReferenceId="{c}"/>' for c in inputs)
    outs = "".join(f'<OutputClaim ClaimTypeReferenceId="{c}"/>' for c in outputs)
    vals = "".join(f'<ValidationTechnicalProfile ReferenceId="{v}"/>' for v in validations)
    return (f'<TechnicalProfile Id="{pid}"><Protocol Name="Proprietary" Handler="{handler}"/>{metadata}'
            f'<InputClaims>{ins}</InputClaims><OutputClaims>{outs}</OutputClaims>'
            + (f"<ValidationTechnicalProfiles>{vals}</ValidationTechnicalProfiles>" if vals else "")
            + "</TechnicalProfile>")


def _step(order: int, *profiles: str, sub: str = "") -> str:
    if sub:
        return (f'<OrchestrationStep Order="{order}" Type="InvokeSubJourney"><JourneyList>'
                f'<Candidate SubJourneyReferenceId="{sub}"/></JourneyList></OrchestrationStep>')
    exchanges = "".join(f'<ClaimsExchange Id="E{order}{i}" TechnicalProfileReferenceId="{p}"/>'
                        for i, p in enumerate(profiles))
    return (f'<OrchestrationStep Order="{order}" Type="ClaimsExchange"><ClaimsExchanges>{exchanges}'
            "</ClaimsExchanges></OrchestrationStep>")


def _policy(profiles: list[str], journeys: str, sub_journeys: str = "") -> Any:
    schema = "".join(f'<ClaimType Id="{c}"><DataType>string</DataType></ClaimType>' for c in ("token", "a", "b", "c"))
    return load_policy_text(
        f'<TrustFrameworkPolicy {NS} PolicyId="B2C_1A_t" TenantId="t.onmicrosoft.com" DeploymentMode="Development">'
        f"<BuildingBlocks><ClaimsSchema>{schema}</ClaimsSchema></BuildingBlocks><ClaimsProviders><ClaimsProvider>"
        f"<TechnicalProfiles>{''.join(profiles)}</TechnicalProfiles></ClaimsProvider></ClaimsProviders>"
        f"<UserJourneys>{journeys}</UserJourneys>"
        + (f"<SubJourneys>{sub_journeys}</SubJourneys>" if sub_journeys else "") + "</TrustFrameworkPolicy>")


@pytest.mark.parametrize("bearers", [10, 80], ids=["10-bearer-profiles", "80-bearer-profiles"])
def test_lint_walks_each_profile_and_the_journeys_once(bearers: int, monkeypatch: pytest.MonkeyPatch) -> None:
    profiles = [_profile("REST-Token", outputs=("token",))]
    profiles += [_profile(f"REST-{i}", inputs=("token", "a"), outputs=("b",), bearer=True) for i in range(bearers)]
    profiles += [_profile(f"Page-{i}", outputs=("a",), validations=("REST-Token", f"REST-{i}"), handler=SELF)
                 for i in range(bearers)]
    journeys = "".join(f'<UserJourney Id="J{i}"><OrchestrationSteps>{_step(1, "REST-Token")}{_step(2, f"REST-{i}")}'
                       "</OrchestrationSteps></UserJourney>" for i in range(bearers))
    policy = _policy(profiles, journeys)
    walks: list[str] = []
    journey_walks: list[int] = []
    real_walk, real_sites = FlowIndex._walk_produced, FlowIndex.journey_sites

    def walk(self: FlowIndex, profile_id: str) -> set[str]:
        walks.append(profile_id)
        return real_walk(self, profile_id)

    def sites(self: FlowIndex, profile_id: str) -> list[_lint_flow.UsageSite]:
        if self._journey_sites is None:
            journey_walks.append(1)
        return real_sites(self, profile_id)

    monkeypatch.setattr(FlowIndex, "_walk_produced", walk)
    monkeypatch.setattr(FlowIndex, "journey_sites", sites)
    assert [f for f in policy.lint() if f.code == "AADB2C90194"] == []
    assert len(walks) == len(set(walks)) <= len(policy.technical_profiles)
    assert journey_walks == [1]


def test_a_validation_cycle_produces_the_union_and_ends() -> None:
    policy = _policy([_profile("A", outputs=("a",), validations=("B",), handler=SELF),
                      _profile("B", outputs=("b",), validations=("A",), handler=SELF)], "")
    flow = FlowIndex(policy)
    assert flow.produced("A") == flow.produced("B") == {"a", "b"}
    assert flow.produced("Missing") == frozenset()


def test_sites_see_earlier_steps_sub_journeys_and_one_site_per_step() -> None:
    policy = _policy(
        [_profile("REST-Token", outputs=("token",)), _profile("REST-Use", inputs=("token",), bearer=True),
         _profile("REST-C", outputs=("c",))],
        f'<UserJourney Id="J"><OrchestrationSteps>{_step(1, sub="SJ1")}{_step(2, "REST-Use", "REST-Use")}'
        "</OrchestrationSteps></UserJourney>",
        f'<SubJourney Id="SJ1"><OrchestrationSteps>{_step(1, "REST-Token")}{_step(2, sub="SJ2")}</OrchestrationSteps>'
        f'</SubJourney><SubJourney Id="SJ2"><OrchestrationSteps>{_step(1, "REST-C")}{_step(2, sub="SJ1")}'
        "</OrchestrationSteps></SubJourney>")
    flow = FlowIndex(policy)
    journey = [s for s in flow.usage_sites("REST-Use") if s.description.startswith("user journey")]
    assert len(journey) == 1 and journey[0].available == {"token", "c"}
    # SJ2 is invoked by SJ1 after REST-Token ran: the sub journey starts with its caller's bag
    assert [s.available for s in flow.journey_sites("REST-C")] == [frozenset({"token"})]
    assert _lint_flow.usage_sites(policy, "REST-Use")[0].available == journey[0].available
