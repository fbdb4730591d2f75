"""The gate's raw suites of HubSpot's CRM exports (data_quality/raw_suites.py has the generic
pieces): created/updated timestamps in the data period and parseable (ISO-8601 or epoch
milliseconds), survey scores in range.
"""

from __future__ import annotations

from collections.abc import Callable

from data_quality.config import QualityConfig
from data_quality.raw_suites import (
    Column,
    TableSuite,
    iso_ts_columns,
    json_number,
    json_str,
    object_suite,
)
from data_quality.rules import Rule, between, in_period, in_set, is_null
from orchestration.sources.hubspot.spec import HUBSPOT

_SPECS = {spec.object: spec for spec in HUBSPOT}


def _hubspot_suite(obj: str, typed: tuple[Column, ...], rules: Callable) -> TableSuite:
    created = iso_ts_columns("created_at", "$.createdAt", allow_epoch_ms=True)
    updated = iso_ts_columns("updated_at", "$.updatedAt", allow_epoch_ms=True)

    def with_common(config: QualityConfig) -> list[Rule]:
        return [
            in_period(config, "created_at"),
            is_null("timestamps", "created_at_unparsed", note="ISO-8601 or epoch milliseconds"),
            in_period(config, "updated_at"),
            is_null("timestamps", "updated_at_unparsed", note="ISO-8601 or epoch milliseconds"),
            *rules(config),
        ]

    return object_suite(_SPECS[obj], (*created, *updated, *typed), with_common)


def _survey_score(survey_type: str) -> str:
    return (
        f"case when {json_str('$.properties.hs_survey_type')} = '{survey_type}' "
        f"then {json_number('$.properties.hs_value')} end"
    )


HUBSPOT_SUITES: tuple[TableSuite, ...] = (
    _hubspot_suite("companies", (), lambda c: []),
    _hubspot_suite("contacts", (), lambda c: []),
    _hubspot_suite(
        "deals",
        iso_ts_columns("deal_createdate", "$.properties.createdate", allow_epoch_ms=True),
        lambda c: [
            in_period(c, "deal_createdate"),
            is_null("timestamps", "deal_createdate_unparsed"),
        ],
    ),
    _hubspot_suite("deal_pipelines", (), lambda c: []),
    _hubspot_suite("ticket_pipelines", (), lambda c: []),
    _hubspot_suite(
        "tickets",
        (
            *iso_ts_columns("ticket_createdate", "$.properties.createdate", allow_epoch_ms=True),
            *iso_ts_columns("closed_date", "$.properties.closed_date", allow_epoch_ms=True),
        ),
        lambda c: [
            in_period(c, "ticket_createdate"),
            is_null("timestamps", "ticket_createdate_unparsed"),
            in_period(c, "closed_date"),
            is_null("timestamps", "closed_date_unparsed"),
        ],
    ),
    _hubspot_suite(
        "feedback_submissions",
        (
            Column("properties_hs_survey_type", json_str("$.properties.hs_survey_type")),
            Column("nps_score", _survey_score("NPS")),
            Column("csat_score", _survey_score("CSAT")),
            Column(
                "hs_value_not_a_number",
                f"case when {json_str('$.properties.hs_value')} is not null and "
                f"{json_number('$.properties.hs_value')} is null "
                f"then {json_str('$.properties.hs_value')} end",
            ),
            *iso_ts_columns(
                "submitted_at", "$.properties.hs_submission_timestamp", allow_epoch_ms=True
            ),
        ),
        lambda c: [
            in_set("value_sets", "properties_hs_survey_type", ("NPS", "CSAT", "CES")),
            between("ranges", "nps_score", 0, 10, note="NPS-1: scores 0-10"),
            between("ranges", "csat_score", 1, 5, note="CSAT-1: ratings 1-5"),
            is_null("ranges", "hs_value_not_a_number", note="hs_value is a number as a string"),
            in_period(c, "submitted_at"),
            is_null("timestamps", "submitted_at_unparsed"),
        ],
    ),
    _hubspot_suite("meetings", (), lambda c: []),
    # Minimal: the required fields only. An owner's createdAt/updatedAt may predate the
    # reporting period by years, so no period checks.
    object_suite(_SPECS["owners"], (), lambda c: []),
)
