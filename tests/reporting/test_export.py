"""curl export: the command reproduces the request byte for byte, and holds no secret, only variables."""

from __future__ import annotations

import os
import shutil
import subprocess
from typing import Any, Dict, Mapping
from urllib.parse import urlsplit

import pytest

from connector_sim import (
    ApiKeyHeader, Basic, Bearer, ClientCertificate, InputClaim, NoAuth, RestfulProfile, StaticBearer, WireRequest,
)
from connector_sim.encoding import encode_request
from connector_sim.reporting._curl import curl_command, curl_for_result, curl_script, to_curl
from connector_sim.testing import Reply

from tests.helpers import FAST, SECRETS

CURL = shutil.which("curl")
needs_curl = pytest.mark.skipif(CURL is None, reason="curl is not installed")
TRICKY = "O'Brien \"quoted\" $HOME `id` \\ é ✓"
CLAIMS = {"email": "ada@contoso.com", "displayName": TRICKY, "password": "claim-password-77x"}


def _profile(url: str, auth: Any, mode: str = "Body", **fields: Any) -> RestfulProfile:
    claims = (InputClaim("email"), InputClaim("displayName"), InputClaim("password"))
    if isinstance(auth, Bearer) and auth.claim:
        claims += (InputClaim(auth.claim),)
    return RestfulProfile(service_url=url, auth=auth, send_claims_in=mode, input_claims=claims, timing=FAST,
                          allow_insecure_auth_in_production=True, **fields)


def _raw(profile: RestfulProfile, claims: Mapping[str, Any]) -> WireRequest:
    return profile.auth.apply(encode_request(profile, claims), claims, profile_id=profile.id)


def _values(auth_name: str, certs: Any) -> Dict[str, str]:
    """The environment a user sets for each strategy (what the comment asks for)."""
    return {
        "basic": {"B2C_PASSWORD": SECRETS["password"]},
        "api-key": {"B2C_API_KEY": SECRETS["api_key"], "B2C_URL_CODE": "url-code-4411"},
        "static-bearer": {"B2C_BEARER_TOKEN": SECRETS["static_token"]},
        "bearer-claim": {"B2C_BEARER_TOKEN": "token-from-claim-55"},
        "client-certificate": {"B2C_PFX_PATH": str(certs.client_pfx), "B2C_PFX_PASSWORD": certs.password},
        "none": {},
    }[auth_name]


def _auth(name: str, certs: Any) -> Any:
    return {
        "basic": lambda: Basic("api-user", SECRETS["password"]),
        "api-key": lambda: ApiKeyHeader("x-functions-key", SECRETS["api_key"]),
        "static-bearer": lambda: StaticBearer(SECRETS["static_token"]),
        "bearer-claim": lambda: Bearer("bearerToken"),
        "client-certificate": lambda: ClientCertificate(certs.client_pfx, certs.password),
        "none": NoAuth,
    }[name]()


def _run(command: str, env: Mapping[str, str]) -> subprocess.CompletedProcess:
    # A clean environment: no proxy or CA variables of this machine leak into curl.
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp"), **env}
    return subprocess.run(["sh", "-c", command], env=clean, capture_output=True, text=True, timeout=20)


def _secrets_absent(text: str, *values: str) -> None:
    for value in [*SECRETS.values(), *values]:
        assert value not in text


AUTHS = ["basic", "api-key", "static-bearer", "bearer-claim", "client-certificate", "none"]
MODES = ["Body", "Form", "QueryString", "Header"]


