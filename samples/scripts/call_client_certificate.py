"""Call the sample API with mutual TLS, as AuthenticationType ClientCertificate does.

Run: python samples/scripts/call_client_certificate.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))  # samples/api: the local servers

from local_servers import local_sample_api  # noqa: E402

from connector_sim import ClientCertificate, HttpStatusError, InputClaim, OutputClaim, RestfulProfile  # noqa: E402

with local_sample_api() as local:
    # The .pfx you upload as the B2C_1A_RestApiClientCertificate policy key, and its password.
    # It is checked here, once: a wrong password, no private key, a non-RSA key or an expired
    # certificate raise CertificateError before any call.
    auth = ClientCertificate(local.client_pfx, local.pfx_password)
    print("certificate:", auth.info.subject, "thumbprint", auth.info.thumbprint)

    profile = RestfulProfile(
        local.url("/api/certificate/profile"),
        id="REST-GetProfile",
        auth=auth,
        input_claims=[InputClaim("email")],
        output_claims=[OutputClaim("loyaltyNumber")],
        ca_bundle=local.ca_bundle,
    )
    print("claims:", profile.call({"email": "alice@contoso.com"}).claims)

    # A certificate the API does not know: B2C reports AADB2C90028.
    other = ClientCertificate(local.certificates.older_pfx, local.pfx_password)
    try:
        profile.with_changes(auth=other).call({"email": "alice@contoso.com"})
    except HttpStatusError as error:
        print("refused:", error.b2c_code, error.http_status)
