"""Read a what-if scenario file (YAML) for ``productpath forecast compare --scenario FILE``.

The format is in docs/forecast.md. Every problem names the file, the line and the field; the
changes keep their line so that applying them (unknown ids, a team left with no capacity, a
dependency loop) can be reported at the right place too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from productpath.domain.plan_inputs import KINDS, Change, Scenario, ThreePoint
from productpath.domain.roadmap import Estimate, Key, Name, Number, Text
from productpath.errors import InputError
from productpath.ingest._yaml_errors import first_problem, line_of, load_yaml, render_path

__all__ = ["parse_scenario", "read_scenario"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class _People(_Strict):
    team: Key
    count: Number = Field(default=1, gt=0)


class _Capacity(_Strict):
    team: Key
    per_week: Number


class _Dependency(_Strict):
    initiative: Key
    depends_on: Key


class _Reestimate(Estimate):
    initiative: Key


class _Move(_Strict):
    initiative: Key
    team: Key


class _ChangeSpec(_Strict):
    add_person: _People | None = None
    add_capacity: _Capacity | None = None
    set_capacity: _Capacity | None = None
    drop: Key | None = None
    start_first: Key | None = None
    add_dependency: _Dependency | None = None
    set_estimate: _Reestimate | None = None
    move: _Move | None = None

    @model_validator(mode="after")
    def _one(self) -> _ChangeSpec:
        given = [kind for kind in KINDS if getattr(self, kind) is not None]
        if len(given) != 1:
            raise ValueError(f"each change must be exactly one of: {', '.join(KINDS)}")
        return self


class _ScenarioSpec(_Strict):
    name: Name | None = None
    description: Text = ""
    changes: tuple[_ChangeSpec, ...]

    @field_validator("changes")
    @classmethod
    def _some(cls, value: tuple[_ChangeSpec, ...]) -> tuple[_ChangeSpec, ...]:
        # Checked here, not with min_length: a list whose every item is wrong would otherwise
        # be reported as empty rather than at the wrong item.
        if not value:
            raise ValueError("must list at least one change")
        return value


def read_scenario(path: Path) -> Scenario:
    """The scenario in the file at ``path``; raises InputError naming file, line and field."""
    if not path.is_file():
        raise InputError("file not found" if not path.exists() else "not a file", file=path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError("not UTF-8 text; save the file as UTF-8", file=path) from exc
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", file=path) from exc
    return parse_scenario(text, file=path)


def parse_scenario(text: str, file: str | Path = "<scenario>") -> Scenario:
    root = load_yaml(text, file)
    if not isinstance(root, dict):
        raise InputError(
            "the top level must be a mapping with a 'changes' list (see docs/forecast.md)",
            file=file,
            line=1,
        )
    try:
        spec = _ScenarioSpec.model_validate(_plain(root))
    except ValidationError as exc:
        loc, reason, _ = first_problem(root, exc)
        raise InputError(
            reason, file=file, line=line_of(root, loc), field=render_path(loc)
        ) from None
    changes = tuple(_change(change, ("changes", n), root) for n, change in enumerate(spec.changes))
    name = spec.name or Path(str(file)).stem
    return Scenario(name=name, changes=changes, file=str(file), description=spec.description)


def _change(spec: _ChangeSpec, at: tuple[str | int, ...], root: Any) -> Change:
    kind = next(k for k in KINDS if getattr(spec, k) is not None)
    value = getattr(spec, kind)
    path = (*at, kind)
    line, field = line_of(root, path), render_path(path)
    if isinstance(value, str):
        return Change(kind=kind, target=value, line=line, field=field)
    if isinstance(value, _People):
        return Change(kind=kind, target=value.team, amount=value.count, line=line, field=field)
    if isinstance(value, _Capacity):
        return Change(kind=kind, target=value.team, amount=value.per_week, line=line, field=field)
    if isinstance(value, _Dependency):
        return Change(
            kind=kind, target=value.initiative, other=value.depends_on, line=line, field=field
        )
    if isinstance(value, _Move):
        return Change(kind=kind, target=value.initiative, other=value.team, line=line, field=field)
    assert isinstance(value, _Reestimate)
    estimate = ThreePoint(value.optimistic, value.likely, value.pessimistic)
    return Change(kind=kind, target=value.initiative, estimate=estimate, line=line, field=field)


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    for kind in (bool, str, int, float):
        if isinstance(node, kind):
            return kind(node)
    return node
