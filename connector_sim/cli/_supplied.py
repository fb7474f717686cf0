"""``--supplied PROFILE_ID=FILE.json``: claims that answer a technical profile connector_sim cannot call."""

from __future__ import annotations

import argparse
from typing import Any

from ..errors import ConfigurationError
from ..userfiles import read_user_json
from ._common import assignments

__all__ = ["add_supplied_argument", "supplied_from"]


def add_supplied_argument(parser: argparse.ArgumentParser) -> None:
    """``--supplied PROFILE_ID=FILE.json`` (repeatable): claims that answer a profile connector_sim cannot call."""
    parser.add_argument("--supplied", dest="supplied", action="append", default=[], metavar="PROFILE_ID=FILE.json",
                        help="answer this technical profile (AAD, self-asserted, OAuth2, OIDC, PhoneFactor...) with "
                             "the claims of a JSON object file, as supplied= does in Python; repeatable")


def supplied_from(args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    """``--supplied PROFILE_ID=FILE.json`` values: profile id -> the JSON object of claims in the file."""
    supplied: dict[str, dict[str, Any]] = {}
    for profile_id, path in assignments(getattr(args, "supplied", []) or [], "--supplied").items():
        data = read_user_json(path, what=f"--supplied file for {profile_id}")
        if not isinstance(data, dict):
            raise ConfigurationError(f"--supplied {profile_id}={path}: the file must hold a JSON object of claim "
                                     f"names to values, not a JSON {type(data).__name__}")
        supplied[profile_id] = data
    return supplied

