"""`tutor check` for lessons: the format, the graph, and every answer key played against the engine."""

from __future__ import annotations

import itertools
import re
import sys
from contextlib import closing
from pathlib import Path
from typing import Any, Callable, Iterator, TextIO

from tutor.scenario.limits import read_text
from tutor.sim.config import SETTINGS, is_start_only
from tutor.sim.core import gc_paused
from tutor.sim.session import derive
from tutor.sim.simulation import StepBudgetExceeded
from tutor.sim.watched import beyond

from . import challenge
from .catalog import catalog_of, lesson_files
from .errors import LessonError, step_label
from .judge import key_matches, letter
from .measures import Outcome
from .model import Lesson, Question, split_name
from .run import QUESTION, WAIT, LessonRun, expand_locks

MAX_PAR_RUNS = 300  # a par search larger than this is cut short (and says so)
MAX_WINNER_RUNS = 120  # the search for every winning answer tries at most this many
#: values tried for numeric settings when looking for every winning answer (besides the default)
LADDER = (0, 1, 2, 3, 10, 100, 500, 1000, 10000, 100000, 1000000)
#: ... but no positive value below the default divided by this (a 3-byte buffer.memory only takes time)
FLOOR_RATIO = 100000
#: a challenge's trials go to worker processes only when each worker gets at least this many
MIN_TRIALS_PER_WORKER = 4
#: for ordering lessons by cost: simulated seconds of sending cost about as much as this many records
#: (polls, heartbeats and timers fill the time between records)
RECORDS_PER_SECOND = 50
#: tracked objects a worker leaves uncollected between lessons (all 19 built-in lessons leave about 1.1 million,
#: 160 MB): past this many, it collects before the next lesson
WORKER_GARBAGE = 2_000_000
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
        with closing(_check_files(files, check_scenario, folder=Path(path).is_dir())) as results:
            for problems, name, wins in results:  # closed early (Ctrl+C), its workers end with it
                for line in problems:
                    print(line, file=err)
                if problems:
                    status = 2
                else:
                    print(f"ok {name}", file=out)
                for line in wins:
                    print(f"  {line}", file=out)
    return status


def _check_files(files: list[Path], check_scenario: Callable[[str], str | None], folder: bool = False):
    """(problems, file, winners) for each file: lessons with their folder's graph, scenarios by theirs.

    In a folder with lessons an empty file is a broken lesson, as the lessons menu shows it."""
    lessons = [f for f in files if is_lesson_path(f)]
    if folder and lessons:
        lessons += [f for f in files if f not in lessons and _is_empty(f)]
    graph, loaded = _graph_problems(lessons)
    with closing(_checked_lessons(lessons, loaded)) as checked:
        for f in files:
            if f in lessons:
                problems, wins = next(checked)
                yield graph.get(str(f), []) + problems, str(f), wins
            else:
                problem = check_scenario(str(f))
                yield ([problem] if problem else []), str(f), []


def _checked(path: Path) -> tuple[list[str], list[str]]:
    """(problems, winners) of one lesson file (parsed already when the folder's graph was read)."""
    wins: list[str] = []
    if _IN_WORKER:
        _collect_if_full()
        return check_lesson_file(path, wins, _LOADED.get(str(path))), wins
    with gc_paused():
        return check_lesson_file(path, wins, _LOADED.get(str(path))), wins


def _collect_if_full() -> None:
    """A worker runs without the cyclic collector (see _quiet_worker); the garbage of the lessons it has
    checked is collected only once it passes WORKER_GARBAGE tracked objects."""
    import gc

    if gc.get_count()[0] > WORKER_GARBAGE:
        gc.collect()


def _checked_lessons(files: list[Path], loaded: dict[str, Lesson]) -> Iterator[tuple[list[str], list[str]]]:
    """(problems, winners) of each lesson file, in the files' order. On several cores, forked workers check
    whole lessons, the costliest first (a worker plays its challenges' trials in turn); one file alone
    keeps the workers for its challenges' trials."""
    global _LOADED
    _LOADED = loaded  # (forked workers inherit it)
    try:
        workers = min(_cores(), len(files))
        if workers < 2 or _IN_WORKER or not _can_fork():
            yield from map(_checked, files)
            return
        costliest = sorted(files, key=lambda f: -_cost(loaded.get(str(f))))
        with _forked_pool(workers) as pool:
            pending = {f: pool.apply_async(_checked, (f,)) for f in costliest}
            for f in files:
                yield pending[f].get()
    finally:
        _LOADED = {}


