"""SQL that unwraps landing lines into records and names what is wrong with each bad one.

Everything runs inside DuckDB over a temp table of raw lines, because a Python loop per line is
10-50x slower on the Segment stream (STYLE.md). Each JSON document is parsed a handful of times
per line, not once per checked field: `json_type(record, [paths])` types the id and every
contract field in one pass, and `json_extract_string(record, [paths])` reads their values in one
more (`record_types[i]` and `record_strings[i]`: i = 1 is the id, then the fields in spec order).
"""

from __future__ import annotations

from landing.json_sql import read_strings_once
from landing.spec import Field, ObjectSpec


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _sql_list(values: tuple[str, ...]) -> str:
    return "[" + ", ".join(_sql_string(v) for v in values) + "]"


def _record_paths(spec: ObjectSpec) -> tuple[str, ...]:
    """The paths behind `record_types` and `record_strings`: the id, then every field."""
    return (spec.id_path, *(f.path for f in spec.fields))


def _field_checks(spec: ObjectSpec) -> list[str]:
    """One CASE per check, in the order a person would want to hear about them."""
    checks: list[str] = []
    for position, fld in enumerate(spec.fields, start=1):
        json_type = f"record_types[{position + 1}]"
        checks.append(_presence_and_type_check(fld, json_type))
        if fld.allowed:
            value = f"record_strings[{position + 1}]"
            checks.append(
                f"case when {json_type} = 'VARCHAR' and not list_contains("
                f"{_sql_list(fld.allowed)}, {value}) then 'unknown value ' || "
                f"coalesce('''' || {value} || '''', 'null') || ' for {fld.path[2:]}: expected one "
                f"of {', '.join(fld.allowed)}' end"
            )
    return checks


def _presence_and_type_check(fld: Field, json_type: str) -> str:
    name = fld.path[2:]
    expected = " or ".join(t.lower() for t in fld.types)
    missing = f"{json_type} is null or {json_type} = 'NULL'"
    wrong_type = f"{json_type} is not null and {json_type} <> 'NULL' and not list_contains("
    wrong_type += f"{_sql_list(fld.types)}, {json_type})"
    type_reason = (
        f"'wrong type for {name}: expected {expected}, got ' || lower({json_type}) || "
        f"' ' || left(json_extract(record, {_sql_string(fld.path)})::varchar, 40)"
    )
    if fld.required:
        return (
            f"case when {missing} then 'missing required field {name}' "
            f"when {wrong_type} then {type_reason} end"
        )
    return f"case when {wrong_type} then {type_reason} end"


def record_reason_sql(spec: ObjectSpec) -> str:
    """A SQL expression over `record`, `record_types`, `record_strings` (see the module doc) and
    `record_object` (the record's `object`): NULL when the record is good."""
    id_name = spec.id_path[2:]
    id_check = (
        "case when record_types[1] is null or record_types[1] = 'NULL' then "
        f"'missing required field {id_name}' "
        "when record_types[1] not in ('VARCHAR', 'BIGINT', 'UBIGINT') then "
        f"'wrong type for {id_name}: expected varchar, got ' || lower(record_types[1]) end"
    )
    object_check = ""
    if spec.object_types:
        object_check = (
            "case when record_object is not null and not list_contains("
            f"{_sql_list(spec.object_types)}, record_object) then "
            "'object type ''' || record_object || ''' does not belong "
            f"in {spec.key} (expected {' or '.join(spec.object_types)})' end"
        )
    field_checks = _field_checks(spec)
    record_paths = tuple(_sql_string(path) for path in _record_paths(spec))
    rule_checks = [
        f"case when {read_strings_once(rule.is_bad_sql, record_paths, 'record_strings')} "
        f"then {_sql_string(rule.reason)} end"
        for rule in spec.rules
    ]
    body_checks = ", ".join(field_checks + rule_checks) or "null"
    deletion = spec.deletion_sql()
    if deletion:
        # A deletion (a `deleted: true` tombstone, a deleted status) needs only its id.
        is_deletion = read_strings_once(deletion, record_paths, "record_strings")
        body = f"case when {is_deletion} then null else coalesce({body_checks}) end"
    else:
        body = f"coalesce({body_checks})"
    shape_checks = [
        f"case when {rule.is_bad_sql} then {_sql_string(rule.reason)} end"
        for rule in spec.shape_rules
    ]
    parts = shape_checks + [id_check] + ([object_check] if object_check else []) + [body]
    return "coalesce(" + ", ".join(parts) + ")"


