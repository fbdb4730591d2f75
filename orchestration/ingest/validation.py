"""SQL that unwraps landing lines into records and names what is wrong with each bad one.

Everything runs inside DuckDB over a temp table of raw lines, because a Python loop per line is
10-50x slower on the Segment stream (STYLE.md). Each JSON document is parsed a handful of times
per line, not once per checked field: `json_type(record, [paths])` checks all fields in one pass.
"""

from __future__ import annotations

from orchestration.ingest.specs import Field, ObjectSpec


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _sql_list(values: tuple[str, ...]) -> str:
    return "[" + ", ".join(_sql_string(v) for v in values) + "]"


def _field_checks(spec: ObjectSpec) -> list[str]:
    """One CASE per check, in the order a person would want to hear about them."""
    checks: list[str] = []
    for position, fld in enumerate(spec.fields, start=1):
        json_type = f"field_types[{position}]"
        checks.append(_presence_and_type_check(fld, json_type))
        if fld.allowed:
            value = f"json_extract_string(record, {_sql_string(fld.path)})"
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
    """A SQL expression over `record`, `field_types` and `id_type`: NULL when the record is good."""
    id_name = spec.id_path[2:]
    id_check = (
        f"case when id_type is null or id_type = 'NULL' then 'missing required field {id_name}' "
        f"when id_type not in ('VARCHAR', 'BIGINT', 'UBIGINT') then "
        f"'wrong type for {id_name}: expected varchar, got ' || lower(id_type) end"
    )
    object_check = ""
    if spec.object_types:
        object_check = (
            "case when json_extract_string(record, '$.object') is not null and not list_contains("
            f"{_sql_list(spec.object_types)}, json_extract_string(record, '$.object')) then "
            "'object type ''' || json_extract_string(record, '$.object') || ''' does not belong "
            f"in {spec.key} (expected {' or '.join(spec.object_types)})' end"
        )
    field_checks = _field_checks(spec)
    rule_checks = [
        f"case when {rule.is_bad_sql} then {_sql_string(rule.reason)} end" for rule in spec.rules
    ]
    body_checks = ", ".join(field_checks + rule_checks) or "null"
    if spec.deleted_path:
        # A deletion tombstone carries only id, object and deleted: nothing else is required.
        deleted = f"coalesce(json_extract(record, {_sql_string(spec.deleted_path)})::varchar, '')"
        body = f"case when {deleted} = 'true' then null else coalesce({body_checks}) end"
    else:
        body = f"coalesce({body_checks})"
    parts = [id_check] + ([object_check] if object_check else []) + [body]
    return "coalesce(" + ", ".join(parts) + ")"


def records_sql(spec: ObjectSpec, lines_table: str) -> str:
    """Unwrap each line of `lines_table` into records and attach a quarantine `reason`.

    Output columns: file_id, line_number, record_index, record (json), raw_text, event_id,
    event_type, event_created, record_id, reason. A line that is not a JSON object is one
    record with a reason; a page envelope yields one record per element; a Stripe event yields
    its `data.object` versioned at the event's `created`.
    """
    field_paths = _sql_list(tuple(f.path for f in spec.fields)) if spec.fields else "[]"
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

page_elements as (
    -- Stripe `{{"object": "list", "data": [...]}}` and HubSpot `{{"results": [...]}}` pages.
    select
        file_id,
        line_number,
        line,
        line_error,
        case
            when line_error is not null then [null::json]
            when json_extract_string(line, '$.object') = 'list'
                and json_type(line, '$.data') = 'ARRAY' then json_extract(line, '$.data[*]')
            when json_type(line, '$.results') = 'ARRAY'
                and json_type(line, '$.id') is null then json_extract(line, '$.results[*]')
            else [line::json]
        end as elements
    from lines
),

elements as (
    select
        page_elements.file_id,
        page_elements.line_number,
        page_elements.line_error,
        element.element,
        element.element_index - 1 as record_index,
        len(page_elements.elements) = 1
            and page_elements.elements[1]::varchar is not distinct from page_elements.line
            as is_bare_line,
        page_elements.line
    from page_elements,
        unnest(page_elements.elements) with ordinality as element(element, element_index)
),

unwrapped as (
    select
        file_id,
        line_number,
        record_index,
        line_error,
        case when is_bare_line or line_error is not null then line else element::varchar end
            as raw_text,
        json_extract_string(element, '$.object') = 'event'
            and line_error is null as is_event,
        case when is_event then json_extract_string(element, '$.id') end as event_id,
        case when is_event then json_extract_string(element, '$.type') end as event_type,
        case when is_event then try_cast(json_extract(element, '$.created') as bigint) end
            as event_created,
        case
            when line_error is not null then null
            when is_event then json_extract(element, '$.data.object')
            else element
        end as record
    from elements
),

typed as (
    select
        *,
        json_type(record, {_sql_string(spec.id_path)}) as id_type,
        json_type(record, {field_paths}::varchar[]) as field_types
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
        json_extract_string(record, {_sql_string(spec.id_path)}) as record_id,
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
