"""Call the sample API as a RESTful technical profile with AuthenticationType Basic does.

Run: python samples/scripts/call_basic.py   (starts the sample API locally; nothing leaves the machine)
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))  # samples/api: the local servers

from local_servers import local_sample_api  # noqa: E402

from connector_sim import Basic, InputClaim, OutputClaim, RestApiError, RestfulProfile  # noqa: E402

with local_sample_api() as local:
    profile = RestfulProfile(
        local.url("/api/basic/profile"),  # yours: "https://your-api.azurewebsites.net/api/GetProfile"
        id="REST-GetProfile",
        auth=Basic(local.username, local.password),  # BasicAuthenticationUsername / BasicAuthenticationPassword
        send_claims_in="Body",
        input_claims=[InputClaim("email")],
        output_claims=[OutputClaim("loyaltyNumber"), OutputClaim("loyaltyTier", partner_claim_type="tier")],
        ca_bundle=local.ca_bundle,  # the local test CA; leave it out for a public API
    )
    result = profile.call({"email": "alice@contoso.com"})
    print("claims:", result.claims)
    print("sent:", result.request.method, result.request.url, result.request.headers)  # secrets masked

    # The same profile, sending the claims as a form (SendClaimsIn Form).
    print("form:", profile.with_changes(send_claims_in="Form").call({"email": "alice@contoso.com"}).claims)

    # The API answers the error contract (409): B2C shows userMessage to the user.
    try:
        profile.call({"email": "bob@blocked.example"})
    except RestApiError as error:
        print(f"B2C shows the user: {error.user_message!r} (HTTP {error.http_status}, code {error.code})")