def records_sql(spec: ObjectSpec, lines_table: str) -> str:
    """Unwrap each line of `lines_table` into records and attach a quarantine `reason`.

    Output columns: file_id, line_number, record_index, record (json), raw_text, event_id,
    event_type, event_created, record_id, reason. A line that is not a JSON object is one
    record with a reason; a page envelope (Stripe list or Search API page, HubSpot results page)
    yields one record per element; a Stripe event yields its `data.object` versioned at the
    event's `created`.
    """
    record_paths = _sql_list(_record_paths(spec))
    return f"""
with lines as (
    select
        file_id,
        line_number,
        line,
        case
            when read_error is not null then read_error
            when line is null or trim(line) = '' then 'blank line'
            when not json_valid(line) then 'not valid JSON'
            when json_type(line) <> 'OBJECT' then
                'expected a JSON object, got ' || lower(json_type(line))
        end as line_error
    from {lines_table}
),

shaped as (
    -- The envelope fields, read in two parses of the line, tell a page from a bare record.
    select
        *,
        case when line_error is null then json_extract_string(line, '$.object') end
            as line_object,
        case when line_error is null then json_type(line, ['$.data', '$.results', '$.id']) end
            as envelope_types
    from lines
),

paged as (
    select
        *,
        case
            when line_object in ('list', 'search_result') and envelope_types[1] = 'ARRAY'
                then 'data'
            when envelope_types[2] = 'ARRAY' and envelope_types[3] is null then 'results'
        end as page_kind
    from shaped
),

elements as (
    -- A bare line (or a rejected one) is its own record: no list is built and unnested for
    -- it, which is most of the cost on the Segment stream.
    select
        file_id,
        line_number,
        0 as record_index,
        line_error,
        case when line_error is null then line::json end as element,
        line as raw_text,
        line_object as element_object
    from paged
    where page_kind is null

    union all

    -- Stripe `{{"object": "list" | "search_result", "data": [...]}}` and HubSpot
    -- `{{"results": [...]}}` pages.
    select
        paged.file_id,
        paged.line_number,
        element.element_index - 1 as record_index,
        null as line_error,
        element.element,
        element.element::varchar as raw_text,
        json_extract_string(element.element, '$.object') as element_object
    from paged,
        unnest(
            case paged.page_kind
                when 'data' then json_extract(paged.line, '$.data[*]')
                else json_extract(paged.line, '$.results[*]')
            end
        ) with ordinality as element(element, element_index)
    where paged.page_kind is not null
),

unwrapped as (
    select
        file_id,
        line_number,
        record_index,
        line_error,
        raw_text,
        element_object = 'event' and line_error is null as is_event,
        case when is_event then json_extract_string(element, '$.id') end as event_id,
        case when is_event then json_extract_string(element, '$.type') end as event_type,
        case when is_event then try_cast(json_extract(element, '$.created') as bigint) end
            as event_created,
        case
            when line_error is not null then null
            when is_event then json_extract(element, '$.data.object')
            else element
        end as record,
        case
            when is_event then json_extract_string(element, '$.data.object.object')
            else element_object
        end as record_object
    from elements
),

typed as (
    select
        *,
        -- The id and every contract field typed in one parse of the record, read in another.
        json_type(record, {record_paths}::varchar[]) as record_types,
        json_extract_string(record, {record_paths}::varchar[]) as record_strings
    from unwrapped
),

final as (
    select
        file_id,
        line_number,
        record_index,
        record,
        raw_text,
        event_id,
        event_type,
        event_created,
        record_strings[1] as record_id,
        coalesce(
            line_error,
            case when is_event and (record is null or json_type(record) <> 'OBJECT')
                then 'event without data.object' end,
            {record_reason_sql(spec)}
        ) as reason
    from typed
)

select * from final
"""
