"""A client that fails on cue, a clock that moves when told, and a sleep that only records."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from clickhouse_connect.driver.client import Client


@dataclass
class Insert:
    table: str
    rows: list[tuple[Any, ...]]
    token: str


@dataclass
class FakeClient:
    failures: list[Exception] = field(default_factory=list)
    """Raised by the next inserts, in order; then inserts succeed."""
    describe_error: Exception | None = None
    attempts: list[Insert] = field(default_factory=list)
    landed: list[Insert] = field(default_factory=list)

    def create_insert_context(self, table: str, column_names: Sequence[str]) -> Any:
        if self.describe_error is not None:
            raise self.describe_error
        return _Context(column_types=[object()] * len(column_names))

    def insert(
        self,
        table: str,
        data: Sequence[tuple[Any, ...]],
        column_names: Sequence[str],
        column_types: Sequence[Any],
        settings: dict[str, str],
    ) -> None:
        attempt = Insert(table, list(data), settings["insert_deduplication_token"])
        self.attempts.append(attempt)
        if self.failures:
            raise self.failures.pop(0)
        self.landed.append(attempt)

    @property
    def client(self) -> Client:
        return cast(Client, self)


@dataclass
class _Context:
    column_types: list[object]


@dataclass
class Clock:
    now: float = 1_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Sleeps:
    waited: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.waited.append(seconds)
