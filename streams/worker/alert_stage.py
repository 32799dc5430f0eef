"""The alert agent's batch, and the alert judge's saved state (no faust here: `app` wires it).

Per batch of metric records, in offset order: every report through the judge (judging after
each, so a period's outcome does not depend on where batches were cut), the alerts written to
ClickHouse and flushed, then the state saved, then the alerts logged. A crash before the commit
replays the batch: the saved state ignores what it already holds, and a period judged again from
older state gives the same alerts under the same ids, which the `alerts` table
(ReplacingMergeTree(version) on alert_id, read with FINAL) stores once.

Saved in its own table, every key under the metrics topic's partition (`0|kind|...`):
- `0|p|` progress: the shard clocks, the next period to judge, the next chunk number;
- `0|r|period|chunk`: the snapshots of one unjudged period that one batch took in, at most
  `SNAPSHOTS_PER_RECORD` to a chunk (deleted once the period is judged);
- `0|e|` the evaluator's baselines and open incidents (`alerts.state`), rewritten after a
  batch that judged a period.
"""

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import datetime

import orjson

from convtrack.contracts import ContractBook
from convtrack.streams.alerts import Alert, AlertEvaluator, describe
from convtrack.streams.alerts.judge import AlertJudge
from convtrack.streams.alerts.state import export_state, restore_state
from convtrack.streams.metrics import IngestSnapshot, SurfaceSnapshot
from convtrack.streams.pipeline import Output, PipelineConfig
from convtrack.streams.worker import codec
from convtrack.streams.worker.alert_codec import (
    decode_progress,
    decode_reports,
    decode_rows,
    encode_progress,
    encode_rows,
)
from convtrack.streams.worker.health import WorkerHealth
from convtrack.streams.worker.records import METRICS_PARTITION, SNAPSHOTS_PER_RECORD, RawRecord
from convtrack.streams.worker.stages import Assigned, Ready, Saved, StoreGate, _Stage
from convtrack.streams.worker.state import StateTable

log = logging.getLogger("convtrack.worker.alerts")
PROGRESS, ROWS, EVALUATOR = "p", "r", "e"


class AlertState:
    """The judge's state in a table: rows appended per batch as chunks, so a batch writes only
    what it took in; a judged period's chunks are deleted."""

    def __init__(self, table: StateTable) -> None:
        self.table = table
        self._next_chunk = 0
        self._chunks: dict[int, list[bytes]] = {}
        """Period start (µs) -> its chunk keys."""

    def restore(self, judge: AlertJudge) -> None:
        clocks: dict[int, datetime] = {}
        next_period: datetime | None = None
        surfaces: list[SurfaceSnapshot] = []
        ingest: list[IngestSnapshot] = []
        for raw_key, value in self.table.items_of(METRICS_PARTITION):
            _, kind, parts = codec.split_key(raw_key)
            if kind == PROGRESS:
                clocks, next_period, self._next_chunk = decode_progress(value)
            elif kind == ROWS:
                self._chunks.setdefault(int(parts[0]), []).append(raw_key)
                chunk_surfaces, chunk_ingest = decode_rows(value)
                surfaces += chunk_surfaces
                ingest += chunk_ingest
            elif kind == EVALUATOR:
                restore_state(judge.evaluator, orjson.loads(value))
        judge.restore(clocks, next_period, surfaces, ingest)

    def save(self, judge: AlertJudge) -> None:
        changes = judge.take_changes()
        for period, rows in changes.accepted.items():
            start = codec.micros(period)
            surfaces, ingest = list(rows.surfaces.values()), list(rows.ingest.values())
            # Chunks of at most SNAPSHOTS_PER_RECORD, like the reports: a changelog record over
            # the broker's size limit would stop the worker.
            while surfaces or ingest:
                taken = min(len(surfaces), SNAPSHOTS_PER_RECORD)
                rest = SNAPSHOTS_PER_RECORD - taken
                key = codec.key(METRICS_PARTITION, ROWS, str(start), f"{self._next_chunk:012d}")
                self._next_chunk += 1
                self.table.set(key, encode_rows(surfaces[:taken], ingest[:rest]))
                self._chunks.setdefault(start, []).append(key)
                surfaces, ingest = surfaces[taken:], ingest[rest:]
        for period in changes.judged:
            for key in self._chunks.pop(codec.micros(period), []):
                self.table.delete(key)
        if changes.judged:
            evaluator = orjson.dumps(export_state(judge.evaluator))
            self.table.set(codec.key(METRICS_PARTITION, EVALUATOR), evaluator)
        if changes.accepted or changes.judged or changes.clocks:
            progress = encode_progress(judge.clocks, judge.next_period, self._next_chunk)
            self.table.set(codec.key(METRICS_PARTITION, PROGRESS), progress)


