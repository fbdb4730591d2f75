"""The load contract of Segment's events, as its S3 destination writes them (docs/landing.md):
`segment/events`, partitioned by received day, deduplicated later in staging (ENG-3).
"""

from __future__ import annotations

from landing.spec import OBJECT, STRING, Field, ObjectSpec, SanityRule, TypedColumn, optional

SEGMENT_EVENTS = ObjectSpec(
    "segment",
    "events",
    "$.messageId",
    (
        Field("$.type", STRING, allowed=("track", "identify", "group", "page", "screen", "alias")),
        Field("$.timestamp", STRING),
        Field("$.receivedAt", STRING),
        optional("$.userId", STRING),
        optional("$.anonymousId", STRING),
        optional("$.event", STRING),
        optional("$.groupId", STRING),
        optional("$.properties", OBJECT),
        optional("$.traits", OBJECT),
        optional("$.context", OBJECT),
    ),
    rules=(
        SanityRule(
            "json_extract_string(record, '$.type') = 'track' "
            "and json_extract_string(record, '$.event') is null",
            "a track call without `event`",
        ),
        SanityRule(
            "try_cast(json_extract_string(record, '$.timestamp') as timestamptz) is null",
            "timestamp is not an ISO-8601 timestamp",
        ),
        SanityRule(
            "try_cast(json_extract_string(record, '$.receivedAt') as timestamptz) is null",
            "receivedAt is not an ISO-8601 timestamp",
        ),
    ),
    description="Segment calls as its S3 destination writes them (ENG-1..3).",
    # The fields staging needs, typed at load: the stream is the warehouse's largest input, and
    # the landing file and line stand for the original JSON.
    typed_columns=(
        TypedColumn("call_type", "$.type", description="`type`: track, identify, group, page..."),
        TypedColumn("event_name", "$.event", description="`event`: a track call's name."),
        TypedColumn("user_id", "$.userId", description="`userId`."),
        TypedColumn("anonymous_id", "$.anonymousId", description="`anonymousId`."),
        TypedColumn("group_id", "$.groupId", description="`groupId`: a group call's account."),
        TypedColumn(
            "context_group_id", "$.context.groupId", description="`context.groupId`: the account."
        ),
        TypedColumn(
            "feature_name", "$.properties.feature", description="`properties.feature` (ENG-2)."
        ),
        TypedColumn("event_at", "$.timestamp", "timestamp", "`timestamp` in UTC."),
        TypedColumn("received_at", "$.receivedAt", "timestamp", "`receivedAt` in UTC."),
    ),
    keeps_record=False,
    has_pages=False,
)
