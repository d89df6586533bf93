"""Scenarios shipped inside the package (tutor/data/scenarios/*.toml)."""

from __future__ import annotations

from importlib.resources import files

from tutor.sim.spec import Scenario

from .loader import parse_scenario


def builtin_names() -> list[str]:
    """The names of the shipped scenarios, e.g. ["demo"]."""
    folder = files("tutor") / "data" / "scenarios"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def builtin_scenario(name: str) -> Scenario:
    """A shipped scenario by name; KeyError if there is none."""
    if name not in builtin_names():
        raise KeyError(name)
    text = (files("tutor") / "data" / "scenarios" / f"{name}.toml").read_text(encoding="utf-8")
    return parse_scenario(text, source=f"{name}.toml", default_title=name)
