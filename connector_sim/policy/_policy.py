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

from ..claims import ClaimsBag
from ..errors import ConfigurationError, PolicyError
from ..userfiles import open_user_file
from ._merge import merge_claim_types, merge_journeys, merge_technical_profiles, order_files
from ._model import ClaimType, KeyReference, OrchestrationStep, TechnicalProfileDefinition, ValidationReference
from ._reader import PolicyFile
from ._settings import Settings
from ._transformations import check_policy_transformations, engine_object, merge_transformations, raise_problems
from ._xml import MAX_POLICY_BYTES, check_policy_size, parse_policy

if TYPE_CHECKING:
    from ..journey import JourneyResult
    from ..keys import KeyStore
    from ..profile import RestfulProfile
    from ..resolvers import ClaimResolverContext
    from ..timing import TimingProfile
    from ._lint import Finding

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

    def __init__(self, files: Sequence[PolicyFile], settings: Optional[Settings] = None, *,
                 check_transformations: bool = True) -> None:
        self.files: Tuple[PolicyFile, ...] = tuple(order_files(files))
        self.settings = settings
        #: ClaimTypes by Id; ids match without regard to case, as in B2C.
        self.claim_types: ClaimsBag = merge_claim_types(self.files)
        #: Claim id -> DataType, case-insensitive (what the transformation engine reads).
        self.claim_data_types: ClaimsBag = ClaimsBag({c.id: c.data_type for c in self.claim_types.values()})
        self.technical_profiles: Dict[str, TechnicalProfileDefinition] = merge_technical_profiles(
            self.files, self.claim_types)
        self.user_journeys: Dict[str, List[OrchestrationStep]] = merge_journeys(self.files, "journeys")
        self.sub_journeys: Dict[str, List[OrchestrationStep]] = merge_journeys(self.files, "sub_journeys")
        #: SubJourney Id -> Type (Call returns to the parent journey, Transfer does not).
        self.sub_journey_types: Dict[str, str] = {}
        for f in self.files:
            self.sub_journey_types.update(f.sub_journey_types)
        #: Every ClaimsTransformation as declared (``_blocks.TransformationPart``) by Id, case-insensitive;
        #: a later file's wins. ``transformation(id)`` gives the engine's object.
        self.transformations, self.transformation_duplicates = merge_transformations(self.files)
        self._engine_transformations: Dict[str, Any] = {}
        #: ClaimsTransformation Id -> its output claim ids (lint's data flow).
        self.claims_transformations: ClaimsBag = ClaimsBag(
            {t.id: [claim for claim, _tct in t.output_claims] for t in self.transformations.values()})
        self.has_full_policy = any(not f.is_fragment for f in self.files)
        self._transformation_cache: Dict[str, Any] = {}
        self._schema_findings: Optional[List[Any]] = None  # lint's schema check, computed once
        self.policy_ids: List[str] = [f.policy_id for f in self.files if f.policy_id]
        self.deployment_mode: str = _deployment_mode(self.files)
        self.default_language: Optional[str] = next(
            (f.default_language for f in reversed(self.files) if f.default_language), None)
        self.localized_messages: Dict[str, str] = _localized_messages(self.files, self.default_language)
        # What B2C refuses at upload about transformations is refused at load, with file and line
        # (``check_transformations=False`` keeps them for lint to report instead).
        self._problems: Optional[List[Any]] = None
        if check_transformations:
            raise_problems([p for p in self.transformation_problems if p.severity == "error"])

    @property
    def transformation_problems(self) -> List[Any]:
        """What B2C refuses at upload about this policy's claims transformations (empty when none)."""
        if self._problems is None:
            self._problems = check_policy_transformations(self)
        return self._problems

    def transformation(self, transformation_id: str) -> Any:
        """The engine's ``ClaimsTransformation`` for an Id (any case); KeyError when there is none."""
        part = self.transformations[transformation_id]
        found = self._engine_transformations.get(part.id)
        if found is None:
            found = self._engine_transformations[part.id] = engine_object(part)
        return found

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

    def transform(self, target: str, claims: Optional[Mapping[str, Any]] = None, *, keys: Any = None,
                  context: Optional[ClaimResolverContext] = None) -> Dict[str, Any]:
        """Run one ClaimsTransformation, or a profile's transformations, on ``claims``; return the outputs."""
        from ._execute import transform

        return transform(self, target, claims, keys=keys, context=context)

    def input_claims_for(self, profile_id: str, claims: Optional[Mapping[str, Any]] = None, *, keys: Any = None,
                         context: Optional[ClaimResolverContext] = None) -> ClaimsBag:
        """The claims bag after the profile's InputClaimsTransformations: what its request is built from."""
        from ._execute import run_transformations

        bag = ClaimsBag(claims or {})
        definition = self.technical_profile(profile_id)
        run_transformations(self, definition, definition.input_claims_transformations, bag, keys=keys,
                            context=context)
        return bag

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
    sources: Sequence[Tuple[str, Union[bytes, str]]], settings: Optional[Settings] = None, *,
    check_transformations: bool = True,
) -> Policy:
    """Load policy texts given as (name, bytes or str) pairs; names appear in errors.

    ``check_transformations=False`` loads a policy B2C would refuse for its claims transformations
    (``policy.transformation_problems`` lists why; ``lint`` reports them).
    """
    if not sources:
        raise ConfigurationError("no policy files given", hint="pass at least one policy file")
    files = []
    for name, data in sources:
        parsed = parse_policy(data, name, settings)
        parsed.source = data  # lint checks the text against B2C's schema
        files.append(parsed)
    return Policy(files, settings, check_transformations=check_transformations)


def load_policy(*paths: PathLike, settings: Optional[Settings] = None, check_transformations: bool = True,
                settings_file: Optional[PathLike] = None, environment: Optional[str] = None) -> Policy:
    """Load policy files (any order; a directory means its ``*.xml``) into one merged Policy.

    ``settings_file`` (the VS Code extension's appsettings.json) and its ``environment`` fill the
    ``{Settings:Name}`` placeholders, as ``settings=Settings.from_file(...)`` would.
    """
    if settings_file is not None:
        settings = Settings.from_file(settings_file, environment)
    elif environment is not None:
        raise ConfigurationError("an environment needs the settings file that lists it (appsettings.json)",
                                 hint="pass --settings FILE (or b2c_settings in pytest) with the environment")
    sources: List[Tuple[str, Union[bytes, str]]] = []
    for path in _expand(paths):
        try:
            # Read at most one byte past B2C's limit: a huge file is refused without reading it all.
            # A FIFO or a device is refused before anything is read from it.
            with open_user_file(path, what="the policy file", error=_policy_error(path)) as handle:
                data = handle.read(MAX_POLICY_BYTES + 1)
            check_policy_size(len(data), str(path))
            sources.append((str(path), data))
        except OSError as exc:
            raise PolicyError(f"cannot read policy file: {exc.strerror or exc}", file=str(path)) from exc
    if paths and not sources:
        raise ConfigurationError(f"no *.xml policy files in {', '.join(str(p) for p in paths)}")
    return load_policy_sources(sources, settings, check_transformations=check_transformations)


def _policy_error(path: Path) -> Any:
    return lambda message, **kwargs: PolicyError(message, file=str(path), **kwargs)


def load_policy_text(text: Union[str, bytes], name: str = "<policy>", settings: Optional[Settings] = None, *,
                     check_transformations: bool = True) -> Policy:
    """Load one policy file or fragment given as text."""
    return load_policy_sources([(name, text)], settings, check_transformations=check_transformations)
