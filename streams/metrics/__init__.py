"""The metrics stage: per (tenant, surface, surface_id, 1-minute window) conversion-quality and
trust counters, numerators and denominators apart, emitted as versioned per-shard snapshots.

    aggregator = MetricsAggregator(shard=partition)
    aggregator.apply_all(attributor.apply(event))     # restatements subtract, then add
    aggregator.add_returning(converter)               # from TrustTracker
    aggregator.add_ingest(tenant, validator_clock, counts)
    aggregator.expire(watermark); flush = aggregator.flush()

Which window each fact counts in: `contributions`. Versions, parts and the horizon: `windows`.
"""

from convtrack.streams.metrics.aggregator import (
    DEFAULT_LATENESS,
    Flush,
    IngestSnapshot,
    IngestWindow,
    MetricsAggregator,
    SurfaceSnapshot,
)
from convtrack.streams.metrics.contributions import SurfaceWindow, contributions, minute
from convtrack.streams.metrics.counters import (
    Amounts,
    IngestCounters,
    Keyed,
    ReasonCounts,
    SurfaceCounters,
    fixed,
    seconds,
)
from convtrack.streams.metrics.ingest import UNKNOWN_TENANT, IngestTally
from convtrack.streams.metrics.windows import LIVE_PART

__all__ = [
    "DEFAULT_LATENESS",
    "LIVE_PART",
    "UNKNOWN_TENANT",
    "Amounts",
    "Flush",
    "IngestCounters",
    "IngestSnapshot",
    "IngestTally",
    "IngestWindow",
    "Keyed",
    "MetricsAggregator",
    "ReasonCounts",
    "SurfaceCounters",
    "SurfaceSnapshot",
    "SurfaceWindow",
    "contributions",
    "fixed",
    "minute",
    "seconds",
]
