"""A small B2C user-flow API connector endpoint (Flask), implementing the connector contract.

B2C POSTs JSON about the signing-up user with Basic authentication and expects:
HTTP 200 {"version", "action": "Continue", <claims>} or {"action": "ShowBlockPage", "userMessage"},
or HTTP 400 {"version", "status": 400, "action": "ValidationError", "userMessage"} (PostAttributeCollection only).
"""

from __future__ import annotations

import hmac
import re

from flask import Flask, Response, jsonify, request

VERSION = "1.0.0"
BLOCKED_DOMAINS = {"spam.example"}


def create_app(username: str, password: str) -> Flask:
    """The endpoint, checking B2C's Basic credentials."""
    app = Flask(__name__)

    def authorised() -> bool:
        auth = request.authorization
        return (auth is not None and auth.type == "basic"
                and hmac.compare_digest(auth.username or "", username)
                and hmac.compare_digest(auth.password or "", password))

    @app.post("/api/validate")
    def validate() -> tuple[Response, int]:
        if not authorised():
            return jsonify(error="unauthorized"), 401
        user = request.get_json(force=True)
        step = user.get("step")
        email = user.get("email", "")
        if step in ("PostFederationSignup", "PostAttributeCollection") and email.split("@")[-1] in BLOCKED_DOMAINS:
            return jsonify(version=VERSION, action="ShowBlockPage",
                           userMessage="Sign-ups from this domain are not allowed."), 200
        if step == "PostAttributeCollection":
            postal_code = user.get("postalCode")
            if postal_code is not None and not re.fullmatch(r"\d{5}", postal_code):
                return jsonify(version=VERSION, status=400, action="ValidationError",
                               userMessage="Please enter a valid 5-digit postal code."), 400
            # Custom attributes may be returned without the extensions app id part.
            return jsonify(version=VERSION, action="Continue", extension_loyaltyTier="silver"), 200
        if step == "PreTokenIssuance":
            return jsonify(version=VERSION, action="Continue", jobTitle="Member"), 200
        return jsonify(version=VERSION, action="Continue"), 200

    return app
