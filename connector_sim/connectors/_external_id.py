"""Microsoft Entra External ID custom authentication extensions: B2C's successor, same outcome object.

``ExternalIdExtension`` POSTs the documented document of each of the six events (``_extension_body``)
with an Entra bearer token (``connector_sim.testing.EntraAuthority.caller`` mints the exact one), and
judges the answer (``_extension_contract``). ``auth_check`` sends the event with every wrong token
an API must refuse (``_auth_check``).

Sources (MicrosoftDocs/entra-docs unless noted):

* ``docs/identity-platform/custom-extension-onattributecollectionstart-reference.md``
  @ f6cd5640ce8181d4c36eb9ad5cc5c20e542aa82e (01/23/2024) and @ 072eddee4b78586b31c04d76edcba313cd5f3983
  (10/15/2023: properties tables, showBlockPage default message).
* ``docs/identity-platform/custom-extension-onattributecollectionsubmit-reference.md``
  @ 30d76f4281026767dc2c34b43455a7d1d3464dd2 (04/10/2024).
* ``docs/identity-platform/custom-claims-provider-reference.md`` @ 08d7daf15d793ac0f19588429220ab848138ed6a
  (05/25/2025): OnTokenIssuanceStart request, provideClaimsForToken, data types, 3 KB claims limit.
* ``docs/identity-platform/custom-extension-troubleshoot.md`` @ 07cd7acd04259449a361903c29dbb8b442402a88:
  error behaviour, the 10030xx error codes, "the two-seconds timeout".
* ``docs/identity-platform/custom-extension-overview.md`` @ 017f8dd1e51dacbfdf6ffa2f27ff3902549487b5:
  bearer token (``azp``/``appid`` 99045fe1-7639-4a75-9d4a-577b6ca3810f).
* ``docs/identity-platform/custom-extension-attribute-collection.md`` @ 029a7801ca42f9efe4e41ac1a8065bc63b3205d7:
  C# samples (they use ``ShowValidationError`` / ``ContinueWithDefaultBehavior`` casing).
* ``docs/identity-platform/custom-extension-email-otp-send-data.md`` @ 00e36cedf424859631c60ab0303f590eca136473
  (05/20/2025) and ``custom-extension-email-otp-get-started.md`` @ 07cd7acd04259449a361903c29dbb8b442402a88
  (05/05/2025, step 7: ``fallbackToMicrosoftProviderOnError``): OnOtpSend.
* ``docs/external-id/customers/how-to-migrate-passwords-just-in-time.md`` @ 00ac58f5df2d2414d1d7d767d082a4b5958f7a45
  (12/12/2025): OnPasswordSubmit, ``encryptedPasswordContext``, ``data.nonce``, the four actions.
* rogulati/AccountRecoveryClaimsMatchingAPI README and szubajak/entra-event-handlers
  ``docs/events/verified-id-claim-validation.md``: OnVerifiedIdClaimValidation (no entra-docs reference yet).
* microsoftgraph/microsoft-graph-docs-contrib ``api-reference/v1.0/resources/customextensionclientconfiguration.md``
  @ 0f04ee0298ebd9d55b3f844e29d4b413128967ed: timeoutInMilliseconds 200-2000, maximumRetries 0 or 1.

Not confirmed by those sources (connector_sim's choice in brackets):

* The default timeout: Graph says 1000 ms, the troubleshooting page speaks of two seconds [2000 ms, 1 retry].
* What triggers a retry (timeouts only, or connection errors and 5xx too) [timeouts and connection errors].
* That exactly one action is allowed [exactly one; 1003010 says "a different number ... than supported"].
* Case sensitivity of ``@odata.type`` values [exact match; other casing accepted with a warning, because the
  docs' own C# sample returns ``...attributeCollectionSubmit.ShowValidationError``].
* HTTP statuses other than 200 [all refused, 1003002]; what the user sees when an attribute-collection
  extension fails [a generic error page]; without a showValidationError ``message`` [a violation].
* How wrong-typed, null or unknown returned values are treated beyond "extra attributes are ignored"
  [ignored, each with a violation]; how the 3 KB claims size is counted [UTF-8 bytes of names and values].
* OnOtpSend: the ``requestType`` values besides ``signUp`` [``signIn``, ``passwordReset``]; the code length
  [8 digits, as the sample]. OnPasswordSubmit: the JWE algorithms [RSA-OAEP-256 / A256GCM], its ``kid``
  [the certificate's x5t], the sign-in log code of a missing or wrong nonce [1003003]; what Retry, UpdatePassword
  and a failure show. OnVerifiedIdClaimValidation: everything beyond the two public implementations.
* Whether attributes without a value are sent at attribute collection start [left out], and the exact
  ``user`` object at token issuance [the fields given, else an ``id`` and ``userType`` only].
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from typing import Any

from ..auth import AuthStrategy
from ..errors import CallError, ConfigurationError
from ..redact import Secrets
from ..timing import TimingProfile
from ..wire import WireRequest
from ._endpoint import Endpoint
from ._extension_body import BuiltCall, build_call
from ._extension_contract import failure_text, find_event, judge_extension_answer
from ._otp_send import behavior_on_error as _behavior
from ._outcome import ConnectorOutcome, Violation
from ._password_submit import (
    DEFAULT_CONTENT_ENCRYPTION,
    DEFAULT_KEY_ALGORITHM,
    KeySource,
    load_encryption_key,
)
from ._request import compact_app_id
from ._token_claims import TokenView, final_token

__all__ = ["ExternalIdExtension"]

_TENANT = "aaaabbbb-0000-cccc-1111-dddd2222eeee"  # the docs' own example ids
_LISTENER = "00001111-aaaa-2222-bbbb-3333cccc4444"
_EXTENSION = "11112222-bbbb-3333-cccc-4444dddd5555"
_CLIENT_APP = "00001111-aaaa-2222-bbbb-3333cccc4444"
_SERVICE_PRINCIPAL = "aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb"
_FAILURE_CODES = {"timeout": "1003005 CustomExtensionTimedOut",
                  "transport-error": "1003027 CustomExtensionConnectionError",
                  "response-too-large": "1003024 CustomExtensionResponseSizeExceeded"}


class ExternalIdExtension(Endpoint):
    """An Entra External ID custom authentication extension endpoint, called with an Entra bearer token.

    ``behavior_on_error`` is the OnOtpSend listener's setting (``default`` or ``fallback``);
    ``encryption_key`` the certificate (or public key) OnPasswordSubmit encrypts the password to,
    with ``jwe_algorithm`` / ``jwe_encryption`` (default RSA-OAEP-256 / A256GCM, UNCONFIRMED).
    ``exact_case=True`` makes an ``@odata.type`` that differs only in case a violation (by default a
    warning: Microsoft's own samples write such casing, and whether Entra minds is undocumented).
    """

    kind = "external-id"

    def __init__(
        self,
        url: str,
        auth: AuthStrategy,
        *,
        extensions_app_id: str | None = None,
        tenant_id: str = _TENANT,
        tenant_domain: str = "contoso.onmicrosoft.com",
        client_app_id: str = _CLIENT_APP,
        app_display_name: str = "My Test application",
        listener_id: str = _LISTENER,
        extension_id: str = _EXTENSION,
        timeout_ms: int = 2000,
        maximum_retries: int = 1,
        ca_bundle: str | None = None,
        strict: bool = False,
        name: str = "CustomAuthenticationExtension",
        max_response_bytes: int = 4 * 1024 * 1024,
        behavior_on_error: str = "default",
        encryption_key: KeySource | None = None,
        encryption_key_password: str | None = None,
        jwe_algorithm: str = DEFAULT_KEY_ALGORITHM,
        jwe_encryption: str = DEFAULT_CONTENT_ENCRYPTION,
        exact_case: bool = False,
    ) -> None:
        claim = getattr(auth, "bearer_claim", None) or getattr(auth, "claim", None)
        if getattr(auth, "authentication_type", None) != "Bearer" or claim is not None:
            raise ConfigurationError(
                f"{name}: Entra calls custom authentication extensions with its own bearer token; use "
                f"EntraAuthority.caller(app_id), StaticBearer(token) or Bearer(credentials=ClientCredentials(...)), "
                f"not {auth!r}", profile_id=name)
        if not isinstance(timeout_ms, int) or not 200 <= timeout_ms <= 2000:
            raise ConfigurationError(f"{name}: timeout_ms must be 200 to 2000 (Graph timeoutInMilliseconds)")
        if maximum_retries not in (0, 1):
            raise ConfigurationError(f"{name}: maximum_retries must be 0 or 1 (Graph maximumRetries)")
        self.extensions_app_id = compact_app_id(extensions_app_id) if extensions_app_id else None
        self.tenant_id, self.tenant_domain = tenant_id, tenant_domain
        self.client_app_id, self.app_display_name = client_app_id, app_display_name
        self.listener_id, self.extension_id = listener_id, extension_id
        self.service_principal_id = _SERVICE_PRINCIPAL
        self.behavior_on_error = _behavior(behavior_on_error)
        self.encryption_key = (load_encryption_key(encryption_key, encryption_key_password)
                               if encryption_key is not None else None)
        self.jwe_algorithm, self.jwe_encryption, self.exact_case = jwe_algorithm, jwe_encryption, exact_case
        self.timeout_ms, self.maximum_retries, self.ca_bundle = timeout_ms, maximum_retries, ca_bundle
        self._local = threading.local()  # the secrets of the call in flight (one per thread or greenlet)
        timing = TimingProfile("external-id", timeout_ms / 1000.0, maximum_retries)
        super().__init__(url, auth, timing, ca_bundle=ca_bundle, strict=strict, name=name,
                         max_response_bytes=max_response_bytes)

    def __repr__(self) -> str:
        return f"ExternalIdExtension({self.shown_url!r}, auth={self.auth!r}, timeout_ms={self.timing.timeout * 1000:g})"

    def encrypt_password(self, password: Any, username: Any, nonce: str) -> str:
        """``encryptedPasswordContext`` for OnPasswordSubmit, encrypted to ``encryption_key``."""
        from ._password_submit import encrypt_password_context

        if self.encryption_key is None:
            raise ConfigurationError(
                f"{self.name}: OnPasswordSubmit needs the certificate (or public key) Entra encrypts the password "
                "to: pass encryption_key=", hint="`connector-sim cert new` makes one; the API decrypts with its key")
        return encrypt_password_context(password, username, nonce, self.encryption_key,
                                        algorithm=self.jwe_algorithm, encryption=self.jwe_encryption)

    def body(self, event: str, **fields: Any) -> dict[str, Any]:
        """The JSON document Entra sends for ``event`` (any of the six; fields per event in ``EVENT_FIELDS``)."""
        return build_call(self, find_event(event), fields).document

    @property
    def secrets(self) -> Secrets:
        """What every record of the call in flight masks: the credentials, and its code, password or JWE."""
        extra = getattr(self._local, "secrets", ())
        return self._base_secrets + extra if extra else self._base_secrets

    @secrets.setter
    def secrets(self, value: Secrets) -> None:
        self._base_secrets = value

    def call(self, event: str, **fields: Any) -> ConnectorOutcome:
        """Send ``event`` with its fields and judge the answer."""
        spec = find_event(event)
        built: BuiltCall = build_call(self, spec, fields)
        self._local.secrets = built.secrets
        try:
            shown, exchange, error = self._post(built.document)
            if exchange is None:
                assert error is not None
                return self._finish(self._failed(spec.name, shown, error))
            verdict = judge_extension_answer(spec, exchange.status, exchange.headers, exchange.content,
                                             context=built.context)
            outcome = ConnectorOutcome(spec.name, verdict.action, verdict.claims, verdict.user_sees,
                                       verdict.violations, exchange.attempts, shown, self._record(exchange),
                                       kind=self.kind, warnings=verdict.warnings,
                                       attribute_errors=verdict.attribute_errors)
            return self._finish(outcome)
        finally:
            self._local.secrets = ()

    def _failed(self, step: str, shown: WireRequest, error: CallError) -> ConnectorOutcome:
        rule, reason = self._failure_rule(error)
        code = _FAILURE_CODES.get(rule, "no call made")
        violation = Violation(rule, reason, f"Entra fails the flow ({code})")
        return ConnectorOutcome(step, None, {}, failure_text(find_event(step), code, self.behavior_on_error),
                                (violation,), tuple(error.attempts), shown, None, kind=self.kind, error=error)

    def auth_check(self, authority: Any, extension_app_id: str, *, event: str = "OnTokenIssuanceStart",
                   version: int | None = None, **fields: Any) -> Any:
        """Send ``event`` with the right token and with each wrong one (``EntraAuthority.token_cases``)."""
        from ._auth_check import run_auth_check

        return run_auth_check(self, authority, extension_app_id, event=event, version=version, fields=fields)

    @staticmethod
    def final_token(answer: ConnectorOutcome | Mapping[str, Any] | None, claims_mapping_policy: Any) -> TokenView:
        """The custom claims the app's token carries under ``claims_mapping_policy`` (a Graph claimsMappingPolicy).

        ``answer`` is an OnTokenIssuanceStart outcome (its raw answer is read) or the ``claims`` object itself.
        """
        claims: Any = answer
        if isinstance(answer, ConnectorOutcome):
            try:
                claims = json.loads(answer.response.body)["data"]["actions"][0]["claims"] if answer.response else None
            except (ValueError, KeyError, IndexError, TypeError):
                claims = None
        if claims is not None and not isinstance(claims, Mapping):
            claims = None
        return final_token(claims, claims_mapping_policy)

    def on_attribute_collection_start(self, **fields: Any) -> ConnectorOutcome:
        """OnAttributeCollectionStart: before the sign-up form renders (prefill or block)."""
        return self.call("OnAttributeCollectionStart", **fields)

    def on_attribute_collection_submit(self, **fields: Any) -> ConnectorOutcome:
        """OnAttributeCollectionSubmit: after the user submits the form (modify, validate or block)."""
        return self.call("OnAttributeCollectionSubmit", **fields)

    def on_token_issuance_start(self, **fields: Any) -> ConnectorOutcome:
        """OnTokenIssuanceStart: before a token is issued (custom claims provider)."""
        return self.call("OnTokenIssuanceStart", **fields)

    def on_otp_send(self, **fields: Any) -> ConnectorOutcome:
        """OnOtpSend: Entra hands the one-time code to the API, which emails it (``email``, ``one_time_code``)."""
        return self.call("OnOtpSend", **fields)

    def on_password_submit(self, **fields: Any) -> ConnectorOutcome:
        """OnPasswordSubmit: just-in-time migration of a password the directory does not know (``password``)."""
        return self.call("OnPasswordSubmit", **fields)

    def on_verified_id_claim_validation(self, **fields: Any) -> ConnectorOutcome:
        """OnVerifiedIdClaimValidation: account recovery checks a Verified ID credential's ``claims``."""
        return self.call("OnVerifiedIdClaimValidation", **fields)