def _cost(lesson: Lesson | None) -> float:
    """A lesson's checking cost, told without playing: the runs it takes (each step's run, a restart's, a
    question's, and a challenge's trials), each as long as its records and the time they take to send."""
    if lesson is None:
        return 0.0  # fails as it loads
    workload = dict(lesson.scenario.config.workload)
    total = 0.0
    for step in lesson.steps:
        workload.update({k: v for section, k, v in step.settings if section == "workload"})
        runs = 1 + step.restart + (step.question is not None)
        if step.question is not None and step.question.kind == "challenge":
            runs += len(_search_combos(step.question))
        records = workload.get("messages") or 0
        seconds = records * (workload.get("interval.ms") or 0) / 1000
        total += runs * (records + RECORDS_PER_SECOND * seconds)
    return total


def _is_empty(path: Path) -> bool:
    """A file with nothing but blank lines and comments (which would pass as a scenario of defaults)."""
    try:
        return not any(line.strip() and not line.strip().startswith("#") for line in read_text(path).splitlines())
    except (OSError, UnicodeDecodeError):
        return False


def _graph_problems(files: list[Path]) -> tuple[dict[str, list[str]], dict[str, Lesson]]:
    """Cycles, unknown prerequisites and duplicate ids, among the lessons of the files' folders; and the
    lessons that load, by file."""
    folders = {f.parent for f in files}
    siblings = sorted({p for d in folders for p in lesson_files(d)} | set(files))  # as the menu reads them
    problems: dict[str, list[str]] = {}
    catalog = catalog_of(siblings)
    broken = [Path(i.path).stem for i in catalog.items if i.lesson is None and Path(i.path) not in files]
    for item in catalog.items:
        if item.lesson is not None:
            problems[item.path] = [f"{item.path}: {p}" for p in item.problems
                                   if not _in_broken_neighbour(p, broken)]
    return problems, {item.path: item.lesson for item in catalog.items if item.lesson is not None}


def _in_broken_neighbour(problem: str, broken: list[str]) -> bool:
    """Is an unknown prerequisite the lesson of a neighbouring file that does not load (checked on its own)?"""
    found = re.match(r'prerequisites: unknown lesson "(.*)"$', problem)
    return bool(found) and any(stem == found.group(1) or stem.endswith("-" + found.group(1)) for stem in broken)


def check_lesson_file(path: str | Path, wins: list[str] | None = None, lesson: Lesson | None = None) -> list[str]:
    """Every problem of one lesson file, one line each; empty when it is good (`lesson`: the file, parsed).

    `wins` gets what is worth reading but does not fail the lesson: warnings, and the winning answers.
    """
    from .parse import load_lesson

    if lesson is None:
        try:
            lesson = load_lesson(path)
        except LessonError as error:
            return [str(error)]
    return [str(e) for e in check_lesson(lesson, wins)]


def check_lesson(lesson: Lesson, wins: list[str] | None = None) -> list[LessonError]:
    """Static checks, then a play-through: waits end, answer keys match the engine, challenges are fair."""
    problems = static_problems(lesson)
    if wins is not None:
        wins += choice_warnings(lesson)
    try:
        problems += play_through(lesson, wins)
    except StepBudgetExceeded as exc:
        problems.append(LessonError(lesson.path, None, None, f"the run did not settle: {exc}"))
    return problems


def static_problems(lesson: Lesson) -> list[LessonError]:
    """Things wrong without running: a wait for a locked control, a challenge a later step overrides."""
    out = _lab_problems(lesson)
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


def choice_warnings(lesson: Lesson) -> list[str]:
    """Choice questions with fewer than three choices, or wrong choices without feedback (warnings)."""
    return [f"warning: {step_label(i, step.title)}: {p}" for i, step in enumerate(lesson.steps)
            if step.question is not None and step.question.kind == "choice"
            for p in choice_problems(step.question)]


def _lab_problems(lesson: Lesson) -> list[LessonError]:
    """Every lab a lesson names exists."""
    from tutor.lab.catalog import available_labs  # plain data: the labs and what they show

    known = [name for name, _, _ in available_labs()]
    return [LessonError(lesson.path, None, "labs", f"unknown lab {name!r}; the labs are {', '.join(known)}")
            for name in lesson.labs if name not in known]


