"""Policy settings: the ``{Settings:Name}`` placeholders of the B2C VS Code extension.

The extension's ``appsettings.json`` holds a list of environments::

    {"Environments": [{"Name": "Development", "Production": false, "Tenant": "contoso.onmicrosoft.com",
                       "PolicySettings": {"IdentityExperienceFrameworkAppId": "...", ...}}]}

Its "B2C Policy Build" command replaces ``{Settings:Tenant}`` with the environment's Tenant and
``{Settings:<Key>}`` with each PolicySettings value (azure-ad-b2c/vscode-extension,
``src/PolicyBuild.ts``; its ``Build-CustomPolicies.ps1`` twin matches names case-insensitively).
The extension does not touch ``yourtenant.onmicrosoft.com``; the starter pack's readme asks users
to replace it by hand, so connector_sim also replaces it with the Tenant (``replace_yourtenant``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Optional, Union

from ..errors import ConfigurationError
from ..userfiles import read_user_json

__all__ = ["SETTING_PLACEHOLDER", "Settings"]

SETTING_PLACEHOLDER = re.compile(r"\{Settings:([^{}\s]+)\}")
_FILL = re.compile(r"\{Settings:([^{}\s]+)\}|(?i:yourtenant\.onmicrosoft\.com)")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


@dataclass(frozen=True)
class Settings:
    """One environment of an ``appsettings.json``: its Tenant and PolicySettings."""

    values: Mapping[str, str] = field(default_factory=dict)
    tenant: Optional[str] = None
    environment: Optional[str] = None
    production: Optional[bool] = None
    file: Optional[str] = None
    replace_yourtenant: bool = True

    @classmethod
    def from_file(cls, path: Union[str, Path], environment: Optional[str] = None) -> Settings:
        """Read an ``appsettings.json`` and pick one environment by name (the only one if None)."""
        path = Path(path)
        data = read_user_json(path, what="settings file")
        return cls.from_dict(data, environment, file=str(path))

    @classmethod
    def from_dict(cls, data: Any, environment: Optional[str] = None, *, file: Optional[str] = None) -> Settings:
        """Pick one environment from the parsed ``appsettings.json`` structure."""
        where = file or "settings"
        environments = data.get("Environments") if isinstance(data, Mapping) else None
        if not isinstance(environments, list) or not all(isinstance(e, Mapping) for e in environments):
            raise ConfigurationError(
                f"{where}: expected {{\"Environments\": [{{\"Name\": ..., \"PolicySettings\": {{...}}}}]}}")
        names = [str(e.get("Name")) for e in environments]
        if environment is None:
            if len(environments) != 1:
                raise ConfigurationError(
                    f"{where} has {len(environments)} environments; choose one of: {', '.join(names) or '(none)'}",
                    hint="pass --environment NAME (or environment=...)")
            chosen = environments[0]
        else:
            matches = [e for e in environments if str(e.get("Name")) == environment]
            matches = matches or [e for e in environments if str(e.get("Name")).lower() == environment.lower()]
            if not matches:
                raise ConfigurationError(
                    f"{where} has no environment {environment!r}; choose one of: {', '.join(names)}")
            chosen = matches[0]
        policy_settings = chosen.get("PolicySettings")
        if policy_settings is None:  # the extension refuses such an environment too
            raise ConfigurationError(f"{where}: environment {chosen.get('Name')!r} has no PolicySettings "
                                     "(an appSettings.json from an old extension version?)")
        if not isinstance(policy_settings, Mapping):
            raise ConfigurationError(f"{where}: PolicySettings of environment {chosen.get('Name')!r} must be an object")
        production = chosen.get("Production")
        return cls(
            values={str(k): _text(v) for k, v in policy_settings.items()},
            tenant=_text(chosen["Tenant"]) if chosen.get("Tenant") is not None else None,
            environment=str(chosen.get("Name")),
            production=production if isinstance(production, bool) else None,
            file=file,
        )

    def get(self, name: str) -> Optional[str]:
        """The value of ``{Settings:name}``: Tenant, or a PolicySettings entry (exact name first)."""
        if name == "Tenant" and self.tenant is not None:
            return self.tenant
        if name in self.values:
            return self.values[name]
        folded = name.lower()
        for key, value in self.values.items():
            if key.lower() == folded:
                return value
        if folded == "tenant":
            return self.tenant
        return None

    def substitute(self, text: str) -> str:
        """Fill every known placeholder in ``text`` (unknown ones stay as written)."""
        if "{" not in text and "ourtenant" not in text.lower():
            return text

        def fill(match: re.Match) -> str:
            if match.group(1) is None:
                return self.tenant if (self.replace_yourtenant and self.tenant) else match.group(0)
            value = self.get(match.group(1))
            return match.group(0) if value is None else value

        return _FILL.sub(fill, text)

    def describe(self) -> str:
        """Where these settings came from, for error messages."""
        env = f"environment {self.environment!r}" if self.environment else "the settings"
        return f"{env} of {self.file}" if self.file else env

    def __repr__(self) -> str:
        return f"Settings(environment={self.environment!r}, tenant={self.tenant!r}, names={sorted(self.values)})"
