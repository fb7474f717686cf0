"""The one exception tree of connector_sim.

Every error connector_sim raises is a ``ConnectorSimError``; foreign exceptions (requests,
urllib3, ssl, msal, XML parsers, cryptography) are translated where they are caught and chained
with ``from``. Each class knows the CLI exit code it maps to::

    ConnectorSimError                    base; exit 2
    ├── ConfigurationError               what B2C would refuse at upload (profile, policy, keys); exit 2
    │   ├── PolicyError                  a policy file cannot be read, parsed or resolved
    │   ├── MissingKeyError              a StorageReferenceId the KeyStore cannot resolve
    │   └── CertificateError             a .pfx B2C would refuse (password, key, RSA, dates)
    └── CallError                        the call failed the way B2C would fail it; exit 1
        ├── ClaimsError                  the claims bag cannot feed the request (bearer claim, Url placeholder)
        ├── RestApiError                 the API answered with B2C's error contract (4xx + userMessage)
        ├── HttpStatusError              any other non-success status (AADB2C90075)
        ├── InvalidResponseError         an answer B2C cannot use (AADB2C90261, non-JSON, too large)
        ├── TokenAcquisitionError        OAuth2 client credentials failed at the token endpoint
        ├── ContractViolationError       a user-flow API connector answer breaks the contract (strict mode)
        ├── ClaimsTransformationError    a claims transformation failed (an assertion, unusable input)
        ├── LoadFailure                  (connector_sim.load) a load-run call B2C would fail, with a short reason
        └── TransportError               no usable answer at all
            ├── RequestTimeoutError      every attempt timed out
            ├── DnsResolutionError       the host name does not resolve
            ├── ConnectionFailedError    refused, reset or closed connections
            └── TlsError                 the TLS handshake or certificate check failed

Messages never contain secrets: they are built from names, URLs with redacted queries, statuses
and the API's own user-facing text.
"""

from __future__ import annotations

from typing import Any, ClassVar, Sequence

__all__ = [
    "CallError",
    "CertificateError",
    "ClaimsError",
    "ClaimsTransformationError",
    "ConfigurationError",
    "ConnectionFailedError",
    "ConnectorSimError",
    "ContractViolationError",
    "DnsResolutionError",
    "HttpStatusError",
    "InvalidResponseError",
    "MissingKeyError",
    "PolicyError",
    "RequestTimeoutError",
    "RestApiError",
    "TlsError",
    "TokenAcquisitionError",
    "TransportError",
]


