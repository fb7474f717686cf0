"""Reading what claims transformations need: the transformations, predicates, restrictions, resources.

Also: claim type ids match without regard to case across the BasePolicy chain.
"""

from __future__ import annotations

import pytest

from connector_sim.errors import ConfigurationError, PolicyError
from connector_sim.policy._policy import load_policy_sources, load_policy_text

NS = 'xmlns="http://schemas.microsoft.com/online/cpim/schemas/2013/06"'
BASE = f"""<TrustFrameworkPolicy {NS} PolicySchemaVersion="0.3.0.0" TenantId="base.onmicrosoft.com"
  PolicyId="B2C_1A_Base" PublicPolicyUri="http://base.onmicrosoft.com/B2C_1A_Base">
  <BuildingBlocks>
    <ClaimsSchema>
      <ClaimType Id="surname"><DisplayName>Surname</DisplayName><DataType>string</DataType></ClaimType>
      <ClaimType Id="isMinor"><DisplayName>m</DisplayName><DataType>boolean</DataType></ClaimType>
      <ClaimType Id="responseMsg"><DisplayName>r</DisplayName><DataType>string</DataType>
        <Restriction>
          <Enumeration Text="B2C_V1_90001" Value="You cannot sign in because you are a minor" />
          <Enumeration Text="B2C_V1_90002" Value="This action can only be performed by gold members" />
        </Restriction>
      </ClaimType>
      <ClaimType Id="phone"><DisplayName>p</DisplayName><DataType>string</DataType>
        <PredicateValidationReference Id="PhoneValidation" />
      </ClaimType>
      <ClaimType Id="identities"><DisplayName>i</DisplayName><DataType>alternativeSecurityIdCollection</DataType>
      </ClaimType>
    </ClaimsSchema>
    <Predicates>
      <Predicate Id="IsPhone" Method="MatchesRegex" HelpText="Not a phone number">
        <Parameters><Parameter Id="RegularExpression">^\\+?[0-9 ]{{4,16}}$</Parameter></Parameters>
      </Predicate>
    </Predicates>
    <PredicateValidations>
      <PredicateValidation Id="PhoneValidation">
        <PredicateGroups><PredicateGroup Id="g1"><PredicateReferences MatchAtLeast="1">
          <PredicateReference Id="IsPhone" /></PredicateReferences></PredicateGroup></PredicateGroups>
      </PredicateValidation>
    </PredicateValidations>
    <ClaimsTransformations>
      <ClaimsTransformation Id="CreateMessage" TransformationMethod="FormatStringClaim">
        <InputClaims><InputClaim ClaimTypeReferenceId="surname" TransformationClaimType="inputClaim" /></InputClaims>
        <InputParameters><InputParameter Id="stringFormat" DataType="string" Value="Hello {{0}}" /></InputParameters>
        <OutputClaims><OutputClaim ClaimTypeReferenceId="responseMsg" TransformationClaimType="outputClaim" />
          </OutputClaims>
      </ClaimsTransformation>
    </ClaimsTransformations>
    <ContentDefinitions>
      <ContentDefinition Id="api.selfasserted">
        <LocalizedResourcesReferences MergeBehavior="Prepend">
          <LocalizedResourcesReference Language="en" LocalizedResourcesReferenceId="api.selfasserted.en" />
        </LocalizedResourcesReferences>
      </ContentDefinition>
    </ContentDefinitions>
    <Localization Enabled="true">
      <SupportedLanguages DefaultLanguage="en" MergeBehavior="ReplaceAll"><SupportedLanguage>en</SupportedLanguage>
      </SupportedLanguages>
      <LocalizedResources Id="api.selfasserted.en">
        <LocalizedCollections>
          <LocalizedCollection ElementType="ClaimType" ElementId="responseMsg" TargetCollection="Restriction">
            <Item Text="B2C_V1_90001" Value="You can't sign in because you're a minor" />
          </LocalizedCollection>
        </LocalizedCollections>
        <LocalizedStrings>
          <LocalizedString ElementType="ErrorMessage"
            StringId="UserMessageIfClaimsTransformationBooleanValueIsNotEqual">Minors may not sign in</LocalizedString>
        </LocalizedStrings>
      </LocalizedResources>
    </Localization>
  </BuildingBlocks>
</TrustFrameworkPolicy>
"""
CT = ("Web.TPEngine.Providers.ClaimsTransformationProtocolProvider, Web.TPEngine, Version=1.0.0.0, Culture=neutral, "
      "PublicKeyToken=null")
