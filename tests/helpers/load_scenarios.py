"""Locust runs of connector_sim's B2C users, for tests/load/test_load_user.py, in a process of their own.

Run as ``python -c "import locust; from tests.helpers.load_scenarios import main; main()"`` (Locust first:
gevent must patch ssl before connector_sim imports it) with the servers' addresses as JSON on stdin.
Prints one JSON object of findings on stdout. Every run is a second or so, with a handful of users.
"""

from __future__ import annotations

import json
import ssl
import sys
from typing import Any, Dict, List

import locust  # noqa: F401  (first: gevent patches the standard library)
from gevent import monkey
from locust.event import Events

from connector_sim import (
    Basic,
    Bearer,
    ClientCertificate,
    ClientCredentials,
    InputClaim,
    OutputClaim,
    RestfulProfile,
    TimingProfile,
)
from connector_sim.errors import ConfigurationError
from connector_sim.load import (
    ClaimRows,
    ConnectorTarget,
    PolicyTarget,
    ProfileTarget,
    run_load,
    user_class,
)
from connector_sim.load.user import check_cooperative

SEEN: List[Dict[str, Any]] = []


def _listen(request_type: str, name: str, response_time: float, response_length: int, exception: Any = None,
            **_: Any) -> None:
    SEEN.append({"type": request_type, "name": name, "ms": response_time, "length": response_length,
                 "failure": repr(exception) if exception is not None else None})


def _run(cls: type, users: int, run_time: float = 1.0) -> Dict[str, Any]:
    SEEN.clear()
    events = Events()
    events.request.add_listener(_listen)
    report = run_load(cls, users=users, spawn_rate=100, run_time=run_time, events=events)
    return {"report": report.to_dict(), "events": list(SEEN), "table": report.table()}


def main() -> None:
    cfg = json.loads(sys.stdin.read())
    out: Dict[str, Any] = {"patched": monkey.is_module_patched("ssl") and monkey.is_module_patched("socket")}
    ca = cfg["ca"]

    def profile(url: str, auth: Any, **kw: Any) -> RestfulProfile:
        return RestfulProfile(url, auth=auth, ca_bundle=ca, input_claims=[InputClaim("email")],
                              output_claims=[OutputClaim("loyaltyNumber")], **kw)

    # mTLS: one decoded .pfx for all users, each user its own keep-alive connection, rows cycled.
    decodes = []
    original = ClientCertificate.__init__

    def counting(self: Any, *args: Any, **kwargs: Any) -> None:
        decodes.append(1)
        original(self, *args, **kwargs)

    ClientCertificate.__init__ = counting  # type: ignore[method-assign]
    certificate = ClientCertificate(cfg["pfx"], cfg["password"])
    rows = ClaimRows([{"email": f"user{i}@contoso.com"} for i in range(3)])
    mtls = user_class(ProfileTarget(profile(cfg["mtls"] + "/api/ok", certificate, id="REST-Mtls")), rows,
                      name="MtlsUser")
    out["mtls"] = _run(mtls, users=5)
    out["mtls"]["decodes"] = len(decodes)
    context = certificate.ssl_context
    out["mtls"]["context"] = {"gevent": type(context).__module__.startswith("gevent"),
                              "verify": context.verify_mode == ssl.CERT_REQUIRED, "hostname": context.check_hostname}

    # Client credentials: five users wait for the first token together; the endpoint is asked once.
    credentials = ClientCredentials(authority=cfg["authority"], client_id=cfg["client_id"],
                                    client_secret=cfg["client_secret"], scope="api://load/.default", ca_bundle=ca)
    bearer = user_class(ProfileTarget(profile(cfg["api"] + "/api/ok", Bearer(credentials=credentials),
                                              id="REST-Bearer")), claims={"email": "a@contoso.com"}, name="BearerUser")
    out["bearer"] = _run(bearer, users=5)
    out["bearer"]["token_requests"] = credentials.token_requests

    # B2C's timeout as the failure line: a 200 after a retry is "slow-200"; no answer is "timeout".
    quick = TimingProfile("test-quick", 0.2, 1)
    slow = user_class(ProfileTarget(profile(cfg["api"] + "/api/slow-retry", Basic("u", "p"), id="REST-Slow",
                                            timing=quick)), claims={"email": "a@contoso.com"}, name="SlowUser")
    out["slow"] = _run(slow, users=1, run_time=1.5)

    # A policy journey: one event per RESTful step, named by technical profile id.
    journey = user_class(PolicyTarget(cfg["policy"], "TokenThenProfile", keys=cfg["keys"],
                                      service_urls=cfg["service_urls"], ca_bundle=ca, timing="user-flow"),
                         claims={"email": "ada@contoso.com"}, name="JourneyUser")
    out["journey"] = _run(journey, users=2)

    # A user-flow API connector step.
    connector = user_class(ConnectorTarget("PostAttributeCollection", cfg["api"] + "/api/connector",
                                           Basic("u", "p"), ca_bundle=ca),
                           ClaimRows([{"email": "a@contoso.com", "givenName": "Ada"}]), name="ConnectorUser")
    out["connector"] = _run(connector, users=2)

    # A TLS context made before gevent patched ssl would block every user: refused.
    original_context = monkey.get_original("ssl", "SSLContext")(ssl.PROTOCOL_TLS_CLIENT)
    early = ClientCertificate(cfg["pfx"], cfg["password"])
    early.ssl_context = original_context
    try:
        check_cooperative(ProfileTarget(profile(cfg["mtls"] + "/api/ok", early)))
        out["early_context"] = "accepted"
    except ConfigurationError as exc:
        out["early_context"] = str(exc)
    print(json.dumps(out))