@needs_curl
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("auth_name", AUTHS)
def test_the_command_sends_the_identical_request(api: Any, mtls_api: Any, certs: Any, auth_name: str,
                                                mode: str) -> None:
    server = mtls_api if auth_name == "client-certificate" else api
    server.handler = lambda request: Reply(200, json={"ok": True})
    url = server.url("/api/profile?code=url-code-4411&tenant=contoso") if auth_name == "api-key" else (
        server.url("/api/profile"))
    profile = _profile(url, _auth(auth_name, certs), mode, ca_bundle=str(certs.ca_pem))
    claims = dict(CLAIMS, bearerToken="token-from-claim-55") if auth_name == "bearer-claim" else dict(CLAIMS)
    if mode == "Header":
        claims["displayName"] = "Ada Lovelace"  # header values hold no line breaks or edge spaces
    request = _raw(profile, claims)
    command = curl_command(request, auth=profile.auth, claims=claims, ca_bundle=str(certs.ca_pem), timeout=5,
                           profile_id="REST-GetProfile")

    _secrets_absent(command.text, "url-code-4411", "token-from-claim-55", "claim-password-77x", certs.password)
    env = {**_values(auth_name, certs), "B2C_CLAIM_PASSWORD": "claim-password-77x"}
    assert set(command.variables) <= set(env), command.text
    for name in command.variables:
        assert f"#   {name}" in command.text  # the comment lists every variable to set
    done = _run(command.text, env)
    assert done.returncode == 0, done.stderr
    assert "200" in done.stdout.splitlines()[0]
    got = server.requests[-1]
    parts = urlsplit(request.url)
    assert (got.method, got.path, got.raw_query) == (request.method, parts.path, parts.query)
    assert got.body == (request.body or b"")
    for name, value in request.headers.items():
        assert got.header(name) == (value.decode() if isinstance(value, bytes) else value), name
    if auth_name == "client-certificate":
        assert got.client_cert_subject


@needs_curl
def test_a_recorded_call_is_reproduced_with_the_secrets_from_variables(api: Any, certs: Any) -> None:
    api.handler = lambda request: Reply(200, json={"loyaltyNumber": "L-1"})
    profile = _profile(api.url("/api/x?code=url-code-4411"), Basic("api-user", SECRETS["password"]),
                       ca_bundle=str(certs.ca_pem))
    result = profile.call(CLAIMS)
    original = api.requests[-1]
    command = curl_for_result(result, auth=profile.auth, ca_bundle=str(certs.ca_pem))

    _secrets_absent(command.text, "url-code-4411")
    assert command.text.startswith("# RestfulProfile: POST")
    # The password claim in the body is a variable too, found by its name.
    _secrets_absent(command.text, "claim-password-77x")
    assert "B2C_CLAIM_PASSWORD" in command.variables
    done = _run(command.text, {"B2C_PASSWORD": SECRETS["password"], "B2C_URL_CODE": "url-code-4411",
                               "B2C_CLAIM_PASSWORD": "claim-password-77x"})
    assert done.returncode == 0, done.stderr
    again = api.requests[-1]
    assert (again.method, again.path, again.raw_query, again.body) == (
        original.method, original.path, original.raw_query, original.body)
    assert again.header("Authorization") == original.header("Authorization")


@needs_curl
def test_an_unset_variable_stops_the_shell_before_curl_runs(api: Any, certs: Any) -> None:
    profile = _profile(api.url("/api/x"), StaticBearer(SECRETS["static_token"]), ca_bundle=str(certs.ca_pem))
    done = _run(to_curl(_raw(profile, CLAIMS), auth=profile.auth, claims=CLAIMS), {})

    assert done.returncode != 0 and "B2C_BEARER_TOKEN" in done.stderr
    assert api.requests == []


@needs_curl
def test_masked_values_of_a_record_become_variables(api: Any, certs: Any) -> None:
    request = WireRequest("POST", api.url("/x"), {"Content-Type": "application/json"},
                          b'{"pin": "***", "otp": "***"}')
    command = curl_command(request, ca_bundle=str(certs.ca_pem))

    assert list(command.variables) == ["B2C_MASKED_1", "B2C_MASKED_2"]
    done = _run(command.text, {"B2C_MASKED_1": "1234", "B2C_MASKED_2": "9876"})
    assert done.returncode == 0, done.stderr
    assert api.requests[-1].json() == {"pin": "1234", "otp": "9876"}


@needs_curl
@pytest.mark.parametrize("body", [b"@not-a-file", b"line\x01\x02\x00end", b"\xff\xfe raw", b""], ids=[
    "at-sign", "control", "binary", "empty"])
def test_bodies_curl_would_misread_are_piped_exactly(api: Any, certs: Any, body: bytes) -> None:
    request = WireRequest("POST", api.url("/raw"), {"Content-Type": "application/octet-stream"}, body)
    text = to_curl(request, ca_bundle=str(certs.ca_pem))
    done = _run(text, {})

    assert done.returncode == 0, done.stderr
    assert api.requests[-1].body == body


