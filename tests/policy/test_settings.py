"""settings: the VS Code extension's appsettings.json and its {Settings:Name} placeholders."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from connector_sim.errors import ConfigurationError
from connector_sim.policy._policy import load_policy_text
from connector_sim.policy._settings import Settings

APPSETTINGS = {
    "Environments": [
        {"Name": "Development", "Production": False, "Tenant": "dev.onmicrosoft.com",
         "PolicySettings": {"IdentityExperienceFrameworkAppId": "ief-dev", "RESTApiServer": "https://dev.example",
                            "Flag": True, "Number": 3}},
        {"Name": "Production", "Production": True, "Tenant": "prod.onmicrosoft.com",
         "PolicySettings": {"IdentityExperienceFrameworkAppId": "ief-prod", "RESTApiServer": "https://prod.example"}},
    ]
}


@pytest.fixture
def appsettings(tmp_path: Path) -> Path:
    path = tmp_path / "appsettings.json"
    path.write_text(json.dumps(APPSETTINGS))
    return path


def test_environment_by_name(appsettings: Path) -> None:
    dev = Settings.from_file(appsettings, "Development")
    assert (dev.environment, dev.tenant, dev.production, dev.file) == ("Development", "dev.onmicrosoft.com", False, str(appsettings))
    assert dev.get("RESTApiServer") == "https://dev.example" and dev.get("Tenant") == "dev.onmicrosoft.com"
    assert dev.get("Flag") == "true" and dev.get("Number") == "3"
    assert Settings.from_file(appsettings, "production").environment == "Production"  # case-insensitive fallback


def test_unknown_environment_lists_the_names(appsettings: Path) -> None:
    with pytest.raises(ConfigurationError, match="no environment 'QA'; choose one of: Development, Production"):
        Settings.from_file(appsettings, "QA")


def test_environment_is_required_when_there_are_several(appsettings: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="2 environments; choose one of: Development, Production"):
        Settings.from_file(appsettings)
    single = tmp_path / "single.json"
    single.write_text(json.dumps({"Environments": APPSETTINGS["Environments"][:1]}))
    assert Settings.from_file(single).environment == "Development"


def test_substitute_is_exact_then_case_insensitive() -> None:
    settings = Settings({"RESTApiServer": "https://a.example", "restapiserver": "lower"}, tenant="t.onmicrosoft.com")
    assert settings.substitute("{Settings:RESTApiServer}/x") == "https://a.example/x"
    assert settings.substitute("{Settings:RestApiServer}") == "https://a.example"
    assert settings.substitute("{Settings:Tenant} {Settings:Unknown} {Culture:LCID}") == (
        "t.onmicrosoft.com {Settings:Unknown} {Culture:LCID}")


def test_yourtenant_is_replaced_with_the_tenant_unless_switched_off() -> None:
    settings = Settings({}, tenant="contoso.onmicrosoft.com")
    assert settings.substitute("http://YourTenant.onmicrosoft.com/B2C_1A_X") == "http://contoso.onmicrosoft.com/B2C_1A_X"
    kept = Settings({}, tenant="contoso.onmicrosoft.com", replace_yourtenant=False)
    assert kept.substitute("yourtenant.onmicrosoft.com") == "yourtenant.onmicrosoft.com"
    assert Settings({}).substitute("yourtenant.onmicrosoft.com") == "yourtenant.onmicrosoft.com"


def test_placeholders_are_filled_in_policies(appsettings: Path) -> None:
    text = """<TrustFrameworkPolicy TenantId="yourtenant.onmicrosoft.com" PolicyId="B2C_1A_X">
      <ClaimsProviders><ClaimsProvider><TechnicalProfiles>
        <TechnicalProfile Id="REST-{Settings:Tenant}">
          <Metadata><Item Key="ServiceUrl">{Settings:RESTApiServer}/api?tenant={Settings:Tenant}</Item></Metadata>
        </TechnicalProfile>
      </TechnicalProfiles></ClaimsProvider></ClaimsProviders></TrustFrameworkPolicy>"""
    policy = load_policy_text(text, settings=Settings.from_file(appsettings, "Production"))
    (definition,) = policy.technical_profiles.values()
    assert definition.id == "REST-prod.onmicrosoft.com"
    assert definition.metadata["ServiceUrl"] == "https://prod.example/api?tenant=prod.onmicrosoft.com"
    assert policy.files[0].tenant_id == "prod.onmicrosoft.com" and policy.unresolved_settings == []


def test_values_with_xml_characters_are_taken_literally(appsettings: Path) -> None:
    settings = Settings({"Url": "https://a.example/x?a=1&b=<2>"})
    text = '<TechnicalProfile Id="T"><Metadata><Item Key="ServiceUrl">{Settings:Url}</Item></Metadata></TechnicalProfile>'
    assert load_policy_text(text, settings=settings).technical_profile("T").metadata["ServiceUrl"] == (
        "https://a.example/x?a=1&b=<2>")


@pytest.mark.parametrize("content, fragment", [
    ("{", ":1:2: settings file is not valid JSON"),
    ('{"Environments": {}}', "expected {\"Environments\""),
    ('{"Environments": [{"Name": "D", "PolicySettings": []}]}', "PolicySettings of environment 'D' must be an object"),
    ('{"Environments": [{"Name": "D"}]}', "environment 'D' has no PolicySettings"),
], ids=["syntax", "not-a-list", "settings-not-object", "no-policy-settings"])
def test_bad_settings_files(tmp_path: Path, content: str, fragment: str) -> None:
    path = tmp_path / "appsettings.json"
    path.write_text(content)
    with pytest.raises(ConfigurationError) as info:
        Settings.from_file(path)
    assert fragment in str(info.value) and info.value.exit_code == 2


def test_unreadable_settings_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="cannot read settings file"):
        Settings.from_file(tmp_path / "nope.json")


def test_repr_and_describe(appsettings: Path) -> None:
    settings = Settings.from_file(appsettings, "Development")
    assert "ief-dev" not in repr(settings) and "RESTApiServer" in repr(settings)
    assert settings.describe() == f"environment 'Development' of {appsettings}"


def test_placeholders_in_comments_are_not_settings() -> None:
    from connector_sim import Settings, load_policy_text

    settings = Settings.from_dict({"Environments": [{"Name": "Dev", "PolicySettings": {"Url": "https://api.example/x"}}]})
    policy = load_policy_text(
        '<TrustFrameworkPolicy PolicyId="B2C_1A_x"><!-- replace\n {Settings:Unset} later -->'
        '<ClaimsProviders><ClaimsProvider><TechnicalProfiles><TechnicalProfile Id="R">'
        '<Protocol Name="Proprietary" Handler="Web.TPEngine.Providers.RestfulProvider, Web.TPEngine" />'
        '<Metadata><Item Key="ServiceUrl">{Settings:Url}</Item><Item Key="AuthenticationType">Basic</Item></Metadata>'
        '</TechnicalProfile></TechnicalProfiles></ClaimsProvider></ClaimsProviders></TrustFrameworkPolicy>',
        settings=settings)
    assert policy.technical_profile("R").metadata["ServiceUrl"] == "https://api.example/x"
