"""Policy keys: resolve a ``StorageReferenceId`` (``B2C_1A_RestApiPassword``...) to its secret.

In B2C the portal stores policy keys and adds the ``B2C_1A_`` prefix to the name typed. Locally a
``KeyStore`` reads them from a dict, a JSON file or environment variables, and finds a key with
or without that prefix on either side. A keys file looks like::

    {"B2C_1A_RestApiUsername": "api-user",
     "RestApiPassword": {"env": "REST_API_PASSWORD"},
     "B2C_1A_RestApiClientCertificate": {"pfx": "certs/client.pfx", "password_env": "PFX_PASSWORD"},
     "B2C_1A_RotatingCertificate": [{"pfx": "old.pfx", "password": "..."}, {"pfx": "new.pfx", "password": "..."}]}

A certificate is a ``certificates.CertificateKey`` (pfx paths are relative to the keys file); a
list is a keyset, from which the auth strategy picks the certificate B2C would use. Environment
variables: ``CONNECTOR_SIM_KEY_RestApiPassword`` (or ``CONNECTOR_SIM_KEY_B2C_1A_RestApiPassword``);
a value that is a JSON object or list is read like a keys-file value. No repr or error shows a value.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple, Union

from .errors import ConfigurationError, MissingKeyError
from .userfiles import read_user_json

__all__ = ["DEFAULT_ENV_PREFIX", "KeyStore", "normalize_key_name"]

DEFAULT_ENV_PREFIX = "CONNECTOR_SIM_KEY_"
PORTAL_PREFIX = "B2C_1A_"
_MISSING = object()


def normalize_key_name(name: str) -> str:
    """A policy key name without the ``B2C_1A_`` prefix the portal adds."""
    return name[len(PORTAL_PREFIX):] if name[: len(PORTAL_PREFIX)].upper() == PORTAL_PREFIX else name


def _find(names: Iterable[str], wanted: str) -> Optional[str]:
    """The stored name that means ``wanted``: same name without prefix, else ignoring case."""
    target = normalize_key_name(wanted)
    names = list(names)
    for n in names:
        if normalize_key_name(n) == target:
            return n
    folded = target.lower()
    return next((n for n in names if normalize_key_name(n).lower() == folded), None)


def _check(name: str, value: Any, where: str) -> None:
    """Refuse a value of the wrong shape when the store is built, naming the key, never the value."""
    if isinstance(value, str):
        return
    if isinstance(value, Mapping):
        if "env" in value and isinstance(value["env"], str):
            return
        if "pfx" in value and isinstance(value["pfx"], str):
            for opt in ("password", "password_env"):
                if opt in value and not isinstance(value[opt], str):
                    raise ConfigurationError(f"{where}: key {name!r}: {opt!r} must be a string")
            return
        raise ConfigurationError(f"{where}: key {name!r} must be a string, {{\"env\": VAR}}, "
                                 "{\"pfx\": PATH, \"password\": ...} or a list of certificates")
    if isinstance(value, list) and value and all(isinstance(v, Mapping) and "pfx" in v for v in value):
        for item in value:
            _check(name, item, where)
        return
    raise ConfigurationError(f"{where}: key {name!r} must be a string, {{\"env\": VAR}}, "
                             "{\"pfx\": PATH, \"password\": ...} or a non-empty list of certificates")


def _resolve(name: str, value: Any, base_dir: Optional[Path], environ: Mapping[str, str]) -> Any:
    """A stored value as auth expects it: a str secret, a CertificateKey, or a list of them."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return [_resolve(name, item, base_dir, environ) for item in value]
    if "env" in value:
        var = value["env"]
        if var not in environ:
            raise MissingKeyError(f"policy key {name!r} reads environment variable {var}, which is not set",
                                  key=name, hint=f"set {var}")
        return environ[var]
    from .auth._certificates import CertificateKey

    pfx = Path(value["pfx"]).expanduser()
    if not pfx.is_absolute() and base_dir is not None:
        pfx = base_dir / pfx
    password = value.get("password")
    if "password_env" in value:
        var = value["password_env"]
        if var not in environ:
            raise MissingKeyError(f"the password of certificate key {name!r} is read from environment variable "
                                  f"{var}, which is not set", key=name, hint=f"set {var}")
        password = environ[var]
    return CertificateKey(pfx=pfx, password=password)


class _DictSource:
    """Keys from a mapping, perhaps read from a JSON file (which relative pfx paths follow)."""

    def __init__(self, data: Mapping[str, Any], base_dir: Optional[Path], file: Optional[str]) -> None:
        where = f"keys file {file}" if file else "keys"
        for name, value in data.items():
            if not isinstance(name, str):
                raise ConfigurationError(f"{where}: key names must be strings")
            _check(name, value, where)
        self.data = dict(data)
        self.base_dir = base_dir
        self.file = file

    def names(self) -> List[str]:
        return list(self.data)

    def lookup(self, name: str) -> Any:
        found = _find(self.data, name)
        if found is None:
            return _MISSING
        return _resolve(found, self.data[found], self.base_dir, os.environ)

    def where(self, name: str) -> str:
        if self.file:
            return f"add \"{name}\" to the keys file {self.file}"
        return f"add \"{name}\" to the keys given"

    def label(self) -> str:
        return self.file or "dict"