def choice_problems(q: Question) -> list[str]:
    """At least three choices, and every wrong one says why it is wrong."""
    out = []
    if len(q.choices) < 3:
        out.append(f"{len(q.choices)} choices; a choice question needs at least three")
    bare = [letter(i) for i, c in enumerate(q.choices) if not c.correct and not c.feedback]
    if bare:
        out.append(f"choice {', '.join(bare)} has no feedback (the misconception it stands for, and why "
                   "it is wrong)")
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


def play_through(lesson: Lesson, wins: list[str] | None = None) -> list[LessonError]:
    """Play every step as "show me" would; compare each answer key with the engine's run.

    Each challenge's winning answers are added to `wins`, one line each, naming the step.
    """
    run = LessonRun(lesson, keep_past=False)  # nothing here scrubs back
    out: list[LessonError] = []
    while True:
        where = step_label(run.index, run.step.title)
        if run.phase == WAIT:
            run.finish_wait()
            out += [LessonError(lesson.path, where, "wait until", n) for n in run.notes]
            run.notes.clear()
        if run.phase == QUESTION:
            out += [LessonError(lesson.path, where, "[steps.question]", p)
                    for p in question_problems(run, where, wins)]
            run.show_me()
        if not run.next():
            return out


def question_problems(run: LessonRun, where: str = "", wins: list[str] | None = None) -> list[str]:
    """Why the open question's key disagrees with the engine (or the challenge is unfair); empty if fine."""
    q = run.question
    if q.kind != "challenge":
        problem = key_matches(q, run.truth()[0])
        return [problem] if problem else []
    return challenge_problems(run, q, where, wins)


def challenge_problems(run: LessonRun, q: Question, where: str = "",
                       wins: list[str] | None = None) -> list[str]:
    """The goal fails unchanged, the solution meets it (at par), and no tried setting beats par."""
    out = []
    unchanged = run.played_out()
    if q.goal.holds(unchanged):
        out.append("the goal already holds without any change")
    made, outcome = challenge.play(run, q, _changes(q.solution))
    failed = q.goal.failures(outcome)
    if failed:
        return out + [f"the solution does not meet the goal: {'; '.join(failed)}"]
    trials = Trials(run, q)
    trials.add(made, (True, outcome.value(q.par.measure) if q.par is not None else None))
    trials.add_unchanged(unchanged)
    trials.prepare(_search_combos(q))
    if q.par is not None:
        metric = outcome.value(q.par.measure)
        if abs(metric - q.par.value) > q.par.tolerance:
            out.append(f"par is {q.par.value:g} but the solution's {q.par.measure} is {metric:g}")
        out += _beats_par(trials, q)
    winners = winning_answers(run, q, trials)
    cut = bool(winners) and winners[-1] is None
    winners = [w for w in winners if w is not None]
    if wins is not None:
        more = f" (the search stopped after {MAX_WINNER_RUNS} runs)" if cut else ""
        wins.append(f"{where}: winning answers: {'; '.join(describe_winners(winners)) or 'none found'}{more}")
    return out + unexplained_winners(q, winners)


class Trials:
    """Each tried answer of one challenge played once: (goal met, par measure), or None when its settings
    cannot run together. The par and winners searches share these runs, which are played in parallel; answers
    that come to the same run (the same start configuration, or the same changes made) share one."""

    def __init__(self, run: LessonRun, q: Question) -> None:
        self.run, self.q = run, q
        self.seen: dict[tuple, tuple[bool, float | None] | None] = {}
        self.by_run: dict[tuple, tuple[bool, float | None] | None] = {}
        self.played = Played(run, q)

    def add(self, combo: list[tuple[str, str, Any]], result: tuple[bool, float | None] | None) -> None:
        """Keep the result of a combination played elsewhere (the solution)."""
        self.seen[_combo_key(combo)] = result
        key = _run_key(self.run, self.q, combo)
        if key is not None:
            self.by_run[key] = result

    def add_unchanged(self, outcome: Outcome) -> None:
        """The lesson's own run played out: a start challenge's answer that gives each setting the value it
        already starts with replays that very run (the engine reads nothing else of the settings)."""
        key = _run_key(self.run, self.q, []) if self.q.apply == "start" else None
        if key is not None:
            self.by_run[key] = (self.q.goal.holds(outcome),
                                outcome.value(self.q.par.measure) if self.q.par is not None else None)

    def prepare(self, combos: list[list[tuple[str, str, Any]]]) -> None:
        """Play every combination not played yet, each distinct run once (in worker processes when that pays)."""
        todo = list({_combo_key(c): c for c in combos if _combo_key(c) not in self.seen}.values())
        keys = [_run_key(self.run, self.q, c) for c in todo]
        lead: dict[Any, list[tuple[str, str, Any]]] = {}
        for i, (combo, key) in enumerate(zip(todo, keys)):
            if key not in self.by_run:
                lead.setdefault(key if key is not None else ("alone", i), combo)
        for key, result in zip(lead, _play_many(self.run, self.q, list(lead.values()), self.played)):
            if key[0] != "alone":
                self.by_run[key] = result
            self.seen[_combo_key(lead[key])] = result
        for combo, key in zip(todo, keys):
            if key is not None:
                self.seen[_combo_key(combo)] = self.by_run[key]

    def get(self, combo: list[tuple[str, str, Any]]) -> tuple[bool, float | None] | None:
        """The result of one combination (played now if it was not prepared)."""
        key = _combo_key(combo)
        if key not in self.seen:
            run_key = _run_key(self.run, self.q, combo)
            if run_key is None or run_key not in self.by_run:
                result = self.played.trial(combo)
                if run_key is None:
                    self.seen[key] = result
                    return result
                self.by_run[run_key] = result
            self.seen[key] = self.by_run[run_key]
        return self.seen[key]


