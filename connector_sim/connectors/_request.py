"""The JSON document a B2C user-flow API connector POSTs, built from Python values (behaviour §10.2).

Built-in user attributes travel under their Microsoft Graph names (``givenName``, ``postalCode``);
custom attributes as ``extension_<b2c-extensions-app id without hyphens>_<Name>`` [UFCA]; then
``step``, ``client_id`` and ``ui_locales`` [AAC, TOK]. A claim without a value is left out [AAC].
User-flow custom attributes are String, Boolean or Int only [UFCA]. Pure functions, no I/O.
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Mapping

from ..errors import ConfigurationError

__all__ = [
    "BUILT_IN_ATTRIBUTES",
    "STEPS",
    "build_connector_body",
    "compact_app_id",
    "graph_name",
    "normalise_step",
    "parse_extension_name",
]

#: The three connector steps, as B2C writes them in the ``step`` field [AAC, TOK].
STEPS = ("PostFederationSignup", "PostAttributeCollection", "PreTokenIssuance")

#: Built-in user attributes B2C sends and accepts back, Graph name -> Python keyword (§10.2, AAC).
BUILT_IN_ATTRIBUTES: Mapping[str, str] = {
    "email": "email",
    "displayName": "display_name",
    "objectId": "object_id",
    "givenName": "given_name",
    "surname": "surname",
    "jobTitle": "job_title",
    "streetAddress": "street_address",
    "city": "city",
    "postalCode": "postal_code",
    "state": "state",
    "country": "country",
}
_BY_SNAKE = {snake: graph for graph, snake in BUILT_IN_ATTRIBUTES.items()}
_BY_LOWER = {graph.lower(): graph for graph in BUILT_IN_ATTRIBUTES}
_APP_ID = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")
_EXTENSION = re.compile(r"^extension_(?:(?P<app>[0-9a-fA-F]{32})_)?(?P<name>.+)$")
_ATTRIBUTE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_IDENTITY_KEYS = {"signInType": "sign_in_type", "issuer": "issuer", "issuerAssignedId": "issuer_assigned_id"}


def normalise_step(step: str) -> str:
    """B2C's step name for ``step`` in any case, kebab-case or snake_case (``post-attribute-collection``)."""
    wanted = str(step).replace("-", "").replace("_", "").lower()
    for name in STEPS:
        if name.lower() == wanted:
            return name
    raise ConfigurationError(f"unknown API connector step {step!r}; use one of {', '.join(STEPS)}")


def compact_app_id(app_id: str) -> str:
    """The b2c-extensions-app id as it appears in attribute names: 32 lower-case hex digits, no hyphens."""
    if not isinstance(app_id, str) or not _APP_ID.match(app_id.strip()):
        raise ConfigurationError(
            f"extensions_app_id {app_id!r} is not an application (client) ID",
            hint="use the Application (client) ID of the b2c-extensions-app registration, e.g. "
            "0d4d5b7e-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
        )
    return app_id.strip().replace("-", "").lower()


def parse_extension_name(name: str) -> tuple[str | None, str] | None:
    """``(app id or None, Name)`` for ``extension_[<appid>_]Name``; None when ``name`` is no extension name."""
    match = _EXTENSION.match(name)
    if match is None:
        return None
    app = match.group("app")
    return (app.lower() if app else None, match.group("name"))


def graph_name(name: str) -> str | None:
    """The Graph name of a built-in attribute given as Graph name, snake_case or any case; else None."""
    if name in BUILT_IN_ATTRIBUTES:
        return name
    return _BY_SNAKE.get(name) or _BY_LOWER.get(name.lower())


def _custom_name(name: str, app_id: str | None) -> str:
    if app_id is None:
        raise ConfigurationError(
            f"custom attribute {name!r} needs the extensions app id",
            hint="pass extensions_app_id= (the b2c-extensions-app Application (client) ID); B2C sends custom "
            "attributes as extension_<app id without hyphens>_<Name>",
        )
    parsed = parse_extension_name(name)
    short = name
    if parsed is not None:
        given_app, short = parsed
        if given_app is not None and given_app != app_id:
            raise ConfigurationError(
                f"custom attribute {name!r} names app id {given_app}, but the connector's extensions app id "
                f"is {app_id}",
            )
    if not _ATTRIBUTE_NAME.match(short):
        raise ConfigurationError(f"custom attribute name {short!r} is not a valid attribute name")
    return f"extension_{app_id}_{short}"


def _custom_value(name: str, value: Any) -> Any:
    # UFCA: user-flow custom attributes are String, Boolean or Int; nothing else can exist in the tenant.
    if isinstance(value, (str, bool)):
        return value
    if isinstance(value, int):
        if not -(2**31) <= value <= 2**31 - 1:
            raise ConfigurationError(f"custom attribute {name!r}: {value} does not fit an Int attribute")
        return value
    raise ConfigurationError(
        f"custom attribute {name!r} holds a {type(value).__name__}; user-flow custom attributes are "
        "String, Boolean or Int only",
    )


def _identities(entries: Iterable[Any]) -> list[dict[str, str]]:
    result = []
    for entry in entries:
        if not isinstance(entry, Mapping):
            raise ConfigurationError(f"an identity must be a mapping with signInType, issuer, issuerAssignedId; "
                                     f"got {type(entry).__name__}")
        item = {}
        for graph, snake in _IDENTITY_KEYS.items():
            value = entry.get(graph, entry.get(snake))
            if value not in (None, ""):
                item[graph] = str(value)
        unknown = set(entry) - set(_IDENTITY_KEYS) - set(_IDENTITY_KEYS.values())
        if unknown:
            raise ConfigurationError(f"unknown identity field(s) {', '.join(sorted(unknown))}; "
                                     "an identity has signInType, issuer and issuerAssignedId")
        if item:
            result.append(item)
    return result


def build_connector_body(
    step: str,
    built_ins: Mapping[str, Any],
    attributes: Mapping[str, Any] | None = None,
    *,
    identities: Iterable[Any] | None = None,
    extensions_app_id: str | None = None,
    client_id: str | None = None,
    ui_locales: str | None = None,
) -> dict[str, Any]:
    """The JSON object B2C sends at ``step``: built-ins (Graph or snake names), custom attributes, context."""
    app_id = compact_app_id(extensions_app_id) if extensions_app_id else None
    body: dict[str, Any] = {}

    def put(name: str, value: Any) -> None:
        if value is None or value == "":
            return  # AAC: "If a claim does not have a value ... the claim will not be sent"
        if name in body:
            raise ConfigurationError(f"attribute {name!r} is given twice")
        body[name] = value

    values = dict(built_ins)
    email = values.pop("email", None)
    put("email", email if email is None else str(email))
    put("identities", _identities(identities) if identities is not None else None)
    for name, value in values.items():
        graph = graph_name(name)
        if graph is None:
            raise ConfigurationError(
                f"{name!r} is not a built-in user attribute ({', '.join(BUILT_IN_ATTRIBUTES)})",
                hint="pass custom attributes in attributes={...}",
            )
        if value is not None and not isinstance(value, str):
            raise ConfigurationError(f"built-in attribute {graph!r} is a String attribute; got {type(value).__name__}")
        put(graph, value)
    for name, value in (attributes or {}).items():
        put(_custom_name(name, app_id), None if value is None else _custom_value(name, value))
    put("step", normalise_step(step))
    put("client_id", client_id)
    put("ui_locales", ui_locales)
    return body
