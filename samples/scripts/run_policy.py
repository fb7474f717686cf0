"""Run the sample policy set (samples/policy) against the local sample API, as B2C runs it.

It loads the policy files with appsettings.json and keys.json, lints them, then runs the user
journey (token, then profile), the sign-up page's validation profiles, and each REST profile.

Run: python samples/scripts/run_policy.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(SAMPLES / "api"))  # samples/api: the local servers

from local_servers import local_sample_api  # noqa: E402

from connector_sim import KeyStore, Settings, load_policy  # noqa: E402

POLICY = SAMPLES / "policy"
PROFILES = ["REST-GetProfile-Basic", "REST-GetProfile-ClientCertificate", "REST-GetProfile-StaticBearer",
            "REST-GetProfile-ApiKey"]

with local_sample_api() as local:
    # keys.json reads the secrets from these environment variables; in CI they come from your vault.
    os.environ.update(SAMPLE_API_PASSWORD=local.password, SAMPLE_API_STATIC_TOKEN=local.static_token,
                      SAMPLE_API_API_KEY=local.api_key, SAMPLE_CLIENT_SECRET=local.client_secret,
                      SAMPLE_PFX_PASSWORD=local.pfx_password)
    # keys.json names certs/client.pfx; this run made a throwaway certificate elsewhere, so that one
    # key is given first and keys.json supplies the rest.
    keys = KeyStore({"B2C_1A_RestApiClientCertificate": {"pfx": local.client_pfx,
                                                         "password_env": "SAMPLE_PFX_PASSWORD"}})
    keys = keys.chain(KeyStore.from_file(POLICY / "keys.json"))

    policy = load_policy(POLICY, settings=Settings.from_file(POLICY / "appsettings.json", "Local"))
    print(policy)
    findings = policy.lint(keys)
    print("lint:", [str(f) for f in findings] or "no findings")

    # Every REST profile calls the local servers instead of its ServiceUrl (same path and query).
    urls = {profile_id: local.base_url for profile_id in policy.restful_profile_ids}
    urls["REST-AcquireAccessToken"] = local.token_endpoint.token_url
    options = dict(keys=keys, service_urls=urls, ca_bundle=local.ca_bundle)

    journey = policy.run("LoyaltyLookup", claims={"email": "alice@contoso.com"}, **options)
    print("\nUserJourney LoyaltyLookup:")
    for step in journey.steps:
        print(f"  step {step.step} {step.profile}: {step.outcome} {step.status or ''} {step.note}")
    print("  claims:", journey.to_dict()["claims"])  # bearerToken masked

    page = policy.run("SelfAsserted-LoyaltySignUp", claims={"email": "bob@blocked.example"}, **options)
    print("\nSign-up page, blocked e-mail:", page.user_sees)

    print("\nEach REST profile on its own:")
    for profile_id in PROFILES:
        result = policy.run(profile_id, claims={"email": "alice@contoso.com"}, **options)
        step = result.steps[-1]
        print(f"  {profile_id}: {step.outcome} {step.status} {dict(result.claims)}")
