"""`tutor check` for lessons: the format, the graph, and every answer key played against the engine."""

from __future__ import annotations

import itertools
import re
import sys
from pathlib import Path
from typing import Any, Callable, TextIO

from tutor.scenario.limits import read_text
from tutor.sim.config import SETTINGS
from tutor.sim.simulation import StepBudgetExceeded

from . import challenge
from .catalog import catalog_of, lesson_files
from .errors import LessonError, step_label
from .judge import key_matches
from .model import Lesson, Question, split_name
from .run import QUESTION, WAIT, LessonRun, expand_locks

MAX_PAR_RUNS = 300  # a par search larger than this is cut short (and says so)
_STEPS = re.compile(r"^\s*\[\[\s*steps\s*\]\]", re.M)


def is_lesson_path(path: str | Path) -> bool:
    """A directory (of lessons or scenarios) or a file with [[steps]] tables."""
    p = Path(path)
    if p.is_dir():
        return True
    try:
        return bool(_STEPS.search(read_text(p)))
    except (OSError, UnicodeDecodeError):
        return False


def check_paths(paths: list[str], check_scenario: Callable[[str], str | None],
                out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Check files and directories; `ok FILE` for each good one, error lines on stderr; 2 on any error."""
    out, err = out or sys.stdout, err or sys.stderr
    status = 0
    for path in paths:
        files = lesson_files(Path(path)) if Path(path).is_dir() else [Path(path)]
        if Path(path).is_dir() and not files:
            print(f"{path}: no .toml files", file=err)
            status = 2
        for problems, name in _check_files(files, check_scenario, folder=Path(path).is_dir()):
            for line in problems:
                print(line, file=err)
            if problems:
                status = 2
            else:
                print(f"ok {name}", file=out)
    return status


def _check_files(files: list[Path], check_scenario: Callable[[str], str | None], folder: bool = False):
    """(problems, file) for each file: lessons with their folder's graph, scenarios by the scenario check.

    In a folder with lessons an empty file is a broken lesson, as the lessons menu shows it."""
    lessons = [f for f in files if is_lesson_path(f)]
    if folder and lessons:
        lessons += [f for f in files if f not in lessons and _is_empty(f)]
    graph = _graph_problems(lessons)
    for f in files:
        if f in lessons:
            yield graph.get(str(f), []) + check_lesson_file(f), str(f)
        else:
            problem = check_scenario(str(f))
            yield ([problem] if problem else []), str(f)


def _is_empty(path: Path) -> bool:
    """A file with nothing but blank lines and comments (which would pass as a scenario of defaults)."""
    try:
        return not any(line.strip() and not line.strip().startswith("#") for line in read_text(path).splitlines())
    except (OSError, UnicodeDecodeError):
        return False


def _graph_problems(files: list[Path]) -> dict[str, list[str]]:
    """Cycles, unknown prerequisites and duplicate ids, among the lessons of the files' folders."""
    folders = {f.parent for f in files}
    siblings = sorted({p for d in folders for p in lesson_files(d)} | set(files))  # as the menu reads them
    problems: dict[str, list[str]] = {}
    catalog = catalog_of(siblings)
    broken = [Path(i.path).stem for i in catalog.items if i.lesson is None and Path(i.path) not in files]
    for item in catalog.items:
        if item.lesson is not None:
            problems[item.path] = [f"{item.path}: {p}" for p in item.problems
                                   if not _in_broken_neighbour(p, broken)]
    return problems


def _in_broken_neighbour(problem: str, broken: list[str]) -> bool:
    """Is an unknown prerequisite the lesson of a neighbouring file that does not load (checked on its own)?"""
    found = re.match(r'prerequisites: unknown lesson "(.*)"$', problem)
    return bool(found) and any(stem == found.group(1) or stem.endswith("-" + found.group(1)) for stem in broken)


def check_lesson_file(path: str | Path) -> list[str]:
    """Every problem of one lesson file, one line each; empty when it is good."""
    from .parse import load_lesson

    try:
        lesson = load_lesson(path)
    except LessonError as error:
        return [str(error)]
    return [str(e) for e in check_lesson(lesson)]


def check_lesson(lesson: Lesson) -> list[LessonError]:
    """Static checks, then a play-through: waits end, answer keys match the engine, challenges are fair."""
    problems = static_problems(lesson)
    try:
        problems += play_through(lesson)
    except StepBudgetExceeded as exc:
        problems.append(LessonError(lesson.path, None, None, f"the run did not settle: {exc}"))
    return problems


def static_problems(lesson: Lesson) -> list[LessonError]:
    """Things wrong without running: a wait for a locked control, a challenge a later step overrides."""
    out = []
    locks: set[str] = set()
    for i, step in enumerate(lesson.steps):
        where = step_label(i, step.title)
        locks = (locks | expand_locks(step.lock)) - expand_locks(step.unlock)
        wait = step.wait
        if wait is not None and wait.kind == "action" and wait.action.action in locks:
            out.append(LessonError(lesson.path, where, "wait", f"waits for {wait.action.action}, which is locked"))
        if wait is not None and wait.kind == "setting" and wait.setting in locks:
            out.append(LessonError(lesson.path, where, "wait", f"waits for {wait.setting}, which is locked"))
        q = step.question
        if q is not None and q.kind == "challenge" and q.apply == "start":
            out += _overridden(lesson, i, q)
    return out


def _overridden(lesson: Lesson, index: int, q: Question) -> list[LessonError]:
    """A start challenge's setting that a step sets live (since the last restart) would override the choice."""
    first = max((i for i in range(index + 1) if lesson.steps[i].restart), default=-1) + 1
    names = {f"{s}.{k}" for step in lesson.steps[first: index + 1] for s, k, _ in step.settings}
    clash = sorted(names & set(q.allowed))
    if not clash:
        return []
    return [LessonError(lesson.path, step_label(index, lesson.steps[index].title), "[steps.question] allowed",
                        f"{', '.join(clash)} is also set by a step, which would override the learner's choice")]


def play_through(lesson: Lesson) -> list[LessonError]:
    """Play every step as "show me" would; compare each answer key with the engine's run."""
    run = LessonRun(lesson)
    out: list[LessonError] = []
    while True:
        where = step_label(run.index, run.step.title)
        if run.phase == WAIT:
            run.finish_wait()
            out += [LessonError(lesson.path, where, "wait until", n) for n in run.notes]
            run.notes.clear()
        if run.phase == QUESTION:
            out += [LessonError(lesson.path, where, "[steps.question]", p) for p in question_problems(run)]
            run.show_me()
        if not run.next():
            return out


def question_problems(run: LessonRun) -> list[str]:
    """Why the open question's key disagrees with the engine (or the challenge is unfair); empty if fine."""
    q = run.question
    if q.kind != "challenge":
        problem = key_matches(q, run.truth()[0])
        return [problem] if problem else []
    return challenge_problems(run, q)


def challenge_problems(run: LessonRun, q: Question) -> list[str]:
    """The goal fails unchanged, the solution meets it (at par), and no tried setting beats par."""
    out = []
    if q.goal.holds(run.fork().out()):
        out.append("the goal already holds without any change")
    made, outcome = challenge.play(run, q, _changes(q.solution))
    failed = q.goal.failures(outcome)
    if failed:
        return out + [f"the solution does not meet the goal: {'; '.join(failed)}"]
    if q.par is not None:
        metric = outcome.value(q.par.measure)
        if abs(metric - q.par.value) > q.par.tolerance:
            out.append(f"par is {q.par.value:g} but the solution's {q.par.measure} is {metric:g}")
        out += _beats_par(run, q)
    return out


def _changes(answer: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """{"producer.acks": "all"} -> [("producer", "acks", "all")]."""
    return [(*split_name(name), value) for name, value in answer.items()]


def _beats_par(run: LessonRun, q: Question) -> list[str]:
    """Try every combination of candidate values; report one that beats par by more than its tolerance."""
    tried = 0
    for combo in _combinations(q):
        tried += 1
        if tried > MAX_PAR_RUNS:
            return [f"par search stopped after {MAX_PAR_RUNS} runs; list fewer candidates"]
        try:
            _, outcome = challenge.play(run, q, combo)
        except ValueError:
            continue  # settings that cannot run together
        metric = outcome.value(q.par.measure)
        if q.goal.holds(outcome) and metric < q.par.value - q.par.tolerance:
            what = ", ".join(f"{s}.{k} = {_show(v)}" for s, k, v in combo)
            return [f"par {q.par.value:g} is not the best: {what} meets the goal with "
                    f"{q.par.measure} = {metric:g}"]
    return []


def _combinations(q: Question):
    """Combinations of up to `changes` allowed settings, each over its candidate values."""
    values = {name: _candidates(q, name) for name in q.allowed}
    names = [n for n in q.allowed if values[n]]
    for size in range(1, q.changes + 1):
        for group in itertools.combinations(names, size):
            for picked in itertools.product(*(values[n] for n in group)):
                yield [(*split_name(n), v) for n, v in zip(group, picked)]


def _candidates(q: Question, name: str) -> tuple[Any, ...]:
    """Values to try: the author's list, or every choice of a choice or boolean setting."""
    if name in q.par.candidates:
        return q.par.candidates[name]
    setting = SETTINGS[split_name(name)]
    if setting.kind == "bool":
        return (False, True)
    if setting.kind in ("choice", "acks"):
        return tuple(setting.choices)
    return ()


def _show(value: Any) -> str:
    """A value as TOML writes it."""
    from tutor.scenario.errors import show

    return "never" if value is None else show(value)
