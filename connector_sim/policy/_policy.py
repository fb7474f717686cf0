"""Custom policy files in, callable RESTful profiles out.

``load_policy(*paths)`` reads TrustFrameworkBase.xml, TrustFrameworkLocalization.xml,
TrustFrameworkExtensions.xml, relying-party files, or fragments rooted at ``<ClaimsProvider>`` /
``<TechnicalProfile>`` (as the B2C articles print them), in any order. It resolves the BasePolicy
chain and merges the files as B2C does (``policy_merge``). ``policy.profile(id, keys)`` turns a
RestfulProvider technical profile into a ``RestfulProfile`` ready to call (``policy_profile``);
``policy.lint()`` reports what B2C would refuse or what will fail at run time (``lint``).

This is the only module family that reads XML: ``policy_xml`` parses, ``policy_merge`` merges.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from ..errors import ConfigurationError, PolicyError
from ._merge import merge_claim_types, merge_journeys, merge_technical_profiles, order_files
from ._model import ClaimType, KeyReference, OrchestrationStep, TechnicalProfileDefinition, ValidationReference
from ._reader import PolicyFile
from ._xml import MAX_POLICY_BYTES, check_policy_size, parse_policy
from ._settings import Settings

if TYPE_CHECKING:
    from ..journey import JourneyResult
    from ..keys import KeyStore
    from ._lint import Finding
    from ..profile import RestfulProfile
    from ..timing import TimingProfile

__all__ = [
    "ClaimType", "KeyReference", "OrchestrationStep", "Policy", "TechnicalProfileDefinition", "ValidationReference",
    "load_policy", "load_policy_sources", "load_policy_text",
]

PathLike = Union[str, Path]
#: Metadata keys whose text a LocalizedString ``ElementType="ErrorMessage"`` can override.
USER_MESSAGE_KEYS = (
    "DefaultUserMessageIfRequestFailed", "UserMessageIfRequestTimeout", "UserMessageIfDnsResolutionFailed",
    "UserMessageIfCircuitOpen",
)


class Policy:
    """A merged set of policy files: claim types, technical profiles, user journeys."""

    def __init__(self, files: Sequence[PolicyFile], settings: Optional[Settings] = None) -> None:
        self.files: Tuple[PolicyFile, ...] = tuple(order_files(files))
        self.settings = settings
        self.claim_types: Dict[str, ClaimType] = merge_claim_types(self.files)
        self.technical_profiles: Dict[str, TechnicalProfileDefinition] = merge_technical_profiles(
            self.files, self.claim_types)
        self.user_journeys: Dict[str, List[OrchestrationStep]] = merge_journeys(self.files, "journeys")
        self.sub_journeys: Dict[str, List[OrchestrationStep]] = merge_journeys(self.files, "sub_journeys")
        self.claims_transformations: Dict[str, List[str]] = {}
        for f in self.files:
            self.claims_transformations.update(f.claims_transformations)
        self.policy_ids: List[str] = [f.policy_id for f in self.files if f.policy_id]
        self.deployment_mode: str = _deployment_mode(self.files)
        self.default_language: Optional[str] = next(
            (f.default_language for f in reversed(self.files) if f.default_language), None)
        self.localized_messages: Dict[str, str] = _localized_messages(self.files, self.default_language)

    @property
    def restful_profile_ids(self) -> List[str]:
        """Ids of the RestfulProvider profiles: the ones ``profile()`` can build."""
        return [pid for pid, d in self.technical_profiles.items() if d.is_restful]

    @property
    def unresolved_settings(self) -> List[Tuple[str, str, int]]:
        """``{Settings:Name}`` placeholders left unfilled because no settings were given: (name, file, line)."""
        return [(name, f.name, line) for f in self.files for name, line in f.unresolved_settings]

    def technical_profile(self, profile_id: str) -> TechnicalProfileDefinition:
        """The merged technical profile with this Id; an unknown Id names the closest ones."""
        try:
            return self.technical_profiles[profile_id]
        except KeyError:
            pass
        ids = list(self.technical_profiles)
        close = [i for i in ids if i.lower() == profile_id.lower()]
        close += [i for i in difflib.get_close_matches(profile_id, ids, n=3, cutoff=0.6) if i not in close]
        hint = f"did you mean {', '.join(repr(c) for c in close)}?" if close else (
            f"RESTful profiles: {', '.join(self.restful_profile_ids) or '(none)'}")
        files = ", ".join(f.name for f in self.files) or "(no files)"
        raise PolicyError(f"no technical profile {profile_id!r} in {files}", profile_id=profile_id, hint=hint)

    def profile(
        self,
        profile_id: str,
        keys: Union[KeyStore, Mapping[str, Any], None] = None,
        *,
        service_url: Optional[str] = None,
        ca_bundle: Optional[str] = None,
        deployment_mode: Optional[str] = None,
        timing: Union[TimingProfile, str, None] = None,
    ) -> RestfulProfile:
        """The RestfulProfile for a RestfulProvider technical profile, with its keys resolved."""
        from ._build import build_restful_profile

        return build_restful_profile(self, self.technical_profile(profile_id), keys, service_url=service_url,
                                     ca_bundle=ca_bundle, deployment_mode=deployment_mode, timing=timing)

    def run(self, target: Union[str, Sequence[str]], **options: Any) -> JourneyResult:
        """Run profiles (ids, a UserJourney id or a self-asserted id) with one claims bag; see ``journey``."""
        from ..journey import run_journey

        return run_journey(self, target, **options)

    def lint(self, keys: Optional[KeyStore] = None) -> List[Finding]:
        """What B2C would refuse, or what will fail at run time, before any call (see ``lint``)."""
        from ._lint import lint

        return lint(self, keys=keys)

    def __repr__(self) -> str:
        return (f"Policy(policy_ids={self.policy_ids!r}, technical_profiles={len(self.technical_profiles)}, "
                f"deployment_mode={self.deployment_mode!r})")


def _deployment_mode(files: Sequence[PolicyFile]) -> str:
    """The leaves' DeploymentMode (nearest declaration up each chain); Production if any says so."""
    by_id = {f.policy_id.lower(): f for f in files if f.policy_id}
    bases = {f.base_policy_id.lower() for f in files if f.base_policy_id}
    leaves = [f for f in files if f.policy_id and f.policy_id.lower() not in bases]
    modes = set()
    for leaf in leaves:
        current: Optional[PolicyFile] = leaf
        mode = None
        while current is not None and mode is None:
            mode = current.deployment_mode
            current = by_id.get((current.base_policy_id or "").lower())
        modes.add(mode or "Production")
    # Several relying parties that disagree: the stricter mode keeps checks that B2C may apply.
    return "Development" if modes == {"Development"} else "Production"


