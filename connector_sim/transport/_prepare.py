"""A ``WireRequest`` as requests' ``Session.request`` would prepare it, byte for byte.

The transport hands it to the adapter itself: the same bytes on the wire, without the per-call
merging of session settings, the environment and cookies (B2C sends none it was given), and
without requests' redirect handling (B2C follows none).
"""

from __future__ import annotations

import functools

import requests
from requests.structures import CaseInsensitiveDict

from ..wire import WireRequest

__all__ = ["prepared_request"]


@functools.lru_cache(maxsize=1024)  # a profile calls the same URL again and again
def _wire_url(url: str) -> str:
    prepared = requests.PreparedRequest()
    prepared.prepare_url(url, None)  # requests' own quoting and IDNA, as session.request would apply
    return str(prepared.url)


def prepared_request(request: WireRequest) -> requests.PreparedRequest:
    """The request as ``Session.request`` would prepare it: requests' URL quoting and Content-Length rule."""
    prepared = requests.PreparedRequest()
    prepared.method = request.method
    prepared.url = _wire_url(request.url)
    headers = CaseInsensitiveDict(request.headers)
    body = request.body
    if body:
        headers["Content-Length"] = str(len(body))
    elif body is None and request.method not in ("GET", "HEAD") and "Content-Length" not in headers:
        headers["Content-Length"] = "0"
    prepared.headers = headers
    prepared.body = body
    return prepared
