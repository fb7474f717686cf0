"""Call the sample API with an OAuth2 bearer token from client credentials (msal), and the B2C way.

Run: python samples/scripts/call_client_credentials.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))  # samples/api: the local servers

from local_servers import local_sample_api  # noqa: E402

from connector_sim import (  # noqa: E402
    Basic, Bearer, ClientCredentials, InputClaim, OutputClaim, RestfulProfile, run_profiles,
)

with local_sample_api() as local:
    entra = local.token_endpoint  # a fake Microsoft Entra: https://127.0.0.1:PORT/<tenant>
    outputs = [OutputClaim("loyaltyNumber"), OutputClaim("loyaltyTier", partner_claim_type="tier")]

    # 1. connector_sim gets the token with msal (cached until near expiry) and sends it.
    credentials = ClientCredentials(authority=entra.authority, client_id=local.client_id,
                                    client_secret=local.client_secret, scope=local.scope, ca_bundle=local.ca_bundle)
    profile = RestfulProfile(local.url("/api/bearer/profile"), auth=Bearer(credentials=credentials),
                             input_claims=[InputClaim("email")], output_claims=outputs, ca_bundle=local.ca_bundle)
    print("msal:", profile.call({"email": "alice@contoso.com"}).claims)

    # 2. The B2C way (secure-rest-api.md): REST-AcquireAccessToken posts the client credentials to
    #    the token endpoint (Basic, Form) and puts access_token in the bearerToken claim; the next
    #    profile sends that claim as its bearer token (UseClaimAsBearerToken).
    acquire = RestfulProfile(
        entra.token_url, id="REST-AcquireAccessToken", auth=Basic(local.client_id, local.client_secret),
        send_claims_in="Form",
        input_claims=[InputClaim("grant_type", default_value="client_credentials", always_use_default_value=True),
                      InputClaim("scope", default_value=local.scope, always_use_default_value=True)],
        output_claims=[OutputClaim("bearerToken", partner_claim_type="access_token")],
        ca_bundle=local.ca_bundle,
    )
    get_profile = RestfulProfile(
        local.url("/api/bearer/profile"), id="REST-GetProfile", auth=Bearer("bearerToken"),
        input_claims=[InputClaim("bearerToken"), InputClaim("email")], output_claims=outputs,
        ca_bundle=local.ca_bundle,
    )
    journey = run_profiles([acquire, get_profile], {"email": "alice@contoso.com"})
    for step in journey.steps:
        print(f"step {step.step} {step.profile}: {step.outcome} {step.status}")
    print("claims:", journey)  # the repr masks bearerToken
