"""Reading many JSON fields of a record in one parse, in DuckDB SQL.

Used by the loader's record checks (orchestration/ingest/validation.py) and the gate's raw
suites (data_quality/raw_suites.py).
"""

from __future__ import annotations

import re

# `json_extract_string(record, '<path>')`; group 1 is the path's SQL literal.
_JSON_STRING_CALL = re.compile(r"json_extract_string\(record, ('(?:[^']|'')*')\)")


def json_string_paths(sql: str) -> tuple[str, ...]:
    """The paths (as SQL literals) that `sql` reads with `json_extract_string(record, '<path>')`,
    each once, in order of first use."""
    return tuple(dict.fromkeys(_JSON_STRING_CALL.findall(sql)))


def read_strings_once(sql: str, path_literals: tuple[str, ...], strings_column: str) -> str:
    """`sql` with each `json_extract_string(record, '<path>')` of `path_literals` replaced by
    `<strings_column>[i]`, where `strings_column` is `json_extract_string(record, [paths])`: the
    same values, all read in one parse of the record instead of one parse per call."""
    index = {literal: i for i, literal in enumerate(path_literals, start=1)}

    def replace(call: re.Match[str]) -> str:
        position = index.get(call.group(1))
        return call.group(0) if position is None else f"{strings_column}[{position}]"

    return _JSON_STRING_CALL.sub(replace, sql)
