"""policy: every bad input is a clear PolicyError (exit code 2) naming file, line and what to do."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from connector_sim.errors import ConnectorSimError, PolicyError
from connector_sim.policy._policy import load_policy, load_policy_sources, load_policy_text
from connector_sim.policy._settings import Settings

NS = 'xmlns="http://schemas.microsoft.com/online/cpim/schemas/2013/06"'


def policy(policy_id: str, base: str = "", body: str = "", tenant: str = "t.onmicrosoft.com") -> str:
    base_xml = f"<BasePolicy><TenantId>{tenant}</TenantId><PolicyId>{base}</PolicyId></BasePolicy>" if base else ""
    return f'<TrustFrameworkPolicy {NS} TenantId="{tenant}" PolicyId="{policy_id}">\n{base_xml}\n{body}\n</TrustFrameworkPolicy>'


def profiles(*xml: str) -> str:
    return "<ClaimsProviders><ClaimsProvider><TechnicalProfiles>" + "".join(xml) + "</TechnicalProfiles></ClaimsProvider></ClaimsProviders>"


def expect(exc: pytest.ExceptionInfo, *fragments: str) -> None:
    assert isinstance(exc.value, ConnectorSimError) and exc.value.exit_code == 2
    for fragment in fragments:
        assert fragment in str(exc.value)


def test_malformed_xml_has_file_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "TrustFrameworkExtensions.xml"
    path.write_text('<TrustFrameworkPolicy PolicyId="B2C_1A_X">\n  <BasePolicy>\n  </Base>\n</TrustFrameworkPolicy>\n')
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    assert (info.value.file, info.value.line, info.value.column) == (str(path), 3, 5)
    expect(info, f"{path}:3:5", "mismatched tag")
    assert info.value.__cause__ is not None  # chained, not swallowed


@pytest.mark.parametrize("text, line", [
    ("", 1),
    ("<TrustFrameworkPolicy>\n<Unclosed>\n</TrustFrameworkPolicy>", 3),
    ('<TrustFrameworkPolicy PolicyId="a" PolicyId="b"/>', 1),
    ("<TrustFrameworkPolicy>&amp</TrustFrameworkPolicy>", 1),
], ids=["empty", "unclosed", "duplicate-attribute", "bad-entity-reference"])
def test_other_malformed_inputs(text: str, line: int) -> None:
    with pytest.raises(PolicyError, match="malformed XML") as info:
        load_policy_text(text, name="bad.xml")
    assert info.value.line == line and info.value.column


def test_junk_after_a_full_policy_is_malformed_not_a_fragment() -> None:
    with pytest.raises(PolicyError, match="junk after document element"):
        load_policy_text(policy("B2C_1A_A") + "<TrustFrameworkPolicy/>")


@pytest.mark.parametrize("text", [
    '<!DOCTYPE TrustFrameworkPolicy [<!ENTITY x "y">]>\n<TrustFrameworkPolicy>&x;</TrustFrameworkPolicy>',
    '<!DOCTYPE TrustFrameworkPolicy SYSTEM "http://example.com/evil.dtd">\n<TrustFrameworkPolicy/>',
    '<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<TrustFrameworkPolicy>&xxe;</TrustFrameworkPolicy>',
], ids=["internal-entity", "external-dtd", "xxe"])
def test_doctype_and_entities_are_refused(text: str) -> None:
    with pytest.raises(PolicyError) as info:
        load_policy_text(text, name="evil.xml")
    expect(info, "evil.xml", "refused", "DOCTYPE")
    assert info.value.line in (1, 2)


def test_billion_laughs_is_refused_quickly() -> None:
    entities = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    text = f'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">{entities}]><TrustFrameworkPolicy>&lol9;</TrustFrameworkPolicy>'
    start = time.perf_counter()
    with pytest.raises(PolicyError, match="refused"):
        load_policy_text(text)
    assert time.perf_counter() - start < 0.5


def test_missing_base_policy_names_it_and_the_file() -> None:
    with pytest.raises(PolicyError) as info:
        load_policy_sources([("ext.xml", policy("B2C_1A_Ext", base="B2C_1A_TrustFrameworkBase"))])
    expect(info, "ext.xml:2", "B2C_1A_TrustFrameworkBase", "not among the loaded files")
    assert "B2C_1A_TrustFrameworkBase" in (info.value.hint or "")


def test_base_policy_cycle_lists_the_cycle() -> None:
    with pytest.raises(PolicyError) as info:
        load_policy_sources([("a.xml", policy("B2C_1A_A", base="B2C_1A_C")), ("b.xml", policy("B2C_1A_B", base="B2C_1A_A")),
                             ("c.xml", policy("B2C_1A_C", base="B2C_1A_B"))])
    expect(info, "cycle", "B2C_1A_A (a.xml)", "B2C_1A_B (b.xml)", "B2C_1A_C (c.xml)", " -> ")


def test_self_referencing_base_policy_is_a_cycle() -> None:
    with pytest.raises(PolicyError, match="cycle"):
        load_policy_text(policy("B2C_1A_A", base="B2C_1A_A"))


def test_ten_levels_are_fine_eleven_are_not() -> None:
    def chain(n: int) -> list:
        return [(f"p{i}.xml", policy(f"B2C_1A_P{i}", base=f"B2C_1A_P{i - 1}" if i else "")) for i in range(n)]

    assert len(load_policy_sources(chain(10)).policy_ids) == 10
    with pytest.raises(PolicyError, match="11 levels deep; B2C allows at most 10"):
        load_policy_sources(chain(11))


def test_policy_ids_match_case_insensitively_and_tenants_must_agree() -> None:
    loaded = load_policy_sources([("b.xml", policy("B2C_1A_Base")), ("e.xml", policy("B2C_1A_Ext", base="b2c_1a_base"))])
    assert loaded.policy_ids == ["B2C_1A_Base", "B2C_1A_Ext"]
    with pytest.raises(PolicyError, match="names tenant"):
        load_policy_sources([("b.xml", policy("B2C_1A_Base")),
                             ("e.xml", policy("B2C_1A_Ext", base="B2C_1A_Base").replace(
                                 "<TenantId>t.onmicrosoft.com", "<TenantId>other.onmicrosoft.com"))])


def test_base_policy_without_tenant_is_tolerated() -> None:
    ext = f'<TrustFrameworkPolicy {NS} PolicyId="B2C_1A_Ext"><BasePolicy><PolicyId>B2C_1A_Base</PolicyId></BasePolicy></TrustFrameworkPolicy>'
    assert load_policy_sources([("e.xml", ext), ("b.xml", policy("B2C_1A_Base"))]).policy_ids == ["B2C_1A_Base", "B2C_1A_Ext"]


def test_duplicate_policy_id_and_missing_policy_id() -> None:
    with pytest.raises(PolicyError, match="also declared by a.xml"):
        load_policy_sources([("a.xml", policy("B2C_1A_A")), ("b.xml", policy("B2C_1A_A"))])
    with pytest.raises(PolicyError, match="no PolicyId"):
        load_policy_text(f"<TrustFrameworkPolicy {NS}/>")


def test_include_cycle_is_a_policy_error() -> None:
    body = profiles('<TechnicalProfile Id="A"><IncludeTechnicalProfile ReferenceId="B" /></TechnicalProfile>',
                    '<TechnicalProfile Id="B"><IncludeTechnicalProfile ReferenceId="A" /></TechnicalProfile>')
    with pytest.raises(PolicyError, match="IncludeTechnicalProfile has a cycle: A -> B -> A"):
        load_policy_text(policy("B2C_1A_A", body=body))


def test_missing_include_fails_only_when_that_profile_is_built() -> None:
    body = profiles('<TechnicalProfile Id="REST-A"><Protocol Name="Proprietary" Handler="Web.TPEngine.Providers.'
                    'RestfulProvider, Web.TPEngine" /><IncludeTechnicalProfile ReferenceId="REST-Missing" />'
                    "</TechnicalProfile>")
    loaded = load_policy_text(policy("B2C_1A_A", body=body))
    assert loaded.technical_profile("REST-A").missing_include == "REST-Missing"
    with pytest.raises(PolicyError, match="includes 'REST-Missing'"):
        loaded.profile("REST-A", {})


@pytest.mark.parametrize("body, fragment", [
    (profiles("<TechnicalProfile><DisplayName>x</DisplayName></TechnicalProfile>"), "needs the Id attribute"),
    (profiles('<TechnicalProfile Id="A"><Metadata><Item>v</Item></Metadata></TechnicalProfile>'), "needs the Key"),
    (profiles('<TechnicalProfile Id="A"><CryptographicKeys><Key Id="k" /></CryptographicKeys></TechnicalProfile>'),
     "StorageReferenceId"),
    (profiles('<TechnicalProfile Id="A"><ValidationTechnicalProfiles><ValidationTechnicalProfile ReferenceId="B" '
              'ContinueOnError="sometimes" /></ValidationTechnicalProfiles></TechnicalProfile>'), "not a boolean"),
    ('<UserJourneys><UserJourney Id="J"><OrchestrationSteps><OrchestrationStep Order="one" Type="ClaimsExchange" />'
     "</OrchestrationSteps></UserJourney></UserJourneys>", "Order='one' is not a number"),
    ("<BasePolicy><TenantId>t</TenantId></BasePolicy>", "needs a <PolicyId>"),
], ids=["profile-id", "item-key", "storage-reference", "continue-on-error", "order", "base-policy-id"])
def test_structural_errors_have_a_line(body: str, fragment: str) -> None:
    with pytest.raises(PolicyError) as info:
        load_policy_text(policy("B2C_1A_A", body=body), name="p.xml")
    expect(info, "p.xml:", fragment)
    assert info.value.line and info.value.line >= 2


def test_unreadable_file_is_a_policy_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyError) as info:
        load_policy(tmp_path / "missing.xml")
    expect(info, "missing.xml", "cannot read")


def test_setting_without_value_names_setting_files_and_line(tmp_path: Path) -> None:
    settings_file = tmp_path / "appsettings.json"
    settings_file.write_text('{"Environments": [{"Name": "Dev", "Tenant": "t", "PolicySettings": {"A": "1"}}]}')
    text = policy("B2C_1A_A", body=profiles('<TechnicalProfile Id="X"><Metadata>\n<Item Key="k">{Settings:Missing}'
                                            "</Item></Metadata></TechnicalProfile>"))
    with pytest.raises(PolicyError) as info:
        load_policy_text(text, name="ext.xml", settings=Settings.from_file(settings_file))
    expect(info, "ext.xml:4", "{Settings:Missing}", str(settings_file), "'Dev'")
    assert "Missing" in (info.value.hint or "")


def test_no_files_is_a_configuration_error() -> None:
    with pytest.raises(ConnectorSimError, match="no policy files"):
        load_policy()
