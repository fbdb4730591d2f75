"""What a landing object must look like: the shape of the load-time contract (docs/landing.md).

One `ObjectSpec` per `<system>/<object>` folder; each source declares its own in
`orchestration/sources/<source>/spec.py`. The loader turns these specs into SQL that
checks every record; a record failing a check goes to quarantine with the reason, never dropped.
Checks here are structural (presence, JSON type, known enum values) plus a few sanity rules for
values that would break downstream arithmetic. Plausibility (ranges, freshness, volume) is the
data-quality gate's job, not the loader's.

A deletion needs only its id (`deleted_path`, `deleted_status`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

# DuckDB `json_type` names.
INTEGER = ("BIGINT", "UBIGINT")
NUMBER = ("BIGINT", "UBIGINT", "DOUBLE")
STRING = ("VARCHAR",)
OBJECT = ("OBJECT",)
ARRAY = ("ARRAY",)
BOOLEAN = ("BOOLEAN",)


@dataclass(frozen=True)
class Field:
    """One field a record must (or may) carry, addressed by a JSON path."""

    path: str
    types: tuple[str, ...]
    required: bool = True  # False: the field may be absent or JSON null
    allowed: tuple[str, ...] | None = None  # a closed set of string values (an enum)


@dataclass(frozen=True)
class SanityRule:
    """A SQL predicate over the JSON column `record` that is true for an impossible record."""

    is_bad_sql: str
    reason: str


@dataclass(frozen=True)
class TypedColumn:
    """A field the loader stores as a typed column of the raw table, read in the same parse of
    the record that validates it, so staging selects it instead of decoding JSON again."""

    name: str
    path: str
    sql_type: str = "varchar"  # varchar, or timestamp: ISO-8601 with any offset, stored as UTC
    description: str = ""

    def from_string_sql(self, value: str) -> str:
        """SQL converting `value` (the field read as a string) to the column's type."""
        if self.sql_type == "timestamp":
            return f"timezone('UTC', try_cast({value} as timestamptz))"
        return value


@dataclass(frozen=True)
class ObjectSpec:
    system: str
    object: str
    id_path: str
    fields: tuple[Field, ...]
    # Stripe records say what they are in `object`; a record of another type is quarantined.
    object_types: tuple[str, ...] | None = None
    rules: tuple[SanityRule, ...] = field(default_factory=tuple)
    # JSON path of the flag that marks a deletion tombstone (only the id is then required).
    deleted_path: str | None = None
    # A `status` value that also marks a deletion (Stripe: an invoice inside `invoice.deleted`).
    deleted_status: str | None = None
    # Known wrong shapes (e.g. a legacy API version), checked before the id and every field so
    # the reason names the shape and what is expected instead of the first missing field.
    shape_rules: tuple[SanityRule, ...] = field(default_factory=tuple)
    description: str = ""
    # Fields stored as typed columns. An object with them may also drop the original JSON
    # (`keeps_record=False`, Segment: its landing file and line stand for it).
    typed_columns: tuple[TypedColumn, ...] = field(default_factory=tuple)
    keeps_record: bool = True
    # Whether a line may be a page envelope (Stripe list/search pages, HubSpot results pages).
    # Without envelopes (Segment) a line is always one record and is parsed fewer times.
    has_pages: bool = True

    @property
    def record_paths(self) -> tuple[str, ...]:
        """The paths the loader reads from every record, each once: the id, every contract
        field, then the typed columns' paths and the deletion flag's, if not already among
        them."""
        paths = (self.id_path, *(f.path for f in self.fields))
        extra = [c.path for c in self.typed_columns]
        extra += [self.deleted_path] if self.deleted_path else []
        return (*paths, *dict.fromkeys(path for path in extra if path not in paths))

    def typed_values_sql(self, strings: str) -> list[str]:
        """The typed columns' values as SQL, given `strings`: a list expression holding the
        string of each of `record_paths`, in order (the loader's `record_strings`)."""
        position = {path: i for i, path in enumerate(self.record_paths, start=1)}
        return [c.from_string_sql(f"{strings}[{position[c.path]}]") for c in self.typed_columns]

    @property
    def schema(self) -> str:
        return f"raw_{self.system}"

    @property
    def table(self) -> str:
        return f"{self.schema}.{self.object}"

    @property
    def key(self) -> str:
        return f"{self.system}/{self.object}"

    def deletion_sql(self) -> str | None:
        """A SQL predicate over the JSON column `record` that is true for a deletion (then only
        the id is required), or None when the object has no deletions."""
        conditions = []
        if self.deleted_path:
            # A JSON `true` (not the string "true"), written with the calls the loader reads
            # from its one parse of the record (landing/json_sql.py).
            path = self.deleted_path.replace("'", "''")
            conditions.append(
                f"coalesce(json_type(record, '{path}') = 'BOOLEAN' "
                f"and json_extract_string(record, '{path}') = 'true', false)"
            )
        if self.deleted_status:
            status = self.deleted_status.replace("'", "''")
            conditions.append(
                f"coalesce(json_extract_string(record, '$.status') = '{status}', false)"
            )
        return " or ".join(conditions) or None


def optional(path: str, types: tuple[str, ...], allowed: tuple[str, ...] | None = None) -> Field:
    """A field that may be absent or JSON null."""
    return Field(path, types, required=False, allowed=allowed)
