"""The load contract of Segment's events, as its S3 destination writes them (docs/landing.md):
`segment/events`, partitioned by received day, deduplicated later in staging (ENG-3).
"""

from __future__ import annotations

from landing.spec import OBJECT, STRING, Field, ObjectSpec, SanityRule, optional

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
)