class ConnectorSimError(Exception):
    """Root of every error connector_sim raises."""

    exit_code: ClassVar[int] = 2

    def __init__(
        self,
        message: str,
        *,
        profile_id: str | None = None,
        b2c_code: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.profile_id = profile_id
        self.b2c_code = b2c_code
        self.hint = hint

    def __str__(self) -> str:
        text = self.message
        if self.b2c_code and self.b2c_code not in text:
            text = f"{self.b2c_code}: {text}"
        if self.hint:
            text = f"{text}\n  hint: {self.hint}"
        return text

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (the shape of the CLI's ``error`` object)."""
        return {
            "type": type(self).__name__,
            "profile": self.profile_id,
            "code": self.b2c_code,
            "message": self.message,
        }


class ConfigurationError(ConnectorSimError):
    """A profile, policy or key that B2C would refuse before any request is sent."""


class PolicyError(ConfigurationError):
    """A policy file cannot be read, parsed or resolved."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        **kwargs: Any,
    ) -> None:
        where = file or ""
        if file and line:
            where = f"{file}:{line}" + (f":{column}" if column else "")
        super().__init__(f"{where}: {message}" if where else message, **kwargs)
        self.file = file
        self.line = line
        self.column = column


class MissingKeyError(ConfigurationError):
    """A policy key (StorageReferenceId) has no value in the KeyStore."""

    def __init__(self, message: str, *, key: str, **kwargs: Any) -> None:
        kwargs.setdefault("b2c_code", "AADB2C90130")
        super().__init__(message, **kwargs)
        self.key = key


class CertificateError(ConfigurationError):
    """A .pfx that cannot be used as B2C's client certificate."""


class CallError(ConnectorSimError):
    """The call failed the way B2C would fail it; carries what the end user would see."""

    exit_code: ClassVar[int] = 1

    def __init__(
        self,
        message: str,
        *,
        user_message: str | None = None,
        http_status: int | None = None,
        attempts: Sequence[Any] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.user_message = user_message if user_message is not None else message
        self.http_status = http_status  # the HTTP status of the answer, None without one
        self.attempts = tuple(attempts)
        self.result: Any = None  # the CallResult of the failed call: the caller's record, added as it is raised

    def to_dict(self) -> dict[str, Any]:
        """The CLI's ``error`` object: profile, code, userMessage, status."""
        return {
            "type": type(self).__name__,
            "profile": self.profile_id,
            "code": self.b2c_code,
            "userMessage": self.user_message,
            "status": self.http_status,
            "message": self.message,
        }


class ClaimsError(CallError):
    """The claims bag cannot feed the request (a missing bearer claim, Url placeholder, bad value)."""

    def __init__(self, message: str, *, claim: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.claim = claim


class RestApiError(CallError):
    """The API answered a 4xx with B2C's error contract (``userMessage`` and friends)."""

    def __init__(
        self,
        message: str,
        *,
        user_message: str,
        status: int | None,
        http_status: int,
        code: str | None = None,
        request_id: str | None = None,
        developer_message: str | None = None,
        more_info: str | None = None,
        version: str | None = None,
        user_sees: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(message, user_message=user_message, http_status=http_status, **kwargs)
        self.status = status  # the error contract's own ``status`` field (409), as the API wrote it
        self.code = code
        self.request_id = request_id
        self.developer_message = developer_message
        self.more_info = more_info
        self.version = version
        self.user_sees = user_sees if user_sees is not None else user_message

    def to_dict(self) -> dict[str, Any]:
        """The CLI's ``error`` object, with the contract's debug fields."""
        data = super().to_dict()
        data.update(
            bodyStatus=self.status,
            apiCode=self.code,
            requestId=self.request_id,
            developerMessage=self.developer_message,
            moreInfo=self.more_info,
        )
        return data


class HttpStatusError(CallError):
    """A non-success status without B2C's error contract (AADB2C90075)."""


class InvalidResponseError(CallError):
    """An answer B2C cannot use: unparseable, wrong shape, or too large."""


class TokenAcquisitionError(CallError):
    """OAuth2 client credentials failed: the token endpoint refused or could not be reached."""

    def __init__(
        self, message: str, *, error: str | None = None, error_description: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(message, **kwargs)
        self.error = error
        self.error_description = error_description


class ContractViolationError(CallError):
    """A user-flow API connector answer breaks B2C's contract (raised in strict mode)."""

    def __init__(self, message: str, *, violations: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.violations = tuple(violations)


class ClaimsTransformationError(CallError):
    """A claims transformation failed when it ran: an assertion did not hold, or its input is unusable."""

    def __init__(
        self, message: str, *, transformation_id: str | None = None, method: str | None = None,
        claim: str | None = None, **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.transformation_id = transformation_id
        self.method = method
        self.claim = claim


class TransportError(CallError):
    """No usable answer: the request never completed."""


class RequestTimeoutError(TransportError):
    """Every attempt timed out (B2C's UserMessageIfRequestTimeout)."""


class DnsResolutionError(TransportError):
    """The host name of the service URL does not resolve (UserMessageIfDnsResolutionFailed)."""


class ConnectionFailedError(TransportError):
    """The connection was refused, reset or closed before an answer."""


class TlsError(TransportError):
    """The TLS handshake failed: certificate, protocol version or cipher suite."""