def test_each_secret_becomes_the_documented_variable(certs: Any) -> None:
    url = "https://api.contoso.com/api/profile?code=url-code-4411"
    expected = {
        "basic": ('--user api-user:"${B2C_PASSWORD:?}"', ["B2C_PASSWORD"]),
        "api-key": ("--header 'x-functions-key: '\"${B2C_API_KEY:?}\"", ["B2C_API_KEY", "B2C_URL_CODE"]),
        "static-bearer": ("--header 'Authorization: Bearer '\"${B2C_BEARER_TOKEN:?}\"", ["B2C_BEARER_TOKEN"]),
        "client-certificate": ('--cert-type P12 \\\n  --cert "${B2C_PFX_PATH:?}":"${B2C_PFX_PASSWORD:?}"',
                               ["B2C_PFX_PATH", "B2C_PFX_PASSWORD"]),
    }
    for name, (option, variables) in expected.items():
        profile = _profile(url, _auth(name, certs))
        command = curl_command(_raw(profile, {"email": "a@b.c"}), auth=profile.auth)
        assert option in command.text, (name, command.text)
        assert set(variables) | {"B2C_URL_CODE"} >= set(command.variables) >= set(variables)
        assert "code='\"${B2C_URL_CODE:?}\"" in command.text
        _secrets_absent(command.text, "url-code-4411", certs.password)


def test_client_credentials_bearer_names_the_token_endpoint_not_the_secret() -> None:
    from connector_sim import ClientCredentials

    credentials = ClientCredentials(authority="https://login.microsoftonline.com/contoso.onmicrosoft.com",
                                    client_id="b2c-client", client_secret=SECRETS["client_secret"],
                                    scope="api://loyalty/.default")
    request = WireRequest("POST", "https://api.contoso.com/x", {"Authorization": "Bearer eyJ.real.token"}, b"{}")
    command = curl_command(request, auth=Bearer(credentials=credentials))

    assert "eyJ.real.token" not in command.text and SECRETS["client_secret"] not in command.text
    assert "client credentials for client 'b2c-client'" in command.variables["B2C_BEARER_TOKEN"]


def test_without_auth_a_raw_basic_header_keeps_the_user_and_hides_the_password() -> None:
    import base64

    token = base64.b64encode(f"api-user:{SECRETS['password']}".encode()).decode()
    request = WireRequest("GET", "https://api.contoso.com/x", {"Authorization": f"Basic {token}", "Cookie": "s=1"})
    text = to_curl(request)

    assert '--user api-user:"${B2C_PASSWORD:?}"' in text and "B2C_HEADER_COOKIE" in text
    _secrets_absent(text, token)
    masked = to_curl(request.redacted())
    assert "B2C_BASIC_CREDENTIALS" in masked and token not in masked


def test_named_secrets_and_empty_header_values() -> None:
    from connector_sim.reporting._curl import EnvRef

    request = WireRequest("GET", "https://api.contoso.com/x?user=svc-account-9",
                          {"X-Empty": "", "X-User": "svc-account-9"})
    command = curl_command(request, secrets={EnvRef("B2C_KEY_USER", "the policy key B2C_1A_User"): "svc-account-9"})

    assert "svc-account-9" not in command.text and command.variables == {"B2C_KEY_USER": "the policy key B2C_1A_User"}
    assert "--header 'X-Empty;'" in command.text  # curl would drop "X-Empty:"


def test_script_of_several_commands() -> None:
    first = curl_command(WireRequest("GET", "https://a.example/x"), profile_id="A")
    script = curl_script([first, "# B: not sent\n"], "two calls")

    assert script.startswith("#!/bin/sh\n# two calls\n") and "# A: GET" in script and "# B: not sent" in script


# -- connector-sim run / inspect --export curl ----------------------------------------------------------------


def _main(capsys: Any, *argv: str) -> Any:
    from connector_sim.cli import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    for value in SECRETS.values():
        assert value not in out + err
    return code, out, err


