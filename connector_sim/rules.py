"""B2C's upload-time checks of a RESTful technical profile, each written once (§12.9).

Each check returns ``Rule`` findings instead of raising, so the three places that need them say
the same thing with B2C's code: building a ``RestfulProfile`` (raises on the first), building
one from a policy, and ``lint`` (reports them all, with file and line).
"""

from __future__ import annotations

import difflib
import ipaddress
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator, Mapping
from urllib.parse import urlsplit

from .auth import AUTHENTICATION_TYPES
from .claims import fold
from .redact import redact_url

if TYPE_CHECKING:
    from .profile import RestfulProfile

__all__ = [
    "DEPLOYMENT_MODES", "SEND_CLAIMS_IN", "Rule", "check_authentication_type", "check_deployment_mode",
    "check_insecure_auth", "check_profile", "check_send_claims_in", "check_service_url",
]

#: SendClaimsIn value -> HTTP verb (behaviour file §3.1).
SEND_CLAIMS_IN: Mapping[str, str] = {
    "Body": "POST",
    "Form": "POST",
    "Header": "GET",
    "QueryString": "GET",
    "Url": "GET",
}
DEPLOYMENT_MODES = ("Production", "Development")
# A DNS host name (RFC 1123 labels), an IPv4 address or a bracketed IPv6 address.
_HOST = re.compile(r"^(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*"
                   r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?$")


@dataclass(frozen=True)
class Rule:
    """One upload-time finding: B2C's code, what is wrong, how to fix it, and the metadata key at fault."""

    code: str
    message: str
    hint: str | None = None
    key: str | None = None
    name: str | None = None  # lint's short id where B2C's code is shared by several rules

    @property
    def lint_code(self) -> str:
        """The code lint reports: the short id when there is one, else B2C's code."""
        return self.name or self.code


def check_send_claims_in(value: str) -> Iterator[Rule]:
    """SendClaimsIn must be one of B2C's five (AADB2C90029)."""
    if value not in SEND_CLAIMS_IN:
        yield Rule("AADB2C90029", f"unsupported SendClaimsIn {value!r}; use one of {', '.join(SEND_CLAIMS_IN)}",
                   key="SendClaimsIn")


def check_deployment_mode(value: str) -> Iterator[Rule]:
    """DeploymentMode is Production or Development."""
    if value not in DEPLOYMENT_MODES:
        yield Rule("AADB2C90026", f"unknown DeploymentMode {value!r}; use Production or Development")


def _host_is_valid(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        return bool(_HOST.match(host))


def check_service_url(url: str, *, production: bool, allow_insecure: bool) -> Iterator[Rule]:
    """An absolute https URL (http only outside Production) whose host is a host name with no claims."""
    if not url or not isinstance(url, str):
        yield Rule("AADB2C90023", "the ServiceUrl metadata is missing", key="ServiceUrl")
        return
    parts = urlsplit(url)
    netloc_host = parts.netloc.rpartition("@")[2]
    if netloc_host.startswith("[") and "]" in netloc_host:
        netloc_host = netloc_host[: netloc_host.index("]") + 1]
    else:
        netloc_host = netloc_host.partition(":")[0]
    if parts.scheme not in ("https", "http") or not netloc_host:
        yield Rule("AADB2C90026", f"ServiceUrl {url!r} is not an absolute http(s) URL", key="ServiceUrl")
        return
    if "{" in parts.netloc:
        yield Rule("AADB2C90026", "the host name part of the ServiceUrl cannot contain claims",
                   "put claims in the path", key="ServiceUrl")
        return
    if "@" in parts.netloc:
        yield Rule("AADB2C90026", "the ServiceUrl carries credentials (user:password@host); B2C has no such "
                   "feature, and they would be sent instead of the AuthenticationType's",
                   "remove the userinfo and use AuthenticationType Basic", key="ServiceUrl")
    if not _host_is_valid(netloc_host):
        yield Rule("AADB2C90026", f"the host of ServiceUrl {redact_url(url)!r} is not a host name or IP address (a "
                   "placeholder left in?); B2C cannot resolve it, and every call fails",
                   "put the API's deployed address in the ServiceUrl (or a {Settings:...} placeholder)",
                   key="ServiceUrl", name="service-url-host")
    try:
        parts.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError:
        yield Rule("AADB2C90026", f"ServiceUrl {url!r} has an invalid port", key="ServiceUrl")
    if production and parts.scheme == "http" and not allow_insecure:
        yield Rule("AADB2C90256", "production mode policies must use https",
                   "use an https ServiceUrl, or DeploymentMode Development for local work", key="ServiceUrl")


def check_authentication_type(value: str) -> Iterator[Rule]:
    """AuthenticationType is present and one of B2C's five (AADB2C90023, AADB2C90024)."""
    if not value:
        yield Rule("AADB2C90023", "the required metadata item 'AuthenticationType' is missing",
                   key="AuthenticationType")
    elif value not in AUTHENTICATION_TYPES:
        close = difflib.get_close_matches(value, AUTHENTICATION_TYPES, n=1, cutoff=0.5)
        hint = f"did you mean {close[0]!r}?" if close else f"use one of {', '.join(AUTHENTICATION_TYPES)}"
        yield Rule("AADB2C90024", f"contains the unsupported authentication type {value!r}; {hint}",
                   key="AuthenticationType")


def check_insecure_auth(authentication_type: str, *, production: bool, allow_insecure: bool) -> Iterator[Rule]:
    """AuthenticationType None needs AllowInsecureAuthInProduction in a Production policy (AADB2C90258)."""
    if production and authentication_type == "None" and not allow_insecure:
        yield Rule("AADB2C90258", "AuthenticationType None is only allowed in production mode policies with "
                   "metadata key 'AllowInsecureAuthInProduction' set to true",
                   "set allow_insecure_auth_in_production=True, or DeploymentMode Development",
                   key="AuthenticationType")


def check_profile(p: RestfulProfile) -> Iterator[Rule]:
    """Every upload-time check of a built profile, in the order B2C's messages suggest."""
    yield from check_send_claims_in(p.send_claims_in)
    yield from check_deployment_mode(p.deployment_mode)
    production = p.deployment_mode == "Production"
    yield from check_service_url(p.service_url, production=production,
                                 allow_insecure=p.allow_insecure_auth_in_production)
    yield from check_insecure_auth(p.auth.authentication_type, production=production,
                                   allow_insecure=p.allow_insecure_auth_in_production)
    bearer = p.auth.bearer_claim
    if bearer is not None and p.input_claim(bearer) is None:
        yield Rule("AADB2C90193", f"the bearer token claim {bearer!r} (UseClaimAsBearerToken) is not among the "
                   "input claims", f"add InputClaim({bearer!r}) to the profile", key="UseClaimAsBearerToken")
    payload = p.claim_used_for_request_payload
    if payload is not None:
        claim = p.input_claim(payload)
        if claim is None:
            yield Rule("AADB2C90023", f"ClaimUsedForRequestPayload {payload!r} is not among the input claims",
                       key="ClaimUsedForRequestPayload")
        elif claim.data_type != "string":
            yield Rule("AADB2C90023", f"ClaimUsedForRequestPayload {payload!r} must be a string claim",
                       key="ClaimUsedForRequestPayload")
    bearer_key = fold(bearer) if bearer is not None else None
    wire_names = [c.wire_name for c in p.input_claims if fold(c.claim_type_reference_id) != bearer_key]
    duplicates = sorted({n for n in wire_names if wire_names.count(n) > 1})
    if duplicates:
        yield Rule("AADB2C99022", f"input claims send the same name twice: {', '.join(duplicates)}")
