"""Every load scenario through both load transports, for tests/load/test_fast_transport.py, in a child process.

Run as ``python -c "import locust; from tests.helpers.transport_scenarios import main; main()"`` (Locust
first: gevent must patch ssl before connector_sim imports it) with the servers' addresses as JSON on
stdin. For each transport ("requests", then "fast") it opens a session on each scenario's target, as
``B2CUser.on_start`` does, makes the same calls and records each ``Sample``; before each scenario it
sends a mark (``/control/mark``) so the parent can split what the recording server received. Then one
short Locust run per transport through ``user_class(..., transport=...)``. Prints one JSON object.
"""

from __future__ import annotations

import json
import sys
from typing import Any, Callable, Dict, List

import gevent
import locust  # noqa: F401  (first: gevent patches the standard library)
import requests
from gevent import monkey
from locust.event import Events

from connector_sim import (
    ApiKeyHeader,
    Basic,
    Bearer,
    ClientCertificate,
    ClientCredentials,
    Emulation,
    InputClaim,
    OutputClaim,
    RestfulProfile,
    TimingProfile,
)
from connector_sim.load import ConnectorTarget, PolicyTarget, ProfileTarget, Target, run_load, user_class
from connector_sim.load.failures import Sample
from connector_sim.load.user import check_cooperative

QUICK = TimingProfile("test-quick", 0.25, 1)
TIMED = ("slow-200", "timeout", "trickled-answer", "tls-no-client-certificate")
CALLS = 2


def verdict(sample: Sample) -> Dict[str, Any]:
    """What B2C makes of one call, and what the error said: all of it must match across transports."""
    failure = sample.failure
    cause = failure.__cause__ if failure is not None else None
    return {
        "type": sample.request_type, "name": sample.name, "length": sample.response_length,
        "failure": repr(failure) if failure is not None else None,
        "error": type(cause).__name__ if cause is not None else None,
        "user_message": getattr(cause, "user_message", None),
        "b2c_code": getattr(cause, "b2c_code", None),
        "attempts": [(a.number, a.status, a.outcome) for a in getattr(cause, "attempts", ())],
        "slow": sample.response_time_ms > QUICK.timeout * 1000,
    }


def scenarios(cfg: Dict[str, Any], shared: Dict[str, Any]) -> Dict[str, Callable[[str], Target]]:
    """Each scenario's target, built for one transport."""
    ca, api, mtls = cfg["ca"], cfg["api"], cfg["mtls"]

    def profile(url: str, auth: Any, **kw: Any) -> RestfulProfile:
        kw.setdefault("input_claims", [InputClaim("email"), InputClaim("givenName")])
        return RestfulProfile(url, auth=auth, ca_bundle=ca, output_claims=[OutputClaim("loyaltyNumber")], **kw)

    def one(url: str, auth: Any, **kw: Any) -> Callable[[str], Target]:
        return lambda transport: ProfileTarget(profile(url, auth, **kw), transport=transport)

    def connector(path: str) -> Callable[[str], Target]:
        return lambda transport: ConnectorTarget("PostAttributeCollection", api + path, Basic("u", "p"), ca_bundle=ca,
                                                 transport=transport)

    basic = Basic("api-user", cfg["password"])
    return {
        "basic-body": one(api + "/api/ok", basic, id="REST-Body"),
        "basic-form": one(api + "/api/ok", basic, id="REST-Form", send_claims_in="Form"),
        "apikey-querystring": one(api + "/api/ok?code=fixed", ApiKeyHeader("x-functions-key", cfg["api_key"]),
                                  id="REST-Query", send_claims_in="QueryString"),
        "client-certificate": one(mtls + "/api/ok", shared["certificate"], id="REST-Mtls"),
        "bearer-client-credentials": one(api + "/api/ok", Bearer(credentials=shared["credentials"]), id="REST-Bearer"),
        "gzip-answer": one(api + "/api/gzip", basic, id="REST-Gzip"),
        "too-large": one(api + "/api/big", basic, id="REST-Big", emulation=Emulation(max_response_bytes=100_000)),
        "trickled-answer": one(api + "/api/trickle", basic, id="REST-Trickle", timing=QUICK),
        "set-cookie-answer": one(api + "/api/cookie", basic, id="REST-Cookie"),
        "error-contract": one(api + "/api/conflict", basic, id="REST-Conflict"),
        "http-500": one(api + "/api/boom", basic, id="REST-Boom"),
        "invalid-response": one(api + "/api/not-json", basic, id="REST-NotJson"),
        "slow-200": one(api + "/api/slow-retry", basic, id="REST-Slow", timing=QUICK),
        "timeout": one(api + "/api/hang", basic, id="REST-Hang", timing=QUICK),
        "connection-refused": one(cfg["refused"] + "/api/ok", basic, id="REST-Refused", timing=QUICK),
        "tls-no-client-certificate": one(mtls + "/api/ok", basic, id="REST-NoCert", timing=QUICK),
        "journey": lambda transport: PolicyTarget(cfg["policy"], "TokenThenProfile", keys=cfg["keys"],
                                                  service_urls=cfg["service_urls"], ca_bundle=ca, timing="user-flow",
                                                  transport=transport),
        "connector-continue": connector("/api/connector"),
        "connector-block-page": connector("/api/connector-block"),
        "connector-contract-violation": connector("/api/connector-broken"),
    }


