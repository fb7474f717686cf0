"""Reading the files a user names (keys, settings, claims, .pfx, policies, load data), with caps.

A path on a command line or in a configuration can name anything: ``/dev/zero`` (endless), a FIFO
(an open that never returns), a directory, a 2 GB file. Each is refused with a clear error before
much is read: the file is opened without blocking, must be a regular file, and is read up to its
cap plus one byte, so nothing larger than the cap is ever held in memory.
"""

from __future__ import annotations

import json
import os
import stat
from typing import Any, BinaryIO, Callable, Union

from .errors import ConfigurationError, ConnectorSimError

__all__ = ["MAX_CONFIG_BYTES", "MAX_DATA_BYTES", "open_user_file", "read_user_file", "read_user_json",
           "read_user_text"]

#: Cap for small files a user names: keys, settings, claims, .pfx, load configuration.
MAX_CONFIG_BYTES = 1024 * 1024
#: Cap for load-test data files (one row of claims per virtual user).
MAX_DATA_BYTES = 64 * 1024 * 1024

PathLike = Union[str, "os.PathLike[str]"]
ErrorFactory = Callable[..., ConnectorSimError]

_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))
# O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever.
_CHUNK = 64 * 1024
_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def _size_text(size: int) -> str:
    return f"{size // (1024 * 1024)} MB" if size % (1024 * 1024) == 0 else f"{size:,} bytes"


def open_user_file(path: PathLike, *, what: str, error: ErrorFactory = ConfigurationError) -> BinaryIO:
    """``path`` opened for binary reading if it is a regular file; ``error(...)`` if not; OSError as is.

    ``what`` names the file in the message ("keys file '/x/keys.json'"); ``error`` is the class (or
    factory) of the error to raise, ``ConfigurationError`` unless the caller has a better one.
    """
    descriptor = os.open(os.fspath(path), _FLAGS)
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise error(f"{what} is {_kind(mode)}, not a regular file; it was not read",
                        hint="give the path of an ordinary file")
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


def read_user_file(path: PathLike, *, what: str, max_bytes: int = MAX_CONFIG_BYTES,
                   error: ErrorFactory = ConfigurationError) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``; ``error(...)`` otherwise; OSError as is."""
    with open_user_file(path, what=what, error=error) as handle:
        size = os.fstat(handle.fileno()).st_size
        chunks: list[bytes] = []
        total = 0
        # In chunks, up to one byte past the cap (a file that grew, or a /proc file of size 0, shows too):
        # read(cap) would allocate the whole cap at once, even for a small file.
        while size <= max_bytes and total <= max_bytes:
            chunk = handle.read(min(_CHUNK, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    if size > max_bytes or total > max_bytes:
        raise error(f"{what} is larger than {_size_text(max_bytes)}; it was not read",
                    hint="check the path: no such file needs to be this large")
    return b"".join(chunks)


def read_user_text(path: PathLike, *, what: str, max_bytes: int = MAX_CONFIG_BYTES,
                   error: ErrorFactory = ConfigurationError) -> str:
    """The UTF-8 text (a BOM is dropped) of a regular file of at most ``max_bytes``; see ``read_user_file``."""
    data = read_user_file(path, what=what, max_bytes=max_bytes, error=error)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(f"{what} is not UTF-8 text (byte {exc.start} cannot be decoded)",
                    hint="save it as UTF-8") from None


def read_user_json(path: PathLike, *, what: str, hint: str | None = None) -> Any:
    """The JSON document of a file a user names (``what``: "keys file"), read as ``read_user_text`` reads.

    Every failure is a ``ConfigurationError`` naming the file; a JSON error gives the line and
    column only, never the text, which may hold a secret.
    """
    try:
        text = read_user_text(path, what=f"{what} {path}")
    except OSError as exc:
        raise ConfigurationError(f"cannot read {what} {path}: {exc.strerror or exc}") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigurationError(f"{path}:{exc.lineno}:{exc.colno}: {what} is not valid JSON: {exc.msg}",
                                 hint=hint) from None
