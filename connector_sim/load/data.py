"""Claims for simulated users: one row per user from a CSV or JSON file, handed out in turn.

CSV: a header row of claim names, then one row per user; values are strings and an empty cell
leaves the claim out of the bag (so a DefaultValue applies, as when B2C has no such claim).
JSON: a list of objects (or ``{"rows": [...]}``); values keep their JSON types.
When every row has been handed out, the next user starts again from the first row.
"""

from __future__ import annotations

import csv
import itertools
import json
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

from ..errors import ConfigurationError
from ..userfiles import MAX_DATA_BYTES, read_user_text

__all__ = ["ClaimRows"]


class ClaimRows:
    """Rows of claims, handed out one by one and cycled; safe to share between simulated users."""

    def __init__(self, rows: Sequence[Mapping[str, Any]], *, source: str = "<rows>") -> None:
        if not rows:
            raise ConfigurationError(f"{source}: the data holds no rows")
        for number, row in enumerate(rows, start=1):
            if not isinstance(row, Mapping):
                raise ConfigurationError(f"{source}: row {number} is a JSON {type(row).__name__}, not an object "
                                         "of claim names to values")
        self.rows = [dict(row) for row in rows]
        self.source = source
        # itertools.count is atomic under the GIL, and greenlets never switch inside next().
        self._counter: Iterator[int] = itertools.count()

    def __len__(self) -> int:
        return len(self.rows)

    def __repr__(self) -> str:
        return f"ClaimRows(source={self.source!r}, rows={len(self.rows)})"

    def next(self) -> dict[str, Any]:
        """The next row (a copy), starting again from the first after the last."""
        return dict(self.rows[next(self._counter) % len(self.rows)])

    @classmethod
    def from_file(cls, path: str | Path) -> ClaimRows:
        """Rows from a ``.csv`` file (header row of claim names) or a ``.json`` file (a list of objects)."""
        path = Path(path)
        try:
            text = read_user_text(path, what=f"data file {str(path)!r}", max_bytes=MAX_DATA_BYTES)
        except OSError as exc:
            raise ConfigurationError(f"cannot read data file {str(path)!r}: {exc.strerror or exc}") from exc
        if path.suffix.lower() == ".json":
            return cls(_json_rows(text, str(path)), source=str(path))
        if path.suffix.lower() == ".csv":
            return cls(_csv_rows(text, str(path)), source=str(path))
        raise ConfigurationError(f"data file {str(path)!r} must end in .csv or .json",
                                 hint="CSV: a header row of claim names, one row per user; JSON: a list of objects")


def _json_rows(text: str, source: str) -> list[Any]:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ConfigurationError(f"data file {source!r} is not valid JSON: {exc}") from None
    if isinstance(data, dict) and isinstance(data.get("rows"), list):
        data = data["rows"]
    if not isinstance(data, list):
        raise ConfigurationError(f"data file {source!r} must hold a JSON list of objects (one per user)")
    return data


def _csv_rows(text: str, source: str) -> list[dict[str, Any]]:
    reader = csv.DictReader(text.splitlines())
    names = reader.fieldnames or []
    if not names or any(not (n or "").strip() for n in names):
        raise ConfigurationError(f"data file {source!r}: the first row must name every column (claim names)")
    rows = []
    for row in reader:
        extra = row.pop(None, None)
        if extra:
            raise ConfigurationError(f"data file {source!r}, line {reader.line_num}: more cells than column names")
        rows.append({name.strip(): value for name, value in row.items() if value not in (None, "")})
    return rows