class Played:
    """A start challenge's trials played in turn, each with the settings it read of those the challenge allows:
    an answer whose start configuration differs from a played one's only in allowed settings that run never
    read plays that very run (the engine acts on nothing else), so its result is taken without playing. So is
    one that differs in settings that run only compared with quantities of its own, when both values are above
    the largest quantity compared (a flush interval of 10,000 or 100,000 messages when 2,000 are written: every
    comparison comes out alike, so every event does)."""

    def __init__(self, run: LessonRun, q: Question) -> None:
        self.run, self.q = run, q
        self.watch = frozenset(split_name(n) for n in q.allowed) if q.apply == "start" else None
        #: (settings, reads, bounds, result) of each trial played
        self.runs: list[tuple[dict, frozenset, dict, tuple[bool, float | None]]] = []

    def trial(self, combo: list[tuple[str, str, Any]]) -> tuple[bool, float | None] | None:
        """The result of one combination: an alike run's, or played now."""
        if self.watch is None:
            return _trial(self.run, self.q, combo)
        try:
            settings = _flat(self.run.session.start_config(combo))
        except ValueError:
            return None
        for played, reads, bounds, result in self.runs:
            if _alike(settings, played, self.watch, reads, bounds):
                return result
        result, reads, bounds = _trial(self.run, self.q, combo, self.watch)
        if result is not None:
            self.runs.append((settings, reads, bounds, result))
        return result


def _flat(config: Any) -> dict:
    """A configuration as {(section, key): (type name, repr, value)} (a missing section as None; further topics
    whole)."""
    from tutor.sim.watched import SECTIONS

    out: dict = {}
    for name in SECTIONS:
        values = getattr(config, name)
        out[(name, None)] = values is None
        for key, value in (values or {}).items():
            out[(name, key)] = (type(value).__name__, repr(value), value)
    out[("topics", None)] = repr(config.extra_topics)
    return out


def _alike(a: dict, b: dict, watch: frozenset, reads: frozenset, bounds: dict) -> bool:
    """Do two configurations differ only in watched settings the run of `b` never read, or only compared with
    quantities up to a bound both values are above (see tutor.sim.watched)?"""
    if a.keys() != b.keys():
        return False
    return all(key in watch and key not in reads
               and (key not in bounds or (beyond(a[key][2], bounds[key]) and beyond(b[key][2], bounds[key])))
               for key in a if a[key] != b[key])


def _run_key(run: LessonRun, q: Question, combo: list[tuple[str, str, Any]]) -> tuple | None:
    """What a trial of the combination runs: the start configuration a start challenge's run is built from
    (the engine reads nothing else of the settings), or the changes a live one makes, derived ones included.
    None when that cannot be told without playing (the settings cannot run together)."""
    try:
        if q.apply == "start":
            return ("start", repr(run.session.start_config(combo)))
        if any(is_start_only(f"{s}.{k}") for s, k, _ in combo):
            return None
        return ("now", _combo_key(derive(run.given, combo)))
    except ValueError:
        return None


def _combo_key(combo: list[tuple[str, str, Any]]) -> tuple:
    """A combination as a key that tells True from 1."""
    return tuple((s, k, type(v).__name__, v) for s, k, v in combo)


