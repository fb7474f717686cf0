"""The negative matrix against a live extension API: the right Entra token must pass, every wrong one fail.

Each case of ``EntraAuthority.token_cases`` is sent as one real call of the event, on the
extension's URL, timeout and TLS settings. A wrong token must get HTTP 401 or 403; a wrong token
answered with anything below 400 was accepted, which is a security finding. The right token must
be answered with HTTP 200. Tokens never appear in the result: each case names what is wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..auth import AuthStrategy
from ..errors import ConfigurationError
from ..wire import WireRequest

if TYPE_CHECKING:
    from ._external_id import ExternalIdExtension

__all__ = ["AuthCase", "AuthCheckResult", "FixedAuthorization", "run_auth_check"]

REFUSALS = (401, 403)


class FixedAuthorization(AuthStrategy):
    """Exactly one Authorization header value (or none), as a matrix case prescribes."""

    authentication_type = "Bearer"
    claim = None

    def __init__(self, header: str | None) -> None:
        self._header = header

    def apply(self, request: WireRequest, claims: Mapping[str, Any], *, profile_id: str = "") -> WireRequest:
        """Add the case's header, if it has one."""
        return request if self._header is None else request.with_headers({"Authorization": self._header})

    def secret_values(self, claims: Mapping[str, Any] | None = None) -> tuple[str, ...]:
        """The token in the header."""
        return (self._header.partition(" ")[2],) if self._header else ()

    def __repr__(self) -> str:
        return "FixedAuthorization(***)" if self._header else "FixedAuthorization(none)"


@dataclass(frozen=True)
class AuthCase:
    """One matrix case's result: what was wrong, the status, whether the API accepted it, and the verdict."""

    name: str
    description: str
    expect_accepted: bool
    status: int | None
    accepted: bool | None  # None: no answer, or a status that is neither acceptance nor a refusal
    ok: bool
    reason: str

    @property
    def security_finding(self) -> bool:
        """A wrong token the API accepted."""
        return bool(self.accepted) and not self.expect_accepted

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"case": self.name, "description": self.description, "expect": "accept" if self.expect_accepted
                else "refuse (401 or 403)", "status": self.status, "accepted": self.accepted, "ok": self.ok,
                "security_finding": self.security_finding, "reason": self.reason}


@dataclass(frozen=True)
class AuthCheckResult:
    """The whole matrix for one API: every case, the findings, and the authority the API must trust."""

    url: str
    event: str
    version: int
    issuer: str
    openid_configuration_url: str
    cases: tuple[AuthCase, ...]

    @property
    def findings(self) -> tuple[AuthCase, ...]:
        """Wrong tokens the API accepted (security findings)."""
        return tuple(case for case in self.cases if case.security_finding)

    @property
    def ok(self) -> bool:
        """True when the right token was accepted and every wrong one refused with 401 or 403."""
        return all(case.ok for case in self.cases)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the CLI's ``--json``)."""
        return {"url": self.url, "event": self.event, "token_version": self.version, "issuer": self.issuer,
                "openid_configuration_url": self.openid_configuration_url, "ok": self.ok,
                "security_findings": [case.name for case in self.findings],
                "cases": [case.to_dict() for case in self.cases]}

    def summary(self) -> str:
        """A readable table, one line per case, then the verdict."""
        width = max(len(case.name) for case in self.cases)
        lines = [f"auth-check {self.event} -> POST {self.url}", f"  trusting {self.openid_configuration_url}",
                 f"  issuer {self.issuer}, v{self.version} tokens"]
        for case in self.cases:
            status = str(case.status) if case.status is not None else "---"
            mark = "ok  " if case.ok else ("FINDING" if case.security_finding else "FAIL")
            lines.append(f"  {mark:7} {case.name.ljust(width)}  HTTP {status:3}  {case.reason}")
        if self.findings:
            lines.append(f"SECURITY: the API accepted {len(self.findings)} wrong token(s): "
                         + ", ".join(case.name for case in self.findings))
        lines.append("result: " + ("every wrong token refused, the right one accepted" if self.ok else "FAILED"))
        return "\n".join(lines)


def _judge(case: Any, status: int | None, error: Any) -> AuthCase:
    if status is None:
        reason = f"no answer: {getattr(error, 'message', error)}"
        return AuthCase(case.name, case.description, case.expect_accepted, None, None, False, reason)
    accepted = True if status < 400 else (False if status in REFUSALS else None)
    if case.expect_accepted:
        ok = status == 200
        reason = "accepted" if ok else (f"the right token was refused with HTTP {status}; check the API's issuer, "
                                        "audience, JWKS URL and caller (azp/appid) settings" if not accepted
                                        else f"HTTP {status}: Entra needs HTTP 200")
    elif accepted:
        ok, reason = False, f"ACCEPTED: {case.description}"
    elif accepted is False:
        ok, reason = True, "refused"
    else:
        ok, reason = False, f"HTTP {status}: a refused token should get 401 (or 403)"
    return AuthCase(case.name, case.description, case.expect_accepted, status, accepted, ok, reason)


def run_auth_check(extension: ExternalIdExtension, authority: Any, extension_app_id: str, *, event: str,
                   version: int | None, fields: Mapping[str, Any]) -> AuthCheckResult:
    """Send ``event`` once per matrix case, each with its own Authorization header, and judge each answer."""
    from urllib.parse import urlsplit

    if not hasattr(authority, "token_cases"):
        raise ConfigurationError("auth_check needs an EntraAuthority (connector_sim.testing) to mint the tokens")
    chosen = version or authority.default_version
    host = urlsplit(extension.url).hostname or "localhost"
    cases = authority.token_cases(extension_app_id, version=chosen, app_id_uri=f"api://{host}/{extension_app_id}")
    settings: dict[str, Any] = {
        "extensions_app_id": extension.extensions_app_id, "tenant_id": extension.tenant_id,
        "tenant_domain": extension.tenant_domain, "client_app_id": extension.client_app_id,
        "app_display_name": extension.app_display_name, "listener_id": extension.listener_id,
        "extension_id": extension.extension_id, "timeout_ms": extension.timeout_ms,
        "maximum_retries": extension.maximum_retries, "ca_bundle": extension.ca_bundle, "name": extension.name,
        "behavior_on_error": extension.behavior_on_error, "encryption_key": extension.encryption_key,
        "jwe_algorithm": extension.jwe_algorithm, "jwe_encryption": extension.jwe_encryption,
        "exact_case": extension.exact_case}
    results = []
    spec_name = None
    for case in cases:
        # The same kind of extension, so this module needs no import of it (no cycle).
        with type(extension)(extension.url, FixedAuthorization(case.authorization), **settings) as sender:
            outcome = sender.call(event, **fields)
        spec_name = outcome.step
        results.append(_judge(case, outcome.status, outcome.error))
    return AuthCheckResult(extension.shown_url, spec_name or event, chosen, authority.issuer_for(chosen),
                           authority.openid_configuration_url, tuple(results))
