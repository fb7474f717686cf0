"""A load run's configuration: what simulated users call and with which claims, from JSON or the CLI.

The same ``LoadConfig`` serves ``connector-sim load`` and a locustfile (``user_class_from_env``),
so a run moved from one machine to Locust's distributed mode calls exactly the same thing. A JSON
config file holds the fields below (paths relative to the file); environment variables
``CONNECTOR_SIM_LOAD_<FIELD>`` override them. Secrets never go in it: policy keys come from the
keys file or ``CONNECTOR_SIM_KEY_<name>`` variables, connector passwords from the variables it names.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple

from ..errors import ConfigurationError
from ..timing import timing_profile
from ..userfiles import read_user_json
from .connector_target import ConnectorTarget
from .data import ClaimRows
from .targets import PolicyTarget, Target

__all__ = ["ENV_PREFIX", "LoadConfig", "parse_wait"]

ENV_PREFIX = "CONNECTOR_SIM_LOAD_"
ROW_PER = ("user", "call")
_PATH_FIELDS = ("keys", "settings", "ca_bundle", "data")
_CONNECTOR_FIELDS = {"step", "url", "auth", "username", "password_env", "pfx", "pfx_password_env",
                     "extensions_app_id", "timing", "name"}


def parse_wait(text: str) -> Tuple[float, float]:
    """``"0"``, ``"0.5"`` or ``"1-3"`` (seconds a user waits between calls) as (min, max)."""
    low, sep, high = str(text).partition("-")
    try:
        pair = (float(low), float(high) if sep else float(low))
    except ValueError:
        raise ConfigurationError(f"wait must be seconds or MIN-MAX seconds, got {text!r}") from None
    if pair[0] < 0 or pair[1] < pair[0]:
        raise ConfigurationError(f"wait must be 0 or more seconds with MIN <= MAX, got {text!r}")
    return pair


@dataclass
class LoadConfig:
    """What simulated users call (policy target or API connector), their claims, and their pace."""

    policies: List[str] = field(default_factory=list)
    target: List[str] = field(default_factory=list)  # profile ids in order, one UserJourney or self-asserted id
    keys: Optional[str] = None
    settings: Optional[str] = None
    environment: Optional[str] = None
    service_urls: Dict[str, str] = field(default_factory=dict)
    ca_bundle: Optional[str] = None
    deployment_mode: Optional[str] = None
    timing: Optional[str] = None
    claims: Dict[str, Any] = field(default_factory=dict)  # claims every call starts with; a data row wins
    data: Optional[str] = None  # CSV or JSON file, one row of claims per simulated user
    row_per: str = "user"  # "user": each user keeps its row; "call": every call takes the next row
    connector: Optional[Dict[str, Any]] = None  # {"step", "url", "auth", "username", "password_env", ...}
    wait: str = "0"  # seconds between one user's calls: "0", "0.5" or "1-3"
    throughput: Optional[float] = None  # calls per second per user (Locust's constant_throughput)
    name: str = "B2CUser"

    def check(self) -> LoadConfig:
        """Refuse what cannot run, before anything is built; returns self."""
        if bool(self.connector) == bool(self.target):
            raise ConfigurationError("name what to load: technical profile ids or a journey with a policy, "
                                     "or an API connector step and URL, not both")
        if self.target and not self.policies:
            raise ConfigurationError("give at least one policy file (--policy FILE)")
        if self.connector:
            unknown = sorted(set(self.connector) - _CONNECTOR_FIELDS)
            if unknown or not self.connector.get("step") or not self.connector.get("url"):
                known = ", ".join(sorted(_CONNECTOR_FIELDS))
                raise ConfigurationError(f"connector needs step and url (known fields: {known})"
                                         + (f"; unknown: {', '.join(unknown)}" if unknown else ""))
        if self.row_per not in ROW_PER:
            raise ConfigurationError(f"row_per must be one of {', '.join(ROW_PER)}, got {self.row_per!r}")
        parse_wait(self.wait)
        if self.throughput is not None and self.throughput <= 0:
            raise ConfigurationError(f"throughput must be positive, got {self.throughput}")
        if self.timing is not None:
            timing_profile(self.timing)
        for name in ("ca_bundle", "data", "keys", "settings"):
            value = getattr(self, name)
            if value is not None and not Path(value).is_file():
                raise ConfigurationError(f"{name.replace('_', '-')} {value!r} is not a file")
        return self

    def to_dict(self) -> Dict[str, Any]:
        """JSON-ready form (no secrets: it only names files and environment variables)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], base: Optional[Path] = None) -> LoadConfig:
        """From a mapping with the field names; relative paths are taken from ``base``."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigurationError(f"unknown load configuration field {unknown[0]!r}; "
                                     f"known: {', '.join(sorted(known))}")
        values = dict(data)
        for name in ("policies", "target"):
            if isinstance(values.get(name), str):
                values[name] = [values[name]]
        if base is not None:
            values["policies"] = [str(base / p) for p in values.get("policies", [])]
            for name in _PATH_FIELDS:
                if values.get(name):
                    values[name] = str(base / values[name])
            if values.get("connector") and values["connector"].get("pfx"):
                values["connector"] = dict(values["connector"], pfx=str(base / values["connector"]["pfx"]))
        return cls(**values)

    @classmethod
    def from_file(cls, path: str) -> LoadConfig:
        """From a JSON file; relative paths in it are taken from the file's folder."""
        data = read_user_json(path, what="load configuration")
        if not isinstance(data, dict):
            raise ConfigurationError(f"load configuration {path!r} must be a JSON object")
        return cls.from_dict(data, Path(path).resolve().parent)

    @classmethod
    def from_env(cls, environ: Optional[Mapping[str, str]] = None) -> LoadConfig:
        """``CONNECTOR_SIM_LOAD_CONFIG`` (a JSON file), then each ``CONNECTOR_SIM_LOAD_<FIELD>`` on top."""
        env = os.environ if environ is None else environ
        path = env.get(ENV_PREFIX + "CONFIG")
        config = cls.from_file(path) if path else cls()
        lists = {"POLICIES": "policies", "POLICY": "policies", "TARGET": "target"}
        for key, name in lists.items():
            if env.get(ENV_PREFIX + key):
                separator = os.pathsep if name == "policies" else ","
                setattr(config, name, [v.strip() for v in env[ENV_PREFIX + key].split(separator) if v.strip()])
        for name in ("keys", "settings", "environment", "ca_bundle", "deployment_mode", "timing", "data",
                     "row_per", "wait", "name"):
            if env.get(ENV_PREFIX + name.upper()):
                setattr(config, name, env[ENV_PREFIX + name.upper()])
        if env.get(ENV_PREFIX + "THROUGHPUT"):
            try:
                config.throughput = float(env[ENV_PREFIX + "THROUGHPUT"])
            except ValueError:
                raise ConfigurationError(f"{ENV_PREFIX}THROUGHPUT must be a number") from None
        if env.get(ENV_PREFIX + "SERVICE_URLS"):
            for item in env[ENV_PREFIX + "SERVICE_URLS"].split(","):
                profile_id, sep, url = item.partition("=")
                if not sep:
                    raise ConfigurationError(f"{ENV_PREFIX}SERVICE_URLS expects ID=URL,ID=URL, got {item!r}")
                config.service_urls[profile_id.strip()] = url.strip()
        return config

    # -- building (in the process that runs the users, after gevent has patched the standard library)
    def build_target(self) -> Tuple[Target, List[str]]:
        """The prepared target and the secret values to mask in output."""
        self.check()
        if self.connector:
            target: Target = _connector_target(self.connector, self.ca_bundle, self.timing)
            return target, target.secret_values()
        from ..keys import KeyStore
        from ..policy._settings import Settings

        keys = KeyStore.from_file(self.keys).chain(KeyStore.from_env()) if self.keys else KeyStore.from_env()
        settings = Settings.from_file(self.settings, self.environment) if self.settings else None
        if self.environment and not self.settings:
            raise ConfigurationError("environment needs settings (the appsettings.json that lists it)")
        target = PolicyTarget(self.policies, self.target, keys=keys, service_urls=self.service_urls,
                              ca_bundle=self.ca_bundle, deployment_mode=self.deployment_mode,
                              timing=self.timing, settings=settings).prepare()
        return target, keys.secret_values() + target.secret_values()

    def build_rows(self) -> Optional[ClaimRows]:
        """The data file's rows, if one is given."""
        return ClaimRows.from_file(self.data) if self.data else None