def _trial(run: LessonRun, q: Question, combo: list[tuple[str, str, Any]], watch: frozenset | None = None):
    """Play one combination: (goal met, par measure), or None when its settings cannot run together; with
    `watch`, ((goal met, par measure) or None, the watched settings the run read, the bounds of those it only
    compared).

    The collector waits for the whole trial, and the played run, once measured, lets go of its reference
    cycles: it is freed at once instead of being scanned young and again in an older generation."""
    with gc_paused():
        try:
            _, outcome = challenge.play_afresh(run, q, combo, watch=watch)  # the solution stays the last play
        except ValueError:
            return None if watch is None else (None, frozenset(), {})
        result = q.goal.holds(outcome), (outcome.value(q.par.measure) if q.par is not None else None)
        reads = frozenset(outcome.sim.reads or ())
        bounds = dict(outcome.sim.bounds or {})
        outcome.sim.dispose()
        del outcome
    return result if watch is None else (result, reads, bounds)


_LOADED: dict[str, Lesson] = {}  # the lessons of the folders being checked, by file, as their graph read them
_JOB: tuple[LessonRun, Question] | None = None  # what forked workers play (inherited, never pickled)
_IN_WORKER = False  # true in a forked worker, which starts no workers of its own


def _job_trial(combo: list[tuple[str, str, Any]]) -> tuple[bool, float | None] | None:
    """A worker's trial of one combination of the challenge being searched."""
    run, q = _JOB
    return _trial(run, q, combo)


def _play_many(run: LessonRun, q: Question, combos: list, played: Played) -> list:
    """Trials of many combinations, in order: in turn, each taking an alike run's result when one was played
    (`played`); on several cores, in forked workers sharing the run's state."""
    global _JOB
    workers = min(_cores(), len(combos) // MIN_TRIALS_PER_WORKER)
    if workers < 2 or _IN_WORKER or not _can_fork():
        return [played.trial(c) for c in combos]
    _JOB = (run, q)
    try:
        with _forked_pool(workers) as pool:
            return pool.map(_job_trial, combos, chunksize=1)
    finally:
        _JOB = None


def _can_fork() -> bool:
    """Can workers start as copies of this process (sharing its state, nothing pickled)?"""
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def _forked_pool(workers: int):
    """A pool of forked workers that play in turn whatever they are given."""
    import multiprocessing

    return multiprocessing.get_context("fork").Pool(workers, initializer=_quiet_worker)


def _quiet_worker() -> None:
    """A worker leaves signals to its parent: Ctrl+C stops the parent, which ends the pool (SIGTERM kills).
    It plays trials in turn: the cores are taken by its fellow workers.

    It runs without the cyclic collector: nearly everything a check makes lives until its lesson ends, so the
    collector's scans only cost time (a tenth of a check), and the pool ends its workers without freeing their
    garbage at all. What it inherited is frozen, so that no collection touches (and copies) those pages;
    _collect_if_full bounds what piles up."""
    import gc
    import signal

    global _IN_WORKER
    _IN_WORKER = True
    gc.disable()
    gc.freeze()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)


def _cores() -> int:
    """Cores this process may use."""
    import os

    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _search_combos(q: Question) -> list[list[tuple[str, str, Any]]]:
    """Every combination the par and winners searches may try, within their run limits."""
    out = list(itertools.islice(_combinations(q, _every_value), MAX_WINNER_RUNS))
    if q.par is not None:
        out += itertools.islice(_combinations(q, _candidates), MAX_PAR_RUNS)
    return out


def winning_answers(run: LessonRun, q: Question, trials: "Trials | None" = None) -> list[list[tuple[str, str, Any]]]:
    """Every tried answer that meets the goal: each allowed setting over its values, then pairs if allowed.

    The search stops after MAX_WINNER_RUNS runs; the list then ends with None.
    """
    trials = trials or Trials(run, q)
    wins: list = []
    tried = 0
    for combo in _combinations(q, _every_value):
        tried += 1
        if tried > MAX_WINNER_RUNS:
            return wins + [None]
        result = trials.get(combo)
        if result is not None and result[0] and not _contains_win(combo, wins):
            wins.append(combo)
    return wins


def _contains_win(combo: list[tuple[str, str, Any]], wins: list) -> bool:
    """A pair that only adds a setting to a single winning change says nothing new."""
    return any(set(map(_key, w)) < set(map(_key, combo)) for w in wins)


