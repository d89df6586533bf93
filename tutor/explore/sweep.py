"""Sweep files: a base scenario, the settings to vary, the faults and the seeds; checked like scenarios."""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from tutor.scenario import ScenarioError, validate
from tutor.scenario.errors import one_of, show, suggest
from tutor.scenario.events import Nodes, check_events
from tutor.scenario.limits import read_text
from tutor.scenario.loader import parse_toml
from tutor.scenario.sections import flat_settings
from tutor.scenario.values import check_value, is_int
from tutor.sim.config import SECTIONS, SETTINGS, section_keys
from tutor.sim.spec import Scenario

from .faults import BUILTIN_FAULTS

TOP_KEYS = ("title", "description", "seeds", "base", "sweep", "faults")
UNSET = "unset"  # a swept value that leaves the key out: its default (for a flush interval: never)
MAX_CONFIGS = 10_000  # a sweep this large is a typo, not a plan


@dataclass(frozen=True)
class Fault:
    """One fault of the suite: a built-in by name, or [[faults]] events of the file's own."""

    name: str
    events: list[dict[str, Any]] | None = None  # None: the built-in fault of that name

    @property
    def builtin(self) -> bool:
        """Is this one of the shipped faults (timed to each configuration's workload)?"""
        return self.events is None


@dataclass
class Sweep:
    """A checked sweep: every configuration x fault builds a valid Scenario."""

    source: str
    title: str
    description: str
    base: dict[str, Any]  # the base scenario's tables: flat sections and raw events
    axes: list[tuple[str, list[Any]]]  # ("producer.acks", ["0", "1", "all"]) in file order
    faults: list[Fault]
    seeds: list[int]
    _checked: dict[tuple[int, str], Scenario] = field(default_factory=dict, repr=False)

    def configurations(self) -> list[dict[str, Any]]:
        """Every combination of the swept values, in file order (the last axis varies fastest)."""
        names = [name for name, _ in self.axes]
        return [dict(zip(names, values)) for values in itertools.product(*(v for _, v in self.axes))]

    def fault(self, name: str) -> Fault:
        """A fault of this sweep by name."""
        found = [f for f in self.faults if f.name == name]
        if found:
            return found[0]
        if name in BUILTIN_FAULTS:
            return Fault(name)  # "none" measures latency even when the suite does not list it
        raise KeyError(name)

    def scenario(self, index: int, fault: str) -> Scenario:
        """Configuration `index` under `fault`, as the Scenario the engine runs."""
        key = (index, fault)
        if key not in self._checked:
            self._checked[key] = self._build(self.configurations()[index], self.fault(fault))
        return self._checked[key]

    def _build(self, settings: dict[str, Any], fault: Fault) -> Scenario:
        """Apply the settings to the base, add the fault's events, and check the whole."""
        data = with_settings(self.base, settings)
        try:
            plain = validate(data, self.source, self.title)
        except ScenarioError as err:
            raise ScenarioError(self.source, f"[sweep] {settings_text(settings)}", f"{err.key}: {err.message}") \
                from None
        events = BUILTIN_FAULTS[fault.name][0](plain.config) if fault.builtin else fault.events
        data["events"] = list(data.get("events", [])) + copy.deepcopy(events or [])
        try:
            scenario = validate(data, self.source, self.title)
        except ScenarioError as err:
            raise ScenarioError(self.source, f"[sweep] {settings_text(settings)} under {fault.name}",
                                f"{err.key}: {err.message}") from None
        scenario.title = f"{self.title}: {settings_text(settings) or 'base'} under {fault.name}"
        return scenario


def with_settings(base: dict[str, Any], settings: dict[str, Any]) -> dict[str, Any]:
    """A copy of the base tables with the swept settings applied ("unset" removes a key)."""
    data = copy.deepcopy(base)
    for name, value in settings.items():
        section, key = name.split(".", 1)
        table = data.setdefault(section, {})
        if value == UNSET:
            table.pop(key, None)
        else:
            table[key] = value
    return data


def settings_text(settings: dict[str, Any]) -> str:
    """`producer.acks = "all", topic.min.insync.replicas = 2`."""
    return ", ".join(f"{name} = {show(value)}" for name, value in settings.items())


def load_sweep(path: str | Path) -> Sweep:
    """Read and check a sweep file; ScenarioError names the file and the bad key."""
    try:
        text = read_text(path)  # a regular file of bounded size
    except (OSError, UnicodeDecodeError) as err:
        reason = err.strerror.lower() if isinstance(err, OSError) and err.strerror else str(err)
        raise ScenarioError(str(path), None, f"cannot read: {reason}") from None
    return parse_sweep(text, source=str(path), default_title=Path(path).stem)


