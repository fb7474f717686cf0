"""OnOtpSend (email one-time passcode, custom provider): the ``otpContext`` Entra sends and its settings.

Source: ``custom-extension-email-otp-send-data.md`` (05/2025): ``data.otpContext`` holds
``identifier`` (the email address) and ``oneTimeCode``; ``authenticationContext.requestType`` says
why (the sample shows ``signUp``). ``custom-extension-email-otp-get-started.md`` step 7: by default a
failing API means Entra sends no code; with the listener's ``behaviorOnError`` set to
``fallbackToMicrosoftProviderOnError`` Microsoft sends its own email instead.
"""

from __future__ import annotations

import secrets
from typing import Any

from ..errors import ConfigurationError
from ._extension_contract import BEHAVIORS_ON_ERROR

__all__ = ["REQUEST_TYPES", "behavior_on_error", "new_one_time_code", "otp_context"]

#: ``requestType`` values: ``signUp`` is documented; the other two are UNCONFIRMED spellings.
REQUEST_TYPES = ("signUp", "signIn", "passwordReset")
_FALLBACK_NAMES = {"fallback", "fallbacktomicrosoftprovider", "fallbacktomicrosoftprovideronerror", "microsoft"}


def new_one_time_code() -> str:
    """A fresh 8-digit code, as long as the docs' sample (UNCONFIRMED length)."""
    return f"{secrets.randbelow(10 ** 8):08d}"


def otp_context(identifier: Any, one_time_code: Any) -> dict[str, str]:
    """``otpContext``: the address the code goes to and the code itself."""
    if not isinstance(identifier, str) or "@" not in identifier:
        raise ConfigurationError(f"OnOtpSend needs the email address the code goes to (identifier), got "
                                 f"{identifier!r}")
    if not isinstance(one_time_code, str) or not one_time_code.strip():
        raise ConfigurationError("OnOtpSend needs a one-time code (a non-empty string)")
    return {"identifier": identifier, "oneTimeCode": one_time_code}


def behavior_on_error(value: Any) -> str:
    """The Graph type name of the listener's ``behaviorOnError``, from it or a short alias (``fallback``)."""
    text = str(value or "").strip().removeprefix("#").removeprefix("microsoft.graph.")
    if text in BEHAVIORS_ON_ERROR:
        return text
    lowered = text.lower()
    if lowered in ("", "default", "none", "customextensionbehavioronerror"):
        return "customExtensionBehaviorOnError"
    if lowered in _FALLBACK_NAMES:
        return "fallbackToMicrosoftProviderOnError"
    raise ConfigurationError(f"behavior_on_error {value!r} is not one of default, fallback "
                             f"({', '.join(BEHAVIORS_ON_ERROR)})")
