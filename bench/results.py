"""Benchmark results as rows, printed and written to docs/benchmarks.md with the machine."""

import os
import platform
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Result:
    name: str
    value: float
    unit: str
    target: str = ""
    met: bool | None = None
    """None where there is no target."""

    @property
    def verdict(self) -> str:
        return {True: "met", False: "MISSED", None: ""}[self.met]


def at_least(name: str, value: float, unit: str, target: float) -> Result:
    return Result(name, value, unit, f">= {target:g}", value >= target)


def at_most(name: str, value: float, unit: str, target: float) -> Result:
    return Result(name, value, unit, f"<= {target:g}", value <= target)


def machine() -> str:
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def table(results: list[Result]) -> str:
    lines = ["| figure | value | target | verdict |", "|---|---:|---|---|"]
    for r in results:
        value = f"{r.value:,.3f}" if abs(r.value) < 10 else f"{r.value:,.0f}"
        lines.append(f"| {r.name} | {value} {r.unit} | {r.target} | {r.verdict} |")
    return "\n".join(lines)


def write_markdown(
    path: Path,
    sections: dict[str, list[Result]],
    notes: str,
    section_notes: Mapping[str, str] | None = None,
) -> None:
    """`notes` end the page; `section_notes[title]` follows that section's table."""
    parts = [
        "# Benchmarks",
        "",
        f"Measured by `make bench` on {datetime.now(UTC):%Y-%m-%d} ({machine()}).",
        "Ratios compare with a baseline measured in the same run over the same bytes, so they",
        "travel between machines better than absolute rates do.",
        "",
    ]
    for title, results in sections.items():
        parts += [f"## {title}", "", table(results), ""]
        if text := (section_notes or {}).get(title, "").strip():
            parts += [text, ""]
    parts += [notes.strip(), ""]
    path.write_text("\n".join(parts))
