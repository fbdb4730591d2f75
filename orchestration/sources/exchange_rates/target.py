"""The finance team's daily exchange rates: `stripe/exchange_rates/<date>/rates.csv` (MRR-7).

The one non-API landing file. It goes through the same line reader, batching, quarantine and
load log as the JSON objects; only the parsing differs.
"""

from __future__ import annotations

from landing.files import EXCHANGE_RATES_FILE, EXCHANGE_RATES_HEADER
from landing.spec import ObjectSpec
from landing.tables import EXCHANGE_RATES_TABLE
from orchestration.ingest.loader import LoadTarget
from orchestration.sources.exchange_rates.suites import EXCHANGE_RATES_SUITE

EXCHANGE_RATES_SPEC = ObjectSpec(
    "stripe",
    "exchange_rates",
    "$.currency",
    (),
    description="Daily USD value of one unit of each currency (MRR-7), from the finance team.",
)
assert EXCHANGE_RATES_SPEC.table == EXCHANGE_RATES_TABLE

EXCHANGE_RATES_DDL = f"""
create table if not exists {EXCHANGE_RATES_TABLE} (
    date date not null,
    currency varchar not null,         -- lowercase ISO code, as Stripe writes currencies
    usd_per_unit decimal(18, 10) not null,
    _source_file varchar not null,
    _line_number bigint not null,
    _partition_date date not null,
    _loaded_at timestamp not null
)
"""


def _records_sql(lines_table: str) -> str:
    return f"""
with lines as (
    select
        file_id,
        line_number,
        line,
        read_error,
        string_split(trim(coalesce(line, '')), ',') as cells
    from {lines_table}
    -- the header is checked, not loaded
    where not (line_number = 1 and trim(line) = '{EXCHANGE_RATES_HEADER}')
),

parsed as (
    select
        *,
        try_cast(trim(cells[1]) as date) as rate_date,
        lower(trim(cells[2])) as currency,
        try_cast(trim(cells[3]) as decimal(18, 10)) as usd_per_unit
    from lines
),

final as (
    select
        file_id,
        line_number,
        0 as record_index,
        true as no_record,  -- a CSV row is a whole line: no record index in the quarantine
        line as raw_text,
        rate_date,
        currency,
        usd_per_unit,
        case
            when read_error is not null then read_error
            when line_number = 1 then 'expected the header {EXCHANGE_RATES_HEADER}'
            when trim(coalesce(line, '')) = '' then 'blank line'
            when len(cells) <> 3 then 'expected 3 columns (date,currency,usd_per_unit), got '
                || len(cells)
            when rate_date is null then 'date is not YYYY-MM-DD: ' || cells[1]
            when not regexp_full_match(currency, '[a-z]{{3}}') then
                'currency is not a 3-letter code: ' || cells[2]
            when usd_per_unit is null then 'usd_per_unit is not a number: ' || cells[3]
            when usd_per_unit <= 0 then 'usd_per_unit must be positive: ' || cells[3]
        end as reason
    from parsed
)

select * from final
"""


EXCHANGE_RATES_TARGET = LoadTarget(
    EXCHANGE_RATES_SPEC,
    _records_sql,
    "r.rate_date, r.currency, r.usd_per_unit, f.relative_path, r.line_number, f.partition_date, "
    "(current_timestamp at time zone 'UTC')",
    EXCHANGE_RATES_DDL,
    EXCHANGE_RATES_SUITE,
    file_pattern=EXCHANGE_RATES_FILE,
)
