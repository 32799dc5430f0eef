"""Instrumentation health: validate-stage outcomes counted per tenant and minute."""

import orjson

from convtrack.schemas.dead_letter import FilePosition
from convtrack.streams.metrics import (
    UNKNOWN_TENANT,
    IngestCounters,
    IngestTally,
    IngestWindow,
    MetricsAggregator,
    ReasonCounts,
)
from convtrack.streams.validate import Pseudonymizer, Validator
from tests.streams.attribute.events import at
from tests.streams.validate.support import CONFIG, KEY, RECEIVED, exposure


def test_outcomes_become_counts_in_the_validators_clock_minute() -> None:
    validator = Validator(CONFIG, Pseudonymizer(KEY))
    metrics = MetricsAggregator(shard=3)
    inputs = [
        orjson.dumps(exposure(event_id="00000000-0000-4000-8000-000000000001")),
        orjson.dumps(exposure(event_id="00000000-0000-4000-8000-000000000001")),
        orjson.dumps(
            exposure(
                event_id="00000000-0000-4000-8000-000000000002",
                occurred_at="2026-11-02T09:10:00Z",
            )
        ),
        orjson.dumps(exposure(relevance=7)),
        b"{not json",
    ]
    tally = IngestTally()
    for line, raw in enumerate(inputs, start=1):
        late_before = validator.stats.late_accepted
        outcome = validator.validate(raw, FilePosition(path="in.jsonl", line=line), RECEIVED)
        late = validator.stats.late_accepted > late_before
        tally.add(outcome, late, validator.watermark or RECEIVED)
    for tenant, minute, counts in tally.totals():
        metrics.add_ingest(tenant, minute, counts)
    rows = {(s.shard, s.window): s.counters for s in metrics.flush().ingest}
    assert rows == {
        (3, IngestWindow("acme-travel", at(15))): IngestCounters(
            inputs=4,
            valid=2,
            duplicates=1,
            late_accepted=1,
            dead_letters=1,
            dead_letters_by_reason=ReasonCounts((("schema_violation", 1),)),
        ),
        (3, IngestWindow(UNKNOWN_TENANT, at(15))): IngestCounters(
            inputs=1,
            dead_letters=1,
            dead_letters_by_reason=ReasonCounts((("invalid_json", 1),)),
        ),
    }