def _key(change: tuple[str, str, Any]) -> tuple[str, str, str]:
    """A change as a hashable triple."""
    return change[0], change[1], _show(change[2])


def unexplained_winners(q: Question, wins: list[list[tuple[str, str, Any]]]) -> list[str]:
    """Winning answers the explanation does not name (a setting's key, and its value).

    A bool or choice value must be named as written; of a numeric setting's winning values, one
    must be named (with the key, that tells the learner the setting wins too).
    """
    text = q.explanation.lower()
    missing = []
    for section, key, values in _winners_by_setting(wins):
        shown = [_show(v).lower().strip('"') for v in values]
        numeric = SETTINGS[(section, key)].kind in ("int", "float", "flush")
        named = key.lower() in text and (any(_names(text, v) for v in shown) if numeric
                                         else all(_names(text, v) for v in shown))
        if not named:
            missing.append(f"{section}.{key} = {' or '.join(shown)}")
    if not missing:
        return []
    return [f"the explanation does not name every winning answer: {'; '.join(missing)} also "
            "meet the goal (name each setting and value in the explanation)"]


def _winners_by_setting(wins: list[list[tuple[str, str, Any]]]) -> list[tuple[str, str, list[Any]]]:
    """The winning values of each setting, in the order first met."""
    by: dict[tuple[str, str], list[Any]] = {}
    for combo in wins:
        for section, key, value in combo:
            values = by.setdefault((section, key), [])
            if value not in values:
                values.append(value)
    return [(s, k, v) for (s, k), v in by.items()]


def _names(text: str, value: str) -> bool:
    """Does the text name this value as a word of its own?"""
    return re.search(rf"(?<![\w.]){re.escape(value)}(?![\w])", text) is not None


def describe_winners(wins: list[list[tuple[str, str, Any]]]) -> list[str]:
    """One line per winning answer, as a learner would type it."""
    return [", ".join(f"{s}.{k} = {_show(v)}" for s, k, v in combo) for combo in wins]


def _changes(answer: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """{"producer.acks": "all"} -> [("producer", "acks", "all")]."""
    return [(*split_name(name), value) for name, value in answer.items()]


def _beats_par(trials: Trials, q: Question) -> list[str]:
    """Try every combination of candidate values; report one that beats par by more than its tolerance."""
    tried = 0
    for combo in _combinations(q, _candidates):
        tried += 1
        if tried > MAX_PAR_RUNS:
            return [f"par search stopped after {MAX_PAR_RUNS} runs; list fewer candidates"]
        result = trials.get(combo)
        if result is None:
            continue  # settings that cannot run together
        holds, metric = result
        if holds and metric < q.par.value - q.par.tolerance:
            what = ", ".join(f"{s}.{k} = {_show(v)}" for s, k, v in combo)
            return [f"par {q.par.value:g} is not the best: {what} meets the goal with "
                    f"{q.par.measure} = {metric:g}"]
    return []


def _combinations(q: Question, candidates: Callable[[Question, str], tuple[Any, ...]]):
    """Combinations of up to `changes` allowed settings, each over its candidate values."""
    values = {name: candidates(q, name) for name in q.allowed}
    names = [n for n in q.allowed if values[n]]
    for size in range(1, q.changes + 1):
        for group in itertools.combinations(names, size):
            for picked in itertools.product(*(values[n] for n in group)):
                yield [(*split_name(n), v) for n, v in zip(group, picked)]


def _every_value(q: Question, name: str) -> tuple[Any, ...]:
    """Values to try for the winners: the author's par list, every choice, or a ladder within bounds."""
    setting = SETTINGS[split_name(name)]
    if setting.kind not in ("int", "float", "flush") or (q.par and name in q.par.candidates):
        return _candidates(q, name)
    lo = setting.minimum if setting.minimum is not None else 0
    hi = setting.maximum if setting.maximum is not None else float("inf")
    default = setting.default_for("java", "4.0")
    floor = default / FLOOR_RATIO if isinstance(default, (int, float)) else 0
    ladder = tuple(v for v in LADDER if lo <= v <= hi and (v == 0 or v >= floor))
    return ladder + (None,) if setting.kind == "flush" else ladder


def _candidates(q: Question, name: str) -> tuple[Any, ...]:
    """Values to try: the author's list, or every choice of a choice or boolean setting."""
    if q.par is not None and name in q.par.candidates:
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
