"""Lessons: lesson files, the LessonRun state machine, the prerequisite graph, progress and checks.

Names load on first use (PEP 562), so that the menu, which needs only the catalog and progress, opens
without importing the engine that lesson runs play on."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

# Loaded now: the function `latency` shares its module's name, which importing the module would bind here.
from .latency import Latency, latency

#: each public name and the module that defines it
_WHERE = {"Catalog": "catalog", "Item": "catalog", "builtin_dir": "catalog", "load_catalog": "catalog",
          "LessonError": "errors", "Verdict": "judge", "Lesson": "model", "Question": "model", "Step": "model",
          "Wait": "model", "load_lesson": "parse", "parse_lesson": "parse", "ProgressStore": "progress", "data_dir": "progress", "LessonRun": "run",
          "Result": "run"}

__all__ = sorted([*_WHERE, "Latency", "latency"])

if TYPE_CHECKING:
    from .catalog import Catalog, Item, builtin_dir, load_catalog
    from .errors import LessonError
    from .judge import Verdict
    from .model import Lesson, Question, Step, Wait
    from .parse import load_lesson, parse_lesson
    from .progress import ProgressStore, data_dir
    from .run import LessonRun, Result


def __getattr__(name: str) -> Any:
    """A public name, imported from its module the first time it is asked for."""
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{_WHERE[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The public names, loaded or not."""
    return sorted(set(globals()) | set(__all__))