class _EnvSource:
    """Keys from environment variables named prefix + key name (with or without B2C_1A_)."""

    def __init__(self, prefix: str, environ: Optional[Mapping[str, str]]) -> None:
        self.prefix = prefix
        self.environ = environ

    def _env(self) -> Mapping[str, str]:
        return os.environ if self.environ is None else self.environ

    def _vars(self) -> Dict[str, str]:
        size = len(self.prefix)
        upper = self.prefix.upper()
        return {k[size:]: k for k in self._env() if k[:size].upper() == upper and len(k) > size}

    def names(self) -> List[str]:
        return list(self._vars())

    def lookup(self, name: str) -> Any:
        variables = self._vars()
        found = _find(variables, name)
        if found is None:
            return _MISSING
        raw = self._env()[variables[found]]
        value: Any = raw
        if raw[:1] in ("{", "["):
            try:
                parsed = json.loads(raw)
            except ValueError:
                parsed = None
            if isinstance(parsed, (dict, list)):
                _check(found, parsed, f"environment variable {variables[found]}")
                value = parsed
        return _resolve(found, value, Path.cwd(), self._env())

    def where(self, name: str) -> str:
        return f"set the environment variable {self.prefix}{normalize_key_name(name)}"

    def label(self) -> str:
        return f"env:{self.prefix}*"


_Source = Union[_DictSource, _EnvSource]


class KeyStore:
    """Policy keys by StorageReferenceId, from dicts, JSON files and environment variables (first wins)."""

    def __init__(self, *sources: Union[KeyStore, Mapping[str, Any], _Source]) -> None:
        self._sources: Tuple[_Source, ...] = ()
        flat: List[_Source] = []
        for source in sources:
            if isinstance(source, KeyStore):
                flat.extend(source._sources)
            elif isinstance(source, (_DictSource, _EnvSource)):
                flat.append(source)
            elif isinstance(source, Mapping):
                flat.append(_DictSource(source, None, None))
            else:
                raise TypeError(f"KeyStore sources are KeyStores or mappings, got {type(source).__name__}")
        self._sources = tuple(flat)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, base_dir: Union[str, Path, None] = None) -> KeyStore:
        """Keys from a mapping of name to value (relative pfx paths follow ``base_dir``)."""
        return cls(_DictSource(data, Path(base_dir) if base_dir is not None else None, None))

    @classmethod
    def from_file(cls, path: Union[str, Path]) -> KeyStore:
        """Keys from a JSON file; relative pfx paths are relative to the file."""
        path = Path(path)
        data = read_user_json(path, what="keys file",
                              hint='a keys file is one JSON object: {"B2C_1A_Name": "secret", ...}')
        if not isinstance(data, dict):
            raise ConfigurationError(f"keys file {path} must hold one JSON object of key name to value")
        return cls(_DictSource(data, path.resolve().parent, str(path)))

    @classmethod
    def from_env(cls, prefix: str = DEFAULT_ENV_PREFIX, environ: Optional[Mapping[str, str]] = None) -> KeyStore:
        """Keys from environment variables ``<prefix><name>`` (read when looked up)."""
        return cls(_EnvSource(prefix, environ))

    @classmethod
    def from_sources(cls, path: Union[str, Path, None] = None) -> KeyStore:
        """A keys file first when given, then ``CONNECTOR_SIM_KEY_<name>`` variables (the CLI's and pytest's)."""
        return cls.from_file(path).chain(cls.from_env()) if path else cls.from_env()

    def chain(self, other: Union[KeyStore, Mapping[str, Any]]) -> KeyStore:
        """A store that looks here first, then in ``other``."""
        return KeyStore(self, other)

    def get(self, name: str, default: Any = None) -> Any:
        """The resolved value of a key (str, CertificateKey or list of them), or ``default``."""
        for source in self._sources:
            value = source.lookup(name)
            if value is not _MISSING:
                return value
        return default

    def resolve(self, name: str, *, profile_id: Optional[str] = None, key_id: Optional[str] = None) -> Any:
        """The value of a key, or a MissingKeyError that says where to put it."""
        value = self.get(name, _MISSING)
        if value is _MISSING:
            owner = f" (Key Id {key_id!r} of technical profile {profile_id!r})" if profile_id else ""
            raise MissingKeyError(f"the policy key {name!r}{owner} has no value; {self.describe_source(name)}",
                                  key=name, profile_id=profile_id)
        return value

    def __getitem__(self, name: str) -> Any:
        return self.resolve(name)

    def __contains__(self, name: object) -> bool:
        try:
            return isinstance(name, str) and self.get(name, _MISSING) is not _MISSING
        except MissingKeyError:  # e.g. {"env": "VAR"} with VAR unset: the key is not there to use
            return False

    def names(self) -> List[str]:
        """Every key name the sources hold, as written (no values)."""
        seen: List[str] = []
        for source in self._sources:
            seen.extend(n for n in source.names() if n not in seen)
        return seen

    def secret_values(self) -> List[str]:
        """Every secret the store holds (strings and .pfx passwords), for masking output; never printed."""
        values: List[str] = []
        for name in self.names():
            try:
                value = self.get(name)
            except ConfigurationError:  # a key naming an unset environment variable has nothing to hide
                continue
            for item in value if isinstance(value, list) else [value]:
                secret = item if isinstance(item, str) else getattr(item, "password", None)
                if isinstance(secret, str):
                    values.append(secret)
        return values

    def describe_source(self, name: Optional[str] = None) -> str:
        """Where a missing key should go: the keys file(s) or the environment variable."""
        key = name or "<name>"
        if not self._sources:
            return (f"no keys were given: pass a keys file (--keys FILE) holding \"{key}\", or set the environment "
                    f"variable {DEFAULT_ENV_PREFIX}{normalize_key_name(key)}")
        return ", or ".join(source.where(key) for source in self._sources)

    def __repr__(self) -> str:
        sources = [s.label() for s in self._sources]
        return f"KeyStore(names={self.names()!r}, sources={sources!r})"
