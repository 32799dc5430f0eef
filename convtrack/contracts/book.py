"""A set of quality contracts and how one is chosen for a (tenant, surface, surface_id).

A book holds defaults and partial overrides, each for a scope. Resolution overlays, field by
field, the defaults and then every override whose scope covers the key, least specific first:
surface_id beats surface beats tenant. So `[defaults]` sets a 7-day window, a tenant override
raises the minimum relevance, and a campaign override switches the model, and the campaign
gets all three.

Contracts have no cross-field constraints, which is what makes that sound: if every override is
valid on top of the defaults alone, every combination of them is valid too, so a book that
builds can resolve any key without failing.
"""

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple, Self

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from convtrack.contracts.model import QualityContract
from convtrack.schemas.types import Identifier, Slug, Surface

Path = tuple[str | int, ...]
SCOPE_KEYS = ("tenant", "surface", "surface_id")


class Problem(NamedTuple):
    """One thing wrong with a contract definition, at a path such as
    `("overrides", 1, "attribution", "model")`."""

    path: Path
    message: str
    error_type: str


class ContractError(ValueError):
    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(f"{dotted(p.path)}: {p.message}" for p in self.problems))


class Scope(BaseModel):
    """Which keys an override applies to; an unset part matches anything."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tenant: Slug | None = None
    surface: Surface | None = None
    surface_id: Identifier | None = None

    @model_validator(mode="after")
    def _narrows_something(self) -> Self:
        if self.tenant is None and self.surface is None:
            raise ValueError(
                "an override needs tenant and/or surface (put shared settings under [defaults])"
            )
        if self.surface_id is not None and self.surface is None:
            raise ValueError("surface_id needs surface too: ids are only unique per surface")
        return self

    @property
    def specificity(self) -> tuple[bool, bool, bool]:
        return (self.surface_id is not None, self.surface is not None, self.tenant is not None)

    def covers(self, tenant: str, surface: Surface | None, surface_id: str | None) -> bool:
        return (
            (self.tenant is None or self.tenant == tenant)
            and (self.surface is None or self.surface == surface)
            and (self.surface_id is None or self.surface_id == surface_id)
        )

    @property
    def label(self) -> str:
        return " ".join(f"{key}={getattr(self, key)}" for key in SCOPE_KEYS if getattr(self, key))


class Override(NamedTuple):
    scope: Scope
    patch: Mapping[str, Any]


class ContractBook:
    """Defaults plus scoped overrides; `resolve` answers which contract judges a key."""

    def __init__(self, defaults: Mapping[str, Any], overrides: Sequence[Override]) -> None:
        self._defaults = dict(defaults)
        self._overrides = tuple(sorted(overrides, key=lambda o: o.scope.specificity))
        self._listed = tuple(overrides)
        # Few distinct surfaces exist, so caching every resolved key stays small.
        self._cache: dict[tuple[str, Surface | None, str | None], QualityContract] = {}

    @classmethod
    def from_tables(
        cls, defaults: Mapping[str, Any], overrides: Sequence[Mapping[str, Any]]
    ) -> Self:
        """Builds a book from plain tables (as read from a file), reporting every problem."""
        problems = _problems(("defaults",), {}, defaults)
        base = {} if problems else defaults
        parsed: list[Override] = []
        seen: dict[Scope, int] = {}
        for index, table in enumerate(overrides):
            where: Path = ("overrides", index)
            scope_part = {k: v for k, v in table.items() if k in SCOPE_KEYS}
            patch = {k: v for k, v in table.items() if k not in SCOPE_KEYS}
            problems += _problems(where, base, patch)
            try:
                scope = Scope.model_validate(scope_part)
            except ValidationError as error:
                problems += _from_validation(where, error)
                continue
            if scope in seen:
                message = f"same scope as overrides[{seen[scope]}]; merge the two tables"
                problems.append(Problem(where, message, "duplicate_scope"))
            seen.setdefault(scope, index)
            parsed.append(Override(scope, patch))
        if problems:
            raise ContractError(problems)
        return cls(defaults, parsed)

    @property
    def defaults(self) -> QualityContract:
        return QualityContract.model_validate(self._defaults)

    @property
    def scopes(self) -> tuple[Scope, ...]:
        """The override scopes in the order they were listed."""
        return tuple(override.scope for override in self._listed)

    def resolve(
        self, tenant: str, surface: Surface | None = None, surface_id: str | None = None
    ) -> QualityContract:
        key = (tenant, surface, surface_id)
        if (cached := self._cache.get(key)) is not None:
            return cached
        merged: dict[str, Any] = self._defaults
        for override in self._overrides:
            if override.scope.covers(tenant, surface, surface_id):
                merged = overlay(QualityContract, merged, override.patch)
        contract = self._cache[key] = QualityContract.model_validate(merged)
        return contract

    def resolve_scope(self, scope: Scope) -> QualityContract:
        """The effective contract of a listed scope (a tenant-less scope uses tenant "")."""
        return self.resolve(scope.tenant or "", scope.surface, scope.surface_id)


def overlay(
    model: type[BaseModel], base: Mapping[str, Any], patch: Mapping[str, Any]
) -> dict[str, Any]:
    """`patch` over `base`, recursing into nested rules only: a plain mapping field such as
    the intent category table is one value and is replaced whole, never merged key by key."""
    merged = dict(base)
    for key, value in patch.items():
        field = model.model_fields.get(key)
        rule = field.annotation if field is not None else None
        below = merged.get(key)
        if (
            isinstance(rule, type)
            and issubclass(rule, BaseModel)
            and isinstance(value, Mapping)
            and isinstance(below, Mapping)
        ):
            merged[key] = overlay(rule, below, value)
        else:
            merged[key] = value
    return merged


def _problems(where: Path, base: Mapping[str, Any], patch: Mapping[str, Any]) -> list[Problem]:
    try:
        QualityContract.model_validate(overlay(QualityContract, base, patch))
    except ValidationError as error:
        return _from_validation(where, error)
    return []


def _from_validation(where: Path, error: ValidationError) -> list[Problem]:
    return [Problem((*where, *e["loc"]), e["msg"], e["type"]) for e in error.errors()]


def dotted(path: Path) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else part
    return text or "(file)"