def is_sweep_file(path: str | Path) -> bool:
    """Does this file look like a sweep (it has a [sweep] or [base] table) rather than a scenario?"""
    try:
        data = parse_toml(read_text(path), str(path), ScenarioError)
    except (OSError, UnicodeDecodeError, ScenarioError):
        return False  # the scenario loader says what is wrong with it
    return isinstance(data.get("sweep"), dict) or isinstance(data.get("base"), dict)


def parse_sweep(text: str, source: str = "<string>", default_title: str = "sweep") -> Sweep:
    """Parse and check sweep TOML text; every configuration x fault is built once to check it."""
    data = parse_toml(text, source, ScenarioError)  # one line for bad or too deeply nested TOML
    sweep = _sweep(data, source, default_title)
    for index in range(len(sweep.configurations())):
        for fault in sweep.faults:
            sweep.scenario(index, fault.name)
    return sweep


def _sweep(data: dict[str, Any], source: str, default_title: str) -> Sweep:
    """The parts of a sweep, each checked on its own."""
    for key in data:
        if key not in TOP_KEYS:
            hint = suggest(key, TOP_KEYS) or f"; a sweep file takes {', '.join(TOP_KEYS)}"
            raise ScenarioError(source, key, "unknown key" + hint)
    base = _base(source, data.get("base", {}))
    axes = _axes(source, data.get("sweep", {}))
    config = _base_scenario(source, base).config
    nodes = Nodes(config.cluster["brokers"], "consumer" in base, config.topic["partitions"])
    sweep = Sweep(source, _text(source, data, "title", default_title), _text(source, data, "description", ""),
                  base, axes, _faults(source, data.get("faults"), nodes), _seeds(source, data.get("seeds", [0])))
    count = len(sweep.configurations())
    if count > MAX_CONFIGS:
        raise ScenarioError(source, "[sweep]", f"makes {count} configurations; at most {MAX_CONFIGS}")
    return sweep


def _text(source: str, data: dict[str, Any], key: str, default: str) -> str:
    """A top-level string (title, description)."""
    value = data.get(key, default)
    if not isinstance(value, str):
        raise ScenarioError(source, key, f"takes a string, not {show(value)}")
    return value.strip()


def _base(source: str, raw: Any) -> dict[str, Any]:
    """[base]: a scenario's sections (flattened to dotted names) and optional [[base.events]]."""
    if not isinstance(raw, dict):
        raise ScenarioError(source, "base", "must be a table: [base.topic], [base.producer], ...")
    base: dict[str, Any] = {}
    for key, value in raw.items():
        if key == "events":
            base["events"] = value
        elif key in SECTIONS:
            try:
                base[key] = flat_settings(source, key, value) if isinstance(value, dict) else value
            except ScenarioError as err:
                raise _rebased(err) from None
        else:
            hint = suggest(key, SECTIONS + ("events",)) or "; it takes " + ", ".join(
                f"[base.{s}]" for s in SECTIONS) + " and [[base.events]]"
            raise ScenarioError(source, f"[base.{key}]", "unknown section" + hint)
    _base_scenario(source, base)
    return base


def _base_scenario(source: str, base: dict[str, Any]) -> Scenario:
    """The base on its own, checked like a scenario (errors name [base.*])."""
    try:
        return validate(copy.deepcopy(base), source)
    except ScenarioError as err:
        raise _rebased(err) from None


def _rebased(err: ScenarioError) -> ScenarioError:
    """A scenario error's key as written in a sweep file: [producer] -> [base.producer]."""
    key = err.key
    if key is not None:
        key = key.replace("[[events]]", "[[base.events]]") if key.startswith("[[") else \
            key.replace("[", "[base.", 1) if key.startswith("[") else key
    return ScenarioError(err.path, key, err.message)


def _axes(source: str, raw: Any) -> list[tuple[str, list[Any]]]:
    """[sweep]: "section.key" = [values...], each value checked against the setting."""
    if not isinstance(raw, dict):
        raise ScenarioError(source, "sweep", 'must be a table: "producer.acks" = ["0", "1", "all"]')
    axes = []
    for name, values in raw.items():
        where = f'[sweep] "{name}"'
        if isinstance(values, dict):
            raise ScenarioError(source, f"[sweep] {name}", 'quote the dotted name: "producer.acks" = [...]')
        setting = _setting(source, where, name)
        if not isinstance(values, list) or not values:
            raise ScenarioError(source, where, f"takes a non-empty array of values, not {show(values)}")
        checked = [_value(source, where, setting, i, v) for i, v in enumerate(values, start=1)]
        if len(set(map(repr, checked))) < len(checked):
            raise ScenarioError(source, where, f"lists a value twice: {show(values)}")
        axes.append((name, checked))
    return axes


