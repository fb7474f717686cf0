"""Migration rehearsal: which Entra External ID event could carry each B2C REST call, and what breaks on the way.

For each RESTful technical profile of a policy (and each user-flow API connector step named), the
event is chosen from how the call is used: a validation profile of a self-asserted page becomes
OnAttributeCollectionSubmit, a call in an orchestration step OnTokenIssuanceStart, a legacy password
check OnPasswordSubmit (just-in-time migration), a call that hands out a one-time code OnOtpSend. The
breaks are the differences an API must absorb: Entra's own bearer token instead of the profile's
AuthenticationType, Entra's fixed JSON document instead of SendClaimsIn, the actions instead of B2C's
409/userMessage error contract, 2 s instead of 10 s, no claims transformations, a fixed targetUrl.
This is the offline analysis the B2C Migration Policy Analyzer leaves to people. Pure, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..timing import timing_profile
from ._request import normalise_step

__all__ = ["MigrationItem", "MigrationReport", "migrate_check"]

_STEP_EVENTS = {"PostFederationSignup": "OnAttributeCollectionStart",
                "PostAttributeCollection": "OnAttributeCollectionSubmit",
                "PreTokenIssuance": "OnTokenIssuanceStart"}
_PASSWORD = re.compile(r"password", re.IGNORECASE)
_OTP = re.compile(r"otp|one.?time|verificationcode|passcode", re.IGNORECASE)
_EXTENSION_TIMEOUT_S = 2.0
_ERRORS = {
    "OnAttributeCollectionSubmit": "B2C's error contract (HTTP 400/409 with userMessage) becomes HTTP 200 with "
                                   "showValidationError (message, attributeErrors) or showBlockPage",
    "OnAttributeCollectionStart": "B2C's error contract becomes HTTP 200 with showBlockPage; any other status "
                                  "fails the sign-up (1003002)",
    "OnTokenIssuanceStart": "provideClaimsForToken has no error action: where the API answered 409/userMessage, "
                            "any non-200 answer now fails the sign-in and no token is issued",
    "OnPasswordSubmit": "a refused password becomes HTTP 200 with Retry or Block (title, message), echoing the "
                        "nonce of encryptedPasswordContext",
    "OnOtpSend": "an error means no code is sent, unless the listener falls back to Microsoft's provider",
}


@dataclass(frozen=True)
class MigrationItem:
    """One B2C call: where it is used, the External ID event that could carry it, why, and what breaks."""

    source: str
    kind: str  # "restful-profile" or "user-flow-step"
    used_as: str
    event: str | None
    why: str
    breaks: tuple[str, ...]
    obsolete: bool = False  # a call External ID makes unnecessary (fetching a token for another call)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"source": self.source, "kind": self.kind, "used_as": self.used_as, "event": self.event,
                "obsolete": self.obsolete, "why": self.why, "breaks": list(self.breaks)}


@dataclass(frozen=True)
class MigrationReport:
    """Every call found, in policy order, then the user-flow steps."""

    items: tuple[MigrationItem, ...]

    @property
    def ok(self) -> bool:
        """True when every call has an event that could carry it (or is no longer needed)."""
        return all(item.event or item.obsolete for item in self.items)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the CLI's ``--json``)."""
        return {"ok": self.ok, "items": [item.to_dict() for item in self.items]}


def _usage(policy: Any) -> dict[str, list[str]]:
    """Profile id -> how it is used: validation of self-asserted profiles, orchestration steps."""
    used: dict[str, list[str]] = {}
    for profile in policy.technical_profiles.values():
        for reference in profile.validation_technical_profiles:
            used.setdefault(reference.reference_id, []).append(f"validation of {profile.id}")
    for kind, journeys in (("journey", policy.user_journeys), ("sub journey", policy.sub_journeys)):
        for journey_id, steps in journeys.items():
            for step in steps:
                for profile_id in step.technical_profile_ids:
                    used.setdefault(profile_id, []).append(f"step {step.order} of {kind} {journey_id}")
    return used


