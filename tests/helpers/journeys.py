"""The journeys policy, its keys, and a fake API behind it (fixtures for them are in conftest).

The API checks what B2C would send: the bearer token issued by the fake Entra endpoint (REST-GetProfile)
and the ``x-functions-key`` header (the ApiKeyHeader profiles). Blocked emails get the error contract.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List

from connector_sim.testing import FakeTokenEndpoint, Reply, ServerRequest, TlsServer

from . import SECRETS

POLICIES = Path(__file__).resolve().parents[1] / "policies"
JOURNEYS_POLICY = POLICIES / "journeys" / "JourneysPolicy.xml"
ARTICLE = POLICIES / "secure-rest-api"
CLIENT_ID = "b2c-client"
KEYS: Dict[str, str] = {
    "B2C_1A_SecureRESTClientId": CLIENT_ID,
    "B2C_1A_SecureRESTClientSecret": SECRETS["client_secret"],
    "B2C_1A_RestApiKey": SECRETS["api_key"],
}
REST_IDS = ("REST-GetProfile", "REST-CheckBlocklist", "REST-Promo", "REST-Audit")
BLOCKED = "blocked@contoso.com"


class FakeApi:
    """The API handler: routes by path, checks credentials, records which paths were called."""

    def __init__(self, entra: FakeTokenEndpoint) -> None:
        self.entra = entra
        self.tokens: List[str] = []

    def __call__(self, request: ServerRequest) -> Reply:
        if request.path.lower() in ("/api/profile", "/api/getprofile"):  # the article names it GetProfile
            scheme, _, token = (request.header("Authorization") or "").partition(" ")
            try:
                self.entra.verify(token)
            except ValueError:
                return Reply(401, json={"error": "invalid token"})
            self.tokens.append(token)
            body = request.json()
            if body.get("email") == BLOCKED:
                return Reply(409, json={"version": "1.0.0", "status": 409, "userMessage": "No profile for this email."})
            return Reply(200, json={"loyaltyNumber": "L-0042", "displayName": "Ada Lovelace"})
        if request.header("x-functions-key") != SECRETS["api_key"]:
            return Reply(401, json={"error": "bad key"})
        body = request.json()
        if request.path == "/api/blocklist":
            if body.get("email") == BLOCKED:
                return Reply(409, json={"version": "1.0.0", "status": 409, "code": "BLOCKED",
                                        "userMessage": "This email address is blocked."})
            return Reply(200, json={})
        if request.path == "/api/promo":
            return Reply(200, json={"promoCode": "SPRING-25"})
        if request.path == "/api/audit":
            return Reply(200, json={"audited": True})
        return Reply(404, json={"error": "no such path"})


def called_paths(api: TlsServer) -> List[str]:
    """The paths the API received, in order."""
    return [r.path for r in api.requests]


def write_keys(directory: Path, keys: Dict[str, Any] = KEYS) -> Path:
    """A keys file in ``directory``."""
    path = directory / "keys.json"
    path.write_text(json.dumps(keys), encoding="utf-8")
    return path
