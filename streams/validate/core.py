"""The validate stage: raw bytes of one event in, exactly one outcome out, never an exception.

Pure: no I/O and no clock; the caller passes when the input was received. The happy path costs
one pydantic pass over the bytes (a tagged union on event_type); only a failure pays for working
out why. Event-time checks use the watermark, the newest occurred_at accepted so far, rather than
the arrival clock, so replaying an old file gives the same outcomes as the first run did.
"""

from datetime import datetime

from pydantic import ValidationError

from convtrack.schemas.dead_letter import (
    DeadLetter,
    FieldError,
    Reason,
    SourcePosition,
)
from convtrack.schemas.envelope import Event
from convtrack.schemas.registry import REGISTRY, SchemaRegistry
from convtrack.streams.validate.classify import Document, NotJson, Rejection, classify, parse
from convtrack.streams.validate.config import ValidateConfig
from convtrack.streams.validate.deadletter import dead_letter
from convtrack.streams.validate.dedup import Deduplicator
from convtrack.streams.validate.outcomes import Duplicate, Outcome, ValidateStats, ValidEvent
from convtrack.streams.validate.pseudonym import Pseudonymizer


class Validator:
    """Validates, pseudonymizes and deduplicates events one at a time.

    State (the watermark and the deduplicator) lives here, so one Validator serves one ordered
    stream, e.g. one Kafka partition. `stats` accumulates over its lifetime.
    """

    def __init__(
        self,
        config: ValidateConfig,
        pseudonymizer: Pseudonymizer,
        registry: SchemaRegistry = REGISTRY,
    ) -> None:
        self.config = config
        self.pseudonymizer = pseudonymizer
        self.registry = registry
        # the schema validator itself: TypeAdapter.validate_json only forwards its defaults
        self._validate_json = registry.adapter.validator.validate_json
        self.watermark: datetime | None = None
        self.dedup = Deduplicator(config.dedup_max_ids)
        self.stats = ValidateStats()
        self._received_at: datetime | None = None
        self._future_limit: datetime | None = None
        """received_at + future_skew, for the last received_at seen."""
        self._pruned_for: datetime | None = None
        """The watermark the deduplicator last forgot up to."""

    def validate(self, raw: bytes, source: SourcePosition, received_at: datetime) -> Outcome:
        """`received_at` must be timezone-aware (a naive one is a caller bug: ValueError)."""
        # a batch passes one received_at for all its inputs: check and offset it once
        if received_at is not self._received_at:
            if received_at.utcoffset() is None:
                raise ValueError("received_at must be timezone-aware")
            self._received_at = received_at
            self._future_limit = received_at + self.config.future_skew
        if len(raw) > self.config.max_payload_bytes:
            message = (
                f"payload is {len(raw)} bytes; the limit is {self.config.max_payload_bytes} "
                "(CONVTRACK_MAX_PAYLOAD_BYTES)"
            )
            rejection = Rejection(Reason.PAYLOAD_TOO_LARGE, message)
            return self._reject(raw, parse(raw), rejection, source, received_at)
        try:
            event: Event = self._validate_json(raw)
        except ValidationError as error:
            document = parse(raw)
            rejection = classify(document, error, self.registry)
            return self._reject(raw, document, rejection, source, received_at)
        problem = self._event_time_problem(event, received_at)
        if problem is not None:
            return self._reject(raw, parse(raw), problem, source, received_at)
        user_id = self.pseudonymizer.pseudonym(event.tenant_id, event.user_id)
        # The event was built by this call and nothing else holds it yet, so replacing the
        # raw id in place is safe; model_copy cost as much as a third of validating.
        event.__dict__["user_id"] = user_id
        if self.dedup.seen(event.event_id):
            # after pseudonymizing: a duplicate is stored, as a dead letter holding the event
            self.stats.duplicates += 1
            return Duplicate(event, source, received_at, len(raw))
        self._accept(event)
        return ValidEvent(event, source, received_at)

    def _event_time_problem(self, event: Event, received_at: datetime) -> Rejection | None:
        occurred_at = event.occurred_at
        if self._future_limit is not None and occurred_at > self._future_limit:
            return _time_rejection(
                Reason.FUTURE_TIMESTAMP,
                f"occurred_at {occurred_at.isoformat()} is {occurred_at - received_at} ahead of "
                f"received_at {received_at.isoformat()}; allowed skew is "
                f"{self.config.future_skew} (CONVTRACK_FUTURE_SKEW)",
            )
        if self.watermark is not None and occurred_at < self.watermark - self.config.lateness:
            return _time_rejection(
                Reason.TOO_LATE,
                f"occurred_at {occurred_at.isoformat()} is {self.watermark - occurred_at} behind "
                f"the newest event time {self.watermark.isoformat()}; allowed lateness is "
                f"{self.config.lateness} (CONVTRACK_LATENESS)",
            )
        return None

    def _accept(self, event: Event) -> None:
        stats = self.stats
        stats.valid += 1
        occurred_at = event.occurred_at
        watermark = self.watermark
        if watermark is None or occurred_at > watermark:
            self.watermark = watermark = occurred_at
        elif occurred_at < watermark:
            stats.late_accepted += 1
        stats.dedup_evictions += self.dedup.remember(event.event_id, occurred_at)
        # forgetting is idempotent for one horizon, and the horizon moves only with the
        # watermark (which a restore may also set): skip the datetime arithmetic until then
        if watermark is not self._pruned_for:
            self._pruned_for = watermark
            self.dedup.forget_before(watermark - self.config.lateness)

    def _reject(
        self,
        raw: bytes,
        document: Document | NotJson,
        rejection: Rejection,
        source: SourcePosition,
        received_at: datetime,
    ) -> DeadLetter:
        self.stats.dead_letters[rejection.reason] += 1
        return dead_letter(
            raw,
            document,
            rejection,
            source=source,
            received_at=received_at,
            pseudonymizer=self.pseudonymizer,
        )


def _time_rejection(reason: Reason, message: str) -> Rejection:
    return Rejection(
        reason, message, (FieldError(path="occurred_at", error=reason.value, message=message),)
    )
