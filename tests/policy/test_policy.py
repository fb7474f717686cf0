"""policy: load real policy files and the article's snippets, and build callable RESTful profiles."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from connector_sim.auth import ApiKeyHeader, Basic, Bearer, ClientCertificate, NoAuth, StaticBearer
from connector_sim.errors import ConfigurationError, MissingKeyError, PolicyError
from connector_sim.keys import KeyStore
from connector_sim.policy._policy import Policy, load_policy, load_policy_sources, load_policy_text
from connector_sim.policy._settings import Settings
from connector_sim.testing import CertificateSet, FakeTokenEndpoint, Reply, TlsServer

POLICIES = Path(__file__).resolve().parents[1] / "policies"
ARTICLE = POLICIES / "secure-rest-api"
STARTER = POLICIES / "starter"
ARTICLE_SOURCE = Path("/work/shared/reference/secure-rest-api.md")
HANDLER = "Web.TPEngine.Providers.RestfulProvider, Web.TPEngine, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null"


def article(name: str) -> Path:
    """The verbatim article snippet whose file name contains ``name``."""
    (path,) = [p for p in ARTICLE.glob("*.xml") if name in p.name]
    return path


def rest_profile(profile_id: str = "REST-Test", metadata: str = "", body: str = "", mode: str = "") -> str:
    """A one-profile TrustFrameworkPolicy (with a ClaimsSchema) for focused tests."""
    deployment = f' DeploymentMode="{mode}"' if mode else ""
    return f"""<TrustFrameworkPolicy xmlns="http://schemas.microsoft.com/online/cpim/schemas/2013/06"
  TenantId="t.onmicrosoft.com" PolicyId="B2C_1A_Test"{deployment}>
  <BuildingBlocks><ClaimsSchema>
    <ClaimType Id="email"><DataType>string</DataType></ClaimType>
    <ClaimType Id="age"><DataType>int</DataType></ClaimType>
    <ClaimType Id="bearerToken"><DataType>string</DataType></ClaimType>
  </ClaimsSchema></BuildingBlocks>
  <ClaimsProviders><ClaimsProvider><TechnicalProfiles>
    <TechnicalProfile Id="{profile_id}">
      <Protocol Name="Proprietary" Handler="{HANDLER}" />
      <Metadata>{metadata}</Metadata>
      {body}
    </TechnicalProfile>
  </TechnicalProfiles></ClaimsProvider></ClaimsProviders>
</TrustFrameworkPolicy>"""


def item(key: str, value: str) -> str:
    return f'<Item Key="{key}">{value}</Item>'


BASIC_KEYS = {"RestApiUsername": "api-user", "B2C_1A_RestApiPassword": "s3cret"}
BASIC_KEY_REFS = """<CryptographicKeys>
  <Key Id="BasicAuthenticationUsername" StorageReferenceId="B2C_1A_RestApiUsername" />
  <Key Id="BasicAuthenticationPassword" StorageReferenceId="B2C_1A_RestApiPassword" />
