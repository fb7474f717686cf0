"""The demo's seed scenarios: each auth strategy, Body/Form/QueryString, and the failures B2C users meet.

Every scenario calls the sample API through the real engine (`RestfulProfile`, `run_journey`,
`ApiConnector`) and says what B2C would do with the answer. Some scenarios are meant to fail (the
error contract, rejected credentials, a 500, a timeout, a connector ValidationError): a scenario
passes when it ends the way B2C would end it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from ..auth import ApiKeyHeader, AuthStrategy, Basic, Bearer, ClientCertificate, StaticBearer
from ..auth._credentials import ClientCredentials
from ..connectors._api_connector import ApiConnector
from ..errors import CallError, ConnectorSimError, RequestTimeoutError, RestApiError
from ..journey import JourneyResult, StepResult, run_journey
from ..keys import KeyStore
from ..policy._policy import load_policy_text
from ..profile import InputClaim, OutputClaim, RestfulProfile
from ..redact import redact_claims
from ..timing import TIMING_PROFILES, TimingProfile
from .policy import DEMO_POLICY, JOURNEY
from .sample_api import BLOCKED_DOMAIN
from .servers import SampleApi

__all__ = ["DEMO_TIMEOUT", "SCENARIOS", "TIMEOUT_NOTE", "Scenario", "ScenarioResult", "run_scenario"]

#: The timeout scenario's timing: short, so the demo finishes in seconds (B2C's is 10 s, 1 retry).
DEMO_TIMEOUT = TimingProfile("demo-timeout", 0.4, 1)
_REAL = TIMING_PROFILES["custom-policy"]
TIMEOUT_NOTE = (f"the timeout scenario waits {DEMO_TIMEOUT.timeout:g} s per attempt so the demo stays quick; "
                f"B2C's real timeout is {_REAL.timeout:g} s, with {_REAL.retries} retry")
_EMAIL = "alice@contoso.com"
_LOYALTY_OUTPUTS = (OutputClaim("loyaltyNumber"), OutputClaim("loyaltyTier", partner_claim_type="tier"))


@dataclass(frozen=True)
class ScenarioResult:
    """One row of the demo's table: how the call went and what B2C would do."""

    scenario: str
    auth: str
    send_claims_in: str
    expected: str  # "success", a CallError class name, or a connector action
    outcome: str
    status: Optional[int]
    attempts: int
    elapsed_ms: float
    b2c_does: str
    claims: Mapping[str, Any] = field(default_factory=dict)  # redacted
    code: Optional[str] = None  # the B2C error code, if any
    expected_code: Optional[str] = None

    @property
    def as_expected(self) -> bool:
        """True when the scenario ended the way B2C would end it."""
        return self.outcome == self.expected and (self.expected_code is None or self.code == self.expected_code)

    def to_dict(self) -> Dict[str, Any]:
        """The row as the ``--json`` output shows it."""
        return {
            "scenario": self.scenario, "auth": self.auth, "send_claims_in": self.send_claims_in,
            "expected": self.expected + (f" {self.expected_code}" if self.expected_code else ""),
            "outcome": self.outcome, "code": self.code, "as_expected": self.as_expected, "status": self.status,
            "attempts": self.attempts, "elapsed_ms": round(self.elapsed_ms, 1), "b2c_does": self.b2c_does,
            "claims": dict(self.claims),
        }


@dataclass(frozen=True)
class Scenario:
    """A named call (or journey) against the sample API, and how B2C should end it."""

    name: str
    auth: str
    send_claims_in: str
    expected: str
    run: Callable[[SampleApi, Scenario], List[ScenarioResult]]
    expected_code: Optional[str] = None


def _claims_text(claims: Mapping[str, Any]) -> str:
    shown = redact_claims(claims)
    return ", ".join(f"{k}={v}" for k, v in shown.items()) if shown else "(no output claims)"


def _error_text(error: CallError) -> str:
    if isinstance(error, RestApiError):
        return f'shows the user "{error.user_sees}" and lets them correct the input (validation profile)'
    if isinstance(error, RequestTimeoutError):
        return f'gives up after {len(error.attempts)} attempts and shows the user "{error.user_message}"'
    return f"fails the step: {error.b2c_code + ': ' if error.b2c_code else ''}{error.message}"


