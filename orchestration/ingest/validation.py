"""SQL that unwraps landing lines into records and names what is wrong with each bad one.

Everything runs inside DuckDB over a temp table of raw lines, because a Python loop per line is
10-50x slower on the Segment stream (STYLE.md). A line is parsed twice, not once per checked
field: `try(json_type(line, [paths]))` types the root, the envelope fields and every path of
`ObjectSpec.record_paths` in one pass (NULL: not JSON), and `json_extract_string(line, [paths])`
reads their values in one more (`record_types[i]` and `record_strings[i]`: i = 1 is the id, then
the fields in spec order, then the typed columns' own paths). The strings also fill the typed
columns of the raw table, so staging does not parse the record again.
"""

from __future__ import annotations

from landing.json_sql import read_strings_once
from landing.spec import Field, ObjectSpec


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _sql_list(values: tuple[str, ...]) -> str:
    return "[" + ", ".join(_sql_string(v) for v in values) + "]"


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
    record_paths = tuple(_sql_string(path) for path in spec.record_paths)
    rule_checks = [
        f"case when {read_strings_once(rule.is_bad_sql, record_paths, 'record_strings')} "
        f"then {_sql_string(rule.reason)} end"
        for rule in spec.rules
    ]
    body_checks = ", ".join(field_checks + rule_checks) or "null"
    deletion = spec.deletion_sql()
    if deletion:
        # A deletion (a `deleted: true` tombstone, a deleted status) needs only its id.
        is_deletion = read_strings_once(deletion, record_paths, "record_strings", "record_types")
        body = f"case when {is_deletion} then null else coalesce({body_checks}) end"
    else:
        body = f"coalesce({body_checks})"
    shape_checks = [
        f"case when {rule.is_bad_sql} then {_sql_string(rule.reason)} end"
        for rule in spec.shape_rules
    ]
    parts = shape_checks + [id_check] + ([object_check] if object_check else []) + [body]
    return "coalesce(" + ", ".join(parts) + ")"


_ENVELOPE_PATHS = ("$.data", "$.results", "$.id")


def _pages_sql(spec: ObjectSpec) -> tuple[str, str]:
    """The `page_kind` expression over `paged`'s line columns, and the elements of page lines
    (empty when the object has no envelopes)."""
    if not spec.has_pages:
        return "null::varchar", ""
    record_paths = _sql_list(spec.record_paths)
    kind = """case
            when line_strings[1] in ('list', 'search_result') and line_types[2] = 'ARRAY'
                then 'data'
            when line_types[3] = 'ARRAY' and line_types[4] is null then 'results'
        end"""
    elements = f"""
    union all

    -- Stripe `{{"object": "list" | "search_result", "data": [...]}}` and HubSpot
    -- `{{"results": [...]}}` pages: each element is a record.
    select
        paged.file_id,
        paged.line_number,
        element.element_index - 1 as record_index,
        null as line_error,
        element.element::varchar as element,
        element.element::varchar as raw_text,
        json_extract_string(element.element, '$.object') as element_object,
        json_type(element.element, {record_paths}::varchar[]) as element_types,
        json_extract_string(element.element, {record_paths}::varchar[]) as element_strings
    from paged,
        unnest(
            case paged.page_kind
                when 'data' then json_extract(paged.line, '$.data[*]')
                else json_extract(paged.line, '$.results[*]')
            end
        ) with ordinality as element(element, element_index)
    where paged.page_kind is not null"""
    return kind, elements


