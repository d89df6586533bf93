"""All lessons of a folder, with per-lesson errors, ordered by their prerequisite graph."""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from importlib.resources import as_file, files
from pathlib import Path
from typing import Callable

from .errors import LessonError
from .model import Lesson
from .parse import load_lesson


class Prerequisites:
    """The prerequisite graph: lesson ids, with an edge from each prerequisite to each lesson that needs it.

    A menu holds a few dozen lessons, so plain sets do; the menu opens without loading a graph library."""

    def __init__(self, nodes: list[str]) -> None:
        self.succ: dict[str, list[str]] = {n: [] for n in nodes}

    def __contains__(self, node: object) -> bool:
        return node in self.succ

    def add_edge(self, a: str, b: str) -> None:
        """a is a prerequisite of b."""
        if b not in self.succ[a]:
            self.succ[a].append(b)

    @property
    def edges(self) -> list[tuple[str, str]]:
        """Every (prerequisite, lesson) pair."""
        return [(a, b) for a, nexts in self.succ.items() for b in nexts]

    def reach(self) -> dict[str, set[str]]:
        """Each node and every node reachable from it."""
        out: dict[str, set[str]] = {}
        for start in self.succ:
            seen, todo = {start}, [start]
            while todo:
                for b in self.succ[todo.pop()]:
                    if b not in seen:
                        seen.add(b)
                        todo.append(b)
            out[start] = seen
        return out

    def cycles(self) -> list[set[str]]:
        """The groups of two or more lessons that each need one another (the strongly connected components)."""
        reach, placed, out = self.reach(), set(), []
        for n in self.succ:
            if n not in placed:
                group = {m for m in reach[n] if n in reach[m]}
                placed |= group
                if len(group) > 1:
                    out.append(group)
        return out

    def order(self, key: Callable[[str], str]) -> list[str]:
        """Prerequisites first, the smallest key first among those ready; edges that close a cycle are ignored."""
        reach = self.reach()
        edges = [(a, b) for a, b in self.edges if a not in reach[b]]
        waiting = {n: 0 for n in self.succ}
        for _, b in edges:
            waiting[b] += 1
        ready = [(key(n), n) for n, count in waiting.items() if count == 0]
        heapq.heapify(ready)
        out: list[str] = []
        while ready:
            n = heapq.heappop(ready)[1]
            out.append(n)
            for a, b in edges:
                if a == n:
                    waiting[b] -= 1
                    if waiting[b] == 0:
                        heapq.heappush(ready, (key(b), b))
        return out


@dataclass
class Item:
    """One lesson file in the menu: the lesson, or the error that keeps it from loading."""

    path: str
    lesson: Lesson | None = None
    error: LessonError | None = None
    problems: list[str] = field(default_factory=list)   # graph problems: cycles, unknown prerequisites

    @property
    def id(self) -> str:
        """The lesson's id (the file name while it does not load)."""
        return self.lesson.id if self.lesson else Path(self.path).stem

    @property
    def title(self) -> str:
        """The lesson's title (the file name while it does not load)."""
        return self.lesson.title if self.lesson else Path(self.path).name

    @property
    def ok(self) -> bool:
        """Loaded, with no graph problems."""
        return self.lesson is not None and not self.problems


