"""Call the sample API with an API key header (AuthenticationType ApiKeyHeader, x-functions-key).

Run: python samples/scripts/call_api_key.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))  # samples/api: the local servers

from local_servers import local_sample_api  # noqa: E402

from connector_sim import ApiKeyHeader, InputClaim, OutputClaim, RestfulProfile  # noqa: E402

with local_sample_api() as local:
    profile = RestfulProfile(
        local.url("/api/key/profile"),
        auth=ApiKeyHeader("x-functions-key", local.api_key),  # <Key Id="x-functions-key" StorageReferenceId=...>
        send_claims_in="QueryString",  # a GET with ?email=...
        input_claims=[InputClaim("email")],
        output_claims=[OutputClaim("loyaltyNumber")],
        ca_bundle=local.ca_bundle,
    )
    result = profile.call({"email": "alice@contoso.com"})
    print("claims:", result.claims)
    print("sent:", result.request.method, result.request.url, dict(result.request.headers))  # key masked
