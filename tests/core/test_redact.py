"""Masking decodes before it compares: a secret re-encoded by an echoing server is still masked."""

from __future__ import annotations

import json
from urllib.parse import quote, quote_plus

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connector_sim.claims import ClaimsBag
from connector_sim.redact import Secrets, redact_text, redact_url

SECRET = "p@ss:w%rd-Sécret+9f2/\\'x"


def _net_json(text: str) -> str:
    """How .NET's default JSON encoder writes a string: every non-alphanumeric character as \\uXXXX."""
    units = text.encode("utf-16-be")
    escaped = ("\\u%04X" % int.from_bytes(units[i:i + 2], "big") for i in range(0, len(units), 2))
    return "".join(c if c.isalnum() and c.isascii() else e for c, e in zip(_utf16_chars(text), escaped))


def _utf16_chars(text: str) -> list[str]:
    """The characters of ``text``, a non-BMP one once per UTF-16 unit (so it zips with the escapes)."""
    return [c for c in text for _ in range(2 if ord(c) > 0xFFFF else 1)]


ENCODINGS = {
    "plain": lambda s: s,
    "percent-upper": lambda s: quote(s, safe=""),
    "percent-lower": lambda s: _lower_hex(quote(s, safe="")),
    "percent-keeps-slash": lambda s: quote(s, safe="/"),
    "form": quote_plus,
    "json": json.dumps,
    "json-ascii": lambda s: json.dumps(s, ensure_ascii=True),
    "dotnet-json": _net_json,
    "python-repr": repr,
}


def _lower_hex(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        if text[i] == "%":
            out.append(text[i:i + 3].lower())
            i += 3
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


@pytest.mark.parametrize("encoding", list(ENCODINGS))
def test_every_plausible_encoding_is_masked(encoding: str) -> None:
    written = ENCODINGS[encoding](SECRET)
    shown = redact_text(f'{{"userMessage": "you sent {written} to us"}}', [SECRET])
    assert written not in shown and "***" in shown and shown.endswith(' to us"}')


def test_text_around_a_secret_is_kept() -> None:
    assert redact_text("a%20b hunter22 %41", ["hunter22"]) == "a%20b *** %41"


@settings(max_examples=150, deadline=None, derandomize=True)
@given(secret=st.text(min_size=6, max_size=24).filter(lambda s: s.strip() == s and s.isprintable()),
       encoding=st.sampled_from(sorted(ENCODINGS)), before=st.text(max_size=12), after=st.text(max_size=12))
def test_no_encoded_secret_is_ever_visible(secret: str, encoding: str, before: str, after: str) -> None:
    written = ENCODINGS[encoding](secret)
    shown = redact_text(before + " " + written + " " + after, [secret])
    assert written not in shown


def test_secrets_are_built_once_and_skip_short_values() -> None:
    secrets = Secrets(["abc", "longer-secret", None, ""])
    assert secrets.values == ("longer-secret",) and "3" not in repr(secrets)
    assert (secrets + []) is secrets


def test_redact_url_leaves_an_ordinary_query_byte_for_byte() -> None:
    url = "https://api.contoso.example/x?name=a%20b&x=%2B"
    assert redact_url(url) == url
    assert "abc123" not in redact_url("https://h/x?code=abc123&name=a%20b")


def test_the_claims_bag_matches_without_regard_to_case() -> None:
    bag = ClaimsBag({"surName": "Lovelace"})
    bag["SURNAME"] = "Byron"
    assert dict(bag) == {"surName": "Byron"} and "surname" in bag and bag.spelling("SurName") == "surName"
    del bag["surname"]
    assert not bag and bag == {}