def _setting(source: str, where: str, name: str) -> Any:
    """The Setting a swept "section.key" names."""
    section, _, key = name.partition(".")
    if section not in SECTIONS:
        hint = suggest(section, SECTIONS) or f"; names start with {one_of(SECTIONS)}"
        raise ScenarioError(source, where, f"unknown section {show(section)}{hint}")
    setting = SETTINGS.get((section, key))
    if setting is None:
        raise ScenarioError(source, where, f"unknown key {show(key)} in [{section}]"
                            + (suggest(key, section_keys(section)) or f"; it takes {', '.join(section_keys(section))}"))
    return setting


def _value(source: str, where: str, setting: Any, index: int, value: Any) -> Any:
    """One swept value in canonical form, or "unset"."""
    if value == UNSET:
        return UNSET
    try:
        return check_value(setting, value)
    except ValueError as err:
        raise ScenarioError(source, f"{where} value #{index}", f'{err} (or "unset" for the default)') from None


def _faults(source: str, raw: Any, nodes: Nodes) -> list[Fault]:
    """faults = ["none", ...] and/or [[faults]] tables with a name and events; absent: every built-in."""
    if raw is None:
        return [Fault(name) for name in BUILTIN_FAULTS if nodes.consumer or not BUILTIN_FAULTS[name][1]]
    if not isinstance(raw, list) or not raw:
        raise ScenarioError(source, "faults", f"takes a non-empty array of fault names or [[faults]] tables, "
                            f"not {show(raw)}")
    faults = [_fault(source, i, item, nodes) for i, item in enumerate(raw, start=1)]
    names = [f.name for f in faults]
    for name in names:
        if names.count(name) > 1:
            raise ScenarioError(source, "faults", f"names {show(name)} twice")
    return faults


def _fault(source: str, index: int, item: Any, nodes: Nodes) -> Fault:
    """One fault: a built-in name (or a table naming one), or a table with its own events."""
    where = f"faults #{index}"
    if isinstance(item, str):
        return _builtin(source, where, item, nodes)
    if not isinstance(item, dict):
        raise ScenarioError(source, where, f"takes a fault name or a table, not {show(item)}")
    for key in item:
        if key not in ("name", "events"):
            raise ScenarioError(source, f"{where} {key}", "unknown key" + (suggest(key, ("name", "events")) or
                                                                           "; a fault takes name and events"))
    name = item.get("name")
    if not isinstance(name, str) or not name:
        raise ScenarioError(source, where, f"needs name = \"...\", not {show(name)}")
    if "events" not in item:
        return _builtin(source, f"{where} name", name, nodes)
    if name in BUILTIN_FAULTS:
        raise ScenarioError(source, f"{where} name", f"{show(name)} is a built-in fault; give yours another name")
    try:
        check_events(source, item["events"], nodes)
    except ScenarioError as err:
        raise ScenarioError(source, f"{where} ({name}) {err.key}", err.message) from None
    return Fault(name, list(item["events"]))


def _builtin(source: str, where: str, name: str, nodes: Nodes) -> Fault:
    """A built-in fault by name (one that needs a consumer needs a [base.consumer])."""
    if name not in BUILTIN_FAULTS:
        hint = suggest(name, BUILTIN_FAULTS) or f"; the built-in faults are {', '.join(BUILTIN_FAULTS)}"
        raise ScenarioError(source, where, f"unknown fault {show(name)}{hint} (or a table with name and events)")
    if BUILTIN_FAULTS[name][1] and not nodes.consumer:
        raise ScenarioError(source, where, f"{name} needs a consumer: add [base.consumer]")
    return Fault(name)


def _seeds(source: str, raw: Any) -> list[int]:
    """seeds = [1, 2, 3]: distinct integers >= 0."""
    if not isinstance(raw, list) or not raw or not all(is_int(s) and s >= 0 for s in raw):
        raise ScenarioError(source, "seeds", f"takes a non-empty array of integers >= 0, not {show(raw)}")
    if len(set(raw)) < len(raw):
        raise ScenarioError(source, "seeds", f"lists a seed twice: {show(raw)}")
    return list(raw)


def default_sweep() -> Sweep:
    """The shipped sweep that `tutor explore` runs without a file."""
    text = (files("tutor") / "data" / "sweeps" / "default.toml").read_text(encoding="utf-8")
    return parse_sweep(text, source="default.toml", default_title="default sweep")
