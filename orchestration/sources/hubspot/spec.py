"""The load contract of HubSpot's CRM exports (docs/landing.md): one `ObjectSpec` per
`hubspot/<object>` folder.

Property-change and webhook exports carry only the properties that changed, so `properties` may
be partial: staging merges a later version into the earlier one property by property (an absent
key keeps its value, an explicit null clears it). Pipelines are the v3 shape (`id`,
`stages[].id`); the legacy v1 shape (`pipelineId`, `stages[].stageId`) is quarantined with a
reason that says so.
"""

from __future__ import annotations

from landing.spec import (
    ARRAY,
    BOOLEAN,
    OBJECT,
    STRING,
    Field,
    ObjectSpec,
    SanityRule,
    optional,
)

# HubSpot dates come as ISO-8601 strings or epoch milliseconds.
HUBSPOT_DATE = ("VARCHAR", "BIGINT", "UBIGINT")


def _hubspot(
    obj: str,
    fields: tuple[Field, ...],
    description: str,
    shape_rules: tuple[SanityRule, ...] = (),
) -> ObjectSpec:
    common = (
        optional("$.createdAt", HUBSPOT_DATE),
        optional("$.updatedAt", HUBSPOT_DATE),
        optional("$.archived", BOOLEAN),
    )
    return ObjectSpec(
        "hubspot", obj, "$.id", common + fields, shape_rules=shape_rules, description=description
    )


_PROPERTIES = Field("$.properties", OBJECT)
_PIPELINE = (Field("$.label", STRING), Field("$.stages", ARRAY))
# The v1 pipelines API named the ids `pipelineId` and `stages[].stageId`; staging reads v3.
LEGACY_V1_PIPELINE = SanityRule(
    "(json_exists(record, '$.pipelineId') and not json_exists(record, '$.id')) "
    "or len(list_filter(json_extract(record, '$.stages[*]'), lambda s: "
    "json_exists(s, '$.stageId') and not json_exists(s, '$.id'))) > 0",
    "legacy v1 pipelines shape (pipelineId, stages[].stageId): expected the v3 pipelines "
    "shape with id and stages[].id",
)

HUBSPOT = (
    _hubspot("companies", (_PROPERTIES,), "HubSpot companies: the account dimension's source."),
    _hubspot("contacts", (_PROPERTIES,), "HubSpot contacts (people; kept out of the marts)."),
    _hubspot("deals", (_PROPERTIES,), "HubSpot deals: new business, renewals, upsells."),
    _hubspot(
        "deal_pipelines",
        _PIPELINE,
        "HubSpot deal pipelines (v3 shape): stage ids to labels.",
        (LEGACY_V1_PIPELINE,),
    ),
    _hubspot(
        "ticket_pipelines",
        _PIPELINE,
        "HubSpot ticket pipelines (v3 shape): stage ids to labels.",
        (LEGACY_V1_PIPELINE,),
    ),
    _hubspot("tickets", (_PROPERTIES,), "HubSpot support tickets (support load, HLT-1)."),
    _hubspot(
        "feedback_submissions",
        (
            _PROPERTIES,
            Field("$.properties.hs_survey_type", STRING, allowed=("NPS", "CSAT", "CES")),
            optional("$.properties.hs_value", STRING),
        ),
        "HubSpot survey responses: NPS and CSAT scores (NPS-1, CSAT-1).",
    ),
    _hubspot("meetings", (_PROPERTIES,), "HubSpot meetings: CSM touches (HLT-1)."),
    _hubspot(
        "owners",
        (
            optional("$.email", STRING),
            optional("$.firstName", STRING),
            optional("$.lastName", STRING),
        ),
        "HubSpot owners (v3 owners API, fields top-level, no `properties`): the CSM a "
        "company's `hubspot_owner_id` points to (ACC-1).",
    ),
)