def _event_for(profile: Any, uses: list[str]) -> tuple[str | None, str]:
    inputs = [c.claim_type_reference_id for c in profile.input_claims]
    answers = [str(getattr(c, "partner_claim_type", None) or c.claim_type_reference_id) for c in profile.output_claims]
    if answers and all(name.lower() in ("access_token", "bearertoken") for name in answers):
        return None, ("it fetches an access token for another call (REST-AcquireAccessToken): Entra acquires its "
                      "own token for each extension, so this call goes away")
    if any(_PASSWORD.search(name) for name in inputs):
        return "OnPasswordSubmit", ("it sends a password to check: just-in-time migration calls OnPasswordSubmit "
                                    "when a user flagged toBeMigrated enters a password Entra does not know")
    if any(_OTP.search(name) for name in inputs) or _OTP.search(profile.id):
        return "OnOtpSend", "it hands out a one-time code: OnOtpSend gives the code to the API to email"
    if any(use.startswith("validation of") for use in uses):
        return "OnAttributeCollectionSubmit", "it validates what the user typed on a self-asserted page"
    if profile.output_claims:
        return "OnTokenIssuanceStart", ("it adds claims in the journey" if uses else
                                        "it returns claims (not used in any journey the files show)")
    return None, "it returns nothing and validates no page: External ID has no event for a fire-and-forget call"


def _breaks(profile: Any, event: str | None) -> list[str]:
    meta: Mapping[str, str] = profile.metadata
    auth = meta.get("AuthenticationType", "None")
    found = [(f"AuthenticationType {auth}: Entra calls with its own OAuth token (client credentials, azp/appid "
              "99045fe1-7639-4a75-9d4a-577b6ca3810f, aud the extension app); the API must validate that token")]
    send = meta.get("SendClaimsIn", "Body")
    if send.lower() == "body":
        found.append("SendClaimsIn Body: the flat claims object becomes Entra's event document "
                     "(data.userSignUpInfo.attributes or data.authenticationContext)")
    else:
        found.append(f"SendClaimsIn {send}: External ID only POSTs its JSON event document; claims in the "
                     "query string, URL, form or headers have no equivalent")
    url = meta.get("ServiceUrl", "")
    if "{" in url:
        found.append("ServiceUrl has placeholders ({claim} or {Settings:...}): a targetUrl is fixed")
    if url.lower().startswith("http://"):
        found.append("ServiceUrl is http: a targetUrl must be https (1003020)")
    if profile.input_claims_transformations or profile.output_claims_transformations:
        found.append("input/output claims transformations around the call do not run in External ID")
    if event in _ERRORS:
        found.append(_ERRORS[event])
    b2c = timing_profile("custom-policy").timeout
    found.append(f"timeout: B2C waits {b2c:g} s for a custom-policy call, an extension at most "
                 f"{_EXTENSION_TIMEOUT_S:g} s (timeoutInMilliseconds 200-2000, maximumRetries 0 or 1)")
    if event == "OnTokenIssuanceStart" and profile.output_claims:
        names = ", ".join(c.claim_type_reference_id for c in profile.output_claims)
        found.append(f"output claims ({names}) reach the token only through a claims mapping policy "
                     "(Source CustomClaimsProvider, case-sensitive ID); values must be strings or string arrays")
    if event == "OnAttributeCollectionSubmit" and profile.output_claims:
        found.append("output claims must be attributes of the form: modifyAttributeValues cannot add claims")
    return found


def _user_flow_item(step: str) -> MigrationItem:
    name = normalise_step(step)
    event = _STEP_EVENTS[name]
    breaks = [("Basic or certificate authentication: Entra calls with its own OAuth token (azp/appid "
               "99045fe1-7639-4a75-9d4a-577b6ca3810f); the API must validate that token"),
              ("the request becomes Entra's event document; the answer uses @odata.type actions instead of "
               "version/action/userMessage"),
              _ERRORS[event],
              (f"timeout: a user flow waits {timing_profile('user-flow').timeout:g} s, an extension at most "
               f"{_EXTENSION_TIMEOUT_S:g} s")]
    return MigrationItem(name, "user-flow-step", "user-flow API connector", event,
                         f"the {name} step's place in the flow is {event}'s", tuple(breaks))


def migrate_check(policy: Any = None, user_flow_steps: Iterable[str] = ()) -> MigrationReport:
    """The External ID event and the breaks for every RESTful profile of ``policy`` and each user-flow step."""
    items: list[MigrationItem] = []
    if policy is not None:
        used = _usage(policy)
        for profile_id in policy.restful_profile_ids:
            profile = policy.technical_profiles[profile_id]
            uses = used.get(profile_id, [])
            event, why = _event_for(profile, uses)
            obsolete = why.startswith("it fetches an access token")
            items.append(MigrationItem(profile_id, "restful-profile", "; ".join(uses) or "not used in a journey",
                                       event, why, () if obsolete else tuple(_breaks(profile, event)), obsolete))
    items.extend(_user_flow_item(step) for step in user_flow_steps)
    return MigrationReport(tuple(items))
