"""The alert stage's bytes: the metric reports the raw stage publishes, and the judge's saved
state. Compact JSON, many snapshots to a record (faust's cost is per record), counters as the
raw stage saves them (`codec.tally_of`: only the non-zero fields, fixed-point in millionths), so
sums stay exact.

    record   {"f": 1, "r": [[shard, clock µs | null, [surface row...], [ingest row...]], ...]}
    surface  [shard, tenant, surface, surface_id, minute µs, part, version, counts, money]
    ingest   [shard, tenant, minute µs, part, version, [inputs, valid, dup, late, dead], reasons]
"""

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import orjson

from convtrack.schemas.types import Surface
from convtrack.streams.alerts.judge import MetricReport
from convtrack.streams.metrics import (
    IngestSnapshot,
    IngestWindow,
    SurfaceSnapshot,
    SurfaceWindow,
)
from convtrack.streams.metrics.tally import Tally
from convtrack.streams.worker.codec import (
    from_micros,
    ingest_counters,
    ingest_fields,
    micros,
    tally_of,
)

FORMAT = 1
"""Bumped on an incompatible change, so a judge never misreads a record it does not know."""


class UnknownFormatError(ValueError):
    """A metric record written in a format this code does not read."""


def encode_reports(reports: Sequence[MetricReport]) -> bytes:
    return orjson.dumps(
        {
            "f": FORMAT,
            "r": [
                [
                    report.shard,
                    None if report.clock is None else micros(report.clock),
                    [_surface(s) for s in report.surfaces],
                    [_ingest(i) for i in report.ingest],
                ]
                for report in reports
            ],
        }
    )


def decode_reports(value: bytes) -> list[MetricReport]:
    document = orjson.loads(value)
    if not isinstance(document, dict) or document.get("f") != FORMAT:
        raise UnknownFormatError(f"not a metric record of format {FORMAT}")
    return [
        MetricReport(
            shard,
            None if clock is None else from_micros(clock),
            [_to_surface(row) for row in surfaces],
            [_to_ingest(row) for row in ingest],
        )
        for shard, clock, surfaces, ingest in document["r"]
    ]


def encode_rows(surfaces: Sequence[SurfaceSnapshot], ingest: Sequence[IngestSnapshot]) -> bytes:
    return orjson.dumps([[_surface(s) for s in surfaces], [_ingest(i) for i in ingest]])


def decode_rows(value: bytes) -> tuple[list[SurfaceSnapshot], list[IngestSnapshot]]:
    surfaces, ingest = orjson.loads(value)
    return [_to_surface(row) for row in surfaces], [_to_ingest(row) for row in ingest]


def encode_progress(
    clocks: dict[int, datetime], next_period: datetime | None, next_chunk: int
) -> bytes:
    return orjson.dumps(
        {
            "c": [[shard, micros(at)] for shard, at in sorted(clocks.items())],
            "n": None if next_period is None else micros(next_period),
            "k": next_chunk,
        }
    )


def decode_progress(value: bytes) -> tuple[dict[int, datetime], datetime | None, int]:
    document = orjson.loads(value)
    clocks = {shard: from_micros(at) for shard, at in document["c"]}
    next_period = None if document["n"] is None else from_micros(document["n"])
    return clocks, next_period, document["k"]


def _surface(snapshot: SurfaceSnapshot) -> list[Any]:
    tenant, surface, surface_id, start = snapshot.window
    tally = tally_of(snapshot.counters)
    money = [[field, currency, str(amount)] for (field, currency), amount in tally.money.items()]
    return [
        snapshot.shard,
        tenant,
        surface.value,
        surface_id,
        micros(start),
        snapshot.part,
        snapshot.version,
        tally.counts,
        money,
    ]


def _to_surface(row: list[Any]) -> SurfaceSnapshot:
    shard, tenant, surface, surface_id, start, part, version, counts, money = row
    tally = Tally()
    tally.counts.update(counts)
    for field, currency, amount in money:
        tally.money[(field, currency)] = Decimal(amount)
    window = SurfaceWindow(tenant, Surface(surface), surface_id, from_micros(start))
    return SurfaceSnapshot(shard, window, part, version, tally.counters())


def _ingest(snapshot: IngestSnapshot) -> list[Any]:
    numbers, reasons = ingest_fields(snapshot.counters)
    window = snapshot.window
    return [
        snapshot.shard,
        window.tenant_id,
        micros(window.window_start),
        snapshot.part,
        snapshot.version,
        numbers,
        reasons,
    ]


def _to_ingest(row: list[Any]) -> IngestSnapshot:
    shard, tenant, start, part, version, numbers, reasons = row
    counters = ingest_counters(numbers, reasons)
    return IngestSnapshot(shard, IngestWindow(tenant, from_micros(start)), part, version, counters)