def _localized_messages(files: Sequence[PolicyFile], language: Optional[str]) -> Dict[str, str]:
    messages: Dict[str, str] = {}
    suffix = f".{language}".lower() if language else None
    for f in files:
        for resources_id, element_type, string_id, text, _line in f.localized_strings:
            if element_type != "ErrorMessage" or string_id not in USER_MESSAGE_KEYS:
                continue
            if suffix is None or resources_id.lower().endswith(suffix):
                messages[string_id] = text
    return messages


def _expand(paths: Sequence[PathLike]) -> List[Path]:
    out: List[Path] = []
    for p in paths:
        path = Path(p)
        out.extend(sorted(path.glob("*.xml")) if path.is_dir() else [path])
    return out


def load_policy_sources(
    sources: Sequence[Tuple[str, Union[bytes, str]]], settings: Optional[Settings] = None
) -> Policy:
    """Load policy texts given as (name, bytes or str) pairs; names appear in errors."""
    if not sources:
        raise ConfigurationError("no policy files given", hint="pass at least one policy file")
    return Policy([parse_policy(data, name, settings) for name, data in sources], settings)


def load_policy(*paths: PathLike, settings: Optional[Settings] = None) -> Policy:
    """Load policy files (any order; a directory means its ``*.xml``) into one merged Policy."""
    sources: List[Tuple[str, Union[bytes, str]]] = []
    for path in _expand(paths):
        try:
            # Read at most one byte past B2C's limit: a huge file is refused without reading it all.
            with path.open("rb") as handle:
                data = handle.read(MAX_POLICY_BYTES + 1)
            check_policy_size(len(data), str(path))
            sources.append((str(path), data))
        except OSError as exc:
            raise PolicyError(f"cannot read policy file: {exc.strerror or exc}", file=str(path)) from exc
    if paths and not sources:
        raise ConfigurationError(f"no *.xml policy files in {', '.join(str(p) for p in paths)}")
    return load_policy_sources(sources, settings)


def load_policy_text(text: Union[str, bytes], name: str = "<policy>", settings: Optional[Settings] = None) -> Policy:
    """Load one policy file or fragment given as text."""
    return load_policy_sources([(name, text)], settings)