def records_sql(spec: ObjectSpec, lines_table: str) -> str:
    """Unwrap each line of `lines_table` into records and attach a quarantine `reason`.

    Output columns: file_id, line_number, record_index, no_record (the whole line was
    rejected), record (its JSON text; null when the spec does not keep it), raw_text (only for
    a rejected record), event_id, event_type, event_created, record_id, record_strings
    (`json_extract_string` of `spec.record_paths`), reason. A line that is not a JSON object is
    one record with a reason; a page envelope (Stripe list or Search API page, HubSpot results
    page) yields one record per element; a Stripe event yields its `data.object` versioned at
    the event's `created`.

    A bare line is parsed twice whatever the number of fields (types, strings); the parsed
    lines are materialised when two readers would otherwise repeat the parse (pages).
    """
    record_paths = _sql_list(spec.record_paths)
    fields = len(spec.record_paths)
    envelope = _ENVELOPE_PATHS if spec.has_pages else ()
    type_paths = _sql_list(("$", *envelope, *spec.record_paths))
    string_paths = _sql_list(("$.object", *spec.record_paths))
    page_kind, page_elements = _pages_sql(spec)
    first_field_type = 2 + len(envelope)
    # Materialised only when the page elements read the lines a second time: a single reader
    # streams it (a buffered copy of every line was a third of the step).
    materialized = "materialized" if spec.has_pages else "not materialized"
    return f"""
with parsed as {materialized} (
    -- One parse for the JSON types of the root, the envelope fields and the record's fields,
    -- one for their strings: a bare record needs no other. `try` makes the types NULL for a
    -- line that is not JSON: no separate `json_valid` parse of every line.
    select
        file_id,
        line_number,
        line,
        case
            when read_error is not null then read_error
            when line is null then 'blank line'
            -- trim only the rare invalid line: on every line it copied each one
            when line_types is null then
                case when trim(line) = '' then 'blank line' else 'not valid JSON' end
        end as line_error,
        line_types,
        case when line_types is not null
            then json_extract_string(line, {string_paths}::varchar[]) end as line_strings
    from (
        select
            *,
            case when read_error is null then try(json_type(line, {type_paths}::varchar[])) end
                as line_types
        from {lines_table}
    ) as typed_lines
),

paged as (
    select
        file_id,
        line_number,
        line,
        coalesce(
            line_error,
            case when line_types[1] <> 'OBJECT' then
                'expected a JSON object, got ' || lower(line_types[1]) end
        ) as line_error,
        line_strings[1] as line_object,
        list_slice(line_types, {first_field_type}, {first_field_type + fields - 1})
            as line_field_types,
        list_slice(line_strings, 2, {fields + 1}) as line_field_strings,
        case when line_types[1] = 'OBJECT' then {page_kind} end
            as page_kind
    from parsed
),

elements as (
    -- A bare line (or a rejected one) is its own record, typed by its line's parse.
    select
        file_id,
        line_number,
        0 as record_index,
        line_error,
        case when line_error is null then line end as element,
        line as raw_text,
        line_object as element_object,
        line_field_types as element_types,
        line_field_strings as element_strings
    from paged
    where page_kind is null
    {page_elements}
),

events_read as (
    -- A Stripe event's own fields in two parses of it, not one per field: its strings, and
    -- the JSON of `created` (cast from JSON) and of `data.object`. Event-based exports land
    -- almost every invoice and subscription as an event (the demo's: 95% and 90%).
    select
        *,
        element_object = 'event' and line_error is null as is_event,
        case when is_event then json_extract_string(
            element, ['$.id', '$.type', '$.data.object.object']
        ) end as event_strings,
        case when is_event then json_extract(element, ['$.created', '$.data.object']) end
            as event_json
    from elements
),

unwrapped as (
    select
        file_id,
        line_number,
        record_index,
        line_error,
        raw_text,
        is_event,
        event_strings[1] as event_id,
        event_strings[2] as event_type,
        try_cast(event_json[1] as bigint) as event_created,
        case
            when line_error is not null then null
            when is_event then event_json[2]::varchar
            else element
        end as record,
        case when is_event then event_strings[3] else element_object end as record_object,
        element_types,
        element_strings
    from events_read
),

typed as (
    -- A Stripe event's record is its `data.object`: typed in two more parses of it.
    select
        *,
        case when is_event then json_type(record, {record_paths}::varchar[])
            else element_types end as record_types,
        case when is_event then json_extract_string(record, {record_paths}::varchar[])
            else element_strings end as record_strings
    from unwrapped
),

judged as (
    select
        *,
        coalesce(
            line_error,
            case when is_event and (record is null or json_type(record) <> 'OBJECT')
                then 'event without data.object' end,
            {record_reason_sql(spec)}
        ) as reason
    from typed
),

final as (
    select
        file_id,
        line_number,
        record_index,
        record is null as no_record,
        {"record" if spec.keeps_record else "null::varchar as record"},
        case when reason is not null then raw_text end as raw_text,
        event_id,
        event_type,
        event_created,
        record_strings[1] as record_id,
        record_strings,
        reason
    from judged
)

select * from final
"""