def _policy_args(tmp_path: Any, certs: Any, urls: Mapping[str, str]) -> list:
    import json

    from tests.helpers.journeys import JOURNEYS_POLICY, KEYS

    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps(KEYS), encoding="utf-8")
    args = ["--policy", str(JOURNEYS_POLICY), "--keys", str(keys), "--ca-bundle", str(certs.ca_pem)]
    for profile_id, url in urls.items():
        args += ["--service-url", f"{profile_id}={url}"]
    return args


@needs_curl
def test_run_export_curl_replays_the_journey(tmp_path: Any, certs: Any, api: Any, entra: Any, capsys: Any) -> None:
    from tests.helpers.journeys import CLIENT_ID, FakeApi, REST_IDS

    handler = FakeApi(entra)
    api.handler = handler
    urls = {pid: api.base_url for pid in REST_IDS}
    urls["REST-AcquireAccessToken"] = entra.token_url
    code, out, err = _main(capsys, "run", "REST-AcquireAccessToken", "REST-GetProfile", "--claim",
                           "email=ada@contoso.com", "--export", "curl", *_policy_args(tmp_path, certs, urls))

    assert code == 0 and out.startswith("#!/bin/sh\n") and "What B2C would do: carry on" in err
    assert out.count("\ncurl ") == 2 and handler.tokens[0] not in out
    first = api.requests[-1]
    env = {"B2C_KEY_SECURERESTCLIENTID": CLIENT_ID, "B2C_PASSWORD": SECRETS["client_secret"],
           "B2C_BEARER_TOKEN": handler.tokens[0]}
    done = _run(out, env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("HTTP/1.1 200") == 2 and len(entra.token_requests) == 2
    again = api.requests[-1]
    assert (again.path, again.body, again.header("Authorization")) == (first.path, first.body,
                                                                      first.header("Authorization"))


def test_run_export_curl_refuses_json_and_unknown_formats(tmp_path: Any, certs: Any, capsys: Any) -> None:
    import json

    args = _policy_args(tmp_path, certs, {})
    code, out, err = _main(capsys, "run", "REST-Promo", "--export", "curl", "--json", *args)
    assert code == 2 and json.loads(out)["error"] and "--export curl and --json" in err
    code, out, err = _main(capsys, "run", "REST-Promo", "--export", "httpie", *args)
    assert code == 2 and out == "" and "only 'curl'" in err


def test_inspect_export_curl_prints_the_request_it_would_send(tmp_path: Any, certs: Any, capsys: Any) -> None:
    args = _policy_args(tmp_path, certs, {"REST-Promo": "https://127.0.0.1:9/api/promo"})
    code, out, err = _main(capsys, "inspect", "REST-Promo", "--claim", "email=ada@contoso.com", "--export", "curl",
                           *args)

    assert code == 0 and out.startswith("# REST-Promo: POST") and "Technical profile REST-Promo" in err
    assert "--header 'x-functions-key: '\"${B2C_API_KEY:?}\"" in out
    assert out.rstrip().endswith(" https://127.0.0.1:9/api/promo")
    assert '"email":"ada@contoso.com"' in out.replace(" ", "")
    code, _, err = _main(capsys, "inspect", "AAD-UserWriteUsingEmail", "--export", "curl", *args)
    assert code == 2 and "nothing to export" in err


def test_inspect_export_curl_without_keys_asks_for_each_credential(capsys: Any) -> None:
    from tests.helpers.journeys import ARTICLE

    policy = str(ARTICLE / "01-rest-getprofile-basic.xml")
    code, out, _ = _main(capsys, "inspect", "REST-GetProfile", "--policy", policy, "--claim", "email=ada@contoso.com",
                         "--export", "curl")

    assert code == 0 and '--user "${B2C_USERNAME:?}":"${B2C_PASSWORD:?}"' in out
    assert "GetProfile?code='\"${B2C_URL_CODE:?}\"" in out and "your-code" not in out


def test_comments_never_spill_onto_a_command_line() -> None:
    command = curl_command(WireRequest("GET", "https://a.example/x"), profile_id="A\ntouch /tmp/pwned",
                           secrets={"B2C_X": "value-in-url"})
    script = curl_script([command], "title\nrm -rf /")

    assert all(line.startswith(("#", "curl", "  ")) or not line for line in script.splitlines())
