"""The sink contract every stage writes through, its errors, and an in-memory sink for tests.

Backpressure, not drops: when the store stays unavailable past the retry budget, the sink keeps
everything it holds and raises `SinkBackpressure`. The caller then stops taking input (pauses
its consumer, stops reading the file), waits `retry_after` seconds, and calls `flush()` until it
returns; only then does it resume with the row that `add()` refused.
"""

from typing import Generic, Protocol, TypeVar

from convtrack.sinks.errors import StoreError

R = TypeVar("R")
R_contra = TypeVar("R_contra", contravariant=True)


class Sink(Protocol[R_contra]):
    def add(self, row: R_contra) -> None:
        """Takes the row, flushing first if the batch is due. Raises SinkBackpressure (the row
        was NOT taken: offer it again after `flush()` succeeds) or SinkRejectedError."""

    def flush_if_due(self) -> None:
        """Flushes if the batch is full or old enough; call it on a timer when input is idle."""

    def flush(self) -> None:
        """Writes everything held. Raises SinkBackpressure (nothing lost; call again later)
        or SinkRejectedError."""


class SinkError(StoreError):
    def __init__(self, message: str, table: str, pending: int) -> None:
        super().__init__(message)
        self.table = table
        self.pending = pending
        """Rows the sink still holds."""


class SinkBackpressure(SinkError):  # noqa: N818 (a flow-control signal, like StopIteration)
    """Transient failures outlasted the retry budget. Pause input; call `flush()` later."""

    def __init__(self, message: str, table: str, pending: int, retry_after: float) -> None:
        super().__init__(message, table, pending)
        self.retry_after = retry_after


class SinkRejectedError(SinkError):
    """A failure retrying cannot fix (bad credentials, unknown table or column, bad data). The
    rows are still held; stop the pipeline without committing input so nothing is lost."""


class MemorySink(Generic[R]):
    """Same contract, no database: flushes by row count only and never fails."""

    def __init__(self, max_rows: int = 1_000) -> None:
        self.max_rows = max_rows
        self.pending: list[R] = []
        self.batches: list[tuple[R, ...]] = []

    @property
    def rows(self) -> list[R]:
        """Every flushed row, in order."""
        return [row for batch in self.batches for row in batch]

    def add(self, row: R) -> None:
        self.flush_if_due()
        self.pending.append(row)

    def flush_if_due(self) -> None:
        if len(self.pending) >= self.max_rows:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.batches.append(tuple(self.pending))
            self.pending.clear()
