"""What a test server receives (`ServerRequest`) and what a handler answers (`Reply`, `Fault`)."""

from __future__ import annotations

import enum
import json as _json
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterable, Iterator, List, Mapping, Optional, Tuple, Union
from urllib.parse import parse_qs

from cryptography import x509
from cryptography.x509.oid import NameOID

__all__ = [
    "Fault",
    "Handler",
    "HandlerResult",
    "Reply",
    "ServerRequest",
    "coerce_reply",
    "default_handler",
    "json_filler",
]


class Fault(enum.Enum):
    """Transport failures a handler can ask for instead of an answer."""

    HANG = "hang"
    """Read the request, then never answer until the server stops."""
    RESET = "reset"
    """Close the connection with a TCP RST (SO_LINGER 0) instead of answering."""
    CLOSE = "close"
    """Close the connection cleanly without sending a byte."""
    CLOSE_AFTER_HEADERS = "close_after_headers"
    """Send a 200 status line and headers announcing a body, part of it, then close."""


@dataclass(frozen=True)
class Reply:
    """An answer: status, headers and one body source (json, body, stream or body_size).

    `delay` sleeps before answering (cut short when the server stops); `fault` then replaces
    the answer with a transport failure. `stream` is sent chunked unless a Content-Length header
    is given; `body_size` sends that many bytes of valid JSON without building them in memory.
    """

    status: int = 200
    json: Any = None
    body: Union[bytes, str, None] = None
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0
    stream: Optional[Iterable[bytes]] = None
    body_size: Optional[int] = None
    chunk_size: int = 64 * 1024
    fault: Optional[Fault] = None

    def content(self) -> Tuple[Dict[str, str], Union[bytes, Iterable[bytes]], Optional[int]]:
        """The headers to send (defaults filled in), the body or chunks, and its length if known."""
        headers = dict(self.headers)
        lower = {name.lower() for name in headers}

        def default(name: str, value: str) -> None:
            if name.lower() not in lower:
                headers[name] = value

        if self.body_size is not None:
            default("Content-Type", "application/json")
            return headers, json_filler(self.body_size, self.chunk_size), self.body_size
        if self.stream is not None:
            default("Content-Type", "application/octet-stream")
            length = next((int(v) for k, v in headers.items() if k.lower() == "content-length"), None)
            return headers, self.stream, length
        payload = self.body
        if self.json is not None or isinstance(payload, (dict, list)):
            payload = _json.dumps(self.json if self.json is not None else payload).encode("utf-8")
            default("Content-Type", "application/json")
        elif isinstance(payload, str):
            payload = payload.encode("utf-8")
            default("Content-Type", "text/plain; charset=utf-8")
        data = payload or b""
        return headers, data, len(data)


@dataclass(frozen=True)
class ServerRequest:
    """One request as the test server received it, with what TLS said about the client."""

    method: str
    path: str
    raw_query: str
    query: Mapping[str, List[str]]
    headers: Mapping[str, str]
    body: bytes
    client_address: Tuple[str, int]
    received_at: float
    tls_version: Optional[str] = None
    cipher: Optional[str] = None
    client_cert_der: Optional[bytes] = field(default=None, repr=False)

    def header(self, name: str, default: Optional[str] = None) -> Optional[str]:
        """The value of header `name`, whatever its case, or `default`."""
        wanted = name.lower()
        return next((value for key, value in self.headers.items() if key.lower() == wanted), default)

    def json(self) -> Any:
        """The body parsed as JSON."""
        return _json.loads(self.body.decode("utf-8"))

    def form(self) -> Dict[str, str]:
        """The body parsed as x-www-form-urlencoded, last value winning for repeated fields."""
        parsed = parse_qs(self.body.decode("utf-8"), keep_blank_values=True)
        return {name: values[-1] for name, values in parsed.items()}

    @property
    def client_cert(self) -> Optional[x509.Certificate]:
        """The client certificate presented in the TLS handshake, if any."""
        return x509.load_der_x509_certificate(self.client_cert_der) if self.client_cert_der else None

    @property
    def client_cert_subject(self) -> Optional[str]:
        """The CN of the client certificate presented in the TLS handshake, or None."""
        cert = self.client_cert
        if cert is None:
            return None
        names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        return str(names[0].value) if names else ""


HandlerResult = Union[Reply, Fault, int, Tuple[Any, ...], None]
Handler = Callable[[ServerRequest], HandlerResult]


def default_handler(request: ServerRequest) -> Reply:
    """Answer every request with 200 and an empty JSON object."""
    return Reply(json={})


def coerce_reply(result: HandlerResult) -> Reply:
    """Turn what a handler returned into a `Reply`.

    Accepted: a Reply, a Fault, None (200 `{}`), a status, `(status, body)` and
    `(status, headers, body)`, where a body that is neither bytes nor str is sent as JSON.
    """
    if isinstance(result, Reply):
        return result
    if isinstance(result, Fault):
        return Reply(fault=result)
    if result is None:
        return Reply(json={})
    if isinstance(result, int) and not isinstance(result, bool):
        return Reply(status=result)
    if isinstance(result, tuple) and len(result) in (2, 3):
        status, headers, body = (result[0], {}, result[1]) if len(result) == 2 else result
        if isinstance(body, (bytes, str)) or body is None:
            return Reply(status=int(status), headers=dict(headers), body=body)
        return Reply(status=int(status), headers=dict(headers), json=body)
    raise TypeError(f"a test server handler returned {result!r}; expected a Reply, a Fault or a tuple")


def json_filler(size: int, chunk_size: int = 64 * 1024) -> Iterator[bytes]:
    """Exactly `size` bytes of valid JSON (a padded object), produced chunk by chunk."""
    if size < 0:
        raise ValueError("size cannot be negative")
    head, tail = b'{"padding":"', b'"}'
    if size < len(head) + len(tail):
        # Too small to hold the object; still exactly `size` bytes: a JSON number after blanks.
        if size:
            yield b" " * (size - 1) + b"0"
        return
    yield head
    remaining = size - len(head) - len(tail)
    block = b"x" * chunk_size
    while remaining > 0:
        step = min(remaining, chunk_size)
        yield block[:step]
        remaining -= step
    yield tail
