"""Reading many JSON fields of a record in one parse, in DuckDB SQL.

Used by the loader's record checks (orchestration/ingest/validation.py) and the gate's raw
suites (data_quality/raw_suites.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable

# `json_extract_string(record, '<path>')`; group 1 is the path's SQL literal.
_JSON_STRING_CALL = re.compile(r"json_extract_string\(record, ('(?:[^']|'')*')\)")
# `json_type(record, '<path>')`; group 1 is the path's SQL literal.
_JSON_TYPE_CALL = re.compile(r"json_type\(record, ('(?:[^']|'')*')\)")


def json_string_paths(sql: str) -> tuple[str, ...]:
    """The paths (as SQL literals) that `sql` reads with `json_extract_string(record, '<path>')`,
    each once, in order of first use."""
    return tuple(dict.fromkeys(_JSON_STRING_CALL.findall(sql)))


def read_strings_once(
    sql: str, path_literals: tuple[str, ...], strings_column: str, types_column: str | None = None
) -> str:
    """`sql` with each `json_extract_string(record, '<path>')` of `path_literals` replaced by
    `<strings_column>[i]`, where `strings_column` is `json_extract_string(record, [paths])`: the
    same values, all read in one parse of the record instead of one parse per call. With
    `types_column` (`json_type(record, [paths])`), each `json_type(record, '<path>')` too."""
    index = {literal: i for i, literal in enumerate(path_literals, start=1)}

    def replacer(column: str) -> Callable[[re.Match[str]], str]:
        def replace(call: re.Match[str]) -> str:
            position = index.get(call.group(1))
            return call.group(0) if position is None else f"{column}[{position}]"

        return replace

    sql = _JSON_STRING_CALL.sub(replacer(strings_column), sql)
    return _JSON_TYPE_CALL.sub(replacer(types_column), sql) if types_column else sql
