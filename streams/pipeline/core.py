"""validate -> attribute (+ durable trust) -> metrics -> alerts, in one pass per batch.

One `Pipeline` serves one ordered input (a file, or the partitions one worker owns). Its clock is
the validate stage's event-time watermark, never the wall clock, so a replay of a file produces
exactly what the live run produced. Work that scans state (expiring idle conversations and
users) runs when that clock crosses an hour, not per event; alerts judge a base period once the
clock is `alert_grace` past its end, so events a little late still count, and on what came in
before that moment only, wherever it falls in a batch: alerts never depend on batch sizes.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from convtrack.contracts import ContractBook
from convtrack.schemas.dead_letter import DeadLetter, Reason, SourcePosition
from convtrack.streams.alerts import Alert, AlertEvaluator, AlertTuning
from convtrack.streams.alerts.judge import AlertJudge, MetricReport
from convtrack.streams.alerts.measures import period_start
from convtrack.streams.attribute import (
    Attributor,
    Change,
    ConversationKey,
    ConversationState,
    Limits,
    TrustTracker,
)
from convtrack.streams.attribute.trust import ReturningConverter
from convtrack.streams.metrics import (
    Flush,
    IngestSnapshot,
    IngestTally,
    MetricsAggregator,
    SurfaceSnapshot,
)
from convtrack.streams.validate import Duplicate, Validator, ValidEvent
from convtrack.streams.validate.deadletter import duplicate_dead_letter

_HOUSEKEEPING = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class PipelineConfig:
    shard: int = 0
    """Owner of this pipeline's metric partials (a Kafka partition, or 0 when embedded)."""
    alert_tuning: AlertTuning = field(default_factory=AlertTuning)
    alert_grace: timedelta = timedelta(hours=1)
    """How long past a period's end the clock must be before the period is judged."""
    trust: bool = True
    """Track durable trust here. False where it runs elsewhere: a Kafka partition sees only
    part of a user's conversations (DESIGN.md, Storage, trap 2)."""
    alerts: bool = True
    """Judge alerts here. False where this pipeline's metrics are one partial among several."""
    hot_conversations: int = 0
    """See `Limits.hot`."""


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """Where a batch's clock reached the judgement of one or more periods: their windows that
    changed in the batch, as they stood before the input that moved the clock there."""

    clock: datetime
    """The clock after that input: at least the closed periods' end plus the grace."""
    closing: Flush
    """Those windows, with the versions the batch's flush gives them: for judges only, never
    stored, as the flush may give the same version more counters (events after the moment).
    A judge ignores that later copy, since by then the clock has closed the period."""


@dataclass(slots=True)
class Output:
    """Everything one batch produced, for the sinks."""

    events: list[ValidEvent] = field(default_factory=list)
    dead_letters: list[DeadLetter] = field(default_factory=list)
    """Everything for the dead-letter table and topic: the rejected inputs and, with reason
    `duplicate`, the duplicates. Counts of dead letters are of `rejected` only."""
    duplicates: int = 0
    changes: list[Change] = field(default_factory=list)
    returning: list[ReturningConverter] = field(default_factory=list)
    surface_snapshots: list[SurfaceSnapshot] = field(default_factory=list)
    ingest_snapshots: list[IngestSnapshot] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    checkpoints: list[Checkpoint] = field(default_factory=list)
    """For the alert judge (see `reports`); not stored."""
    evicted: list[ConversationKey] = field(default_factory=list)
    """Conversations expired from memory (their saved state can go too)."""

    def reports(self, shard: int, clock: datetime | None) -> list[MetricReport]:
        """What this batch tells an alert judge, in order: the windows of the periods each
        checkpoint closed, with the clock that closed them, then the batch's flush with
        `clock`, the clock after the batch. The embedded pipeline feeds its own judge these,
        a Kafka worker sends them to its alert stage."""
        reports = [
            MetricReport(shard, c.clock, c.closing.surfaces, c.closing.ingest)
            for c in self.checkpoints
        ]
        reports.append(MetricReport(shard, clock, self.surface_snapshots, self.ingest_snapshots))
        return reports

    @property
    def rejected(self) -> list[DeadLetter]:
        """The dead letters of malformed input: every one but the duplicates', which count as
        `duplicates` (a dead-letter rate or spike is about what producers got wrong)."""
        return [d for d in self.dead_letters if d.reason is not Reason.DUPLICATE]


