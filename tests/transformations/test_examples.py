"""Every documented example of the 64 methods (spec §3-§11), as input -> output grids.

Each case is (method, input claims, parameters, output claims, expected outputs); claims are
(claim id, TCT, data type, value), parameters (Id, DataType, Value), outputs (claim id, TCT, data type).
Where the article contradicts itself, the value of spec §14 is used.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

S, B, INT, L, DT, D, SC = "string", "boolean", "int", "long", "dateTime", "date", "stringCollection"
ALT = "alternativeSecurityIdCollection"
JSON_ARRAY = (
    '[{"key":"email","value":"someone@example.com"},{"key":"displayName","value":"Someone"},'
    '{"key":"membershipID","value":6353399},{"key":"active","value":true},'
    '{"key":"birthDate","value":"2005-09-23T00:00:00Z"}]'
)
ARRAY_OUTPUTS = [
    ("email", "", S),
    ("displayName", "", S),
    ("membershipID", "", INT),
    ("active", "", B),
    ("birthDate", "", DT),
]
ARRAY_RESULT = {
    "email": "someone@example.com",
    "displayName": "Someone",
    "membershipID": 6353399,
    "active": True,
    "birthDate": "2005-09-23T00:00:00.0000000Z",
}
ARRAY_PARAMS = [
    ("errorOnMissingClaims", B, "false"),
    ("includeEmptyClaims", B, "false"),
    ("jsonSourceKeyName", S, "key"),
    ("jsonSourceValueName", S, "value"),
]
USER_JSON = '{"emailAddress": "someone@example.com", "displayName": "Someone"}'
FACEBOOK = {"issuer": "facebook.com", "issuerUserId": "MTIzNDU="}
LIVE = {"issuer": "live.com", "issuerUserId": "MTA4MTQ2MDgyOTI3MDUyNTYzMjcw"}
GOOGLE = {"issuer": "google.com", "issuerUserId": "MTA4MTQ2MDgyOTI3MDUyNTYzMjcw"}

CASES = [
    # -- Boolean [BOOL] --
    pytest.param(
        "AndClaims",
        [("isEmailNotExist", "inputClaim1", B, True), ("isSocialAccount", "inputClaim2", B, False)],
        [],
        [("presentEmailSelfAsserted", "outputClaim", B)],
        {"presentEmailSelfAsserted": False},
        id="AndClaims-true-and-false",
    ),
    pytest.param(
        "AssertBooleanClaimIsEqualToValue",
        [("accountEnabled", "inputClaim", B, True)],
        [("valueToCompareTo", B, "true")],
        [],
        {},
        id="AssertBooleanClaimIsEqualToValue-holds",
    ),
    pytest.param(
        "CompareBooleanClaimToValue",
        [("accountEnabled", "inputClaim", B, False)],
        [("valueToCompareTo", B, "true")],
        [("accountEnabled", "compareResult", B)],
        {"accountEnabled": False},
        id="CompareBooleanClaimToValue-false-vs-true",
    ),
    pytest.param(
        "NotClaims",
        [("userExists", "inputClaim", B, False)],
        [],
        [("userExists", "outputClaim", B)],
        {"userExists": True},
        id="NotClaims-same-claim",
    ),
    pytest.param(
        "OrClaims",
        [("isLastTOSAccepted", "inputClaim1", B, True), ("isEmailNotExist", "inputClaim2", B, False)],
        [],
        [("presentTOSSelfAsserted", "outputClaim", B)],
        {"presentTOSSelfAsserted": True},
        id="OrClaims-true-or-false",
    ),
    # -- Date [DATE] --
    pytest.param(
        "AssertDateTimeIsGreaterThan",
        [
            ("approvedDateTime", "leftOperand", S, "2022-01-22T15:00:00"),
            ("currentDateTime", "rightOperand", S, "2022-01-01T15:00:00"),
        ],
        [
            ("AssertIfEqualTo", B, "false"),
            ("AssertIfRightOperandIsNotPresent", B, "true"),
            ("TreatAsEqualIfWithinMillseconds", INT, "300000"),
        ],
        [],
        {},
        id="AssertDateTimeIsGreaterThan-left-later-holds",
    ),
    pytest.param(
        "ConvertDateTimeToDateClaim",
        [("systemDateTime", "inputClaim", DT, "2022-01-03T11:34:22.0000000Z")],
        [],
        [("systemDate", "outputClaim", D)],
        {"systemDate": "2022-01-03"},
        id="ConvertDateTimeToDateClaim",
    ),
    pytest.param(
        "ConvertDateToDateTimeClaim",
        [("dateOfBirth", "inputClaim", D, "2022-01-03")],
        [],
        [("dateOfBirthWithTime", "outputClaim", DT)],
        {"dateOfBirthWithTime": "2022-01-03T00:00:00.0000000Z"},
        id="ConvertDateToDateTimeClaim",
    ),
    pytest.param(
        "DateTimeComparison",
        [
            ("firstDateTime", "firstDateTime", DT, "2022-01-01T00:00:00.100000Z"),
            ("secondDateTime", "secondDateTime", DT, "2022-03-16T00:00:00.100000Z"),
        ],
        [("operator", S, "later than"), ("timeSpanInSeconds", INT, "7776000")],
        [("isLater", "result", B)],
        {"isLater": True},
        id="DateTimeComparison-90-days-later",
    ),
    pytest.param(
        "IsTermsOfUseConsentRequired",
        [("extension_termsOfUseConsentDateTime", "termsOfUseConsentDateTime", DT, "2020-03-09T09:15:00")],
        [("termsOfUseTextUpdateDateTime", DT, "2021-11-15")],
        [("termsOfUseConsentRequired", "result", B)],
        {"termsOfUseConsentRequired": True},
        id="IsTermsOfUseConsentRequired-older-consent",
    ),
    pytest.param(
        "GetCurrentDateTime",
        [],
        [],
        [("systemDateTime", "currentDateTime", DT)],
        {"systemDateTime": "2022-01-14T11:40:35.0000000Z"},
        id="GetCurrentDateTime-pinned-clock",
    ),
    # -- General [GEN] --
    pytest.param(
        "CopyClaim",
        [("email", "inputClaim", S, "bob@contoso.com")],
        [],
        [("copiedEmail", "outputClaim", S)],
        {"copiedEmail": "bob@contoso.com"},
        id="CopyClaim-string",
    ),
    pytest.param(
        "CopyClaim",
        [("age", "inputClaim", INT, 42)],
        [],
        [("copiedAge", "outputClaim", INT)],
        {"copiedAge": 42},
        id="CopyClaim-int",
    ),
    pytest.param(
        "DoesClaimExist",
        [("email", "inputClaim", S, "someone@contoso.com")],
        [],
        [("isEmailExist", "outputClaim", B)],
        {"isEmailExist": True},
        id="DoesClaimExist-present",
    ),
    # -- Integer [INT] --
    pytest.param(
        "AdjustNumber",
        [("score", "inputClaim", INT, 1)],
        [("Operator", S, "INCREMENT")],
        [("score", "outputClaim", INT)],
        {"score": 2},
        id="AdjustNumber-increment",
    ),
    pytest.param(
        "AdjustNumber",
        [("score", "inputClaim", INT, 1)],
        [("Operator", S, "decrement")],
        [("score", "outputClaim", INT)],
        {"score": 0},
        id="AdjustNumber-decrement-lower-case",
    ),
    pytest.param(
        "AssertNumber",
        [("attempts", "inputClaim", INT, 10)],
        [("Operator", S, "GreaterThan"), ("CompareToValue", INT, "5"), ("throwError", B, "false")],
        [("attemptsCountExceeded", "outputClaim", B)],
        {"attemptsCountExceeded": True},
        id="AssertNumber-evaluation-mode",
    ),
    pytest.param(
        "ConvertNumberToStringClaim",
        [("otp", "inputClaim", L, 12334)],
        [],
        [("otpString", "outputClaim", S)],
        {"otpString": "12334"},
        id="ConvertNumberToStringClaim",
    ),
    # -- JSON [JSON] --
    pytest.param(
        "CreateJsonArray",
        [("email", "inputClaim", S, "someone@example.com")],
        [],
        [("result", "outputClaim", S)],
        {"result": '["someone@example.com"]'},
        id="CreateJsonArray",
    ),
    pytest.param(
        "GetClaimFromJson",
        [("customUserData", "inputJson", S, USER_JSON)],
        [("claimToExtract", S, "emailAddress")],
        [("extractedEmail", "extractedClaim", S)],
        {"extractedEmail": "someone@example.com"},
        id="GetClaimFromJson-emailAddress",
    ),
    pytest.param(
        "GetClaimFromJson",
        [("customUserData", "inputJson", S, USER_JSON)],
        [("claimToExtract", S, "displayName")],
        [("displayName", "extractedClaim", S)],
        {"displayName": "Someone"},
        id="GetClaimFromJson-displayName",
    ),
    pytest.param(
        "GetClaimsFromJsonArray",
        [("jsonSourceClaim", "jsonSource", S, JSON_ARRAY)],
        ARRAY_PARAMS,
        ARRAY_OUTPUTS,
        ARRAY_RESULT,
        id="GetClaimsFromJsonArray",
    ),
    pytest.param(
        "GetClaimsFromJsonArrayV2",
        [("jsonSourceClaim", "jsonSource", SC, [json.dumps(item) for item in json.loads(JSON_ARRAY)])],
        ARRAY_PARAMS,
        ARRAY_OUTPUTS,
        ARRAY_RESULT,
        id="GetClaimsFromJsonArrayV2",
    ),
    pytest.param(
        "GetNumericClaimFromJson",
        [
            (
                "exampleInputClaim",
                "inputJson",
                S,
                '{"emailAddress": "someone@example.com", "displayName": "Someone", "id": 6353399}',
            )
        ],
        [("claimToExtract", S, "id")],
        [("membershipId", "extractedClaim", L)],
        {"membershipId": 6353399},
        id="GetNumericClaimFromJson",
    ),
    pytest.param(
        "GetSingleItemFromJson",
        [("json", "inputJson", S, '{"givenName": "Emily", "lastName": "Smith"}')],
        [],
        [("givenNameKey", "key", S), ("givenName", "value", S)],
        {"givenNameKey": "givenName", "givenName": "Emily"},
        id="GetSingleItemFromJson",
    ),
    pytest.param(
        "GetSingleValueFromJsonArray",
        [("userData", "inputJsonClaim", S, '["someone@example.com", "Someone", 6353399]')],
        [],
        [("email", "extractedClaim", S)],
        {"email": "someone@example.com"},
        id="GetSingleValueFromJsonArray",
    ),
    # -- Phone [PHONE] --
    pytest.param(
        "ConvertPhoneNumberClaimToString",
        [("phone", "phoneNumber", "phoneNumber", "+11234567890")],
        [],
        [("phoneString", "phoneNumberString", S)],
        {"phoneString": "+11234567890"},
        id="ConvertPhoneNumberClaimToString",
    ),
    pytest.param(
        "ConvertStringToPhoneNumberClaim",
        [("phoneString", "phoneNumberString", S, "033 456-7890"), ("countryCode", "country", S, "DK")],
        [],
        [("phoneNumber", "outputClaim", "phoneNumber")],
        {"phoneNumber": "+450334567890"},
        id="ConvertStringToPhoneNumberClaim-national-DK",
    ),
    pytest.param(
        "ConvertStringToPhoneNumberClaim",
        [("phoneString", "phoneNumberString", S, "+1 (123) 456-7890")],
        [],
        [("phoneNumber", "outputClaim", "phoneNumber")],
        {"phoneNumber": "+11234567890"},
        id="ConvertStringToPhoneNumberClaim-international",
    ),
    pytest.param(
        "GetNationalNumberAndCountryCodeFromPhoneNumberString",
        [("phoneNumber", "phoneNumber", S, "+49 (123) 456-7890")],
        [("throwExceptionOnFailure", B, "false"), ("countryCodeType", S, "ISO3166")],
        [("nationalNumber", "nationalNumber", S), ("countryCode", "countryCode", S)],
        {"nationalNumber": "1234567890", "countryCode": "DE"},
        id="GetNationalNumber-ISO3166",
    ),
    pytest.param(
        "GetNationalNumberAndCountryCodeFromPhoneNumberString",
        [("phoneNumber", "phoneNumber", S, "+49 (123) 456-7890")],
        [("countryCodeType", S, "CallingCode")],
        [("nationalNumber", "nationalNumber", S), ("countryCode", "countryCode", S)],
        {"nationalNumber": "1234567890", "countryCode": "+49"},
        id="GetNationalNumber-CallingCode",
    ),
    # -- Social [SOC] --
    pytest.param(
        "AddItemToAlternativeSecurityIdCollection",
        [
            ("alternativeSecurityId", "item", S, json.dumps(FACEBOOK)),
            ("AlternativeSecurityIds", "collection", ALT, [LIVE]),
        ],
        [],
        [("AlternativeSecurityIds", "collection", ALT)],
        {"AlternativeSecurityIds": [LIVE, FACEBOOK]},
        id="AddItemToAlternativeSecurityIdCollection",
    ),
    pytest.param(
        "CreateAlternativeSecurityId",
        [("IdpUserId", "key", S, "108146082927052563270"), ("identityProvider", "identityProvider", S, "facebook.com")],
        [],
        [("alternativeSecurityId", "alternativeSecurityId", S)],
        {"alternativeSecurityId": json.dumps(LIVE | {"issuer": "facebook.com"}, separators=(",", ":"))},
        id="CreateAlternativeSecurityId",
    ),
    pytest.param(
        "RemoveAlternativeSecurityIdByIdentityProvider",
        [
            ("identityProvider", "identityProvider", S, "facebook.com"),
            ("AlternativeSecurityIds", "collection", ALT, [LIVE, FACEBOOK]),
        ],
        [],
        [("AlternativeSecurityIds", "collection", ALT)],
        {"AlternativeSecurityIds": [LIVE]},
        id="RemoveAlternativeSecurityIdByIdentityProvider",
    ),
    # -- String [STR] --
    pytest.param(
        "AssertStringClaimsAreEqual",
        [
            ("strongAuthenticationEmailAddress", "inputClaim1", S, "Someone@Contoso.com"),
            ("email", "inputClaim2", S, "someone@contoso.com"),
        ],
        [("stringComparison", S, "ordinalIgnoreCase")],
        [],
        {},
        id="AssertStringClaimsAreEqual-ignore-case-holds",
    ),
    pytest.param(
        "BuildUri",
        [
            ("uriLabel", "path", S, "Contoso demo:emily@fabrikam.com"),
            ("secretKey", "query.secret", S, "fay2lj7ynpntjgqa"),
        ],
        [("scheme", S, "otpauth"), ("host", S, "totp"), ("query.issuer", S, "Contoso demo")],
        [("qrCodeContent", "outputClaim", S)],
        {
            "qrCodeContent": "otpauth://totp/Contoso%20demo:emily@fabrikam.com?secret=fay2lj7ynpntjgqa&issuer=Contoso+demo"
        },
        id="BuildUri-TOTP",
    ),
    pytest.param(
        "ChangeCase",
        [("email", "inputClaim1", S, "SomeOne@contoso.com")],
        [("toCase", S, "LOWER")],
        [("email", "outputClaim", S)],
        {"email": "someone@contoso.com"},
        id="ChangeCase-LOWER",
    ),
    pytest.param(
        "CompareClaims",
        [
            ("Email", "inputClaim1", S, "someone@contoso.com"),
            ("Verified.Email", "inputClaim2", S, "someone@outlook.com"),
        ],
        [("operator", S, "NOT EQUAL"), ("ignoreCase", S, "true")],
        [("SameEmailAddress", "outputClaim", B)],
        {"SameEmailAddress": True},
        id="CompareClaims-NOT-EQUAL",
    ),
    pytest.param(
        "CompareClaimToValue",
        [("termsOfUseConsentVersion", "inputClaim1", S, "v1")],
        [("compareTo", S, "V1"), ("operator", S, "EQUAL"), ("ignoreCase", S, "true")],
        [("termsOfUseConsentRequired", "outputClaim", B)],
        {"termsOfUseConsentRequired": True},
        id="CompareClaimToValue-EQUAL",
    ),
    pytest.param(
        "CompareClaimToValue",
        [("termsOfUseConsentVersion", "inputClaim1", S, "v1")],
        [("compareTo", S, "V1"), ("operator", S, "not equal"), ("ignoreCase", S, "true")],
        [("termsOfUseConsentRequired", "outputClaim", B)],
        {"termsOfUseConsentRequired": False},
        id="CompareClaimToValue-not-equal-as-in-XML",
    ),
    pytest.param(
        "CopyClaimIfPredicateMatch",
        [("signInName", "inputClaim", S, "bob@contoso.com")],
        [],
        [("phoneNumber", "outputClaim", S)],
        {},
        id="CopyClaimIfPredicateMatch-email-not-copied",
    ),
    pytest.param(
        "CopyClaimIfPredicateMatch",
        [("signInName", "inputClaim", S, "+11234567890")],
        [],
        [("phoneNumber", "outputClaim", S)],
        {"phoneNumber": "+11234567890"},
        id="CopyClaimIfPredicateMatch-phone-copied",
    ),
    pytest.param(
        "CreateStringClaim",
        [],
        [("value", S, "Contoso terms of service...")],
        [("TOS", "createdClaim", S)],
        {"TOS": "Contoso terms of service..."},
        id="CreateStringClaim",
    ),
    pytest.param(
        "FormatLocalizedString",
        [("email", "", S, "sarah@contoso.com")],
        [("stringFormatId", S, "ResponseMessge_EmailExists")],
        [("responseMsg", "outputClaim", S)],
        {
            "responseMsg": "The email 'sarah@contoso.com' is already an account in this organization. "
            "Click Next to sign in with that account."
        },
        id="FormatLocalizedString",
    ),
    pytest.param(
        "FormatStringClaim",
        [("upnUserName", "inputClaim", S, "5164db16-3eee-4629-bfda-dcc3326790e9")],
        [("stringFormat", S, "cpim_{0}@{RelyingPartyTenantId}")],
        [("userPrincipalName", "outputClaim", S)],
        {"userPrincipalName": "cpim_5164db16-3eee-4629-bfda-dcc3326790e9@b2cdemo.onmicrosoft.com"},
        id="FormatStringClaim-RelyingPartyTenantId",
    ),
    pytest.param(
        "FormatStringMultipleClaims",
        [("givenName", "inputClaim1", S, "Joe"), ("surName", "inputClaim2", S, "Fernando")],
        [("stringFormat", S, "{0} {1}")],
        [("displayName", "outputClaim", S)],
        {"displayName": "Joe Fernando"},
        id="FormatStringMultipleClaims",
    ),
    pytest.param(
        "GetLocalizedStringsTransformation",
        [],
        [],
        [
            ("subject", "email_subject", S),
            ("message", "email_message", S),
            ("codeIntro", "email_code", S),
            ("signature", "email_signature", S),
        ],
        {
            "subject": "Contoso account email verification code",
            "message": "Thanks for verifying your account!",
            "codeIntro": "Your code is",
            "signature": "Sincerely",
        },
        id="GetLocalizedStringsTransformation",
    ),
    pytest.param(
        "GetMappedValueFromLocalizedCollection",
        [("responseCode", "mapFromClaim", S, "B2C_V1_90001")],
        [],
        [("responseMsg", "restrictionValueClaim", S)],
        {"responseMsg": "You cannot sign in because you are a minor"},
        id="GetMappedValueFromLocalizedCollection",
    ),
    pytest.param(
        "LookupValue",
        [("countryCode", "inputParameterId", S, "test.com")],
        [
            ("test.com", S, "c7026f88-4299-4cdb-965d-3f166464b8a9"),
            ("contoso.com", S, "11111111-0000-0000-0000-000000000000"),
            ("errorOnFailedLookup", B, "false"),
        ],
        [("domainAppId", "outputClaim", S)],
        {"domainAppId": "c7026f88-4299-4cdb-965d-3f166464b8a9"},
        id="LookupValue-found",
    ),
    pytest.param(
        "NullClaim", [], [], [("TermsOfService", "claim_to_null", S)], {"TermsOfService": None}, id="NullClaim-removes"
    ),
    pytest.param(
        "ParseDomain",
        [("email", "emailAddress", S, "joe@outlook.com")],
        [],
        [("domainName", "domain", S)],
        {"domainName": "outlook.com"},
        id="ParseDomain",
    ),
    pytest.param(
        "SetClaimIfBooleansMatch",
        [("hasPromotionCode", "claimToMatch", B, True)],
        [("matchTo", S, "true"), ("outputClaimIfMatched", S, "Promotion code not found.")],
        [("promotionCode", "outputClaim", S)],
        {"promotionCode": "Promotion code not found."},
        id="SetClaimIfBooleansMatch",
    ),
    pytest.param(
        "SetClaimsIfRegexMatch",
        [("phone", "claimToMatch", S, "64854114520")],
        [("matchTo", S, "^[0-9]{4,16}$"), ("outputClaimIfMatched", S, "iPhone")],
        [("validationResult", "outputClaim", S), ("isPhoneBoolean", "regexCompareResultClaim", B)],
        {"validationResult": "iPhone", "isPhoneBoolean": True},
        id="SetClaimsIfRegexMatch-phone",
    ),
    pytest.param(
        "SetClaimsIfRegexMatch",
        [("email", "claimToMatch", S, "emily@contoso.com")],
        [
            ("matchTo", S, "(?<mailAlias>.*)@(.*)$"),
            ("outputClaimIfMatched", S, "isEmail"),
            ("extractGroups", B, "true"),
        ],
        [("validationResult", "outputClaim", S), ("isEmailString", "regexCompareResultClaim", B), ("mailAlias", "", S)],
        {"validationResult": "isEmail", "isEmailString": True, "mailAlias": "emily"},
        id="SetClaimsIfRegexMatch-extract-groups",
    ),
    pytest.param(
        "SetClaimsIfStringsAreEqual",
        [("termsOfUseConsentVersion", "inputClaim", S, "v1")],
        [
            ("matchTo", S, "V1"),
            ("stringComparison", S, "ordinalIgnoreCase"),
            ("stringMatchMsgCode", S, "B2C_V1_90005"),
            ("stringMatchMsg", S, "The TOS is upgraded to v2"),
        ],
        [
            ("termsOfUseConsentVersion", "outputClaim1", S),
            ("termsOfUseConsentVersionUpgradeCode", "outputClaim2", S),
            ("termsOfUseConsentVersionUpgradeResult", "stringCompareResultClaim", B),
        ],
        {
            "termsOfUseConsentVersion": "The TOS is upgraded to v2",
            "termsOfUseConsentVersionUpgradeCode": "B2C_V1_90005",
            "termsOfUseConsentVersionUpgradeResult": True,
        },
        id="SetClaimsIfStringsAreEqual-table-mapping",
    ),
    pytest.param(
        "SetClaimsIfStringsMatch",
        [("ageGroup", "claimToMatch", S, "Minor")],
        [
            ("matchTo", S, "Minor"),
            ("stringComparison", S, "ordinalIgnoreCase"),
            ("outputClaimIfMatched", S, "B2C_V1_90001"),
        ],
        [("isMinor", "outputClaim", S), ("isMinorResponseCode", "stringCompareResultClaim", B)],
        {"isMinor": "B2C_V1_90001", "isMinorResponseCode": True},
        id="SetClaimsIfStringsMatch",
    ),
    pytest.param(
        "StringContains",
        [("roles", "inputClaim", S, "Admin, Approver, Editor")],
        [("contains", S, "admin"), ("ignoreCase", S, "true")],
        [("isAdmin", "outputClaim", B)],
        {"isAdmin": True},
        id="StringContains-ignore-case",
    ),
    pytest.param(
        "StringSubstring",
        [("phoneNumber", "inputClaim", S, "+1644114520")],
        [("startIndex", INT, "0"), ("length", INT, "2")],
        [("countryCode", "outputClaim", S)],
        {"countryCode": "+1"},
        id="StringSubstring",
    ),
    pytest.param(
        "StringSubstring",
        [("phoneNumber", "inputClaim", S, "+16")],
        [("startIndex", INT, "3"), ("length", INT, "0")],
        [("countryCode", "outputClaim", S)],
        {"countryCode": ""},
        id="StringSubstring-empty-at-end",
    ),
    pytest.param(
        "StringReplace",
        [("phoneNumber", "inputClaim", S, "+164-411-452-054")],
        [("oldValue", S, "-"), ("newValue", S, "")],
        [("phoneNumber", "outputClaim", S)],
        {"phoneNumber": "+164411452054"},
        id="StringReplace",
    ),
    pytest.param(
        "StringJoin",
        [("roles", "inputClaim", SC, ["Admin", "Author", "Reader"])],
        [("delimiter", S, ",")],
        [("rolesCommaDelimiterConverted", "outputClaim", S)],
        {"rolesCommaDelimiterConverted": "Admin,Author,Reader"},
        id="StringJoin",
    ),
    pytest.param(
        "StringSplit",
        [("rolesCommaDelimiter", "inputClaim", S, "Admin,Author,Reader")],
        [("delimiter", S, ",")],
        [("roles", "outputClaim", SC)],
        {"roles": ["Admin", "Author", "Reader"]},
        id="StringSplit",
    ),
    # -- StringCollection [COLL] --
    pytest.param(
        "AddItemToStringCollection",
        [("email", "item", S, "admin@contoso.com"), ("otherMails", "collection", SC, ["someone@outlook.com"])],
        [],
        [("otherMails", "collection", SC)],
        {"otherMails": ["someone@outlook.com", "admin@contoso.com"]},
        id="AddItemToStringCollection",
    ),
    pytest.param(
        "AddParameterToStringCollection",
        [("otherMails", "collection", SC, ["someone@outlook.com"])],
        [("item", S, "admin@contoso.com")],
        [("otherMails", "collection", SC)],
        {"otherMails": ["someone@outlook.com", "admin@contoso.com"]},
        id="AddParameterToStringCollection",
    ),
    pytest.param(
        "GetSingleItemFromStringCollection",
        [("otherMails", "collection", SC, ["someone@outlook.com", "someone@contoso.com"])],
        [],
        [("email", "extractedItem", S)],
        {"email": "someone@outlook.com"},
        id="GetSingleItemFromStringCollection",
    ),
    pytest.param(
        "StringCollectionContains",
        [("roles", "inputClaim", SC, ["reader", "author", "admin"])],
        [("item", S, "Admin"), ("ignoreCase", S, "true")],
        [("isAdmin", "outputClaim", B)],
        {"isAdmin": True},
        id="StringCollectionContains",
    ),
    pytest.param(
        "StringCollectionContainsClaim",
        [("roles", "collection", SC, ["reader", "author", "admin"]), ("role", "item", S, "Admin")],
        [("ignoreCase", S, "true")],
        [("hasAccess", "outputClaim", B)],
        {"hasAccess": True},
        id="StringCollectionContainsClaim",
    ),
]


@pytest.mark.parametrize(("method", "inputs", "params", "outputs", "expected"), CASES)
def test_documented_example(
    run_method: Any, method: str, inputs: list, params: list, outputs: list, expected: dict
) -> None:
    assert run_method(method, inputs, params, outputs) == expected


GENERATE_JSON = [
    pytest.param(
        [
            ("email", "personalizations.0.to.0.email", S, "someone@example.com"),
            ("otp", "personalizations.0.dynamic_template_data.otp", S, "346349"),
            ("copiedEmail", "personalizations.0.dynamic_template_data.verify-email", S, "someone@example.com"),
        ],
        [
            ("template_id", S, "d-4c56ffb40fa648b1aa6822283df94f60"),
            ("from.email", S, "service@contoso.com"),
            ("personalizations.0.subject", S, "Contoso account email verification code"),
        ],
        {
            "personalizations": [
                {
                    "to": [{"email": "someone@example.com"}],
                    "dynamic_template_data": {"otp": "346349", "verify-email": "someone@example.com"},
                    "subject": "Contoso account email verification code",
                }
            ],
            "template_id": "d-4c56ffb40fa648b1aa6822283df94f60",
            "from": {"email": "service@contoso.com"},
        },
        id="SendGrid-body",
    ),
    pytest.param(
        [
            ("email", "customerEntity.email", S, "john.s@contoso.com"),
            ("objectId", "customerEntity.userObjectId", S, "01234567-89ab-cdef-0123-456789abcdef"),
            ("givenName", "customerEntity.firstName", S, "John"),
            ("surname", "customerEntity.lastName", S, "Smith"),
        ],
        [("customerEntity.role.name", S, "Administrator"), ("customerEntity.role.id", L, "1")],
        {
            "customerEntity": {
                "email": "john.s@contoso.com",
                "userObjectId": "01234567-89ab-cdef-0123-456789abcdef",
                "firstName": "John",
                "lastName": "Smith",
                "role": {"name": "Administrator", "id": 1},
            }
        },
        id="long-parameter-is-a-number",
    ),
    pytest.param(
        [("email", "customerEntity.email", S, '["someone@contoso.com"]')],
        [("customerEntity.role.id", L, "1")],
        {"customerEntity": {"email": '["someone@contoso.com"]', "role": {"id": 1}}},
        id="json-claim-is-escaped",
    ),
    pytest.param(
        [
            ("mailToName1", "emails.0.name", S, "Joni"),
            ("mailToAddress1", "emails.0.address", S, "joni@contoso.com"),
            ("mailToName2", "emails.1.name", S, "Emily"),
            ("mailToAddress2", "emails.1.address", S, "emily@contoso.com"),
        ],
        [
            ("values.0.app", S, "Mobile app"),
            ("values.0.appId", S, "123"),
            ("values.1.program", S, "Holidays"),
            ("values.2.color", S, "Yellow"),
            ("values.2.language", S, "Spanish"),
            ("values.2.logo", S, "contoso.png"),
            ("values.2.background", S, "White"),
        ],
        {
            "values": [
                {"app": "Mobile app", "appId": "123"},
                {"program": "Holidays"},
                {"color": "Yellow", "language": "Spanish", "logo": "contoso.png", "background": "White"},
            ],
            "emails": [
                {"name": "Joni", "address": "joni@contoso.com"},
                {"name": "Emily", "address": "emily@contoso.com"},
            ],
        },
        id="arrays-from-claims-and-parameters",
    ),
    pytest.param(
        [("app", "values.0.app", S, "Mobile app"), ("appId", "values.0.appId", S, "123")],
        [("values.1.program", S, "Holidays"), ("values.2.color", S, "Yellow")],
        {"values": [{"app": "Mobile app", "appId": "123"}, {"program": "Holidays"}, {"color": "Yellow"}]},
        id="one-array-claims-then-parameters",
    ),
]


@pytest.mark.parametrize(("inputs", "params", "expected"), GENERATE_JSON)
def test_generate_json_examples(run_method: Any, inputs: list, params: list, expected: dict) -> None:
    out = run_method("GenerateJson", inputs, params, [("requestBody", "outputClaim", S)])
    assert json.loads(out["requestBody"]) == expected


def test_xml_string_to_json_string_example(run_method: Any) -> None:
    xml = "<user>\n  <name>Someone</name>\n  <email>someone@example.com</email>\n</user>"
    out = run_method("XmlStringToJsonString", [("intpuXML", "xml", S, xml)], [], [("outputJson", "json", S)])
    assert json.loads(out["outputJson"]) == {"user": {"name": "Someone", "email": "someone@example.com"}}


def test_get_identity_providers_example_unordered(run_method: Any) -> None:
    out = run_method(
        "GetIdentityProvidersFromAlternativeSecurityIdCollectionTransformation",
        [("alternativeSecurityIds", "alternativeSecurityIdCollection", ALT, [GOOGLE, FACEBOOK])],
        [],
        [("identityProviders", "identityProvidersCollection", SC)],
    )
    assert sorted(out["identityProviders"]) == ["facebook.com", "google.com"]  # §14: the article's order differs


def test_hash_example_shape(run_method: Any) -> None:
    # The secret of the article's example is not published: check the documented shape and behaviour.
    def digest(plaintext: str, salt: str, secret: str = "s3cret") -> str:
        from connector_sim.transformations import TransformationContext

        ctx = TransformationContext(keys={"B2C_1A_AccountTransformSecret": secret})
        return run_method(
            "Hash",
            [("email", "plaintext", S, plaintext), ("salt", "salt", S, salt)],
            [("randomizerSecret", S, "B2C_1A_AccountTransformSecret")],
            [("hashedEmail", "hash", S)],
            context=ctx,
        )["hashedEmail"]

    first = digest("someone@contoso.com", "487624568")
    assert len(first) == 44 and first.endswith("=")
    assert first == digest("someone@contoso.com", "487624568")
    assert first != digest("someone@contoso.com", "487624569")
    assert first != digest("someone@contoso.com", "487624568", secret="other")
    import base64
    import hashlib
    import hmac

    expected = base64.b64encode(hmac.new(b"s3cret", b"someone@contoso.com487624568", hashlib.sha256).digest()).decode()
    assert first == expected


def test_create_otp_secret_example_shape(run_method: Any, make_ctx: Any) -> None:
    secret = run_method("CreateOtpSecret", [], [], [("secretKey", "outputClaim", S)])["secretKey"]
    assert len(secret) == 16 and secret == secret.lower() and set(secret) <= set("abcdefghijklmnopqrstuvwxyz234567")
    again = run_method("CreateOtpSecret", [], [], [("secretKey", "outputClaim", S)], context=make_ctx())["secretKey"]
    assert again == secret  # the same seeded random source gives the same secret


@pytest.mark.parametrize(
    ("params", "pattern"),
    [
        pytest.param(
            [("randomGeneratorType", S, "GUID")],
            r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
            id="GUID",
        ),
        pytest.param(
            [
                ("randomGeneratorType", S, "INTEGER"),
                ("maximumNumber", INT, "1000"),
                ("stringFormat", S, "OTP_{0}"),
                ("base64", B, "false"),
            ],
            r"OTP_\d{1,3}",
            id="INTEGER-OTP-format",
        ),
        pytest.param([("randomGeneratorType", S, "integer")], r"\d{1,10}", id="INTEGER-no-maximum"),
    ],
)
def test_create_random_string_examples(run_method: Any, params: list, pattern: str) -> None:
    import re

    value = run_method("CreateRandomString", [], params, [("r", "outputClaim", S)])["r"]
    assert re.fullmatch(pattern, value)


def test_create_random_string_seed_and_base64(run_method: Any, make_ctx: Any) -> None:
    import base64

    params = [
        ("randomGeneratorType", S, "INTEGER"),
        ("maximumNumber", INT, "1000"),
        ("seed", INT, "42"),
        ("stringFormat", S, "OTP_{0}"),
        ("base64", B, "true"),
    ]
    first = run_method("CreateRandomString", [], params, [("r", "outputClaim", S)])["r"]
    second = run_method(
        "CreateRandomString",
        [],
        params,
        [("r", "outputClaim", S)],
        context=make_ctx(random=__import__("random").Random(99)),
    )["r"]
    assert first == second  # a seed gives the same value whatever the context's random source
    assert base64.b64decode(first).decode().startswith("OTP_")