EXTENSION = f"""<TrustFrameworkPolicy {NS} PolicySchemaVersion="0.3.0.0" TenantId="base.onmicrosoft.com"
  PolicyId="B2C_1A_Ext" PublicPolicyUri="http://base.onmicrosoft.com/B2C_1A_Ext">
  <BasePolicy><TenantId>base.onmicrosoft.com</TenantId><PolicyId>B2C_1A_Base</PolicyId></BasePolicy>
  <BuildingBlocks>
    <ClaimsSchema>
      <ClaimType Id="SURNAME"><DisplayName>Family name</DisplayName></ClaimType>
    </ClaimsSchema>
    <ClaimsTransformations>
      <ClaimsTransformation Id="createmessage" TransformationMethod="FormatStringClaim">
        <InputClaims><InputClaim ClaimTypeReferenceId="surName" TransformationClaimType="inputClaim" /></InputClaims>
        <InputParameters><InputParameter Id="stringFormat" DataType="string" Value="Hi {{0}}" /></InputParameters>
        <OutputClaims><OutputClaim ClaimTypeReferenceId="responseMsg" TransformationClaimType="outputClaim" />
          </OutputClaims>
      </ClaimsTransformation>
    </ClaimsTransformations>
  </BuildingBlocks>
  <ClaimsProviders><ClaimsProvider><DisplayName>x</DisplayName><TechnicalProfiles>
    <TechnicalProfile Id="CT-Profile">
      <Protocol Name="Proprietary" Handler="{CT}" />
      <OutputClaims><OutputClaim ClaimTypeReferenceId="Surname" DefaultValue="Doe" /></OutputClaims>
      <OutputClaimsTransformations><OutputClaimsTransformation ReferenceId="CREATEMESSAGE" />
        </OutputClaimsTransformations>
    </TechnicalProfile>
  </TechnicalProfiles></ClaimsProvider></ClaimsProviders>
</TrustFrameworkPolicy>
"""


def load() -> object:
    return load_policy_sources([("base.xml", BASE), ("ext.xml", EXTENSION)])


def test_transformations_are_read_fully_and_merged_across_the_chain() -> None:
    policy = load()
    part = policy.transformations["CreateMessage"]  # any case: the extension's createmessage won
    assert (part.id, part.method, part.file) == ("createmessage", "FormatStringClaim", "ext.xml")
    assert part.input_claims == (("surName", "inputClaim"),)
    assert part.input_parameters == (("stringFormat", "string", "Hi {0}"),)
    assert part.output_claims == (("responseMsg", "outputClaim"),)
    assert part.line == EXTENSION.split("\n").index(
        next(x for x in EXTENSION.split("\n") if 'Id="createmessage"' in x)) + 1
    assert policy.claims_transformations["CREATEMESSAGE"] == ["responseMsg"]  # lint's data flow


def test_claim_types_merge_and_match_without_regard_to_case() -> None:
    policy = load()
    surname = policy.claim_types["surName"]
    assert (surname.id, surname.data_type, surname.display_name) == ("surname", "string", "Family name")
    assert policy.claim_data_types["ISMINOR"] == "boolean"
    assert len([c for c in policy.claim_types if c.lower() == "surname"]) == 1
    profile = policy.technical_profiles["CT-Profile"]
    assert profile.is_claims_transformation
    assert [(c.claim_type_reference_id, c.data_type) for c in profile.output_claims] == [("Surname", "string")]


def test_restrictions_predicates_resources_are_read() -> None:
    policy = load()
    assert policy.claim_types["responseMsg"].enumeration == (
        ("B2C_V1_90001", "You cannot sign in because you are a minor"),
        ("B2C_V1_90002", "This action can only be performed by gold members"))
    assert policy.claim_types["phone"].predicate_validation == "PhoneValidation"
    blocks = policy.files[0].blocks
    predicate, = blocks.predicates
    assert (predicate.id, predicate.method, predicate.parameters) == (
        "IsPhone", "MatchesRegex", (("RegularExpression", "^\\+?[0-9 ]{4,16}$"),))
    validation, = blocks.predicate_validations
    assert validation.groups == (("g1", 1, ("IsPhone",)),)
    collection, = blocks.localized_collections
    assert (collection.resources_id, collection.element_id, collection.items) == (
        "api.selfasserted.en", "responseMsg", (("B2C_V1_90001", "You can't sign in because you're a minor"),))
    assert blocks.content_definitions["api.selfasserted"].references == (("en", "api.selfasserted.en"),)


def test_alternative_security_id_collection_is_a_known_data_type() -> None:
    policy = load()
    assert policy.claim_types["identities"].data_type == "alternativeSecurityIdCollection"
    assert [f for f in policy.lint() if f.code == "unknown-data-type"] == []


def test_sub_journey_type_is_read() -> None:
    text = f"""<TrustFrameworkPolicy {NS} PolicyId="B2C_1A_S" TenantId="t.onmicrosoft.com">
      <SubJourneys><SubJourney Id="A" Type="Transfer"><OrchestrationSteps /></SubJourney>
      <SubJourney Id="B"><OrchestrationSteps /></SubJourney></SubJourneys></TrustFrameworkPolicy>"""
    assert load_policy_text(text).sub_journey_types == {"A": "Transfer", "B": "Call"}


def _with_transformation(xml: str) -> str:
    return BASE.replace("</ClaimsTransformations>", xml + "</ClaimsTransformations>")


