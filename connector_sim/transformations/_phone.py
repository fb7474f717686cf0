"""Phone number transformations [PHONE] (public preview), on Google's libphonenumber (``phonenumbers``).

B2C's documented results match libphonenumber's parse + E.164 format without a validity check, so a
number is "invalid" when it cannot be parsed. ``phonenumbers`` is imported on first use: its metadata
takes a while to load and ``import connector_sim`` should stay fast.
"""

from __future__ import annotations

from typing import Any

from connector_sim.errors import ConfigurationError

from ._signature import BOOL, Call, Method, Outputs, Signature, inp, out, par

__all__ = ["METHODS"]


def _lib() -> Any:
    """The ``phonenumbers`` module, imported on first use."""
    try:
        import phonenumbers
    except ImportError:  # pragma: no cover - a dependency of connector_sim; only a broken install lacks it
        raise ConfigurationError("the phone number claims transformations need the phonenumbers package",
                                 hint="pip install phonenumbers") from None
    return phonenumbers


def _parse(text: str, region: str | None) -> Any:
    """The parsed number, or None when libphonenumber cannot read it."""
    phonenumbers = _lib()
    try:
        return phonenumbers.parse(text, region.upper() if region else None)
    except phonenumbers.NumberParseException:
        return None


def _to_string(call: Call) -> Outputs:
    return {"phoneNumberString": call.value("phoneNumber")}


def _to_phone(call: Call) -> Outputs:
    phonenumbers = _lib()
    number = _parse(call.value("phoneNumberString"), call.value("country"))
    if number is None:
        call.fail("the phone number is not valid", tct="phoneNumberString", assertion=True)
    return {"outputClaim": phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)}


def _national(call: Call) -> Outputs:
    phonenumbers = _lib()
    number = _parse(call.value("phoneNumber"), None)
    if number is None:
        if call.params["throwExceptionOnFailure"]:
            call.fail("the phone number cannot be parsed", tct="phoneNumber", assertion=True)
        return {}  # no error, nothing written [PHONE]
    if call.params["countryCodeType"] == "ISO3166":
        code = phonenumbers.region_code_for_country_code(number.country_code)
    else:
        code = f"+{number.country_code}"
    return {"nationalNumber": phonenumbers.national_significant_number(number), "countryCode": code}


METHODS = (
    Method("ConvertPhoneNumberClaimToString", "Phone",
           Signature((inp("phoneNumber", "phoneNumber"),), outputs=(out("phoneNumberString"),)), _to_string),
    Method(
        "ConvertStringToPhoneNumberClaim", "Phone",
        Signature((inp("phoneNumberString"), inp("country", required=False)),
                  outputs=(out("outputClaim", "phoneNumber"),)),
        _to_phone, "UserMessageIfClaimsTransformationInvalidPhoneNumber",
    ),
    Method(
        "GetNationalNumberAndCountryCodeFromPhoneNumberString", "Phone",
        Signature(
            (inp("phoneNumber"),),
            (par("throwExceptionOnFailure", *BOOL, default=False),
             par("countryCodeType", default="CallingCode", choices=("CallingCode", "ISO3166"))),
            (out("nationalNumber"), out("countryCode")),
        ),
        _national, "UserMessageIfPhoneNumberParseFailure",
    ),
)
