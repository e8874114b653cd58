"""JSON Lines input (datasets, labelled pairs, scripted answers): one object per line, blank
lines skipped, a bad line named by file and line number."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from index.errors import ConfigError


def json_objects(
    path: str | Path, error: type[Exception] = ConfigError
) -> Iterator[tuple[int, dict]]:
    """(line number, object) for each non-blank line; a line that is not a JSON object raises
    `error` with "FILE, line N: ..."."""
    with Path(path).open(encoding="utf-8") as f:
        for lineno, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                raise error(f"{path}, line {lineno}: not valid JSON ({e.msg})") from None
            if not isinstance(row, dict):
                raise error(f"{path}, line {lineno}: expected a JSON object")
            yield lineno, row
