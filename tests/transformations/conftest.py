"""Shared fixtures for the claims-transformation engine tests: a pinned context and a builder."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any, Callable, Dict, Iterable, Optional, Tuple

import pytest

from connector_sim.transformations import (
    ClaimsTransformation,
    Predicate,
    PredicateGroup,
    TransformationContext,
    run,
)

#: The instant every test clock shows (GetCurrentDateTime's documented example).
NOW = dt.datetime(2022, 1, 14, 11, 40, 35, tzinfo=dt.timezone.utc)
#: UT's phone-number predicate (CopyClaimIfPredicateMatch).
PHONE_REGEX = r"^\+?(?:[-()\s]*\d[-()\s]*){4,16}$"

Claim = Tuple[str, str, str, Any]  # (claim id, TCT, data type, value)
Output = Tuple[str, str, str]  # (claim id, TCT, data type)


def make_context(**changes: Any) -> TransformationContext:
    """A context with a pinned clock, a seeded random source and the spec examples' resources."""
    options: Dict[str, Any] = dict(
        clock=lambda: NOW,
        random=random.Random(7),
        technical_profile_id="Facebook-OAUTH",
        relying_party_tenant_id="b2cdemo.onmicrosoft.com",
        trust_framework_tenant_id="root.onmicrosoft.com",
        keys={"B2C_1A_AccountTransformSecret": "s3cret"},
        localized_strings={
            "FormatLocalizedStringTransformationClaimType": {
                "ResponseMessge_EmailExists": "The email '{0}' is already an account in this organization. "
                "Click Next to sign in with that account.",
            },
            "GetLocalizedStringsTransformationClaimType": {
                "email_subject": "Contoso account email verification code",
                "email_message": "Thanks for verifying your account!",
                "email_code": "Your code is",
                "email_signature": "Sincerely",
            },
        },
        restrictions={
            "responseMsg": [
                ("B2C_V1_90001", "You cannot sign in because you are a minor"),
                ("B2C_V1_90002", "This action can only be performed by gaming administrators"),
            ]
        },
        predicate_validations={
            "phoneNumber": [PredicateGroup((Predicate("MatchesRegex", {"RegularExpression": PHONE_REGEX}),))]
        },
    )
    options.update(changes)
    return TransformationContext(**options)


@pytest.fixture
def context() -> TransformationContext:
    """The pinned context of the spec examples."""
    return make_context()


Runner = Callable[..., Dict[str, Any]]


def _run(
    method: str,
    inputs: Iterable[Claim] = (),
    params: Iterable[Tuple[str, str, str]] = (),
    outputs: Iterable[Output] = (),
    *,
    context: Optional[TransformationContext] = None,
    bag: Optional[Dict[str, Any]] = None,
    tid: str = "t",
) -> Dict[str, Any]:
    inputs, outputs = list(inputs), list(outputs)
    claims = dict(bag or {})
    claims.update({claim: value for claim, _, _, value in inputs if value is not None})
    data_types = {claim: data_type for claim, _, data_type, _ in inputs}
    data_types.update({claim: data_type for claim, _, data_type in outputs})
    transformation = ClaimsTransformation(
        tid, method, [(c, tct) for c, tct, _, _ in inputs], list(params), [(c, tct) for c, tct, _ in outputs]
    )
    return run(transformation, claims, data_types=data_types, context=context or make_context())


@pytest.fixture
def run_method() -> Runner:
    """``run_method(method, inputs, params, outputs, context=..., bag=...)`` -> the output claims."""
    return _run


@pytest.fixture
def make_ctx() -> Callable[..., TransformationContext]:
    """Build a pinned context with some fields changed."""
    return make_context
