"""What ``connector-sim init`` writes: the B2C article's policy set, settings, a keys template and a pytest suite.

The technical profiles are the article's REST-AcquireAccessToken and REST-GetProfile (the demo's
policy, connector_sim/demo/policy.py), split as B2C's starter pack splits a policy: claim types in
the base, the REST profiles in the extensions, with ``{Settings:...}`` for what differs per
environment. The tests run as written against the demo's sample API on 127.0.0.1; each file says
where your own API goes.
"""

from __future__ import annotations

from ._init_policy import BASE, EXTENSIONS, RELYING_PARTY

__all__ = ["FILES"]

APPSETTINGS = """{
  "Environments": [
    {
      "Name": "Local",
      "Production": false,
      "Tenant": "contoso.onmicrosoft.com",
      "PolicySettings": {
        "LoyaltyApiUrl": "https://127.0.0.1:8443/api/GetProfile",
        "LoyaltyApiScope": "api://loyalty-api/.default"
      }
    },
    {
      "Name": "Production",
      "Production": true,
      "Tenant": "contoso.onmicrosoft.com",
      "PolicySettings": {
        "LoyaltyApiUrl": "https://your-account.azurewebsites.net/api/GetProfile",
        "LoyaltyApiScope": "api://loyalty-api/.default"
      }
    }
  ]
}
"""

KEYS = """{
  "B2C_1A_SecureRESTClientId": "your-b2c-app-client-id",
  "B2C_1A_SecureRESTClientSecret": {"env": "B2C_CLIENT_SECRET"}
}
"""

PYTEST_INI = """# The connector_sim plugin reads the policy set, keys and settings from here (paths: this folder).
[pytest]
testpaths = tests
b2c_policy =
    policy
b2c_keys = keys.json
b2c_settings = appsettings.json
b2c_environment = Local
b2c_require_policy = true
"""

CONFTEST = '''"""Fixtures: the demo's sample API stands in for yours until you point the profiles at it.

Your own API: serve its app object with the plugin's ``b2c_app_server`` fixture (Flask, FastAPI...),
and return its URL from ``b2c_service_urls``; keys come from keys.json (secrets from the environment).
"""

import pytest

from connector_sim import KeyStore
from connector_sim.demo import SampleApi


@pytest.fixture(scope="session")
def sample_api():
    with SampleApi() as api:
        yield api


@pytest.fixture
def b2c_keys(sample_api):
    # The sample API's client; with your tenant's app, delete this fixture and fill keys.json.
    return KeyStore({"B2C_1A_SecureRESTClientId": sample_api.client_id,
                     "B2C_1A_SecureRESTClientSecret": sample_api.client_secret})


@pytest.fixture
def b2c_service_urls(sample_api):
    return {"REST-AcquireAccessToken": sample_api.token_endpoint.token_url,
            "REST-GetProfile": sample_api.url("/api/GetProfile")}


@pytest.fixture
def ca_bundle(sample_api):
    return sample_api.ca_bundle
'''

TEST = '''"""The article's journey: REST-AcquireAccessToken, then REST-GetProfile with the token, as B2C runs them."""

import pytest

from connector_sim.pytest_plugin import assert_b2c_error, assert_claims, assert_ok

JOURNEY = ["REST-AcquireAccessToken", "REST-GetProfile"]


def test_a_member_gets_a_loyalty_number(b2c_run, ca_bundle):
    result = assert_ok(b2c_run(JOURNEY, claims={"email": "alice@contoso.com"}, ca_bundle=ca_bundle))
    assert_claims(result, {"loyaltyNumber": "LN-2290"})


@pytest.mark.b2c_step("not eligible")
def test_a_blocked_email_sees_the_apis_message(b2c_run, ca_bundle):
    result = b2c_run(JOURNEY, claims={"email": "bob@blocked.example"}, ca_bundle=ca_bundle)
    assert_b2c_error(result, user_message="not eligible for the loyalty program", status=409)
'''

README = """# B2C policy tests (made by connector-sim init)

    python -m pytest                       # the journey against the demo's sample API
    python -m pytest --b2c-junit junit.xml # a JUnit file for CI

policy/            TrustFrameworkBase.xml, TrustFrameworkExtensions.xml (REST-AcquireAccessToken, REST-GetProfile,
                   a sign-up page validating with them, the LoyaltyLookup journey), LoyaltyLookup.xml
appsettings.json   {Settings:...} values per environment (Local, Production)
keys.json          the policy keys; secrets come from environment variables ({"env": "NAME"})
pytest.ini         where the plugin finds them
tests/             conftest.py (the sample API; replace with your own app) and test_journey.py
"""

#: Relative path -> content.
FILES = {
    "policy/TrustFrameworkBase.xml": BASE,
    "policy/TrustFrameworkExtensions.xml": EXTENSIONS,
    "policy/LoyaltyLookup.xml": RELYING_PARTY,
    "appsettings.json": APPSETTINGS,
    "keys.json": KEYS,
    "pytest.ini": PYTEST_INI,
    "tests/conftest.py": CONFTEST,
    "tests/test_journey.py": TEST,
    "README.md": README,
}