@dataclass
class Catalog:
    """The menu: items in order (prerequisites first), and the prerequisite graph."""

    items: list[Item]
    graph: Prerequisites

    @property
    def lessons(self) -> list[Lesson]:
        """The lessons that loaded, in menu order."""
        return [i.lesson for i in self.items if i.lesson is not None]

    def errors(self) -> list[str]:
        """Every problem, one line each, naming the file."""
        out = [str(i.error) for i in self.items if i.error]
        return out + [f"{i.path}: {p}" for i in self.items for p in i.problems]

    def find(self, ref: str) -> Item:
        """An item by menu number ("3") or lesson id; KeyError if there is none."""
        if ref.isdigit() and 1 <= int(ref) <= len(self.items):
            return self.items[int(ref) - 1]
        for item in self.items:
            if item.id == ref:
                return item
        raise KeyError(ref)

    def number(self, lesson_id: str) -> int:
        """The menu number of a lesson (1-based)."""
        return next(n for n, i in enumerate(self.items, start=1) if i.id == lesson_id)

    def named(self, lesson_id: str) -> str:
        """A lesson as a learner knows it: its number and title ("lesson 3 (acks=0: fire and forget)"), never its id."""
        for n, item in enumerate(self.items, start=1):
            if item.id == lesson_id:
                return f"lesson {n} ({item.title})"
        return lesson_id  # a prerequisite that is not in this folder: its id is all there is

    def prerequisites(self, lesson: Lesson, done: set[str] | None = None) -> str:
        """The lessons this one builds on (only those not done, when `done` is given), named, joined with ", "."""
        wanted = [p for p in lesson.prerequisites if done is None or p not in done]
        return ", ".join(self.named(p) for p in wanted)

    def next_lesson(self, done: set[str]) -> Item | None:
        """What to take next: the first lesson not done whose prerequisites are all done."""
        for item in self.items:
            if item.ok and item.id not in done and all(p in done for p in item.lesson.prerequisites):
                return item
        return None


def builtin_dir() -> Path:
    """The lessons shipped with the package (tutor/data/lessons)."""
    with as_file(files("tutor") / "data" / "lessons") as path:
        return Path(path)


def lesson_files(folder: Path) -> list[Path]:
    """The *.toml files of a folder, by name."""
    return sorted(p for p in Path(folder).glob("*.toml") if p.is_file())


def load_catalog(folder: str | Path | None = None) -> Catalog:
    """Load every lesson of a folder (default: the shipped ones); a bad file is an item with its error."""
    return catalog_of(lesson_files(Path(folder) if folder else builtin_dir()))


def catalog_of(paths: list[Path]) -> Catalog:
    """Load these files and order them."""
    items = [_load(p) for p in paths]
    _duplicates(items)
    graph = _graph(items)
    return Catalog(_order(items, graph), graph)


def _load(path: Path) -> Item:
    """One file; any LessonError is kept, never raised."""
    try:
        return Item(str(path), lesson=load_lesson(path))
    except LessonError as err:
        return Item(str(path), error=err)


def _duplicates(items: list[Item]) -> None:
    """Two files with one id: the later one is refused."""
    seen: dict[str, str] = {}
    for item in items:
        if item.lesson is None:
            continue
        if item.id in seen:
            item.problems.append(f"id \"{item.id}\" is already used by {seen[item.id]}")
        else:
            seen[item.id] = item.path


def _graph(items: list[Item]) -> Prerequisites:
    """Edges from each prerequisite to the lessons that need it; unknown ones and cycles are problems."""
    good = {i.id: i for i in items if i.lesson is not None and not i.problems}
    graph = Prerequisites(list(good))
    for item in good.values():
        for pre in item.lesson.prerequisites:
            if pre in good:
                graph.add_edge(pre, item.id)
            else:
                item.problems.append(f"prerequisites: unknown lesson \"{pre}\"")
    for cycle in graph.cycles():
        names = " -> ".join(sorted(cycle))
        for lesson_id in cycle:
            good[lesson_id].problems.append(f"prerequisites: a cycle ({names})")
    return graph


def _order(items: list[Item], graph: Prerequisites) -> list[Item]:
    """Prerequisites first, file name breaking ties; lessons in cycles by name; broken files last."""
    by_id: dict[str, Item] = {}
    for item in items:
        if item.lesson is not None and item.id in graph:
            by_id.setdefault(item.id, item)  # of two files with one id, the first is the lesson
    order = graph.order(key=lambda n: Path(by_id[n].path).name)
    placed = [by_id[n] for n in order]
    rest = [i for i in items if i not in placed]
    return placed + sorted(rest, key=lambda i: Path(i.path).name)