def _row(scenario: Scenario, outcome: str, status: Optional[int], attempts: int, elapsed_ms: float,
         b2c_does: str, claims: Optional[Mapping[str, Any]] = None, code: Optional[str] = None,
         label: Optional[str] = None, auth: Optional[str] = None, send: Optional[str] = None) -> ScenarioResult:
    return ScenarioResult(label or scenario.name, auth or scenario.auth, send or scenario.send_claims_in,
                          scenario.expected, outcome, status, attempts, elapsed_ms, b2c_does,
                          redact_claims(claims or {}), code, scenario.expected_code)


def _call(profile_id: str, path: str, auth: Callable[[SampleApi], AuthStrategy], *, send: str = "Body",
          claims: Optional[Mapping[str, Any]] = None, timing: TimingProfile = _REAL,
          mtls: bool = False) -> Callable[[SampleApi, Scenario], List[ScenarioResult]]:
    """A scenario body that calls one RestfulProfile on the sample API."""

    def run(api: SampleApi, scenario: Scenario) -> List[ScenarioResult]:
        profile = RestfulProfile(
            api.mtls_url(path) if mtls else api.url(path), auth=auth(api), send_claims_in=send, id=profile_id,
            input_claims=[InputClaim("email")], output_claims=_LOYALTY_OUTPUTS, ca_bundle=api.ca_bundle,
            timing=timing,
        )
        try:
            result = profile.call(dict(claims or {"email": _EMAIL}))
        except CallError as error:
            attempts = error.result.attempts if error.result is not None else error.attempts
            status = error.http_status
            return [_row(scenario, type(error).__name__, status, len(attempts),
                         sum(a.elapsed_ms for a in attempts), _error_text(error), code=error.b2c_code)]
        finally:
            profile.close()
        return [_row(scenario, "success", result.status, len(result.attempts), result.elapsed_ms,
                     f"continues with claims {_claims_text(result.claims)}", result.claims)]

    return run


def _journey(api: SampleApi, scenario: Scenario) -> List[ScenarioResult]:
    """The article's REST-AcquireAccessToken -> REST-GetProfile journey, from the embedded policy."""
    policy = load_policy_text(DEMO_POLICY, "connector-sim-demo.xml")
    keys = KeyStore({"B2C_1A_SecureRESTClientId": api.client_id, "B2C_1A_SecureRESTClientSecret": api.client_secret})
    urls = {"REST-AcquireAccessToken": api.token_endpoint.token_url, "REST-GetProfile": api.base_url}
    result: JourneyResult = run_journey(policy, list(JOURNEY), claims={"email": _EMAIL}, keys=keys,
                                        service_urls=urls, ca_bundle=api.ca_bundle)
    labels = {"REST-AcquireAccessToken": ("Basic", "Form"), "REST-GetProfile": ("Bearer (claim)", "Body")}
    rows = []
    for step in result.steps:
        auth, send = labels.get(step.profile, (scenario.auth, scenario.send_claims_in))
        rows.append(_step_row(scenario, step, result, auth, send))
    return rows


def _step_row(scenario: Scenario, step: StepResult, journey: JourneyResult, auth: str, send: str) -> ScenarioResult:
    label = f"{scenario.name}: {step.profile}"
    if step.error is not None:
        return _row(scenario, type(step.error).__name__, step.status, step.attempts, step.elapsed_ms,
                    journey.user_sees or _error_text(step.error), code=step.error.b2c_code, label=label,
                    auth=auth, send=send)
    then = "the next step" if step.profile != JOURNEY[-1] else "the journey"
    return _row(scenario, step.outcome, step.status, step.attempts, step.elapsed_ms,
                f"{then} continues with claims {_claims_text(step.claims_added)}", step.claims_added,
                label=label, auth=auth, send=send)