BAD = """<ClaimsTransformation Id="Broken" TransformationMethod="FormatStringClaim">
        <InputClaims><InputClaim ClaimTypeReferenceId="surname" TransformationClaimType="input" /></InputClaims>
        <OutputClaims>
          <OutputClaim ClaimTypeReferenceId="nowhere" TransformationClaimType="outputClaim" /></OutputClaims>
      </ClaimsTransformation>"""


def test_what_b2c_refuses_at_upload_is_refused_at_load_with_file_and_line() -> None:
    text = _with_transformation(BAD)
    with pytest.raises(PolicyError) as caught:
        load_policy_sources([("base.xml", text)])
    line = text.split("\n").index(next(x for x in text.split("\n") if 'Id="Broken"' in x)) + 1
    assert (caught.value.file, caught.value.line) == ("base.xml", line)
    message = str(caught.value)
    assert '[String]input' in message and "[String]inputClaim" in message  # the TCT the method does not have
    assert '"nowhere", which is not defined' in message and "stringFormat" in message  # undefined claim, missing param


def test_check_transformations_false_lets_lint_report_every_problem() -> None:
    policy = load_policy_sources([("base.xml", _with_transformation(BAD))], check_transformations=False)
    found = [f for f in policy.lint() if f.code == "transformation"]
    assert len(found) >= 3 and {f.severity for f in found} == {"error"} and {f.file for f in found} == {"base.xml"}


def test_a_reference_to_no_transformation_is_refused() -> None:
    with pytest.raises(PolicyError, match="ReferenceId 'CREATEMESSAGE2' names no ClaimsTransformation"):
        load_policy_sources([("base.xml", BASE),
                             ("ext.xml", EXTENSION.replace('"CREATEMESSAGE"', '"CREATEMESSAGE2"'))])


def test_undocumented_methods_load_and_method_names_match_in_any_case() -> None:
    undocumented = """<ClaimsTransformation Id="CreateUserIdentity" TransformationMethod="CreateUserIdentity">
        <InputClaims><InputClaim ClaimTypeReferenceId="surname" TransformationClaimType="issuer" /></InputClaims>
      </ClaimsTransformation>
      <ClaimsTransformation Id="lower" TransformationMethod="formatStringClaim">
        <InputClaims><InputClaim ClaimTypeReferenceId="surname" TransformationClaimType="inputClaim" /></InputClaims>
        <InputParameters><InputParameter Id="stringFormat" DataType="string" Value="x{0}" /></InputParameters>
        <OutputClaims>
          <OutputClaim ClaimTypeReferenceId="responseMsg" TransformationClaimType="outputClaim" /></OutputClaims>
      </ClaimsTransformation>"""
    policy = load_policy_sources([("base.xml", _with_transformation(undocumented))])
    assert [f.code for f in policy.lint() if f.code == "undocumented-method"] == ["undocumented-method"]
    assert policy.transform("lower", {"surname": "y"}) == {"responseMsg": "xy"}
    with pytest.raises(ConfigurationError, match="undocumented TransformationMethod 'CreateUserIdentity'"):
        policy.transform("CreateUserIdentity", {"surname": "y"})


CONTEXT_TRANSFORMATIONS = """
      <ClaimsTransformation Id="MapMessage" TransformationMethod="GetMappedValueFromLocalizedCollection">
        <InputClaims><InputClaim ClaimTypeReferenceId="surname" TransformationClaimType="mapFromClaim" /></InputClaims>
        <OutputClaims>
          <OutputClaim ClaimTypeReferenceId="responseMsg" TransformationClaimType="restrictionValueClaim" />
        </OutputClaims>
      </ClaimsTransformation>
      <ClaimsTransformation Id="CopyIfPhone" TransformationMethod="CopyClaimIfPredicateMatch">
        <InputClaims><InputClaim ClaimTypeReferenceId="surname" TransformationClaimType="inputClaim" /></InputClaims>
        <OutputClaims><OutputClaim ClaimTypeReferenceId="phone" TransformationClaimType="outputClaim" /></OutputClaims>
      </ClaimsTransformation>"""


@pytest.mark.parametrize("transformation, value, outputs", [
    ("MapMessage", "B2C_V1_90001", {"responseMsg": "You can't sign in because you're a minor"}),  # localized
    ("MapMessage", "B2C_V1_90002", {}),  # the localized collection replaces the ClaimType's enumeration
    ("CopyIfPhone", "+1 425 555 0100", {"phone": "+1 425 555 0100"}),
    ("CopyIfPhone", "bob@contoso.com", {}),  # the phone ClaimType's predicate validation does not hold
], ids=["localized-collection", "not-in-collection", "predicate-holds", "predicate-fails"])
def test_transformations_read_localized_collections_and_predicates(transformation: str, value: str,
                                                                   outputs: dict) -> None:
    policy = load_policy_sources([("base.xml", _with_transformation(CONTEXT_TRANSFORMATIONS))])
    assert policy.transform(transformation, {"surname": value}) == outputs
