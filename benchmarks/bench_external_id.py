"""Benchmark: the cost of Entra External ID's machinery (caller tokens, the JWE, the token matrix).

* ``EntraAuthority.caller_token``: one RS256 token minted with PyJWT.
* ``encrypt_password_context``: one OnPasswordSubmit JWE (RSA-OAEP-256 / A256GCM, joserfc).
* ``ExternalIdExtension.auth_check``: the 12 matrix calls against a local HTTPS API that validates
  with PyJWT against the authority's JWKS (the README's Python recipe), one connection per case.

Prints the median of each. Run: python benchmarks/bench_external_id.py [--rounds 200]
"""

from __future__ import annotations

import argparse
import ssl
import statistics
import time
from collections.abc import Callable
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from connector_sim import StaticBearer
from connector_sim.connectors._external_id import ExternalIdExtension
from connector_sim.connectors._password_submit import (
    encrypt_password_context,
    load_encryption_key,
)
from connector_sim.testing import (
    CALLER_APP_ID,
    EntraAuthority,
    Reply,
    TlsServer,
    make_certificates,
)

APP = "5528a4be-4453-44f1-82f6-2ce4130cac1b"
ANSWER = {"data": {"@odata.type": "microsoft.graph.onTokenIssuanceStartResponseData", "actions": [
    {"@odata.type": "microsoft.graph.tokenIssuanceStart.provideClaimsForToken", "claims": {}}]}}


def _median_ms(action: Callable[[], Any], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000.0


def _api(authority: EntraAuthority) -> Callable[[Any], Reply]:
    keys = jwt.PyJWKClient(authority.jwks_url, ssl_context=ssl.create_default_context(cafile=str(authority.ca_pem)))

    def handler(request: Any) -> Reply:
        token = (request.header("Authorization") or "").partition("Bearer ")[2]
        try:
            claims = jwt.decode(token, keys.get_signing_key_from_jwt(token).key, algorithms=["RS256"], audience=APP,
                                issuer=authority.issuer)
        except jwt.PyJWTError:
            return Reply(401)
        return Reply(200, json=ANSWER) if claims.get("azp") == CALLER_APP_ID else Reply(403)

    return handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    rounds = parser.parse_args().rounds
    authority = EntraAuthority()
    key = load_encryption_key(rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key())
    print(f"caller_token             {_median_ms(lambda: authority.caller_token(APP), rounds):8.3f} ms")
    jwe = _median_ms(lambda: encrypt_password_context("pw", "u", "n", key), rounds)
    print(f"encryptedPasswordContext {jwe:8.3f} ms")
    with make_certificates() as certs, authority, TlsServer(_api(authority), certificates=certs) as api:
        extension = ExternalIdExtension(api.url("/api/claims"), StaticBearer("unused"), ca_bundle=str(certs.ca_pem),
                                        maximum_retries=0)
        result = extension.auth_check(authority, APP)
        assert result.ok, result.summary()
        matrix = _median_ms(lambda: extension.auth_check(authority, APP), max(3, rounds // 40))
        print(f"auth_check (12 cases)    {matrix:8.1f} ms")


if __name__ == "__main__":
    main()