class AlertStage(_Stage):
    def __init__(
        self,
        topic: str,
        new_judge: Callable[[], AlertJudge],
        table: StateTable | None,
        gate: StoreGate,
        health: WorkerHealth,
        *,
        assigned: Assigned,
        ready: Ready,
        saved: Saved,
    ) -> None:
        """Without a table nothing is saved (tests)."""
        super().__init__(topic, gate, health, assigned=assigned, ready=ready, saved=saved)
        self._new_judge = new_judge
        self._table = table
        self._open: tuple[AlertJudge, AlertState | None] | None = None

    async def handle(self, records: Sequence[RawRecord]) -> list[Alert]:
        if METRICS_PARTITION not in await self._owned():
            # Revoked: whoever owns the partition next resumes from the saved state.
            self._open = None
        judge, state = self._current()
        alerts = await asyncio.to_thread(self._judge, judge, records)
        if alerts:
            await self._gate.write([Output(alerts=alerts)])
        if state is not None:
            state.save(judge)
            await self._saved()
        for alert in alerts:
            log.warning("alert %s: %s", alert.state.value, _line(alert))
        self._health.records.labels(self.topic).inc(len(records))
        return alerts

    def progress(self) -> str | None:
        """How far judgement got and which raw partitions it waits for (for the health log: a
        silent partition holds every alert back); None where this worker is not the judge."""
        if self._open is None:
            return None
        judge = self._open[0]
        judged = "nothing" if judge.next_period is None else f"{judge.next_period:%Y-%m-%d %H:%M}"
        return f"alerts judged up to {judged}, waiting for raw partitions {judge.waiting_for()}"

    def _current(self) -> tuple[AlertJudge, AlertState | None]:
        if self._open is None:
            judge = self._new_judge()
            state = None if self._table is None else AlertState(self._table)
            if state is not None:
                state.restore(judge)
            self._open = (judge, state)
        return self._open

    @staticmethod
    def _judge(judge: AlertJudge, records: Sequence[RawRecord]) -> list[Alert]:
        alerts: list[Alert] = []
        for record in sorted(records, key=lambda r: (r.partition, r.offset)):
            try:
                reports = decode_reports(record.value or b"")
            except (ValueError, TypeError) as error:
                # Not one of ours (someone else wrote to the topic): skipping loses nothing.
                log.warning("skipping metric record at offset %d: %s", record.offset, error)
                continue
            for report in reports:
                alerts += judge.add(report)
        return alerts


def _line(alert: Alert) -> str:
    subject = alert.subject
    where = "/".join(p for p in (subject.tenant_id, subject.surface, subject.surface_id) if p)
    window = f"{alert.window_start:%Y-%m-%d %H:%M}-{alert.window_end:%H:%M}"
    return f"{alert.rule.value} {alert.severity.value} {where} {window}: {describe(alert)}"


def embedded_judge(contracts: ContractBook, shards: int) -> AlertJudge:
    """A judge with the embedded pipeline's evaluator tuning and grace (`PipelineConfig`'s
    defaults, which `convtrack replay` and `demo` use), so both paths raise the same alerts."""
    defaults = PipelineConfig()
    evaluator = AlertEvaluator(contracts, defaults.alert_tuning)
    return AlertJudge(evaluator, shards, defaults.alert_grace)