def _connector(postal_code: str) -> Callable[[SampleApi, Scenario], List[ScenarioResult]]:
    """A user-flow API connector call at PostAttributeCollection."""

    def run(api: SampleApi, scenario: Scenario) -> List[ScenarioResult]:
        with ApiConnector(api.url("/api/connector"), Basic(api.username, api.password),
                          ca_bundle=api.ca_bundle) as connector:
            outcome = connector.post_attribute_collection(email=_EMAIL, given_name="Alice", postal_code=postal_code)
        if outcome.action == "Continue":
            does = f"creates the user, with claims {_claims_text(outcome.claims)}"
        elif outcome.action == "ValidationError":
            does = f'keeps the user on the sign-up page, showing "{outcome.user_sees}"'
        else:
            does = f"stops the flow: {outcome.user_sees}"
        return [_row(scenario, outcome.action or "no action", outcome.status, len(outcome.attempts),
                     outcome.elapsed_ms, does, outcome.claims)]

    return run


def _basic(api: SampleApi) -> AuthStrategy:
    return Basic(api.username, api.password)


def _credentials(api: SampleApi) -> AuthStrategy:
    entra = api.token_endpoint
    return Bearer(credentials=ClientCredentials(authority=entra.authority, client_id=api.client_id,
                                                client_secret=api.client_secret, scope=api.scope,
                                                ca_bundle=api.ca_bundle))


SCENARIOS: Tuple[Scenario, ...] = (
    Scenario("Basic auth", "Basic", "Body", "success", _call("REST-Basic", "/api/basic/profile", _basic)),
    Scenario("Form post", "Basic", "Form", "success",
             _call("REST-Form", "/api/basic/profile", _basic, send="Form")),
    Scenario("Client certificate", "ClientCertificate", "Body", "success",
             _call("REST-ClientCertificate", "/api/certificate/profile", mtls=True,
                   auth=lambda api: ClientCertificate(api.client_pfx, api.pfx_password))),
    Scenario("Client credentials (msal)", "Bearer (msal)", "Body", "success",
             _call("REST-ClientCredentials", "/api/GetProfile", _credentials)),
    Scenario("Policy", "", "", "success", _journey),
    Scenario("Static bearer token", "Bearer (static)", "Body", "success",
             _call("REST-StaticBearer", "/api/static/profile", lambda api: StaticBearer(api.static_token))),
    Scenario("API key header", "ApiKeyHeader", "QueryString", "success",
             _call("REST-ApiKey", "/api/key/profile", lambda api: ApiKeyHeader("x-functions-key", api.api_key),
                   send="QueryString")),
    Scenario("Error contract (409)", "Basic", "Body", "RestApiError",
             _call("REST-Validation", "/api/basic/profile", _basic, claims={"email": f"bob@{BLOCKED_DOMAIN}"})),
    Scenario("Wrong Basic password", "Basic", "Body", "HttpStatusError",
             _call("REST-WrongPassword", "/api/basic/profile", lambda api: Basic(api.username, "wrong-password")),
             expected_code="AADB2C90027"),
    Scenario("API answers 500", "Basic", "Body", "HttpStatusError",
             _call("REST-Broken", "/api/broken/profile", _basic), expected_code="AADB2C90075"),
    Scenario("Timeout", "Basic", "Body", "RequestTimeoutError",
             _call("REST-Slow", "/api/slow/profile", _basic, timing=DEMO_TIMEOUT)),
    Scenario("Connector: Continue", "Basic", "JSON", "Continue", _connector("98052")),
    Scenario("Connector: ValidationError", "Basic", "JSON", "ValidationError", _connector("ABC")),
)


def run_scenario(api: SampleApi, scenario: Scenario) -> Sequence[ScenarioResult]:
    """Run one scenario; an error connector_sim did not expect becomes a failed row, not a crash."""
    try:
        return scenario.run(api, scenario)
    except CallError as error:  # a journey or connector raising where it should report
        return [_row(scenario, type(error).__name__, error.http_status, len(error.attempts), 0.0, _error_text(error),
                     code=error.b2c_code)]
    except ConnectorSimError as error:
        return [_row(scenario, type(error).__name__, None, 0, 0.0, f"refuses the policy: {error}",
                     code=error.b2c_code)]