</CryptographicKeys>"""


# -- the article's snippets, as written ----------------------------------------------------------

@pytest.mark.skipif(not ARTICLE_SOURCE.exists(), reason="the article source is not on this machine")
def test_article_snippets_are_verbatim_copies() -> None:
    text = ARTICLE_SOURCE.read_text(encoding="utf-8")
    blocks = re.findall(r"^[ \t]*```(?:xml|XML)[ \t]*\n(.*?)^[ \t]*```", text, re.M | re.S)
    files = sorted(ARTICLE.glob("*.xml"))
    assert [f.read_text(encoding="utf-8") for f in files] == blocks


def test_acquire_access_token_snippet_builds_basic_form_profile() -> None:
    policy = load_policy(article("rest-acquire-access-token"), article("bearer-claim-types"))
    profile = policy.profile("REST-AcquireAccessToken", {"B2C_1A_SecureRESTClientId": "cid", "SecureRESTClientSecret": "sec"})
    assert profile.service_url == "https://login.microsoftonline.com/your-tenant-name.onmicrosoft.com/oauth2/v2.0/token"
    assert isinstance(profile.auth, Basic) and profile.auth.username == "cid"
    assert profile.send_claims_in == "Form" and profile.method == "POST"
    grant, scope = profile.input_claims
    assert (grant.claim_type_reference_id, grant.default_value, grant.always_use_default_value) == (
        "grant_type", "client_credentials", True)
    assert (scope.claim_type_reference_id, scope.default_value, scope.always_use_default_value) == (
        "scope", "https://graph.microsoft.com/.default", True)
    (token,) = profile.output_claims
    assert (token.claim_type_reference_id, token.partner_claim_type, token.data_type) == ("bearerToken", "access_token", "string")
    assert profile.deployment_mode == "Production" and profile.timing_profile.name == "custom-policy"


def test_get_profile_snippet_uses_the_bearer_claim() -> None:
    profile = load_policy(article("rest-getprofile-bearer-claim")).profile("REST-GetProfile", {})
    assert isinstance(profile.auth, Bearer) and profile.auth.claim == "bearerToken"
    assert [c.claim_type_reference_id for c in profile.input_claims] == ["bearerToken"]
    assert profile.service_url == "https://your-account.azurewebsites.net/api/GetProfile?code=your-code"
    assert profile.send_claims_in == "Body" and profile.allow_insecure_auth_in_production is False


@pytest.mark.parametrize("snippet, keys, auth_type", [
    ("rest-getprofile-basic", BASIC_KEYS, Basic),
    ("rest-getprofile-static-bearer", {"RestApiBearerToken": "static-token"}, StaticBearer),
    ("rest-getprofile-api-key-header", {"B2C_1A_RestApiKey": "fn-key"}, ApiKeyHeader),
], ids=["basic", "static-bearer", "api-key-header"])
def test_get_profile_variants(snippet: str, keys: dict, auth_type: type) -> None:
    definition = load_policy(article(snippet)).technical_profile("REST-GetProfile")
    assert definition.is_restful and definition.kind == "RestfulProvider" and definition.handler == HANDLER
    profile = load_policy(article(snippet)).profile("REST-GetProfile", keys)
    assert type(profile.auth) is auth_type
    if auth_type is ApiKeyHeader:
        assert profile.auth.header == "x-functions-key"
    assert "s3cret" not in repr(profile) and "fn-key" not in repr(profile) and "static-token" not in repr(profile)


def test_client_certificate_variant(certs: CertificateSet) -> None:
    keys = KeyStore.from_dict({"RestApiClientCertificate": {"pfx": str(certs.client_pfx), "password": certs.password}})
    profile = load_policy(article("rest-getprofile-client-certificate")).profile("REST-GetProfile", keys)
    assert isinstance(profile.auth, ClientCertificate)
    assert certs.common_name in profile.auth.info.subject


@pytest.mark.parametrize("snippet", ["basic-cryptographic-keys", "item-authentication-type-bearer",
                                     "input-claim-bearer-token", "validation-technical-profiles.xml",
                                     "orchestration-steps", "validation-technical-profiles-elided"])
def test_snippets_that_are_not_policies_are_refused_clearly(snippet: str) -> None:
    with pytest.raises(PolicyError, match="is not a policy file or a fragment"):
        load_policy(article(snippet))


def test_all_article_profiles_load_together_with_their_claim_types() -> None:
    policy = load_policy(article("rest-acquire-access-token"), article("bearer-claim-types"),
                         article("rest-getprofile-bearer-claim"))
    assert sorted(policy.claim_types) == ["bearerToken", "grant_type", "scope"]
    assert policy.policy_ids == [] and policy.restful_profile_ids == ["REST-AcquireAccessToken", "REST-GetProfile"]


def test_article_flow_against_local_servers(certs: CertificateSet, api: TlsServer) -> None:
    """REST-AcquireAccessToken then REST-GetProfile, as written, pointed at a fake Entra and a local API."""
    with FakeTokenEndpoint({"b2c-client": "client-secret"}, tenant="your-tenant-name.onmicrosoft.com",
                           certificates=certs) as entra:
        policy = load_policy(article("rest-acquire-access-token"), article("rest-getprofile-bearer-claim"))
        keys = {"SecureRESTClientId": "b2c-client", "SecureRESTClientSecret": "client-secret"}
        token_profile = policy.profile("REST-AcquireAccessToken", keys, service_url=entra.server.base_url,
                                       ca_bundle=str(certs.ca_pem))
        token = token_profile.call({}).claims["bearerToken"]
        assert entra.verify(token)
        api.handler = lambda request: Reply(200, json={})
        get_profile = policy.profile("REST-GetProfile", service_url=api.base_url, ca_bundle=str(certs.ca_pem))
        assert get_profile.call({"bearerToken": token}).ok
    request = api.last_request
    assert request.path == "/api/GetProfile" and request.raw_query == "code=your-code"
    assert request.header("Authorization") == f"Bearer {token}"


# -- starter-pack files: chain, merge, includes --------------------------------------------------

@pytest.fixture(scope="module")
def starter() -> Policy:
    return load_policy(STARTER, settings=Settings.from_file(STARTER / "appsettings.json", "Development"))


def test_starter_pack_chain_is_ordered_base_first_in_any_order(starter: Policy) -> None:
    shuffled = load_policy(*sorted(STARTER.glob("*.xml"), reverse=True),
                           settings=Settings.from_file(STARTER / "appsettings.json", "Development"))
    for policy in (starter, shuffled):
        assert policy.policy_ids[:3] == ["B2C_1A_TrustFrameworkBase", "B2C_1A_TrustFrameworkLocalization",
                                         "B2C_1A_TrustFrameworkExtensions"]
        assert set(policy.policy_ids[3:]) == {"B2C_1A_signup_signin", "B2C_1A_ProfileEdit"}
    assert "PolicyProfile" not in starter.technical_profiles  # relying-party profiles are not claims providers


def test_kinds_of_profiles(starter: Policy) -> None:
    kinds = {pid: d.kind for pid, d in starter.technical_profiles.items()}
    assert kinds["login-NonInteractive"] == "OpenIdConnect"
    assert kinds["AAD-UserWriteUsingLogonEmail"] == "AzureActiveDirectoryProvider"  # Protocol from the include
    assert kinds["ClaimsTransformation-CreateUpn"] == "ClaimsTransformationProtocolProvider"
    assert kinds["LocalAccountSignUpWithLogonEmail"] == "SelfAssertedAttributeProvider"
    assert kinds["JwtIssuer"] == "None"
    assert not starter.technical_profile("AAD-Common").is_restful


def test_derived_file_adds_to_a_base_profile(starter: Policy) -> None:
    login = starter.technical_profile("login-NonInteractive")
    assert login.metadata["client_id"] == "22222222-2222-2222-2222-222222222222"  # extension, settings filled
    assert login.metadata["ProviderName"] == "https://sts.windows.net/"  # base
    assert login.metadata_items["client_id"].file.endswith("TrustFrameworkExtensions.xml")
    assert [c.claim_type_reference_id for c in login.input_claims][-2:] == ["client_id", "resource_id"]
    assert len(login.parts) == 2 and login.file.endswith("TrustFrameworkBase.xml")


def test_validation_profiles_merge_in_document_order_with_flags(starter: Policy) -> None:
    signup = starter.technical_profile("LocalAccountSignUpWithLogonEmail")
    refs = signup.validation_technical_profiles
    assert [r.reference_id for r in refs] == ["AAD-UserWriteUsingLogonEmail", "REST-AcquireAccessToken",
                                              "REST-ValidatePromoCode", "REST-AuditSignUp"]
    assert (refs[3].continue_on_error, refs[3].continue_on_success) == (True, True)
    assert (refs[2].continue_on_error, refs[2].continue_on_success) == (False, True)
    (pre,) = refs[3].preconditions
    assert (pre.type, pre.execute_actions_if, pre.values, pre.action) == (
        "ClaimsExist", False, ("promoCode",), "SkipThisValidationTechnicalProfile")
    assert "promoCode" in [c.claim_type_reference_id for c in signup.output_claims]


def test_include_technical_profile_inherits_then_applies_own(starter: Policy) -> None:
    promo = starter.technical_profile("REST-ValidatePromoCode")
    assert promo.includes == ["REST-LoyaltyCommon"] and promo.is_restful
    assert promo.metadata["AuthenticationType"] == "ApiKeyHeader"
    assert promo.metadata["ServiceUrl"] == "https://loyalty-dev.contoso.example/api/ValidatePromoCode"
    audit = starter.profile("REST-AuditSignUp", KeyStore.from_file(STARTER / "keys.json"))
    assert audit.send_claims_in == "QueryString" and isinstance(audit.auth, ApiKeyHeader)


def test_claim_data_types_come_from_the_claims_schema(starter: Policy) -> None:
    get_profile = starter.technical_profile("REST-GetProfile")
    types = {c.claim_type_reference_id: c.data_type for c in get_profile.output_claims}
    assert types == {"loyaltyNumber": "long", "isMember": "boolean", "givenName": "string"}
    assert starter.claim_types["displayName"].data_type == "string"  # restated without a DataType
    assert starter.claim_types["otherMails"].data_type == "stringCollection"


def test_unknown_claim_is_a_string() -> None:
    policy = load_policy_text(rest_profile(body='<InputClaims><InputClaim ClaimTypeReferenceId="mystery" /></InputClaims>'))
    assert policy.technical_profile("REST-Test").input_claims[0].data_type == "string"


def test_user_journeys_and_orchestration_steps(starter: Policy) -> None:
    steps = starter.user_journeys["SignUpOrSignInWithLoyalty"]
    assert [s.order for s in steps] == [1, 2, 3, 4, 5, 6]
    assert steps[3].technical_profile_ids == ["REST-AcquireAccessToken"] and steps[3].type == "ClaimsExchange"
    assert steps[1].preconditions[0].values == ("objectId",)
    assert steps[5].type == "SendClaims" and steps[5].technical_profile_ids == []
    assert steps[4].file.endswith("TrustFrameworkExtensions.xml") and steps[4].line


def test_journey_steps_merge_by_order() -> None:
    base = """<TrustFrameworkPolicy PolicyId="B2C_1A_Base" TenantId="t"><UserJourneys><UserJourney Id="J">
      <OrchestrationSteps>
        <OrchestrationStep Order="1" Type="ClaimsExchange"><ClaimsExchanges>
          <ClaimsExchange Id="A" TechnicalProfileReferenceId="TP-A" /></ClaimsExchanges></OrchestrationStep>
        <OrchestrationStep Order="2" Type="ClaimsExchange"><ClaimsExchanges>
          <ClaimsExchange Id="B" TechnicalProfileReferenceId="TP-B" /></ClaimsExchanges></OrchestrationStep>
      </OrchestrationSteps></UserJourney></UserJourneys></TrustFrameworkPolicy>"""
    ext = """<TrustFrameworkPolicy PolicyId="B2C_1A_Ext" TenantId="t"><BasePolicy><PolicyId>B2C_1A_Base</PolicyId>
      </BasePolicy><UserJourneys><UserJourney Id="J"><OrchestrationSteps>
        <OrchestrationStep Order="2" Type="ClaimsExchange"><ClaimsExchanges>
          <ClaimsExchange Id="C" TechnicalProfileReferenceId="TP-C" /></ClaimsExchanges></OrchestrationStep>
      </OrchestrationSteps></UserJourney></UserJourneys></TrustFrameworkPolicy>"""
    policy = load_policy_sources([("ext.xml", ext), ("base.xml", base)])
    assert [s.technical_profile_ids for s in policy.user_journeys["J"]] == [["TP-A"], ["TP-C"]]


def test_localized_error_messages_override_metadata(starter: Policy) -> None:
    promo = starter.profile("REST-ValidatePromoCode", KeyStore.from_file(STARTER / "keys.json"))
    assert promo.messages.request_failed == "We could not reach the loyalty service. Please try again."
    assert promo.messages.request_timeout == "The loyalty service took too long to answer."
    assert starter.default_language == "en"


def test_metadata_user_messages_without_localization() -> None:
    metadata = "".join(item(k, v) for k, v in [
        ("ServiceUrl", "https://api.example.com/x"), ("AuthenticationType", "None"),
        ("AllowInsecureAuthInProduction", "true"), ("DefaultUserMessageIfRequestFailed", "Try later"),
        ("UserMessageIfCircuitOpen", "Circuit open"), ("UserMessageIfDnsResolutionFailed", "No DNS"),
        ("UserMessageIfRequestTimeout", "Too slow"), ("ClaimsFormat", "Body")])
    messages = load_policy_text(rest_profile(metadata=metadata)).profile("REST-Test").messages
    assert (messages.request_failed, messages.circuit_open, messages.dns_resolution_failed, messages.request_timeout) == (
        "Try later", "Circuit open", "No DNS", "Too slow")


def test_metadata_switches_map_to_profile_fields() -> None:
    metadata = "".join(item(k, v) for k, v in [
        ("ServiceUrl", "https://api.example.com/x"), ("AuthenticationType", "None"), ("SendClaimsIn", "Body"),
        ("AllowInsecureAuthInProduction", "True"), ("DebugMode", "TRUE"), ("ResolveJsonPathsInJsonTokens", "true"),
        ("IncludeClaimResolvingInClaimsHandling", "false"), ("ClaimUsedForRequestPayload", "email")])
    body = '<InputClaims><InputClaim ClaimTypeReferenceId="email" /></InputClaims>'
    profile = load_policy_text(rest_profile(metadata=metadata, body=body)).profile("REST-Test")
    assert isinstance(profile.auth, NoAuth)
    assert profile.allow_insecure_auth_in_production and profile.debug_mode and profile.resolve_json_paths_in_json_tokens
    assert not profile.include_claim_resolving_in_claims_handling
    assert profile.claim_used_for_request_payload == "email"


@pytest.mark.parametrize("value", ["yes", "1", ""])
def test_bad_boolean_is_aadb2c90030(value: str) -> None:
    metadata = item("ServiceUrl", "https://a.example") + item("AuthenticationType", "Basic") + item("DebugMode", value)
    with pytest.raises(ConfigurationError) as info:
        load_policy_text(rest_profile(metadata=metadata, body=BASIC_KEY_REFS)).profile("REST-Test", BASIC_KEYS)
    assert info.value.b2c_code == "AADB2C90030" and "DebugMode" in str(info.value)


@pytest.mark.parametrize("metadata, code", [
    (item("AuthenticationType", "None"), "AADB2C90023"),
    (item("ServiceUrl", "https://a.example"), "AADB2C90023"),
    (item("ServiceUrl", "https://a.example") + item("AuthenticationType", "OAuth"), "AADB2C90024"),
    (item("ServiceUrl", "https://a.example") + item("AuthenticationType", "Basic")
     + item("SendClaimsIn", "Json"), "AADB2C90029"),
    (item("ServiceUrl", "http://a.example") + item("AuthenticationType", "Basic"), "AADB2C90256"),
    (item("ServiceUrl", "https://a.example") + item("AuthenticationType", "None"), "AADB2C90258"),
], ids=["no-service-url", "no-auth-type", "unknown-auth-type", "bad-send-claims-in", "http-production",
        "none-production"])
def test_upload_checks_raise_b2c_codes(metadata: str, code: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        load_policy_text(rest_profile(metadata=metadata, body=BASIC_KEY_REFS)).profile("REST-Test", BASIC_KEYS)
    assert info.value.b2c_code == code and info.value.profile_id == "REST-Test"


def test_development_mode_allows_http_and_none() -> None:
    metadata = item("ServiceUrl", "http://localhost:7071/api/x") + item("AuthenticationType", "None")
    policy = load_policy_text(rest_profile(metadata=metadata, mode="Development"))
    assert policy.deployment_mode == "Development"
    assert policy.profile("REST-Test").deployment_mode == "Development"
    with pytest.raises(ConfigurationError, match="https"):
        policy.profile("REST-Test", deployment_mode="Production")


def test_service_url_override_keeps_path_and_query() -> None:
    policy = load_policy(article("rest-getprofile-basic"))
    assert policy.profile("REST-GetProfile", BASIC_KEYS, service_url="https://127.0.0.1:8443").service_url == (
        "https://127.0.0.1:8443/api/GetProfile?code=your-code")
    assert policy.profile("REST-GetProfile", BASIC_KEYS, service_url="https://127.0.0.1:8443/other").service_url == (
        "https://127.0.0.1:8443/other?code=your-code")
    assert policy.profile("REST-GetProfile", BASIC_KEYS, service_url="https://h/p?x=1").service_url == "https://h/p?x=1"
    with pytest.raises(ConfigurationError, match="absolute"):
        policy.profile("REST-GetProfile", BASIC_KEYS, service_url="127.0.0.1:8443")


def test_timing_and_ca_bundle_are_passed_on() -> None:
    profile = load_policy(article("rest-getprofile-basic")).profile("REST-GetProfile", BASIC_KEYS, timing="user-flow",
                                                                    ca_bundle="/tmp/ca.pem")
    assert profile.timing_profile.name == "user-flow" and profile.ca_bundle == "/tmp/ca.pem"


def test_missing_key_names_key_profile_and_where_to_put_it(tmp_path: Path) -> None:
    keys_file = tmp_path / "keys.json"
    keys_file.write_text('{"RestApiUsername": "u"}')
    with pytest.raises(MissingKeyError) as info:
        load_policy(article("rest-getprofile-basic")).profile("REST-GetProfile", KeyStore.from_file(keys_file))
    message = str(info.value)
    assert info.value.key == "B2C_1A_RestApiPassword" and info.value.profile_id == "REST-GetProfile"
    assert "REST-GetProfile" in message and str(keys_file) in message and info.value.exit_code == 2


def test_missing_key_without_a_keystore_points_at_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in __import__("os").environ if n.startswith("CONNECTOR_SIM_KEY_")]:
        monkeypatch.delenv(name)
    with pytest.raises(MissingKeyError, match="CONNECTOR_SIM_KEY_RestApiKey"):
        load_policy(article("rest-getprofile-api-key-header")).profile("REST-GetProfile")
    monkeypatch.setenv("CONNECTOR_SIM_KEY_B2C_1A_RestApiKey", "from-env")
    profile = load_policy(article("rest-getprofile-api-key-header")).profile("REST-GetProfile")
    assert isinstance(profile.auth, ApiKeyHeader)


def test_non_restful_profile_is_not_an_http_call(starter: Policy) -> None:
    with pytest.raises(ConfigurationError) as info:
        starter.profile("AAD-UserReadUsingObjectId")
    message = str(info.value)
    assert "AzureActiveDirectoryProvider" in message and "not an HTTP call" in message
    assert "REST-GetProfile" in message  # the hint lists what can be called
    with pytest.raises(ConfigurationError, match="SelfAssertedAttributeProvider"):
        starter.profile("LocalAccountSignUpWithLogonEmail")


def test_unknown_profile_suggests_the_closest(starter: Policy) -> None:
    with pytest.raises(PolicyError) as info:
        starter.technical_profile("REST-GetProfil")
    assert "'REST-GetProfile'" in str(info.value) and info.value.exit_code == 2
    with pytest.raises(PolicyError, match="'REST-GetProfile'"):
        starter.profile("rest-getprofile")


def test_unresolved_settings_stop_profile_building() -> None:
    policy = load_policy(STARTER)
    assert ("LoyaltyApiBaseUrl", str(STARTER / "TrustFrameworkExtensions.xml"), 112) in policy.unresolved_settings
    with pytest.raises(PolicyError, match=r"\{Settings:LoyaltyApiBaseUrl\}") as info:
        policy.profile("REST-GetProfile")
    assert info.value.line == 112 and "--settings" in str(info.value)


def test_settings_fill_tenant_and_policy_settings(starter: Policy) -> None:
    token = starter.profile("REST-AcquireAccessToken", KeyStore.from_file(STARTER / "keys.json"))
    assert token.service_url == "https://login.microsoftonline.com/contosodev.onmicrosoft.com/oauth2/v2.0/token"
    assert token.input_claims[1].default_value == "api://loyalty-dev/.default"
    production = load_policy(STARTER, settings=Settings.from_file(STARTER / "appsettings.json", "Production"))
    assert production.technical_profile("REST-GetProfile").metadata["ServiceUrl"].startswith("https://loyalty.contoso")


def test_directory_with_no_xml_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="no \\*.xml"):
        load_policy(tmp_path)


def test_repr_is_short(starter: Policy) -> None:
    assert "B2C_1A_TrustFrameworkBase" in repr(starter) and len(repr(starter)) < 400
    assert "REST-GetProfile" in repr(starter.technical_profile("REST-GetProfile"))


def test_empty_service_url_is_aadb2c90026() -> None:
    metadata = item("ServiceUrl", "") + item("AuthenticationType", "None")
    with pytest.raises(ConfigurationError) as info:
        load_policy_text(rest_profile(metadata=metadata, mode="Development")).profile("REST-Test")
    assert info.value.b2c_code == "AADB2C90026"


def test_key_of_the_wrong_kind_is_a_configuration_error(certs: CertificateSet) -> None:
    cert = {"pfx": str(certs.client_pfx), "password": certs.password}
    with pytest.raises(ConfigurationError, match="needs a secret string"):
        load_policy(article("rest-getprofile-basic")).profile("REST-GetProfile", {"RestApiUsername": cert,
                                                                                  "RestApiPassword": "p"})
    with pytest.raises(ConfigurationError, match="not a certificate") as info:
        load_policy(article("rest-getprofile-client-certificate")).profile("REST-GetProfile",
                                                                           {"RestApiClientCertificate": "secret-9"})
    assert "secret-9" not in str(info.value)


@pytest.mark.parametrize("text", [
    f'<TechnicalProfiles><TechnicalProfile Id="A"><Protocol Name="Proprietary" Handler="{HANDLER}" />'
    "</TechnicalProfile><TechnicalProfile Id=\"B\" /></TechnicalProfiles>",
    '<ClaimsProviders xmlns="http://schemas.microsoft.com/online/cpim/schemas/2013/06"><ClaimsProvider>'
    '<TechnicalProfiles><TechnicalProfile Id="A" /><TechnicalProfile Id="B" /></TechnicalProfiles></ClaimsProvider>'
    "</ClaimsProviders>",
    '<?xml version="1.0" encoding="utf-8"?>\n<TechnicalProfile Id="A" />\n<TechnicalProfile Id="B" />\n',
], ids=["technical-profiles", "claims-providers-namespaced", "sibling-roots"])
def test_fragment_roots(text: str) -> None:
    loaded = load_policy_text(text)
    assert sorted(loaded.technical_profiles) == ["A", "B"] and loaded.policy_ids == []
    assert loaded.files[0].is_fragment


def test_claims_schema_and_building_blocks_fragments() -> None:
    schema = '<ClaimsSchema><ClaimType Id="n"><DataType>int</DataType></ClaimType></ClaimsSchema>'
    blocks = f"<BuildingBlocks>{schema}</BuildingBlocks>"
    for text in (schema, blocks):
        assert load_policy_text(text).claim_types["n"].data_type == "int"


def test_fragments_apply_after_full_policies() -> None:
    base = ('<TrustFrameworkPolicy PolicyId="B2C_1A_Base" TenantId="t"><ClaimsProviders><ClaimsProvider><TechnicalProfiles>'
            f'<TechnicalProfile Id="REST-A"><Protocol Name="Proprietary" Handler="{HANDLER}" /><Metadata>'
            '<Item Key="ServiceUrl">https://base.example</Item></Metadata></TechnicalProfile>'
            "</TechnicalProfiles></ClaimsProvider></ClaimsProviders></TrustFrameworkPolicy>")
    fragment = '<TechnicalProfile Id="REST-A"><Metadata><Item Key="ServiceUrl">https://fragment.example</Item></Metadata></TechnicalProfile>'
    loaded = load_policy_sources([("fragment.xml", fragment), ("base.xml", base)])
    assert loaded.technical_profile("REST-A").metadata["ServiceUrl"] == "https://fragment.example"


def test_derived_claim_overrides_only_the_attributes_it_writes() -> None:
    base = ('<TrustFrameworkPolicy PolicyId="B2C_1A_Base" TenantId="t"><ClaimsProviders><ClaimsProvider><TechnicalProfiles>'
            '<TechnicalProfile Id="T"><InputClaims><InputClaim ClaimTypeReferenceId="c" PartnerClaimType="p" '
            'DefaultValue="d" /></InputClaims><CryptographicKeys><Key Id="k" StorageReferenceId="B2C_1A_Old" />'
            "</CryptographicKeys></TechnicalProfile></TechnicalProfiles></ClaimsProvider></ClaimsProviders>"
            "</TrustFrameworkPolicy>")
    ext = ('<TrustFrameworkPolicy PolicyId="B2C_1A_Ext" TenantId="t"><BasePolicy><PolicyId>B2C_1A_Base</PolicyId>'
           "</BasePolicy><ClaimsProviders><ClaimsProvider><TechnicalProfiles><TechnicalProfile Id=\"T\"><InputClaims>"
           '<InputClaim ClaimTypeReferenceId="c" DefaultValue="new" AlwaysUseDefaultValue="true" /></InputClaims>'
           '<CryptographicKeys><Key Id="k" StorageReferenceId="B2C_1A_New" /></CryptographicKeys></TechnicalProfile>'
           "</TechnicalProfiles></ClaimsProvider></ClaimsProviders></TrustFrameworkPolicy>")
    merged = load_policy_sources([("ext.xml", ext), ("base.xml", base)]).technical_profile("T")
    (claim,) = merged.input_claims
    assert (claim.partner_claim_type, claim.default_value, claim.always_use_default_value) == ("p", "new", True)
    assert [k.storage_reference_id for k in merged.cryptographic_keys] == ["B2C_1A_New"]
    assert merged.input_claim_refs[0].file == "ext.xml"


def test_metadata_item_repr_redacts_function_keys() -> None:
    definition = load_policy(article("rest-getprofile-basic")).technical_profile("REST-GetProfile")
    assert "your-code" not in repr(definition.metadata_items["ServiceUrl"])


def test_run_delegates_to_the_journey_runner() -> None:
    policy = load_policy(article("rest-acquire-access-token"), article("rest-getprofile-bearer-claim"))
    result = policy.run(["REST-AcquireAccessToken", "REST-GetProfile"],
                        supplied={"REST-AcquireAccessToken": {"bearerToken": "t"}, "REST-GetProfile": {}})
    assert [step.profile for step in result.steps] == ["REST-AcquireAccessToken", "REST-GetProfile"]