def _connector_target(spec: Mapping[str, Any], ca_bundle: Optional[str], timing: Optional[str]) -> ConnectorTarget:
    from ..auth import Basic, ClientCertificate

    kind = str(spec.get("auth") or ("basic" if spec.get("username") else "certificate" if spec.get("pfx") else ""))
    kind = kind.lower()

    def secret(var: Optional[str], what: str) -> str:
        value = os.environ.get(var or "")
        if not value:
            where = f"{var} is not set" if var else "no environment variable is named for it"
            raise ConfigurationError(f"{what} needed but {where}",
                                     hint="export the secret in an environment variable and name it "
                                          "(--password-env VAR / --pfx-password-env VAR)")
        return value

    if kind == "basic":
        if not spec.get("username"):
            raise ConfigurationError("connector auth basic needs a username")
        auth: Any = Basic(spec["username"], secret(spec.get("password_env"), "the Basic password"))
    elif kind in ("certificate", "clientcertificate", "client-certificate"):
        if not spec.get("pfx"):
            raise ConfigurationError("connector auth certificate needs a pfx file")
        auth = ClientCertificate(spec["pfx"], secret(spec.get("pfx_password_env"), "the .pfx password"))
    else:
        raise ConfigurationError("say how B2C authenticates to the connector: basic (username, password_env) or "
                                 "certificate (pfx, pfx_password_env)")
    options: Dict[str, Any] = {"timing": spec.get("timing") or timing or "user-flow", "ca_bundle": ca_bundle}
    if spec.get("extensions_app_id"):
        options["extensions_app_id"] = spec["extensions_app_id"]
    if spec.get("name"):
        options["name"] = spec["name"]
    return ConnectorTarget(spec["step"], spec["url"], auth, **options)
