"""The "Pipeline health" dashboard for data engineers and operators: what comes in, what is
rejected and why, how late and duplicated it is, and how far behind the workers are.

Consumer lag and sink flush latency are the workers' Prometheus metrics (the store does not
have them; streams/worker/health.py): `convtrack_worker_consumer_lag` (gauge, labels topic and
partition), `convtrack_worker_sink_flush_seconds` (histogram),
`convtrack_worker_conversations` (gauge, labels partition and form) and
`convtrack_worker_partition_reseeks_total` (counter, labels topic and partition).
"""

from convtrack.dashboards.spec import (
    Annotation,
    DashboardSpec,
    Kind,
    PromPanel,
    Section,
    SqlPanel,
)

UID = "convtrack-pipeline-health"

_EVENTS = SqlPanel(
    "Events by type and schema version",
    "Valid events stored, by event time. A type going quiet, or an old schema version that "
    "will not die, shows here first.",
    "SELECT $__timeInterval(occurred_at) AS time,\n"
    "    concat(event_type, ' v', toString(schema_version)) AS event, count() AS events\n"
    "FROM events FINAL\n"
    "WHERE $__timeFilter(occurred_at)\n"
    "GROUP BY time, event\nORDER BY time, event",
    ("time", "event", "events"),
    series="event",
    bars=True,
    stacked=True,
    width=24,
)

_SHARES = SqlPanel(
    "Late, duplicate and dead-letter share",
    "Late: valid events accepted behind the newest event time / valid events. Duplicate and "
    "dead letter: / all inputs. Per minute of the validator's event-time clock.",
    "SELECT $__timeInterval(window_start) AS time,\n"
    "    toFloat64(sum(late_accepted) / nullIf(sum(valid), 0)) AS late_share,\n"
    "    toFloat64(sum(duplicates) / nullIf(sum(inputs), 0)) AS duplicate_share,\n"
    "    toFloat64(sum(dead_letters) / nullIf(sum(inputs), 0)) AS dead_letter_share\n"
    "FROM ingest_metrics_totals\n"
    "WHERE $__timeFilter(window_start)\n"
    "GROUP BY time\nORDER BY time",
    ("time", "late_share", "duplicate_share", "dead_letter_share"),
    unit="percentunit",
)

_REASONS = SqlPanel(
    "Dead letters by reason",
    "Rejected inputs per reason code (README: Bad input, dead letters). Fix the producer, "
    "then `convtrack replay` the fixed dead letters.",
    "SELECT $__timeInterval(window_start) AS time, reason, sum(n) AS dead_letters\n"
    "FROM ingest_metrics_totals\n"
    "ARRAY JOIN mapKeys(dead_letters_by_reason) AS reason,\n"
    "    mapValues(dead_letters_by_reason) AS n\n"
    "WHERE $__timeFilter(window_start)\n"
    "GROUP BY time, reason\nORDER BY time, reason",
    ("time", "reason", "dead_letters"),
    series="reason",
    bars=True,
    stacked=True,
)

_SAMPLE = SqlPanel(
    "Newest dead letters",
    "The 50 most recently received dead letters of rejected input, whatever the time range: "
    "they wait to be fixed and replayed (duplicates, which are never replayed, are left out). "
    "The source is topic/partition@offset or file:line.",
    "SELECT received_at, ifNull(tenant_id, '') AS tenant, reason, stage,\n"
    "    ifNull(event_type, '') AS event_type, message,\n"
    "    if(source_kind = 'kafka',\n"
    "       concat(ifNull(source_topic, ''), '/', toString(source_partition), '@',\n"
    "              toString(source_offset)),\n"
    "       concat(ifNull(source_path, ''), ':', toString(source_line))) AS source\n"
    "FROM dead_letters FINAL\n"
    "WHERE reason != 'duplicate'\n"
    "ORDER BY received_at DESC, dead_letter_id\nLIMIT 50",
    ("received_at", "tenant", "reason", "stage", "event_type", "message", "source"),
    kind=Kind.TABLE,
    width=24,
    height=10,
)

_LAG = PromPanel(
    "Consumer lag",
    "Records each worker's consumer group still has to read, per topic and partition "
    "(worker metric convtrack_worker_consumer_lag). Growing lag: add partitions and workers "
    "(docs/scaling.md).",
    (("sum by (topic, partition) (convtrack_worker_consumer_lag)", "{{topic}}/{{partition}}"),),
)

_FLUSH = PromPanel(
    "Sink flush latency",
    "How long writing one batch's output to ClickHouse takes, waits for an unavailable "
    "store included (worker metric convtrack_worker_sink_flush_seconds). p95 well above the "
    "batch age means the store is the bottleneck.",
    tuple(
        (
            f"histogram_quantile({q}, sum by (le) "
            "(rate(convtrack_worker_sink_flush_seconds_bucket[$__rate_interval])))",
            f"p{round(q * 100)}",
        )
        for q in (0.5, 0.95)
    ),
    unit="s",
)

_CONVERSATIONS = PromPanel(
    "Conversations in attribution state",
    "Live conversations each worker holds, per raw partition: packed (~250 B each) or "
    "unpacked with their facts (~4 KB; worker metric convtrack_worker_conversations). Unpacked "
    "pinned at its share of CONVTRACK_HOT_CONVERSATIONS while packed ones keep being fed: "
    "raise the setting if memory allows.",
    (
        (
            "sum by (partition, form) (convtrack_worker_conversations)",
            "{{partition}} {{form}}",
        ),
    ),
)

_REPAIRS = PromPanel(
    "Partition repairs",
    "Seeks the worker's watchdog made to fetch records again: records read but never handed "
    "to the agent, committed past but never processed, or waiting on the broker while the "
    "partition is not fetched (worker metric convtrack_worker_partition_reseeks_total). A "
    "few around restarts and rebalances are expected (faust drops records then); steady "
    "repairs outside them: read the worker's log, which says why each one was made.",
    (
        (
            "sum by (topic, partition) "
            "(increase(convtrack_worker_partition_reseeks_total[$__rate_interval]))",
            "{{topic}}/{{partition}}",
        ),
    ),
)

_DEAD_LETTER_ALERTS = Annotation(
    "dead-letter alerts",
    "SELECT started_at AS time, resolved_at AS timeEnd,\n"
    "    concat(rule, ' ', state, ' for ', tenant_id) AS text,\n"
    "    concat(rule, ',', severity) AS tags\n"
    "FROM alerts FINAL\n"
    "WHERE $__timeFilter(started_at) AND rule = 'dead_letter_spike'\n"
    "ORDER BY time",
)


def pipeline_health() -> DashboardSpec:
    return DashboardSpec(
        uid=UID,
        title="Pipeline health",
        description="Instrumentation health: inputs, dead letters, late and duplicate events, "
        "consumer lag, sink latency, attribution state and partition repairs.",
        sections=(
            Section("Ingest", (_EVENTS, _SHARES, _REASONS, _SAMPLE)),
            Section("Workers (Prometheus)", (_LAG, _FLUSH, _CONVERSATIONS, _REPAIRS)),
        ),
        annotations=(_DEAD_LETTER_ALERTS,),
    )