class Pipeline:
    def __init__(
        self,
        validator: Validator,
        contracts: ContractBook,
        config: PipelineConfig | None = None,
        restore: Callable[[ConversationKey], ConversationState | None] | None = None,
    ) -> None:
        """`restore`: see `Attributor`."""
        self.config = config or PipelineConfig()
        self.validator = validator
        limits = Limits(hot=self.config.hot_conversations)
        self.attributor = Attributor(contracts, limits, restore=restore)
        self.trust = TrustTracker(contracts)
        self.metrics = MetricsAggregator(self.config.shard, validator.config.lateness)
        evaluator = AlertEvaluator(contracts, self.config.alert_tuning)
        self.judge = AlertJudge(evaluator, 1, self.config.alert_grace)
        """Judges this pipeline's periods where it raises alerts (`config.alerts`), by the
        rules a Kafka worker's alert stage judges its partitions' by."""
        self.housekept_at: datetime | None = None
        """The clock at the last housekeeping (expiring conversations, trust users and metric
        windows). Saved state keeps it, so a restored pipeline expires at the same moments as
        the one it replaces: where a restatement lands depends on the metric horizon."""

    def process(
        self,
        inputs: Iterable[tuple[bytes, SourcePosition]],
        received_at: datetime,
        version_floor: int = 0,
    ) -> Output:
        """Runs a batch of raw inputs received at `received_at` (the only wall-clock input: it
        bounds future timestamps). Never raises on bad input: that becomes dead letters.

        Attribution sees the batch's valid events at once (see `Attributor.apply_batch`), so
        `changes` holds one change per fact the batch moved, not one per event. The exception
        is a clock that reaches a moment due inside the batch, housekeeping (an hour after the
        last) or a period's judgement (its end plus the grace): what came before is settled,
        and the housekeeping or judging done, right there. So where the batches were cut
        changes neither what an alert sees (`Checkpoint`) nor which part of a window a late
        restatement lands in, which a batch replayed after a crash must write again as before.
        `version_floor`: see `MetricsAggregator.flush`."""
        output = Output()
        ingest = IngestTally()
        settled = 0
        """output.events[:settled] are attributed."""
        validator = self.validator
        trust = self.config.trust
        judgement = self._judgement_after(validator.watermark)
        due = self._due(judgement)
        for raw, source in inputs:
            late_before = validator.stats.late_accepted
            outcome = validator.validate(raw, source, received_at)
            clock = validator.watermark
            if clock is not None and (due is None or clock >= due):
                self._settle(output, settled, ingest)
                settled, ingest = len(output.events), IngestTally()
                if self.housekept_at is None or clock >= self.housekept_at + _HOUSEKEEPING:
                    self._housekeep(clock, output)
                if judgement is None or clock >= judgement:
                    self._close_periods(judgement, clock, output, version_floor)
                    judgement = self._judgement_after(clock)
                due = self._due(judgement)
            if isinstance(outcome, ValidEvent):
                output.events.append(outcome)
                for converter in self.trust.apply(outcome.event) if trust else ():
                    self.metrics.add_returning(converter)
                    output.returning.append(converter)
            elif isinstance(outcome, Duplicate):
                output.duplicates += 1
                output.dead_letters.append(duplicate_dead_letter(outcome))
            else:
                output.dead_letters.append(outcome)
            if clock is not None:
                ingest.add(outcome, validator.stats.late_accepted > late_before, clock)
        self._settle(output, settled, ingest)
        clock = validator.watermark
        if clock is not None:
            self._advance(clock, output, final=False, version_floor=version_floor)
        return output

    def finish(self) -> Output:
        """End of input: flushes every window and judges every period the input covered."""
        output = Output()
        clock = self.validator.watermark
        if clock is not None:
            self._advance(clock, output, final=True)
        return output

    def resume_housekeeping(self, housekept_at: datetime) -> None:
        """A saved pipeline's last housekeeping: its metric horizon and when the next is due.
        (Conversations and users come back from saved state already expired.)"""
        self.metrics.expire(housekept_at)
        self.housekept_at = housekept_at

    def _settle(self, output: Output, settled: int, ingest: IngestTally) -> None:
        """Attributes the events after `output.events[:settled]` and counts `ingest`."""
        for tenant, at, counts in ingest.totals():
            self.metrics.add_ingest(tenant, at, counts)
        changes = self.attributor.apply_batch(e.event for e in output.events[settled:])
        output.changes += changes
        self.metrics.apply_all(changes)

    def _due(self, judgement: datetime | None) -> datetime | None:
        """The next clock at which a batch stops to housekeep or judge; None: at any clock."""
        if judgement is None or self.housekept_at is None:
            return None
        return min(judgement, self.housekept_at + _HOUSEKEEPING)

    def _housekeep(self, clock: datetime, output: Output) -> None:
        output.evicted += self.attributor.expire(clock)
        self.trust.expire(clock)
        self.metrics.expire(clock)
        self.housekept_at = clock

    def _judgement_after(self, clock: datetime | None) -> datetime | None:
        """The first moment after `clock` at which a period is due to be judged."""
        if clock is None:
            return None
        period, grace = self.config.alert_tuning.period, self.config.alert_grace
        return period_start(clock - grace, period) + period + grace

    def _close_periods(
        self, due: datetime | None, clock: datetime, output: Output, version_floor: int
    ) -> None:
        """The clock has just reached `clock`, at or past `due`, the judgement of the first
        period not closed yet: the windows of every period it closes, as they stand now, are
        what a judge sees of them (`Output.reports`). Periods closed before hold nothing a
        judge would still take.
        `due` is None for the first clock this pipeline sees: it closes the periods before it
        with nothing in them, as an input behind them arrives after the clock passed them."""
        period, grace = self.config.alert_tuning.period, self.config.alert_grace
        closed = period_start(clock - grace, period)
        since = closed if due is None else due - grace - period
        closing = self.metrics.peek(since, closed, version_floor)
        output.checkpoints.append(Checkpoint(clock, closing))

    def _advance(
        self, clock: datetime, out: Output, *, final: bool, version_floor: int = 0
    ) -> None:
        flush = self.metrics.flush(version_floor)
        out.surface_snapshots += flush.surfaces
        out.ingest_snapshots += flush.ingest
        if self.config.alerts:
            for report in out.reports(0, clock):
                out.alerts += self.judge.add(report)
            if final:
                out.alerts += self.judge.finish()
