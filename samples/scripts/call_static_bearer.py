"""Call the sample API with a static bearer token (AuthenticationType Bearer + BearerAuthenticationToken).

Run: python samples/scripts/call_static_bearer.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))  # samples/api: the local servers

from local_servers import local_sample_api  # noqa: E402

from connector_sim import InputClaim, InvalidResponseError, OutputClaim, RestfulProfile, StaticBearer  # noqa: E402

with local_sample_api() as local:
    profile = RestfulProfile(
        local.url("/api/static/profile"),
        auth=StaticBearer(local.static_token),  # the B2C_1A_RestApiBearerToken policy key
        input_claims=[InputClaim("email")],
        output_claims=[OutputClaim("loyaltyNumber")],
        ca_bundle=local.ca_bundle,
    )
    result = profile.call({"email": "alice@contoso.com"})
    print("claims:", result.claims)
    print("Authorization sent:", result.request.headers["Authorization"])  # "Bearer ***"

    # A wrong token: the API answers 401 without the error contract, which B2C cannot read.
    try:
        profile.with_changes(auth=StaticBearer("not-the-token")).call({"email": "alice@contoso.com"})
    except InvalidResponseError as error:
        print("refused:", error.b2c_code, error.http_status)