def _senders(session: Any) -> List[str]:
    """The transport classes a session sends on: proof the fast sessions do not fall back to requests."""
    if hasattr(session, "connector"):
        return [type(session.connector.transport).__name__]
    profiles = getattr(session, "profiles", None) or {"one": session.profile}
    return sorted({type(p.caller().transport).__name__ for p in profiles.values()})


def _mark(cfg: Dict[str, Any], scenario: str, transport: str) -> None:
    requests.get(f"{cfg['api']}/control/mark?scenario={scenario}&transport={transport}", verify=cfg["ca"],
                 timeout=10).raise_for_status()


def _locust_run(target: Callable[[], Target], transport: str) -> Dict[str, Any]:
    seen: List[Any] = []
    events = Events()
    events.request.add_listener(lambda exception=None, **kw: seen.append(repr(exception) if exception else None))
    cls = user_class(target, claims={"email": "ada@contoso.com", "givenName": "Ada"}, name=f"User_{transport}",
                     transport=transport)
    report = run_load(cls, users=3, spawn_rate=100, run_time=1.0, events=events)
    return {"requests": report.requests, "failures": report.failure_count, "events": len(seen),
            "failed_events": sum(1 for s in seen if s)}


def main() -> None:
    cfg = json.loads(sys.stdin.read())
    shared = {
        # Shared by both transports, as by all users of a process: one decoded .pfx, one cached token.
        "certificate": ClientCertificate(cfg["pfx"], cfg["pfx_password"]),
        "credentials": ClientCredentials(authority=cfg["authority"], client_id=cfg["client_id"],
                                         client_secret=cfg["client_secret"], scope="api://load/.default",
                                         ca_bundle=cfg["ca"]),
    }
    out: Dict[str, Any] = {"patched": monkey.is_module_patched("ssl"), "verdicts": {}, "order": []}
    claims = {"email": "ada+load@contoso.com", "givenName": "Zoë"}
    for transport in ("requests", "fast"):
        made = scenarios(cfg, shared)
        for name, build in made.items():
            _mark(cfg, name, transport)
            target = build(transport)
            target.prepare()
            check_cooperative(target)
            session = target.open()
            out.setdefault("senders", {}).setdefault(name, {})[transport] = _senders(session)
            samples: List[Sample] = []
            try:
                for _ in range(CALLS):
                    session.run(claims, samples.append)
            finally:
                session.close()
            out["verdicts"].setdefault(name, {})[transport] = [verdict(s) for s in samples]
            if name in TIMED:
                gevent.sleep(0.3)  # a request still on its way to the server must land before the next mark
            out["order"].append([name, transport])
    _mark(cfg, "end", "end")
    out["token_requests"] = shared["credentials"].token_requests
    out["locust"] = {t: _locust_run(lambda t=t: ProfileTarget(RestfulProfile(
        cfg["api"] + "/api/ok", auth=Basic("api-user", cfg["password"]), ca_bundle=cfg["ca"], id="REST-Locust",
        input_claims=[InputClaim("email")], output_claims=[OutputClaim("loyaltyNumber")]), transport=t), t)
        for t in ("requests", "fast")}
    print(json.dumps(out))


